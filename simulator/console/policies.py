"""The console's policy pages: the account's customer managed policies, a checked-as-you-type editor, attachments.

As on the other console pages, every change goes through simulator.sandbox.operations as the
account's root user, so the page meets the same checks and shows the same AWS errors as the API.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console import documents, queries
from simulator.console.views import get_sandbox_for_user
from simulator.policy.findings import Finding, validate
from simulator.policy.jsontext import JSONSyntaxError
from simulator.policy.model import PolicyType
from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, PolicyVersion, Role, Sandbox

PAGE = "console/policies.html"
DETAIL = "console/policy.html"
BLANK_POLICY = {"name": "", "description": "", "document": ""}


def _count(through: Any, **outer: OuterRef) -> Coalesce:
    """How many rows of ``through`` point at the outer row, as a subquery: joining every count would multiply rows."""
    rows = through.objects.filter(**outer).order_by().values(*outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


def policies_with_counts(account: Account) -> QuerySet[ManagedPolicy]:
    """The account's customer managed policies with default version and counts, in one query."""
    policy = OuterRef("pk")
    return account.policies.annotate(
        default_version=Subquery(PolicyVersion.objects.filter(policy=policy, is_default=True).values("number")[:1]),
        version_count=_count(PolicyVersion, policy=policy),
        attachment_count=_count(IamUser.managed_policies.through, managedpolicy=policy)
        + _count(Group.managed_policies.through, managedpolicy=policy)
        + _count(Role.managed_policies.through, managedpolicy=policy),
    ).select_related("account")


def _findings(document: str) -> tuple[Finding, ...]:
    return validate(document, PolicyType.IDENTITY) if document.strip() else ()


def _status(request: HttpRequest, error: AwsError | None) -> int:
    """htmx 2 does not swap 4xx answers into the page, so an htmx request gets its error with a 200."""
    return error.status if error is not None and not request.htmx else 200


def _typed(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in BLANK_POLICY}


def _sandbox_account(request: HttpRequest, sandbox_id: int) -> tuple[Sandbox, Account]:
    sandbox = get_sandbox_for_user(request, sandbox_id)
    return sandbox, queries.first_account(sandbox)


def _policies_context(sandbox: Sandbox, account: Account, typed: dict[str, str], error: AwsError | None) -> dict:
    return {
        "sandbox": sandbox,
        "account": account,
        "policies": policies_with_counts(account),
        "typed": typed,
        "findings": _findings(typed["document"]),
        "checked": bool(typed["document"].strip()),
        "error": error,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def policies(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, account = _sandbox_account(request, sandbox_id)
    typed, error = BLANK_POLICY, None
    if request.method == "POST":
        typed = _typed(request)
        try:
            operations.create_policy(Actor(account), typed["name"], typed["document"], description=typed["description"])
        except AwsError as aws_error:
            error = aws_error
        else:
            if not request.htmx:
                return redirect("console:policies", sandbox.id)
            typed = BLANK_POLICY
    template = f"{PAGE}#policies-region" if request.htmx else PAGE
    context = _policies_context(sandbox, account, typed, error)
    return render(request, template, context, status=_status(request, error))


@login_required
@require_POST
def validate_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The findings for the document being typed: the editor asks as the learner types."""
    sandbox, account = _sandbox_account(request, sandbox_id)
    context = _policies_context(sandbox, account, _typed(request), None)
    return render(request, f"{PAGE}#findings", context)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def format_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The editor with its document re-indented; a document that is not JSON comes back as typed, with its findings."""
    sandbox, account = _sandbox_account(request, sandbox_id)
    typed = _typed(request)
    with contextlib.suppress(JSONSyntaxError):
        typed["document"] = documents.pretty(typed["document"])
    template = f"{PAGE}#editor" if request.htmx else PAGE
    return render(request, template, _policies_context(sandbox, account, typed, None))


def _policy_context(request: HttpRequest, sandbox_id: int, policy_id: int, **context: Any) -> dict:
    """The detail page's context; a policy outside this learner's sandbox account is a 404."""
    sandbox, account = _sandbox_account(request, sandbox_id)
    policy = get_object_or_404(account.policies.select_related("account"), pk=policy_id)
    versions = list(policy.versions.all())
    default = next(version for version in versions if version.is_default)
    return {
        "sandbox": sandbox,
        "account": account,
        "policy": policy,
        "versions": versions,
        "default": default,
        "highlighted": documents.highlight(default.document),
        "attached_users": policy.users.all(),
        "attached_groups": policy.groups.all(),
        "attached_roles": policy.roles.all(),
        "user_names": account.users.values_list("name", flat=True),
        "group_names": account.groups.values_list("name", flat=True),
        "chosen": {},
        "user_error": None,
        "group_error": None,
        **context,
    }


@login_required
@vary_on_headers("HX-Request")
@require_safe
def policy_detail(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    context = _policy_context(request, sandbox_id, policy_id)
    template = f"{DETAIL}#attachments-region" if request.htmx else DETAIL
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def attach_policy(request: HttpRequest, sandbox_id: int, policy_id: int) -> HttpResponse:
    """Attach the policy to the user or the group the form names (the form sends one or the other)."""
    context = _policy_context(request, sandbox_id, policy_id)
    kind = "user" if "user" in request.POST else "group"
    attach = operations.attach_user_policy if kind == "user" else operations.attach_group_policy
    name = request.POST.get(kind, "")
    try:
        attach(Actor(context["account"]), name, context["policy"].arn)
    except AwsError as error:
        context.update({"chosen": {kind: name}, f"{kind}_error": error})
        status = _status(request, error)
    else:
        if not request.htmx:
            return redirect("console:policy", sandbox_id, policy_id)
        status = 200
    template = f"{DETAIL}#attachments-region" if request.htmx else DETAIL
    return render(request, template, context, status=status)
