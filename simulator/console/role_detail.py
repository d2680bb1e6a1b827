"""A role's page: its summary, trust policy, permissions, tags, instance profiles, live sessions, the
instances acting as it, and deletion.

Every form posts one change to ``roles/<id>/<change>/``, one IAM action performed as the acting
identity; with htmx the page's region is swapped with the error (if any) beside the form that caused
it, without JavaScript the form posts and the page redirects back or re-renders with AWS's status.

A service-linked role's page is read-only but for its description, and explains why. Its service
decides when it may be deleted: while the service has resources that use the role, deletion fails.
None of those services runs in the sandbox, so the learner simulates such resources on the page;
they are kept on the role (``Role.resources_in_use``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console import documents, workloads
from simulator.console.identities import Change, inline_editor, policy_panels
from simulator.console.roles import SESSION_CHOICES, seconds, session_length, trust_findings
from simulator.console.trusted_entities import trusted_entities
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import clock, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, InstanceProfile, ManagedPolicy, Role, Sandbox
from simulator.sandbox.role_operations import DeletionTask
from simulator.sandbox.service_linked import CATALOG

PAGE = "console/role.html"


def _update(actor: Actor, role_name: str, description: str, max_session_duration: str) -> None:
    """A service-linked role's form sends no duration: only its description may change."""
    duration = seconds(max_session_duration) if max_session_duration else None
    role_operations.update_role(actor, role_name, description, duration)


def _tag(actor: Actor, role_name: str, key: str, value: str) -> None:
    operations.tag_role(actor, role_name, [{"Key": key, "Value": value}])


def _untag(actor: Actor, role_name: str, key: str) -> None:
    operations.untag_role(actor, role_name, [key])


ROLE_CHANGES = {
    "update": Change(_update, ("description", "max_session_duration")),
    "trust": Change(role_operations.update_assume_role_policy, ("trust_policy",)),
    "attach": Change(operations.attach_role_policy, ("policy_arn",)),
    "detach": Change(operations.detach_role_policy, ("policy_arn",)),
    "put_inline": Change(operations.put_role_policy, ("policy_name", "document")),
    "delete_inline": Change(operations.delete_role_policy, ("policy_name",)),
    "set_boundary": Change(operations.put_role_permissions_boundary, ("policy_arn",)),
    "remove_boundary": Change(operations.delete_role_permissions_boundary),
    "tag": Change(_tag, ("key", "value")),
    "untag": Change(_untag, ("key",)),
    "delete": Change(role_operations.delete_role),
}


def _role_for_page(account: Account, role_id: int) -> Role:
    """The role with everything its page shows, in a fixed number of queries."""
    roles = account.roles.select_related("account", "permissions_boundary__account").prefetch_related(
        Prefetch("managed_policies", ManagedPolicy.objects.select_related("account")),
        "inline_policies",
        Prefetch("instance_profiles", InstanceProfile.objects.select_related("account")),
    )
    return get_object_or_404(roles, pk=role_id)


def _trust_editor(role: Role, typed: dict[str, str]) -> dict[str, Any]:
    """The trust policy editor: what the learner typed, else what is stored."""
    trust = typed.get("trust_policy", role.trust_policy)
    return {"trust_editing": trust, "trust_findings": trust_findings(trust), "trust_checked": bool(trust.strip())}


def _context(
    request: HttpRequest,
    sandbox: Sandbox,
    actor: Actor,
    role_id: int,
    *,
    failed: str = "",
    error: AwsError | None = None,
    typed: dict[str, str] | None = None,
    edit: str = "",
    unconfirmed: bool = False,
    task: DeletionTask | None = None,
) -> dict[str, Any]:
    role = _role_for_page(actor.account, role_id)
    now = clock.now(sandbox)
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "role": role,
        "service": CATALOG.get(role.service_linked),
        "trusted": trusted_entities(role.trust_policy, actor.account.account_id),
        "trust_highlighted": documents.highlight(role.trust_policy),
        "session_length": session_length(role),
        "session_choices": SESSION_CHOICES,
        "page_url": reverse("console:role", args=[sandbox.id, role.pk]),
        "change_urls": {
            change: reverse("console:role_change", args=[sandbox.id, role.pk, change]) for change in ROLE_CHANGES
        },
        **policy_panels(actor.account, role),
        "inline_quota": operations.ROLE_INLINE_SIZE,
        "resources": role.resources_in_use if role.service_linked else [],
        "live_sessions": workloads.live_sessions(role, now),
        "role_instances": workloads.instances_using(role, now),
        "failed": failed,
        "error": error,
        "typed": typed or {},
        "unconfirmed": unconfirmed,
        "task": task,
        **_trust_editor(role, typed or {}),
        **inline_editor(role, typed or {}, edit),
    }


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = f"{PAGE}#role-region" if request.htmx else PAGE
    return render(request, template, context, status=status)


