"""The EC2 instances pages: the list with its launch form, and an instance's page.

Every change is an EC2 action of simulator.sandbox.ec2 performed as the acting identity, posted to
``instances/<id>/change/<change>/``; with htmx the instance's region is swapped with the error (if any) beside
the form that caused it, without JavaScript the form posts and the page redirects back. Two forms do no AWS
action on purpose: "Attach a policy to this instance" answers with why that cannot be (policies attach to
users, groups and roles; an instance gets permissions through its role), and the long-term keys panel writes
a user's key onto the instance's disk, the anti-pattern the role replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.identities import attachable_policies
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import clock, ec2
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.instance_states import SETTLES_INTO, is_gone, listed, settled
from simulator.sandbox.models import AccessKey, Account, Instance, Sandbox, TemporaryCredential

LIST_PAGE = "console/instances.html"
DETAIL_PAGE = "console/instance.html"
BLANK_LAUNCH = {"instance_type": "t3.micro", "profile": "", "http_tokens": "required", "name": "", "spot": ""}
# Where the metadata link opens: the role's name, then its credentials, as code on the instance reads them.
CREDENTIALS_PATH = "latest/meta-data/iam/security-credentials/"


def _launch(actor: Actor, typed: dict[str, str]) -> None:
    name = typed["name"].strip()
    ec2.run_instances(
        actor,
        instance_type=typed["instance_type"],
        instance_profile_name=typed["profile"] or None,
        tags=[{"Key": "Name", "Value": name}] if name else (),
        spot=bool(typed["spot"]),
        http_tokens=typed["http_tokens"],
    )


def _list_context(sandbox: Sandbox, account: Account, **overrides: Any) -> dict[str, Any]:
    return {
        "sandbox": sandbox,
        "account": account,
        "instances": listed(account).select_related("instance_profile__role"),
        "profiles": account.instance_profiles.select_related("role"),
        "instance_types": ec2.INSTANCE_TYPES,
        "typed": BLANK_LAUNCH,
        "error": None,
        **overrides,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def instances(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The account's instances, and RunInstances from the launch form beside them."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    typed, error = BLANK_LAUNCH, None
    if request.method == "POST":
        typed = {field: request.POST.get(field, default) for field, default in BLANK_LAUNCH.items()}
        try:
            _launch(actor, typed)
        except AwsError as caught:
            error = caught
        else:
            if not request.htmx:
                return redirect("console:instances", sandbox.id)
            typed = BLANK_LAUNCH
    template = f"{LIST_PAGE}#instances-region" if request.htmx else LIST_PAGE
    context = _list_context(sandbox, actor.account, typed=typed, error=error)
    return render(request, template, context, status=error_status(request, error))


# The changes an instance's page posts: each is called with the acting identity, the instance and the form.
def _state_change(change: Callable[[Actor, list[str]], object]) -> Callable[[Actor, Instance, dict], object]:
    return lambda actor, instance, form: change(actor, [instance.instance_id])


def _store_key(actor: Actor, instance: Instance, form: dict) -> object:
    """The key chosen from the account's users' keys; its secret is read from IAM as the learner would copy it."""
    key = AccessKey.objects.filter(account=actor.account, user__isnull=False, access_key_id=form["key"]).first()
    secret = key.secret if key is not None else ""
    return ec2.store_access_key(actor, instance.instance_id, form["key"], secret)


INSTANCE_CHANGES: dict[str, tuple[tuple[str, ...], Callable[[Actor, Instance, dict], object]]] = {
    "stop": ((), _state_change(ec2.stop_instances)),
    "start": ((), _state_change(ec2.start_instances)),
    "reboot": ((), _state_change(ec2.reboot_instances)),
    "terminate": ((), _state_change(ec2.terminate_instances)),
    "interrupt": ((), lambda actor, instance, form: ec2.interrupt_spot_instance(actor, instance.instance_id)),
    "associate": (
        ("profile",),
        lambda actor, instance, form: ec2.associate_iam_instance_profile(actor, instance.instance_id, form["profile"]),
    ),
    "replace": (
        ("profile",),
        lambda actor, instance, form: ec2.replace_iam_instance_profile_association(
            actor, instance.association_id, form["profile"]
        ),
    ),
    "disassociate": (
        (),
        lambda actor, instance, form: ec2.disassociate_iam_instance_profile(actor, instance.association_id),
    ),
    "metadata": (
        ("http_tokens", "http_endpoint"),
        lambda actor, instance, form: ec2.modify_instance_metadata_options(
            actor,
            instance.instance_id,
            http_tokens=form["http_tokens"] or None,
            http_endpoint=form["http_endpoint"] or None,
        ),
    ),
    "tag": (
        ("key", "value"),
        lambda actor, instance, form: ec2.create_tags(
            actor, instance.instance_id, [{"Key": form["key"], "Value": form["value"]}]
        ),
    ),
    "untag": (("key",), lambda actor, instance, form: ec2.delete_tags(actor, instance.instance_id, [form["key"]])),
    "store_key": (("key",), _store_key),
    "remove_key": ((), lambda actor, instance, form: ec2.remove_stored_access_key(actor, instance.instance_id)),
}
# Not an action: the form is there because learners look for it, and its answer is the lesson.
ATTACH_POLICY = "attach_policy"


def _instance_for_page(account: Account, instance_id: str) -> Instance:
    """The account's instance, settled; one EC2 no longer describes (terminated over an hour ago) is a 404."""
    instances = account.instances.select_related("account__sandbox", "instance_profile__role__account")
    instance = settled(get_object_or_404(instances, instance_id=instance_id))
    if is_gone(instance):
        raise Http404("No such instance")
    return instance


