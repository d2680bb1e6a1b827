"""The Account tab: the account's id and alias, the root user's email, MFA and access keys, and the password policy.

Beside them, the "lock away your root user" checklist of "Security best practices in IAM", worked out from
the account's state. Root-only forms stay usable while acting as an IAM identity, so the learner meets the
AccessDenied that AWS would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.credentials import attempt, check_key_belongs, flash, key_operation, pop_flash, respond
from simulator.console.views import get_sandbox_and_actor
from simulator.sandbox import credentials, password_policy
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import AccessKey, Account, Sandbox

PAGE = "console/account.html"
REGION = "account-region"


@dataclass(frozen=True)
class ChecklistItem:
    title: str
    done: bool
    detail: str


def checklist(account: Account, root_keys: list[AccessKey], identities: int) -> list[ChecklistItem]:
    """Lock away the root user: MFA on, no root access keys, IAM identities for everyday work."""
    return [
        ChecklistItem(
            "Turn on MFA for the root user",
            account.root_mfa_enabled,
            "A stolen root password alone then no longer opens the account.",
        ),
        ChecklistItem(
            "Keep no access keys for the root user",
            not root_keys,
            f"The root user has {len(root_keys)} access key(s): delete them." if root_keys else "No root access keys.",
        ),
        ChecklistItem(
            "Use IAM identities for everyday work",
            identities > 0,
            "Give users and roles only the permissions their work needs, and act as them rather than as root.",
        ),
    ]


def _policy_form(policy: dict | None) -> dict[str, Any]:
    """The policy form's values: the custom policy's, or a starting point while AWS's default applies."""
    if policy is None:
        return {"MinimumPasswordLength": password_policy.DEFAULT_MINIMUM_LENGTH}
    return {name: value for name, value in policy.items() if value}


def _context(sandbox: Sandbox, actor: Actor, **overrides: Any) -> dict:
    account = Account.objects.get(pk=actor.account.pk)
    root_keys = list(AccessKey.objects.filter(account=account, user=None).defer("secret"))
    items = checklist(account, root_keys, account.users.count() + account.roles.count())
    return {
        "sandbox": sandbox,
        "account": account,
        "actor": actor,
        "acting_as_root": actor.is_root,
        "root_keys": root_keys,
        "checklist": items,
        "checklist_done": sum(item.done for item in items),
        "custom_policy": account.password_policy is not None,
        "policy_rules": password_policy.requirements(account),
        "policy_form": _policy_form(account.password_policy),
        "typed": {"alias": account.alias, "email": account.root_email},
        "alias_error": None,
        "email_error": None,
        "mfa_error": None,
        "keys_error": None,
        "policy_error": None,
        "new_key": None,
        **overrides,
    }


def _answer(
    request: HttpRequest, sandbox: Sandbox, actor: Actor, error: AwsError | None, **context: Any
) -> HttpResponse:
    """After a form: a redirect without JavaScript, else the page's region with the outcome in place."""
    if error is None and not request.htmx:
        return redirect("console:account", sandbox.id)
    return respond(request, PAGE, REGION, _context(sandbox, actor, **context), error)


def _typed_back(actor: Actor, error: AwsError | None, **typed: str) -> dict[str, Any]:
    """After a refused form, what the learner typed stays in its box; the other box shows the account's value."""
    if error is None:
        return {}
    return {"typed": {"alias": actor.account.alias, "email": actor.account.root_email, **typed}}


@login_required
@vary_on_headers("HX-Request")
@require_safe
def account(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    new_key = pop_flash(request, actor.account, None)["new_key"]
    return respond(request, PAGE, REGION, _context(sandbox, actor, new_key=new_key), None)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def account_alias(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    alias = request.POST.get("alias", "")
    if request.POST.get("operation") == "delete":
        _, error = attempt(credentials.delete_account_alias, actor, actor.account.alias)
    else:
        _, error = attempt(credentials.create_account_alias, actor, alias)
    return _answer(request, sandbox, actor, error, alias_error=error, **_typed_back(actor, error, alias=alias))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def root_email(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    email = request.POST.get("email", "").strip()
    _, error = attempt(credentials.set_root_email, actor, email)
    return _answer(request, sandbox, actor, error, email_error=error, **_typed_back(actor, error, email=email))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def root_mfa(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    if request.POST.get("operation") == "disable":
        _, error = attempt(credentials.disable_root_mfa, actor)
    else:
        codes = request.POST.get("code1", "").strip(), request.POST.get("code2", "").strip()
        _, error = attempt(credentials.enable_root_mfa, actor, *codes)
    return _answer(request, sandbox, actor, error, mfa_error=error)


@login_required
@vary_on_headers("HX-Request")
@require_POST
def root_access_keys(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    operation, access_key_id = request.POST.get("operation", ""), request.POST.get("access_key_id", "")
    check_key_belongs(actor.account, None, access_key_id, operation)
    result, error = key_operation(actor, None, operation, access_key_id)
    new_key = result if error is None and operation == "create" else None
    if error is None and not request.htmx:
        flash(request, new_key)
    return _answer(request, sandbox, actor, error, keys_error=error, new_key=new_key)


def _whole_number(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text


def policy_fields(data: QueryDict) -> dict[str, Any]:
    """The form as UpdateAccountPasswordPolicy's parameters: a box left blank is a parameter left out."""
    fields: dict[str, Any] = {}
    for name, field in password_policy.FIELDS.items():
        text = data.get(name, "").strip()
        if field.kind is bool:
            fields[name] = text == "on"
        elif text:
            fields[name] = _whole_number(text)
    return fields


@login_required
@vary_on_headers("HX-Request")
@require_POST
def account_password_policy(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    if request.POST.get("operation") == "delete":
        _, error = attempt(password_policy.delete_account_password_policy, actor)
        return _answer(request, sandbox, actor, error, policy_error=error)
    fields = policy_fields(request.POST)
    try:
        password_policy.update_account_password_policy(actor, **fields)
    except AwsError as policy_error:
        return _answer(request, sandbox, actor, policy_error, policy_error=policy_error, policy_form=fields)
    return _answer(request, sandbox, actor, None)
