"""The root user's own settings: its email address, its MFA device and the account's alias.

Also the rule the credentials modules share (``password_policy`` for console passwords,
``access_keys`` for access keys): only the root user manages the root user's credentials
("Tasks that require root user credentials"; "Root user best practices for your AWS account").
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from . import errors
from .authorization import Actor, allow
from .checks import check_account_alias
from .lookups import locked_account
from .models import Account

_MFA_CODE = re.compile(r"[0-9]{6}")
ALIASES_PER_ACCOUNT = 1


def require_root(actor: Actor, task: str) -> None:
    """Only the root user signs in to manage its own credentials: no IAM policy can grant that to anyone else.

    AWS has no ARN through which an IAM identity could name the root user's keys or MFA device:
    an IAM user calling CreateAccessKey without a user name gets a key of its own.
    """
    if not actor.is_root:
        raise errors.AwsError(
            "AccessDenied",
            f"Only the root user can {task}. You are acting as the {actor.label}: no IAM policy can grant this.",
            403,
        )


def set_root_email(actor: Actor, email: str) -> Account:
    """Change the root user's sign-in email. A console setting of the root user alone: no IAM action covers it."""
    require_root(actor, "change the root user's email address")
    try:
        validate_email(email)
    except DjangoValidationError:
        rule = "Member must be a valid email address"
        raise errors.validation_failed([errors.constraint(email, "emailAddress", rule)]) from None
    with transaction.atomic():
        account = locked_account(actor)
        account.root_email = email
        account.save(update_fields=["root_email"])
    return account


def _check_mfa_code(code: str, where: str) -> str | None:
    if _MFA_CODE.fullmatch(code):
        return None
    return errors.constraint(code, where, "Member must be 6 digits (the code the authenticator app shows)")


def enable_root_mfa(actor: Actor, code1: str, code2: str) -> Account:
    """Assign the root user's (simulated) virtual MFA device: like AWS, it asks for two consecutive codes.

    There is no authenticator app here, so any two 6-digit codes are accepted; only their shape is checked.
    """
    require_root(actor, "manage the root user's MFA device")
    problems = [
        p for p in (_check_mfa_code(code1, "authenticationCode1"), _check_mfa_code(code2, "authenticationCode2")) if p
    ]
    if problems:
        raise errors.validation_failed(problems)
    allow(actor, "iam:EnableMFADevice", actor.account.root_arn)
    with transaction.atomic():
        account = locked_account(actor)
        if account.root_mfa_enabled:
            raise errors.AwsError("EntityAlreadyExists", "MFA device is already assigned to the root user.", 409)
        account.root_mfa_enabled = True
        account.save(update_fields=["root_mfa_enabled"])
    return account


def disable_root_mfa(actor: Actor) -> Account:
    require_root(actor, "manage the root user's MFA device")
    allow(actor, "iam:DeactivateMFADevice", actor.account.root_arn)
    with transaction.atomic():
        account = locked_account(actor)
        if not account.root_mfa_enabled:
            raise errors.AwsError("NoSuchEntity", "The root user has no MFA device assigned.", 404)
        account.root_mfa_enabled = False
        account.save(update_fields=["root_mfa_enabled"])
    return account


def create_account_alias(actor: Actor, alias: str) -> Account:
    """CreateAccountAlias: 3 to 63 lowercase letters, digits and single hyphens, not at either end.

    Aliases are unique across AWS; here across the sandbox's accounts, as bucket names are.
    An account has one alias at most ("IAM and AWS STS quotas": aliases per account, 1).
    """
    check_account_alias(alias)
    allow(actor, "iam:CreateAccountAlias", "*")
    with transaction.atomic():
        account = locked_account(actor)
        if account.alias == alias:
            return account
        if account.alias:
            raise errors.limit_exceeded(f"Cannot exceed quota for AccountAliasesPerAccount: {ALIASES_PER_ACCOUNT}.")
        if Account.objects.filter(sandbox_id=account.sandbox_id, alias=alias).exists():
            raise errors.AwsError("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)
        account.alias = alias
        account.save(update_fields=["alias"])
    return account


def delete_account_alias(actor: Actor, alias: str) -> Account:
    allow(actor, "iam:DeleteAccountAlias", "*")
    with transaction.atomic():
        account = locked_account(actor)
        if not alias or account.alias != alias:
            raise errors.AwsError("NoSuchEntity", f"The account alias {alias} cannot be found.", 404)
        account.alias = ""
        account.save(update_fields=["alias"])
    return account
