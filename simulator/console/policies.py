"""The console's policy pages: AWS managed and customer managed policies, a checked-as-you-type editor, a
policy's versions and attachments, and its deletion.

Every change goes through simulator.sandbox.operations or policy_operations as the acting identity, so a
page meets the same checks and shows the same AWS errors as the API. A learner reads AWS managed policies
(they belong to no account) and their own account's policies; another account's policy is a 404.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console import documents
from simulator.console.views import error_status, get_sandbox_and_account, get_sandbox_and_actor
from simulator.policy.findings import Finding, validate
from simulator.policy.jsontext import JSONSyntaxError
from simulator.policy.model import PolicyType
from simulator.sandbox import operations, policy_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import policy_size
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, PolicyVersion, Role, Sandbox

PAGE = "console/policies.html"
DETAIL = "console/policy.html"
BLANK_POLICY = {"name": "", "description": "", "document": ""}
# ListPolicies' Scope (All, AWS, Local) in the console's words.
TYPES = {"all": "All types", "aws": "AWS managed", "customer": "Customer managed"}
ATTACH = {
    "user": operations.attach_user_policy,
    "group": operations.attach_group_policy,
    "role": operations.attach_role_policy,
}
DETACH = {
    "user": operations.detach_user_policy,
    "group": operations.detach_group_policy,
    "role": operations.detach_role_policy,
}


def _visible(account: Account) -> QuerySet[ManagedPolicy]:
    """The policies a learner may read in this account: its own, and AWS's."""
    return ManagedPolicy.objects.filter(Q(account=account) | Q(account__isnull=True)).select_related("account")


def _count(rows: QuerySet, outer: str) -> Coalesce:
    """How many ``rows`` point at the outer policy, as a subquery: joining every count would multiply rows."""
    counted = rows.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _listed(account: Account, kind: str, search: str) -> QuerySet[ManagedPolicy]:
    """The policies to list, each with its default version, its version count and how many of this account's
    users, groups and roles it is attached to (an AWS managed policy is attached across every account), in one query.
    """
    policies = _visible(account)
    if kind == "aws":
        policies = policies.filter(account__isnull=True)
    elif kind == "customer":
        policies = policies.filter(account=account)
    if search:
        policies = policies.filter(name__icontains=search)
    default = PolicyVersion.objects.filter(policy=OuterRef("pk"), is_default=True).values("number")[:1]
    return policies.annotate(
        default_version=Subquery(default),
        version_count=_count(PolicyVersion.objects.all(), "policy"),
        attachment_count=_count(
            IamUser.managed_policies.through.objects.filter(iamuser__account=account), "managedpolicy"
        )
        + _count(Group.managed_policies.through.objects.filter(group__account=account), "managedpolicy")
        + _count(Role.managed_policies.through.objects.filter(role__account=account), "managedpolicy"),
    )


def _editor(document: str) -> dict[str, Any]:
    """The editor's findings. A document past the managed policy quota is not checked: IAM refuses it for its
    size whatever it says, and checking ReadOnlyAccess's thousands of actions takes seconds."""
    size = policy_size(document)
    oversize = size > operations.MANAGED_POLICY_SIZE
    checked = bool(document.strip()) and not oversize
    findings: tuple[Finding, ...] = validate(document, PolicyType.IDENTITY) if checked else ()
    limit = operations.MANAGED_POLICY_SIZE
    return {"findings": findings, "checked": checked, "oversize": oversize, "size": size, "limit": limit}


def _typed(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in BLANK_POLICY}


def _copied(account: Account, policy_id: str) -> dict[str, str]:
    """The editor prefilled from a policy the learner can read (?copy=id): the way to customise an AWS managed one."""
    if not policy_id.isdigit():
        raise Http404("No such policy.")
    policy = get_object_or_404(_visible(account), pk=policy_id)
    default = policy.versions.get(is_default=True)
    return {"name": f"{policy.name}-copy", "description": policy.description, "document": default.document}


