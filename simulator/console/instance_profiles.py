"""The instance profiles page: the containers that hand one role each to EC2 instances.

Creating, adding or removing the role, and deleting are each one IAM action performed as the acting
identity; adding a role also needs iam:PassRole on it, which the page says beside the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Sandbox

PAGE = "console/instance_profiles.html"
BLANK_PROFILE = {"name": "", "path": "/"}


def _add_role(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.add_role_to_instance_profile(actor, profile_name, role_name)


def _remove_role(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.remove_role_from_instance_profile(actor, profile_name, role_name)


def _delete(actor: Actor, profile_name: str, role_name: str) -> None:
    role_operations.delete_instance_profile(actor, profile_name)


PROFILE_CHANGES = {"add_role": _add_role, "remove_role": _remove_role, "delete": _delete}


def _context(sandbox: Sandbox, actor: Actor, **overrides: Any) -> dict[str, Any]:
    account = actor.account
    return {
        "sandbox": sandbox,
        "account": account,
        "profiles": account.instance_profiles.select_related("account", "role"),
        # A service-linked role belongs to its service and cannot be put in a profile.
        "role_names": list(account.roles.filter(service_linked="").values_list("name", flat=True)),
        "typed": BLANK_PROFILE,
        "error": None,
        "failed": None,
        "change_error": None,
        **overrides,
    }


def _render(request: HttpRequest, context: dict, error: AwsError | None) -> HttpResponse:
    template = f"{PAGE}#profiles-region" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


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
@require_POST
def change_instance_profile(request: HttpRequest, sandbox_id: int, profile_id: int, change: str) -> HttpResponse:
    """Add the chosen role, remove the role it holds, or delete the profile; the error shows on its row."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    profile = get_object_or_404(actor.account.instance_profiles.select_related("role"), pk=profile_id)
    if change not in PROFILE_CHANGES:
        raise Http404(f"No such change: {change}")
    role_name = request.POST.get("role", "") if change == "add_role" else (profile.role.name if profile.role else "")
    try:
        PROFILE_CHANGES[change](actor, profile.name, role_name)
    except AwsError as error:
        return _render(request, _context(sandbox, actor, failed=profile.pk, change_error=error), error)
    if not request.htmx:
        return redirect("console:instance_profiles", sandbox.id)
    return _render(request, _context(sandbox, actor), None)
