"""The learner's console: their sandboxes, and the IAM users and groups in them.

Every change goes through simulator.sandbox.operations as the identity the learner acts as, so
the pages and the API meet the same checks and show the same AWS errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from simulator.console.acting import acting_actor
from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Group, Sandbox

BLANK_ENTITY = {"name": "", "path": "/"}


def get_sandbox_for_user(request: HttpRequest, sandbox_id: int) -> Sandbox:
    """The signed-in learner's sandbox, or 404: someone else's sandbox does not exist for them."""
    return get_object_or_404(Sandbox.objects.for_user(request.user), pk=sandbox_id)


def get_sandbox_and_actor(request: HttpRequest, sandbox_id: int) -> tuple[Sandbox, Actor]:
    """The learner's sandbox (or 404) and who they act as in it: every console action is performed as them."""
    sandbox = get_sandbox_for_user(request, sandbox_id)
    return sandbox, acting_actor(request, sandbox)


def get_sandbox_and_account(request: HttpRequest, sandbox_id: int) -> tuple[Sandbox, Account]:
    """The learner's sandbox (or 404) and the account the console works in: the acting identity's."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return sandbox, actor.account


def error_status(request: HttpRequest, error: AwsError | None) -> int:
    """A plain form post gets AWS's own status for an error; htmx 2 does not swap 4xx answers
    into the page, so an htmx request gets its error with a 200."""
    return error.status if error is not None and not request.htmx else 200


def _attempt(operation: Callable[..., Any], *args: str | Actor) -> AwsError | None:
    try:
        operation(*args)
    except AwsError as error:
        return error
    return None


def _render(request: HttpRequest, page: str, region: str, context: dict, error: AwsError | None) -> HttpResponse:
    """The whole page, or only its region for htmx."""
    template = f"{page}#{region}" if request.htmx else page
    return render(request, template, context, status=error_status(request, error))


def _entity_fields(request: HttpRequest) -> dict[str, str]:
    """What the learner typed; an empty path means the default, as when the CLI leaves --path out."""
    return {"name": request.POST.get("name", ""), "path": request.POST.get("path", "") or "/"}


def _users_context(sandbox: Sandbox, account: Account, typed: dict[str, str], error: AwsError | None) -> dict:
    return {
        "sandbox": sandbox,
        "account": account,
        "iam_users": account.users.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name"))),
        "typed": typed,
        "error": error,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def users(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    typed, error = BLANK_ENTITY, None
    if request.method == "POST":
        typed = _entity_fields(request)
        error = _attempt(operations.create_user, actor, typed["name"], typed["path"])
        if error is None:
            if not request.htmx:
                return redirect("console:users", sandbox.id)
            typed = BLANK_ENTITY
    context = _users_context(sandbox, account, typed, error)
    return _render(request, "console/users.html", "users-region", context, error)


def _groups_context(sandbox: Sandbox, account: Account, **overrides: Any) -> dict:
    return {
        "sandbox": sandbox,
        "account": account,
        # A query with GROUP BY ignores Meta.ordering (Django 3.1+): without this, PostgreSQL picks any order.
        "groups": account.groups.annotate(member_count=Count("members")).order_by("name", "id"),
        "user_names": account.users.values_list("name", flat=True),
        "typed": BLANK_ENTITY,
        "group_error": None,
        "chosen": {},
        "member_error": None,
        **overrides,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def groups(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    typed, error = BLANK_ENTITY, None
    if request.method == "POST":
        typed = _entity_fields(request)
        error = _attempt(operations.create_group, actor, typed["name"], typed["path"])
        if error is None:
            if not request.htmx:
                return redirect("console:groups", sandbox.id)
            typed = BLANK_ENTITY
    context = _groups_context(sandbox, account, typed=typed, group_error=error)
    return _render(request, "console/groups.html", "groups-region", context, error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def add_member(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    chosen = {"user": request.POST.get("user", ""), "group": request.POST.get("group", "")}
    error = _attempt(operations.add_user_to_group, actor, chosen["group"], chosen["user"])
    if error is None:
        if not request.htmx:
            return redirect("console:groups", sandbox.id)
        chosen = {}
    context = _groups_context(sandbox, account, chosen=chosen, member_error=error)
    return _render(request, "console/groups.html", "groups-region", context, error)