def _policies_context(request: HttpRequest, account: Account, typed: dict[str, str], error: AwsError | None) -> dict:
    kind = request.GET.get("type", "all")
    kind = kind if kind in TYPES else "all"
    search = request.GET.get("q", "").strip()[:128]
    return {
        "account": account,
        "policies": _listed(account, kind, search),
        "kind": kind,
        "kind_label": TYPES[kind],
        "kinds": TYPES,
        "search": search,
        "typed": typed,
        "error": error,
        **_editor(typed["document"]),
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def policies(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The list (filtered by ?type= and ?q=; htmx asks for the list alone) and the create form, which
    ?copy=<policy id> fills from a policy the learner can read."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    typed, error = BLANK_POLICY, None
    if request.method == "POST":
        typed = _typed(request)
        try:
            operations.create_policy(actor, typed["name"], typed["document"], description=typed["description"])
        except AwsError as aws_error:
            error = aws_error
        else:
            if not request.htmx:
                return redirect("console:policies", sandbox.id)
            typed = BLANK_POLICY
    elif "copy" in request.GET:
        typed = _copied(actor.account, request.GET["copy"])
    context = {"sandbox": sandbox, **_policies_context(request, actor.account, typed, error)}
    region = "policies-region" if request.method == "POST" else "policy-list"
    template = f"{PAGE}#{region}" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


@login_required
@require_POST
def validate_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The findings for the document being typed: the editor asks as the learner types."""
    sandbox, _ = get_sandbox_and_account(request, sandbox_id)
    return render(request, f"{PAGE}#findings", {"sandbox": sandbox, **_editor(request.POST.get("document", ""))})


@login_required
@vary_on_headers("HX-Request")
@require_POST
def format_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The editor with its document re-indented; a document that is not JSON comes back as typed, with its findings.

    Without JavaScript the whole page comes back: the policies page, or the policy's page when the editor
    was writing a new version of it (the form says which in ``policy``).
    """
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    typed = _typed(request)
    with contextlib.suppress(JSONSyntaxError):
        typed["document"] = documents.pretty(typed["document"])
    if request.htmx:
        return render(request, f"{PAGE}#editor", {"sandbox": sandbox, "typed": typed, **_editor(typed["document"])})
    policy_id = request.POST.get("policy", "")
    if policy_id.isdigit():
        page = _open(request, sandbox_id, int(policy_id))
        return render(request, DETAIL, _policy_context(request, page, typed=typed))
    return render(request, PAGE, {"sandbox": sandbox, **_policies_context(request, account, typed, None)})


@dataclass(frozen=True)
class PolicyPage:
    """A policy's page as the learner opened it: their sandbox, who acts in it, and the policy."""

    sandbox: Sandbox
    actor: Actor
    policy: ManagedPolicy


def _open(request: HttpRequest, sandbox_id: int, policy_id: int) -> PolicyPage:
    """An AWS managed policy is anyone's to read; another account's policy is a 404."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return PolicyPage(sandbox, actor, get_object_or_404(_visible(actor.account), pk=policy_id))


def _policy_context(request: HttpRequest, page: PolicyPage, **context: Any) -> dict:
    """The policy page's context. Attachments and boundaries are this account's only (an AWS managed policy is
    attached in every account); ``?version=v2`` shows that version's document instead of the default's."""
    policy, account = page.policy, page.actor.account
    versions = list(policy.versions.all())
    default = next(version for version in versions if version.is_default)
    asked = request.GET.get("version", "")
    shown = next((version for version in versions if version.version_id == asked), default)
    typed = context.pop("typed", None) or {**BLANK_POLICY, "document": default.document}
    return {
        "sandbox": page.sandbox,
        "account": account,
        "policy": policy,
        "versions": versions,
        "default": default,
        "shown": shown,
        "highlighted": documents.highlight(shown.document),
        "typed": typed,
        "set_as_default": True,
        **({} if policy.aws_managed else _editor(typed["document"])),
        "attached": {
            "user": policy.users.filter(account=account),
            "group": policy.groups.filter(account=account),
            "role": policy.roles.filter(account=account),
        },
        "bounded_users": policy.bounded_users.filter(account=account),
        "bounded_roles": policy.bounded_roles.filter(account=account),
        "names": {
            "user": account.users.values_list("name", flat=True),
            "group": account.groups.values_list("name", flat=True),
            "role": account.roles.values_list("name", flat=True),
        },
        "chosen": (),
        "attach_error": None,
        "detach_error": None,
        "versions_error": None,
        "edit_error": None,
        "delete_error": None,
        "confirm_error": "",
        **context,
    }


def _after_change(
    request: HttpRequest, page: PolicyPage, region: str, error: AwsError | None, **context: Any
) -> HttpResponse:
    """A plain form post that worked goes back to the page; otherwise the page, or for htmx its region, again."""
    if error is None and not request.htmx:
        return redirect("console:policy", page.sandbox.id, page.policy.id)
    template = f"{DETAIL}#{region}" if request.htmx else DETAIL
    return render(request, template, _policy_context(request, page, **context), status=error_status(request, error))


def _attempt(action: Callable[..., object], *args: Any) -> AwsError | None:
    try:
        action(*args)
    except AwsError as error:
        return error
    return None


def _kind(request: HttpRequest) -> str:
    """Which entity a form names: it sends one of user, group and role."""
    return next((kind for kind in ("group", "role") if kind in request.POST), "user")


@login_required
@vary_on_headers("HX-Request")
@require_safe
def policy_detail(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    return render(request, DETAIL, _policy_context(request, _open(request, sandbox_id, policy_id)))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def attach_policy(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    """Attach the policy to the user, group or role the form names."""
    page = _open(request, sandbox_id, policy_id)
    kind = _kind(request)
    name = request.POST.get(kind, "")
    error = _attempt(ATTACH[kind], page.actor, name, page.policy.arn)
    # A refused attachment keeps the learner's choice selected, its error beside that form.
    chosen = (kind, name) if error else ()
    return _after_change(request, page, "attachments-region", error, chosen=chosen, attach_error=error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def detach_policy(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    """Detach the policy from the user, group or role the button names."""
    page = _open(request, sandbox_id, policy_id)
    kind = _kind(request)
    error = _attempt(DETACH[kind], page.actor, request.POST.get(kind, ""), page.policy.arn)
    return _after_change(request, page, "attachments-region", error, detach_error=error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def create_policy_version(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    """Editing a managed policy is writing its next version; at most five are kept."""
    page = _open(request, sandbox_id, policy_id)
    document = request.POST.get("document", "")
    set_as_default = request.POST.get("set_as_default") == "on"
    error = _attempt(operations.create_policy_version, page.actor, page.policy.arn, document, set_as_default)
    # A refused version stays in the editor as typed; an accepted one leaves it holding the default again.
    kept = {"typed": {**BLANK_POLICY, "document": document}, "set_as_default": set_as_default} if error else {}
    return _after_change(request, page, "versions-region", error, edit_error=error, **kept)


def _change_version(
    request: HttpRequest, sandbox_id: int, policy_id: int, change: Callable[..., object]
) -> HttpResponse:
    page = _open(request, sandbox_id, policy_id)
    error = _attempt(change, page.actor, page.policy.arn, request.POST.get("version", ""))
    return _after_change(request, page, "versions-region", error, versions_error=error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def set_default_version(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    return _change_version(request, sandbox_id, policy_id, policy_operations.set_default_policy_version)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def delete_version(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    return _change_version(request, sandbox_id, policy_id, policy_operations.delete_policy_version)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def delete_policy(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    """Delete the policy once the learner has typed its name, as the AWS console asks; then back to the list."""
    page = _open(request, sandbox_id, policy_id)
    template = f"{DETAIL}#delete-region" if request.htmx else DETAIL
    if request.POST.get("confirm", "").strip() != page.policy.name:
        message = f"Type the policy name, {page.policy.name}, to confirm."
        return render(
            request,
            template,
            _policy_context(request, page, confirm_error=message),
            status=200 if request.htmx else 400,
        )
    error = _attempt(policy_operations.delete_policy, page.actor, page.policy.arn)
    if error is not None:
        context = _policy_context(request, page, delete_error=error)
        return render(request, template, context, status=error_status(request, error))
    if request.htmx:
        return HttpResponseClientRedirect(reverse("console:policies", args=[sandbox_id]))
    return redirect("console:policies", sandbox_id)
