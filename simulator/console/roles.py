"""The roles page: the account's roles with whom each trusts, and the forms that create roles.

A role is created with its trust policy, written in an editor that checks it as a trust policy while
the learner types, or started from a template (an AWS service, this account, another account with an
external ID). Service-linked roles are created for a service and come predefined. As on every
console page, each change is one IAM action performed as the acting identity.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from simulator.console.trusted_entities import trusted_entities
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.policy.findings import Finding, validate
from simulator.policy.model import PolicyType
from simulator.sandbox import errors, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Role, Sandbox
from simulator.sandbox.service_linked import CATALOG

PAGE = "console/roles.html"
# The policies page's findings partial serves every policy editor, so findings look the same everywhere.
FINDINGS = "console/policies.html#findings"
BLANK_ROLE = {"name": "", "path": "/", "description": "", "max_session_duration": "3600", "trust_policy": ""}
SESSION_CHOICES = [(hours * 3600, f"{hours} hour{'s' if hours > 1 else ''}") for hours in range(1, 13)]
# Another account's ID in AWS's documentation examples; the learner replaces it with the real one.
EXAMPLE_ACCOUNT = "111122223333"
TRUST_TEMPLATES = {
    "service": "An AWS service",
    "account": "This account",
    "external": "Another account (external ID)",
}


def trust_template(template: str, account_id: str) -> str:
    """A starting trust policy; the learner edits the principal (and the external ID) to suit."""
    principal: dict[str, str] = {
        "service": {"Service": "ec2.amazonaws.com"},
        "account": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "external": {"AWS": f"arn:aws:iam::{EXAMPLE_ACCOUNT}:root"},
    }[template]
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if template == "external":
        # The third party's confused-deputy guard ("Access to AWS accounts owned by third parties").
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": "replace-with-the-external-id-you-were-given"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def trust_findings(document: str) -> tuple[Finding, ...]:
    return validate(document, PolicyType.TRUST) if document.strip() else ()


def seconds(text: str) -> int:
    """A form's duration in seconds; anything but a whole number is IAM's ValidationError."""
    if not text.strip().isdigit():
        raise errors.validation_error("MaxSessionDuration must be a number of seconds between 3600 and 43200.")
    return int(text)


def session_length(role: Role) -> str:
    hours = role.max_session_duration / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def _typed(request: HttpRequest) -> dict[str, str]:
    typed = {key: request.POST.get(key, default) for key, default in BLANK_ROLE.items()}
    typed["path"] = typed["path"] or "/"
    return typed


def _roles(actor: Actor) -> list[Role]:
    """The account's roles, each with who it trusts in words; one query however many there are."""
    roles = list(actor.account.roles.select_related("account"))
    for role in roles:
        role.trusted = trusted_entities(role.trust_policy, actor.account.account_id)
        role.session_length = session_length(role)
    return roles


def _context(sandbox: Sandbox, actor: Actor, **overrides: Any) -> dict[str, Any]:
    context = {
        "sandbox": sandbox,
        "account": actor.account,
        "roles": _roles(actor),
        "typed": BLANK_ROLE,
        "error": None,
        "session_choices": SESSION_CHOICES,
        "trust_templates": TRUST_TEMPLATES,
        "services": sorted(CATALOG.values(), key=lambda service: service.title),
        "chosen_service": "",
        "service_error": None,
        **overrides,
    }
    document = context["typed"]["trust_policy"]
    return context | {"findings": trust_findings(document), "checked": bool(document.strip())}


def _render(request: HttpRequest, region: str, context: dict, error: AwsError | None = None) -> HttpResponse:
    template = f"{PAGE}#{region}" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def roles(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The list, and CreateRole from the form beside it."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    if request.method != "POST":
        return _render(request, "roles-region", _context(sandbox, actor))
    typed = _typed(request)
    try:
        operations.create_role(
            actor,
            typed["name"],
            typed["trust_policy"],
            typed["path"],
            typed["description"],
            seconds(typed["max_session_duration"]),
        )
    except AwsError as error:
        return _render(request, "roles-region", _context(sandbox, actor, typed=typed, error=error), error)
    if not request.htmx:
        return redirect("console:roles", sandbox.id)
    return _render(request, "roles-region", _context(sandbox, actor))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def create_service_linked_role(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """CreateServiceLinkedRole, then the new role's page, which explains what the learner cannot change."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    service = request.POST.get("service", "")
    try:
        role = role_operations.create_service_linked_role(actor, service)
    except AwsError as error:
        context = _context(sandbox, actor, chosen_service=service, service_error=error)
        return _render(request, "roles-region", context, error)
    page = reverse("console:role", args=[sandbox.id, role.pk])
    return HttpResponseClientRedirect(page) if request.htmx else redirect(page)


@login_required
@vary_on_headers("HX-Request")
@require_safe
def start_trust_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The trust policy editor filled from ``?template=``: with htmx only the editor is replaced, so the
    rest of what the learner typed stays; without JavaScript it is the page with the editor filled."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    template = request.GET.get("template", "")
    document = trust_template(template, actor.account.account_id) if template in TRUST_TEMPLATES else ""
    return _render(request, "trust-editor", _context(sandbox, actor, typed=BLANK_ROLE | {"trust_policy": document}))


@login_required
@require_POST
def validate_trust_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The findings for the trust policy being typed, checked as a trust policy (it must name a principal)."""
    get_sandbox_and_actor(request, sandbox_id)
    document = request.POST.get("trust_policy", "")
    return render(request, FINDINGS, {"findings": trust_findings(document), "checked": bool(document.strip())})
