"""The instance profiles pages: the containers that hand one role each to EC2 instances.

Creating, adding or removing the role, and deleting are each one IAM action performed as the acting
identity; adding a role also needs iam:PassRole on it, which the pages say beside the form. The list and
a profile's own page post their changes to the same view: the profile's page adds ``?from=detail`` to
its forms' URLs, so the answer is that page again (or the list, once the profile is deleted).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console import workloads
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import clock, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, InstanceProfile, Sandbox

PAGE = "console/instance_profiles.html"
DETAIL_PAGE = "console/instance_profile.html"
BLANK_PROFILE = {"name": "", "path": "/"}
FROM_DETAIL = "detail"


def _add_role(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.add_role_to_instance_profile(actor, profile_name, role_name)


def _remove_role(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.remove_role_from_instance_profile(actor, profile_name, role_name)


def _delete(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.delete_instance_profile(actor, profile_name)


PROFILE_CHANGES = {"add_role": _add_role, "remove_role": _remove_role, "delete": _delete}


def _role_names(account: Account) -> list[str]:
    """The roles a profile may take: a service-linked role belongs to its service and cannot be put in one."""
    return list(account.roles.filter(service_linked="").values_list("name", flat=True))


def _context(sandbox: Sandbox, actor: Actor, **overrides: Any) -> dict[str, Any]:
    account = actor.account
    return {
        "sandbox": sandbox,
        "account": account,
        "profiles": account.instance_profiles.select_related("account", "role"),
        "role_names": _role_names(account),
        "typed": BLANK_PROFILE,
        "error": None,
        "failed": None,
        "change_error": None,
        **overrides,
    }


def _render(request: HttpRequest, context: dict, error: AwsError | None) -> HttpResponse:
    template = f"{PAGE}#profiles-region" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


def _detail_context(
    sandbox: Sandbox,
    actor: Actor,
    profile_id: int,
    *,
    failed: str = "",
    error: AwsError | None = None,
    typed: dict[str, str] | None = None,
    unconfirmed: bool = False,
) -> dict[str, Any]:
    profiles = actor.account.instance_profiles.select_related("account", "role__account")
    profile = get_object_or_404(profiles, pk=profile_id)
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "profile": profile,
        "profile_instances": workloads.instances_with(profile, clock.now(sandbox)),
        "role_names": _role_names(actor.account),
        "change_urls": {
            change: reverse("console:instance_profile_change", args=[sandbox.id, profile.pk, change])
            + f"?from={FROM_DETAIL}"
            for change in PROFILE_CHANGES
        },
        "failed": failed,
        "error": error,
        "typed": typed or {},
        "unconfirmed": unconfirmed,
    }


def _render_detail(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = f"{DETAIL_PAGE}#profile-region" if request.htmx else DETAIL_PAGE
    return render(request, template, context, status=status)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def instance_profiles(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The list, and CreateInstanceProfile from the form beside it."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    if request.method != "POST":
        return _render(request, _context(sandbox, actor), None)
    typed = {"name": request.POST.get("name", ""), "path": request.POST.get("path", "") or "/"}
    try:
        role_operations.create_instance_profile(actor, typed["name"], typed["path"])
    except AwsError as error:
        return _render(request, _context(sandbox, actor, typed=typed, error=error), error)
    if not request.htmx:
        return redirect("console:instance_profiles", sandbox.id)
    return _render(request, _context(sandbox, actor), None)


@login_required
@vary_on_headers("HX-Request")
@require_safe
def instance_profile_detail(request: HttpRequest, sandbox_id: int, profile_id: int) -> HttpResponse:
    """A profile's page: its summary, the role it holds, adding or removing that role, and deleting it."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return _render_detail(request, _detail_context(sandbox, actor, profile_id))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def change_instance_profile(request: HttpRequest, sandbox_id: int, profile_id: int, change: str) -> HttpResponse:
    """Add the chosen role, remove the role it holds, or delete the profile; the error shows on its row, or
    beside the form on the profile's page when posted from there."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    profile = get_object_or_404(actor.account.instance_profiles.select_related("role"), pk=profile_id)
    if change not in PROFILE_CHANGES:
        raise Http404(f"No such change: {change}")
    if request.GET.get("from") == FROM_DETAIL:
        return _change_on_detail_page(request, sandbox, actor, profile, change)
    try:
        PROFILE_CHANGES[change](actor, profile.name, _role_name(request, profile, change))
    except AwsError as error:
        return _render(request, _context(sandbox, actor, failed=profile.pk, change_error=error), error)
    if not request.htmx:
        return redirect("console:instance_profiles", sandbox.id)
    return _render(request, _context(sandbox, actor), None)


def _role_name(request: HttpRequest, profile: InstanceProfile, change: str) -> str:
    """The role a change names: the one chosen to add, else the one the profile holds."""
    if change == "add_role":
        return request.POST.get("role", "")
    return profile.role.name if profile.role else ""


def _change_on_detail_page(
    request: HttpRequest, sandbox: Sandbox, actor: Actor, profile: InstanceProfile, change: str
) -> HttpResponse:
    if change == "delete" and request.POST.get("confirm", "").strip() != profile.name:
        # Deleting cannot be undone: as in IAM's console, the learner types the name to confirm.
        context = _detail_context(sandbox, actor, profile.pk, failed=change, unconfirmed=True)
        return _render_detail(request, context, status=200 if request.htmx else 400)
    role_name = _role_name(request, profile, change)
    try:
        PROFILE_CHANGES[change](actor, profile.name, role_name)
    except AwsError as error:
        context = _detail_context(sandbox, actor, profile.pk, failed=change, error=error, typed={"role": role_name})
        return _render_detail(request, context, status=error_status(request, error))
    if change == "delete":
        listing = reverse("console:instance_profiles", args=[sandbox.id])
        return HttpResponseClientRedirect(listing) if request.htmx else redirect(listing)
    if not request.htmx:
        return redirect("console:instance_profile", sandbox.id, profile.pk)
    return _render_detail(request, _detail_context(sandbox, actor, profile.pk))
