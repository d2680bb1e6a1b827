"""The anti-pattern, side by side: an instance that gets credentials from its role beside one that has an IAM
user's long-term access key written on its disk.

"Use an IAM role to grant permissions to applications running on Amazon EC2 instances" (IAM User Guide) and
"Require workloads to use temporary credentials" ("Security best practices in IAM"): role credentials rotate
by themselves and belong to no person; a stored key never rotates, keeps working after its owner leaves and
must be replaced by hand on every instance that holds it. The page shows both on the sandbox clock, runs
``aws sts get-caller-identity`` on both at once, and offers to launch a pair to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from simulator.console.clock import duration_words
from simulator.console.terminal import (
    find_instance,
    prompt,
    run_in_shell,
    shell_of,
    shown_entries,
    stored_key,
)
from simulator.console.views import get_sandbox_and_actor
from simulator.sandbox import access_keys, clock, ec2, imds
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import AccessKey, Instance, Sandbox, TemporaryCredential

PAGE = "console/instance_keys_antipattern.html"
WHO_AM_I = "aws sts get-caller-identity"


@dataclass(frozen=True)
class Side:
    """One instance of the comparison with what the page says about its credentials."""

    instance: Instance
    prompt: str
    credential: TemporaryCredential | None  # the role's newest credentials EC2 issued, for the left side
    key: AccessKey | None  # the stored key as IAM knows it, for the right side
    issued: str
    next_rotation: str
    last_entry: list


def _age(moment: datetime, now: datetime) -> str:
    return f"{duration_words(max(0.0, (now - moment).total_seconds()))} ago"


def _side(request: HttpRequest, sandbox: Sandbox, instance: Instance) -> Side:
    now = clock.now(sandbox)
    credential = (
        TemporaryCredential.objects.filter(instance=instance, operation=TemporaryCredential.Operation.INSTANCE_ROLE)
        .select_related("role")
        .first()
    )
    key = stored_key(instance)
    issued = next_rotation = ""
    if credential is not None and not instance.stored_access_key_id:
        issued = _age(credential.issued_at, now)
        rotates_in = (credential.issued_at + imds.REFRESH_AFTER - now).total_seconds()
        next_rotation = f"in {duration_words(rotates_in)}" if rotates_in > 0 else "now: the next call gets new ones"
    elif key is not None:
        issued = _age(key.created_at, now)
    entries = shell_of(request, instance)["entries"]
    last = shown_entries(instance, entries[-1:], first=len(entries)) if entries else []
    return Side(instance, prompt(instance), credential, key, issued, next_rotation, last)


def _choose(instances: list[Instance], chosen: str, stored: bool) -> Instance | None:
    """The instance the learner picked, or the first one of the kind the side stands for."""
    picked = next((i for i in instances if i.instance_id == chosen), None)
    if picked is not None:
        return picked
    return next((i for i in instances if bool(i.stored_access_key_id) == stored), None)


def _launch_pair(actor: Actor, profile_name: str, user_name: str) -> tuple[Instance, Instance]:
    """One instance with the profile's role and one with a new access key of the user written on its disk."""
    with_role = ec2.run_instances(actor, instance_profile_name=profile_name or None)[0]
    with_keys = ec2.run_instances(actor)[0]
    key = access_keys.create_access_key(actor, user_name)
    ec2.store_access_key(actor, with_keys.instance_id, key.access_key_id, key.secret)
    return with_role, with_keys


def _url(sandbox: Sandbox, with_role: Instance | None, with_keys: Instance | None) -> str:
    chosen = {
        "with_role": with_role.instance_id if with_role else "",
        "with_keys": with_keys.instance_id if with_keys else "",
    }
    return f"{reverse('console:instance_keys_antipattern', args=[sandbox.id])}?{urlencode(chosen)}"


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def instance_keys_antipattern(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    instances = [
        ec2.settled(instance)
        for instance in Instance.objects.filter(account=account)
        .exclude(state=Instance.State.TERMINATED)
        .select_related("account__sandbox", "instance_profile__role")
    ]
    data = request.POST if request.method == "POST" else request.GET
    with_role = _choose(instances, data.get("with_role", ""), stored=False)
    with_keys = _choose(instances, data.get("with_keys", ""), stored=True)
    error: AwsError | None = None
    if request.method == "POST" and request.POST.get("action") == "launch":
        try:
            with_role, with_keys = _launch_pair(actor, request.POST.get("profile", ""), request.POST.get("user", ""))
        except AwsError as failed:
            error = failed
        else:
            return redirect(_url(sandbox, with_role, with_keys))
    elif request.method == "POST":
        for instance in (with_role, with_keys):
            if instance is not None:
                run_in_shell(request, find_instance(actor, instance.instance_id), WHO_AM_I)
        if not request.htmx:
            return redirect(_url(sandbox, with_role, with_keys))
    context: dict[str, Any] = {
        "sandbox": sandbox,
        "account": account,
        "instances": instances,
        "left": _side(request, sandbox, with_role) if with_role else None,
        "right": _side(request, sandbox, with_keys) if with_keys else None,
        "profiles": account.instance_profiles.filter(role__isnull=False).order_by("name"),
        "users": account.users.order_by("name"),
        "error": error,
        "refresh_after": duration_words(imds.REFRESH_AFTER.total_seconds()),
        "lifetime": duration_words(imds.CREDENTIAL_LIFETIME.total_seconds()),
    }
    template = f"{PAGE}#comparison" if request.htmx and error is None else PAGE
    return render(request, template, context, status=error.status if error and not request.htmx else 200)