def _stored_key(account: Account, instance: Instance) -> AccessKey | None:
    if not instance.stored_access_key_id:
        return None
    return (
        AccessKey.objects.select_related("user")
        .filter(account=account, access_key_id=instance.stored_access_key_id)
        .first()
    )


def _role_credentials(instance: Instance, now) -> list[TemporaryCredential]:
    """The role credentials EC2 has handed this instance that still work, newest first: watching the clock run,
    the learner sees a new set arrive every hour while the older ones keep working until they expire."""
    return list(instance.credentials.filter(expires_at__gt=now).select_related("role").order_by("-issued_at", "-id"))


def _detail_context(
    sandbox: Sandbox,
    actor: Actor,
    instance_id: str,
    *,
    failed: str = "",
    error: AwsError | None = None,
    typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    account = actor.account
    instance = _instance_for_page(account, instance_id)
    settles = SETTLES_INTO.get(instance.state)
    return {
        "sandbox": sandbox,
        "account": account,
        "instance": instance,
        "name": next((tag["Value"] for tag in instance.tags if tag["Key"] == "Name"), ""),
        "role": instance.instance_profile.role if instance.instance_profile else None,
        "settles_into": settles[0] if settles else "",
        "settles_at": instance.state_changed_at + settles[1] if settles else None,
        "now": clock.account_now(account),
        "page_url": reverse("console:instance", args=[sandbox.id, instance.instance_id]),
        "change_urls": {
            change: reverse("console:instance_change", args=[sandbox.id, instance.instance_id, change])
            for change in [*INSTANCE_CHANGES, ATTACH_POLICY]
        },
        "metadata_url": reverse("console:instance_metadata", args=[sandbox.id, instance.instance_id, CREDENTIALS_PATH]),
        "credentials_path": CREDENTIALS_PATH,
        "profiles": account.instance_profiles.select_related("role"),
        "policies": attachable_policies(account),
        "user_keys": AccessKey.objects.filter(account=account, user__isnull=False).select_related("user"),
        "stored_key": _stored_key(account, instance),
        "role_credentials": _role_credentials(instance, clock.account_now(account)),
        "failed": failed,
        "error": error,
        "typed": typed or {},
    }


def _render_detail(
    request: HttpRequest, context: dict, status: int = 200, region: str = "instance-region"
) -> HttpResponse:
    template = f"{DETAIL_PAGE}#{region}" if request.htmx else DETAIL_PAGE
    return render(request, template, context, status=status)


@login_required
@vary_on_headers("HX-Request")
@require_safe
def instance_detail(request: HttpRequest, sandbox_id: int, instance_id: str) -> HttpResponse:
    """An instance's page; ``?region=state`` (htmx) answers only its state, which a passing state polls for."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    region = "state-region" if request.GET.get("region") == "state" else "instance-region"
    return _render_detail(request, _detail_context(sandbox, actor, instance_id), region=region)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def change_instance(request: HttpRequest, sandbox_id: int, instance_id: str, change: str) -> HttpResponse:
    """One change to the instance; its error shows beside the form that posted it."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    instance = _instance_for_page(actor.account, instance_id)
    if change == ATTACH_POLICY:
        typed = {"policy": request.POST.get("policy", "")}
        return _render_detail(request, _detail_context(sandbox, actor, instance_id, failed=change, typed=typed))
    if change not in INSTANCE_CHANGES:
        raise Http404(f"No such change: {change}")
    fields, operation = INSTANCE_CHANGES[change]
    typed = {field: request.POST.get(field, "") for field in fields}
    try:
        operation(actor, instance, typed)
    except AwsError as error:
        context = _detail_context(sandbox, actor, instance_id, failed=change, error=error, typed=typed)
        return _render_detail(request, context, status=error_status(request, error))
    if not request.htmx:
        return redirect("console:instance", sandbox.id, instance_id)
    return _render_detail(request, _detail_context(sandbox, actor, instance_id))
