"""The console's policy pages: the account's customer managed policies, a checked-as-you-type editor, attachments.

As on the other console pages, every change goes through simulator.sandbox.operations as the
account's root user, so the page meets the same checks and shows the same AWS errors as the API.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console import documents, queries
from simulator.console.views import error_status, get_sandbox_and_account, get_sandbox_and_actor
from simulator.policy.findings import Finding, validate
from simulator.policy.jsontext import JSONSyntaxError
from simulator.policy.model import PolicyType
from simulator.sandbox import operations
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, Sandbox

PAGE = "console/policies.html"
DETAIL = "console/policy.html"
BLANK_POLICY = {"name": "", "description": "", "document": ""}


def _findings(document: str) -> tuple[Finding, ...]:
    return validate(document, PolicyType.IDENTITY) if document.strip() else ()


def _typed(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in BLANK_POLICY}


def _policies_context(sandbox: Sandbox, account: Account, typed: dict[str, str], error: AwsError | None) -> dict:
    return {
        "sandbox": sandbox,
        "account": account,
        "policies": queries.policies_with_counts(account),
        "typed": typed,
        "findings": _findings(typed["document"]),
        "checked": bool(typed["document"].strip()),
        "error": error,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def policies(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
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
    template = f"{PAGE}#policies-region" if request.htmx else PAGE
    context = _policies_context(sandbox, account, typed, error)
    return render(request, template, context, status=error_status(request, error))


@login_required
@require_POST
def validate_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The findings for the document being typed: the editor asks as the learner types."""
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    context = _policies_context(sandbox, account, _typed(request), None)
    return render(request, f"{PAGE}#findings", context)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def format_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The editor with its document re-indented; a document that is not JSON comes back as typed, with its findings."""
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    typed = _typed(request)
    with contextlib.suppress(JSONSyntaxError):
        typed["document"] = documents.pretty(typed["document"])
    template = f"{PAGE}#editor" if request.htmx else PAGE
    return render(request, template, _policies_context(sandbox, account, typed, None))


def _policy_context(request: HttpRequest, sandbox_id: int, policy_id: int, **context: Any) -> dict:
    """The detail page's context; a policy outside this learner's sandbox account is a 404."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    policy = get_object_or_404(account.policies.select_related("account"), pk=policy_id)
    versions = list(policy.versions.all())
    default = next(version for version in versions if version.is_default)
    return {
        "sandbox": sandbox,
        "account": account,
        "actor": actor,
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
        attach(context["actor"], name, context["policy"].arn)
    except AwsError as error:
        context.update({"chosen": {kind: name}, f"{kind}_error": error})
        status = error_status(request, error)
    else:
        if not request.htmx:
            return redirect("console:policy", sandbox_id, policy_id)
        status = 200
    template = f"{DETAIL}#attachments-region" if request.htmx else DETAIL
    return render(request, template, context, status=status)