def _back(request: HttpRequest, sandbox: Sandbox, actor: Actor, role_id: int) -> HttpResponse:
    """After a change: the page again (no JavaScript), or its fresh region (htmx)."""
    if not request.htmx:
        return redirect("console:role", sandbox.id, role_id)
    return _render(request, _context(request, sandbox, actor, role_id))


def _to_list(request: HttpRequest, sandbox: Sandbox) -> HttpResponse:
    listing = reverse("console:roles", args=[sandbox.id])
    return HttpResponseClientRedirect(listing) if request.htmx else redirect(listing)


@login_required
@vary_on_headers("HX-Request")
@require_safe
def role_detail(request: HttpRequest, sandbox_id: int, role_id: int) -> HttpResponse:
    """The page; ``?edit=<inline policy name>`` opens that inline policy in the editor."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return _render(request, _context(request, sandbox, actor, role_id, edit=request.GET.get("edit", "")))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def change_role(request: HttpRequest, sandbox_id: int, role_id: int, change: str) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    role = get_object_or_404(actor.account.roles, pk=role_id)
    if change not in ROLE_CHANGES:
        raise Http404(f"No such change: {change}")
    spec = ROLE_CHANGES[change]
    typed = {field: request.POST.get(field, "") for field in spec.fields}
    if change == "delete" and request.POST.get("confirm", "").strip() != role.name:
        # Deleting cannot be undone: as in IAM's console, the learner types the name to confirm.
        context = _context(request, sandbox, actor, role_id, failed=change, unconfirmed=True)
        return _render(request, context, status=200 if request.htmx else 400)
    try:
        spec.operation(actor, role.name, *typed.values())
    except AwsError as error:
        context = _context(request, sandbox, actor, role_id, failed=change, error=error, typed=typed)
        return _render(request, context, status=error_status(request, error))
    if change == "delete":
        return _to_list(request, sandbox)
    return _back(request, sandbox, actor, role_id)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def simulate_resource(request: HttpRequest, sandbox_id: int, role_id: int) -> HttpResponse:
    """Add (``name``) or remove (``remove``, an ARN) a simulated resource of a service-linked role's service.

    Not an IAM action: it stands for the learner creating or deleting, say, an Auto Scaling group.
    """
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    role = get_object_or_404(actor.account.roles.exclude(service_linked=""), pk=role_id)
    service = CATALOG[role.service_linked]
    if "remove" in request.POST:
        role_operations.set_service_resource(actor, role.name, request.POST["remove"], in_use=False)
    else:
        name = request.POST.get("name", "").strip()
        if not name or any(ch.isspace() or ch in "/:" for ch in name) or len(name) > 64:
            error = AwsError(
                "ValidationError", f"Name the {service.resource_kind} with up to 64 characters, no spaces, / or :."
            )
            context = _context(request, sandbox, actor, role_id, failed="simulate", error=error, typed={"name": name})
            return _render(request, context, status=error_status(request, error))
        role_operations.set_service_resource(actor, role.name, service.resource(actor.account.account_id, name), True)
    return _back(request, sandbox, actor, role_id)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def delete_service_linked_role(request: HttpRequest, sandbox_id: int, role_id: int) -> HttpResponse:
    """DeleteServiceLinkedRole with the simulated resources as the service's answer; a failed task is shown
    on the page with the resources to delete first, as GetServiceLinkedRoleDeletionStatus reports them."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    role = get_object_or_404(actor.account.roles.exclude(service_linked=""), pk=role_id)
    try:
        task = role_operations.delete_service_linked_role(actor, role.name)
    except AwsError as error:
        context = _context(request, sandbox, actor, role_id, failed="delete_service_linked", error=error)
        return _render(request, context, status=error_status(request, error))
    if task.succeeded:
        return _to_list(request, sandbox)
    context = _context(request, sandbox, actor, role_id, failed="delete_service_linked", task=task)
    return _render(request, context, status=200 if request.htmx else 409)
