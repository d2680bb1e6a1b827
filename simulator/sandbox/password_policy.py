"""The account password policy and the console passwords (login profiles) it governs.

Fields, ranges and defaults: IAM API Reference, UpdateAccountPasswordPolicy and
GetAccountPasswordPolicy. With no custom policy set, AWS's default policy applies ("Set an
account password policy for IAM users"): 8 to 128 characters, at least three of uppercase
letters, lowercase letters, numbers and symbols, and not the account's name or email address.
Console passwords: CreateLoginProfile, UpdateLoginProfile, DeleteLoginProfile, and ChangePassword (a user
changing their own). Expiry, reuse prevention and who may change their own password: PasswordPolicy (IAM API
Reference) and "Set an account password policy for IAM users".
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet

from . import clock, errors
from .authorization import Actor, allow, authorize, policies_for
from .lookups import find_user, locked, locked_account
from .models import Account, IamUser

SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
LONGEST_PASSWORD = 128
DEFAULT_MINIMUM_LENGTH = 8
# AWS's Password type: tab, line feed, carriage return and the printable Latin-1 characters.
_PASSWORD_CHARACTERS = re.compile(r"[\t\n\r\x20-\xff]+")
# PasswordReusePrevention remembers at most 24 passwords, so no more earlier hashes are ever needed.
HISTORY_KEPT = 24


def now(account: Account) -> datetime:
    """The moment password ages are measured at: the account's sandbox time."""
    return clock.account_now(account)


@dataclass(frozen=True)
class Field:
    """One UpdateAccountPasswordPolicy parameter: booleans default to false, numbers to ``default``."""

    kind: type
    lowest: int = 0
    highest: int = 0
    default: int | bool = False


FIELDS: dict[str, Field] = {
    "MinimumPasswordLength": Field(int, 6, 128, 6),
    "RequireSymbols": Field(bool),
    "RequireNumbers": Field(bool),
    "RequireUppercaseCharacters": Field(bool),
    "RequireLowercaseCharacters": Field(bool),
    "AllowUsersToChangePassword": Field(bool),
    # 0, "never expires" and "no reuse check", can only be had by leaving the field out.
    "MaxPasswordAge": Field(int, 1, 1095, 0),
    "PasswordReusePrevention": Field(int, 1, 24, 0),
    "HardExpiry": Field(bool),
}
_OMITTED_UNLESS_SET = ("MaxPasswordAge", "PasswordReusePrevention", "HardExpiry")


class PasswordPolicyViolation(errors.AwsError):
    """The password breaks the account's password policy; ``rules`` are the ones broken, in AWS's words."""

    def __init__(self, rules: list[str]) -> None:
        super().__init__("PasswordPolicyViolation", " ".join(f"{rule}." for rule in rules))
        self.rules = rules


def _problem(name: str, value: object, field: Field) -> str | None:
    where = name[0].lower() + name[1:]
    if field.kind is bool:
        return None if isinstance(value, bool) else errors.constraint(value, where, "Member must be true or false")
    if not isinstance(value, int) or isinstance(value, bool):
        return errors.constraint(value, where, "Member must be a whole number")
    if value < field.lowest:
        return errors.constraint(value, where, f"Member must have value greater than or equal to {field.lowest}")
    if value > field.highest:
        return errors.constraint(value, where, f"Member must have value less than or equal to {field.highest}")
    return None


def update_account_password_policy(actor: Actor, **fields: int | bool) -> dict[str, int | bool]:
    """Set the custom policy. No partial updates, as in AWS: every field left out reverts to its default."""
    problems = [f"Unknown parameter '{name}'" for name in fields if name not in FIELDS]
    for name, value in fields.items():
        if name in FIELDS and (problem := _problem(name, value, FIELDS[name])):
            problems.append(problem)
    if problems:
        raise errors.validation_failed(problems)
    allow(actor, "iam:UpdateAccountPasswordPolicy", "*")
    policy = {name: fields.get(name, field.default) for name, field in FIELDS.items()}
    with transaction.atomic():
        account = locked_account(actor)
        account.password_policy = policy
        account.save(update_fields=["password_policy"])
    return describe(policy)


def _no_policy(account: Account) -> errors.AwsError:
    return errors.AwsError(
        "NoSuchEntity", f"The Password Policy with domain name {account.account_id} cannot be found.", 404
    )


def delete_account_password_policy(actor: Actor) -> None:
    """Back to AWS's default policy."""
    allow(actor, "iam:DeleteAccountPasswordPolicy", "*")
    with transaction.atomic():
        account = locked_account(actor)
        if account.password_policy is None:
            raise _no_policy(account)
        account.password_policy = None
        account.save(update_fields=["password_policy"])


def get_account_password_policy(account: Account) -> dict[str, int | bool]:
    """GetAccountPasswordPolicy's PasswordPolicy; NoSuchEntity while the account has no custom policy."""
    if account.password_policy is None:
        raise _no_policy(account)
    return describe(account.password_policy)


def describe(policy: dict) -> dict[str, int | bool]:
    """The policy as AWS reports it: ExpirePasswords derived, the fields that were never set left out."""
    reported = {name: policy.get(name, field.default) for name, field in FIELDS.items()}
    reported["ExpirePasswords"] = bool(reported["MaxPasswordAge"])
    return {name: value for name, value in reported.items() if value or name not in _OMITTED_UNLESS_SET}


def _kinds(password: str) -> dict[str, bool]:
    """ISO basic Latin letters and digits, and AWS's own list of symbols: nothing else counts."""
    return {
        "uppercase letter": any(ch in string.ascii_uppercase for ch in password),
        "lowercase letter": any(ch in string.ascii_lowercase for ch in password),
        "number": any(ch in string.digits for ch in password),
        "symbol": any(ch in SYMBOLS for ch in password),
    }


def _default_policy_violations(password: str, account: Account) -> list[str]:
    broken = []
    if len(password) < DEFAULT_MINIMUM_LENGTH:
        broken.append(f"Password should have a minimum length of {DEFAULT_MINIMUM_LENGTH}")
    if sum(_kinds(password).values()) < 3:
        broken.append(
            "Password should have at least three of these kinds of character: "
            f"uppercase letters, lowercase letters, numbers and the symbols {' '.join(SYMBOLS)}"
        )
    names = {name.lower() for name in (account.alias, account.account_id, account.root_email) if name}
    if password.lower() in names:
        broken.append("Password should not be identical to the account name or email address")
    return broken


def violations(password: str, account: Account, user: IamUser | None = None) -> list[str]:
    """Every rule of the account's password policy that ``password`` breaks (the default policy if none is set).

    With ``user``, reuse prevention too: PasswordReusePrevention N counts the current password, so it refuses
    the current one and the N-1 before it.
    """
    policy = account.password_policy
    if policy is None:
        return _default_policy_violations(password, account)
    broken = []
    if len(password) < policy["MinimumPasswordLength"]:
        broken.append(f"Password should have a minimum length of {policy['MinimumPasswordLength']}")
    kinds = _kinds(password)
    for field, kind in (
        ("RequireUppercaseCharacters", "uppercase letter"),
        ("RequireLowercaseCharacters", "lowercase letter"),
        ("RequireNumbers", "number"),
        ("RequireSymbols", "symbol"),
    ):
        if policy[field] and not kinds[kind]:
            broken.append(f"Password should have at least one {kind}")
    reuse = policy.get("PasswordReusePrevention", 0)
    if reuse and user is not None and any(check_password(password, used) for used in _last_used(user, reuse)):
        broken.append(f"Password should not be one of the last {reuse} passwords used")
    return broken


def _last_used(user: IamUser, count: int) -> list[str]:
    """The hashes of the user's ``count`` most recent passwords, the current one first."""
    # Without a console password there is no history either: DeleteLoginProfile clears both.
    return [user.password, *user.password_history][:count] if user.password else []


def _set_password(user: IamUser, password: str) -> None:
    """Store the new password's hash and when it was set; the replaced hash joins the history."""
    if user.password:
        user.password_history = [user.password, *user.password_history][:HISTORY_KEPT]
    user.password = make_password(password)
    user.password_changed_at = now(user.account)


PASSWORD_FIELDS = ["password", "password_changed_at", "password_history", "password_reset_required"]


@dataclass(frozen=True)
class Expiry:
    """How old a user's password is against the policy's MaxPasswordAge ("Set an account password policy")."""

    age_days: int
    max_age: int
    hard_expiry: bool

    @property
    def expired(self) -> bool:
        return bool(self.max_age) and self.age_days > self.max_age

    @property
    def days_left(self) -> int:
        return max(self.max_age - self.age_days, 0)


def expiry(user: IamUser) -> Expiry | None:
    """The age of the user's password and whether it expired; None without a password or a known set date."""
    if not user.password or user.password_changed_at is None:
        return None
    policy = user.account.password_policy or {}
    age = (now(user.account) - user.password_changed_at) // timedelta(days=1)
    return Expiry(age, policy.get("MaxPasswordAge", 0), bool(policy.get("HardExpiry", False)))


def _check_password_shape(password: str) -> None:
    if not (1 <= len(password) <= LONGEST_PASSWORD) or not _PASSWORD_CHARACTERS.fullmatch(password):
        rule = f"Member must be 1 to {LONGEST_PASSWORD} printable characters"
        # The password itself is never echoed back.
        raise errors.validation_failed([errors.constraint("*****", "password", rule)])


def _no_login_profile(user: IamUser) -> errors.AwsError:
    return errors.AwsError("NoSuchEntity", f"Login Profile for User {user.name} cannot be found.", 404)


def create_login_profile(actor: Actor, user_name: str, password: str, password_reset_required: bool = False) -> IamUser:
    """Give an IAM user a console password, checked against the account's password policy and stored hashed."""
    user = find_user(actor, user_name)
    _check_password_shape(password)
    allow(actor, "iam:CreateLoginProfile", user.arn)
    with transaction.atomic():
        user = locked(user)
        if user.password:
            raise errors.AwsError("EntityAlreadyExists", f"Login Profile for user {user.name} already exists.", 409)
        broken = violations(password, user.account, user)
        if broken:
            raise PasswordPolicyViolation(broken)
        _set_password(user, password)
        user.password_reset_required = password_reset_required
        user.save(update_fields=PASSWORD_FIELDS)
    return user


def update_login_profile(
    actor: Actor, user_name: str, password: str | None = None, password_reset_required: bool | None = None
) -> IamUser:
    """Change a user's console password, or only whether they must choose a new one at next sign-in."""
    user = find_user(actor, user_name)
    if password is not None:
        _check_password_shape(password)
    allow(actor, "iam:UpdateLoginProfile", user.arn)
    with transaction.atomic():
        user = locked(user)
        if not user.password:
            raise _no_login_profile(user)
        if password is not None:
            broken = violations(password, user.account, user)
            if broken:
                raise PasswordPolicyViolation(broken)
            _set_password(user, password)
        if password_reset_required is not None:
            user.password_reset_required = password_reset_required
        user.save(update_fields=PASSWORD_FIELDS)
    return user


def delete_login_profile(actor: Actor, user_name: str) -> IamUser:
    """Take away a user's console password: they can no longer sign in to the console; access keys stay."""
    user = find_user(actor, user_name)
    allow(actor, "iam:DeleteLoginProfile", user.arn)
    with transaction.atomic():
        user = locked(user)
        if not user.password:
            raise _no_login_profile(user)
        user.password = ""
        user.password_reset_required = False
        user.password_changed_at = None
        user.password_history = []
        user.save(update_fields=PASSWORD_FIELDS)
    return user


ACCOUNT_GRANT = "account password policy (AllowUsersToChangePassword)"


def _account_grant(user: IamUser) -> Policy:
    """AllowUsersToChangePassword as the Allow it stands for: iam:ChangePassword on the user's own ARN."""
    statement = {"Sid": "AllowUsersToChangePassword", "Effect": "Allow", "Action": "iam:ChangePassword"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": user.arn}]})
    return parse_policy(document, PolicyType.IDENTITY, policy_id=ACCOUNT_GRANT, source_type="account")


def _allow_change_own_password(actor: Actor, user: IamUser) -> None:
    """iam:ChangePassword on the user's own ARN. AllowUsersToChangePassword grants it account-wide, without
    a policy ("PasswordPolicy": "the permissions are applied at the account-level for all users by IAM"):
    the engine sees that grant as one more identity-based Allow, so the log shows what allowed the change and
    an explicit Deny still refuses it."""
    policies = policies_for(actor)
    if (actor.account.password_policy or {}).get("AllowUsersToChangePassword", False):
        identity = [*policies.identity, _account_grant(user)]
        policies = PolicySet(identity, permissions_boundary=policies.permissions_boundary)
    decision = authorize(actor, "iam:ChangePassword", user.arn, policies)
    if not decision.allowed:
        raise errors.AccessDenied(decision)


def change_password(actor: Actor, old_password: str, new_password: str) -> IamUser:
    """ChangePassword: the acting IAM user changes their own console password, knowing the old one.

    The root user and role sessions are not IAM users: InvalidUserType. With HardExpiry an expired password
    cannot be changed in the console, only through the API ("PasswordPolicy", HardExpiry).
    """
    if actor.user is None:
        raise errors.AwsError("InvalidUserType", "Only IAM users can change their own password.", 400)
    _check_password_shape(new_password)
    user = actor.user
    _allow_change_own_password(actor, user)
    with transaction.atomic():
        user = locked(user)
        if not user.password:
            raise _no_login_profile(user)
        if not check_password(old_password, user.password):
            raise errors.AwsError("InvalidUserType", "The old password is incorrect.", 400)
        state = expiry(user)
        if actor.via == "console" and state is not None and state.expired and state.hard_expiry:
            raise errors.AwsError(
                "EntityTemporarilyUnmodifiable",
                f"The password of user {user.name} has expired and requires an administrator reset.",
                409,
            )
        broken = violations(new_password, user.account, user)
        if broken:
            raise PasswordPolicyViolation(broken)
        _set_password(user, new_password)
        user.password_reset_required = False
        user.save(update_fields=PASSWORD_FIELDS)
    return user


def requirements(account: Account) -> list[str]:
    """What the policy in effect asks of a new password, in plain words for the console."""
    policy = account.password_policy
    if policy is None:
        return [
            f"At least {DEFAULT_MINIMUM_LENGTH} characters (and at most {LONGEST_PASSWORD})",
            f"At least three of: uppercase letters, lowercase letters, numbers, symbols ({' '.join(SYMBOLS)})",
            "Not the same as the account name or email address",
            "Never expires",
        ]
    rules = [f"At least {policy['MinimumPasswordLength']} characters (and at most {LONGEST_PASSWORD})"]
    rules += [
        wording
        for field, wording in (
            ("RequireUppercaseCharacters", "At least one uppercase letter (A–Z)"),
            ("RequireLowercaseCharacters", "At least one lowercase letter (a–z)"),
            ("RequireNumbers", "At least one number (0–9)"),
            ("RequireSymbols", f"At least one symbol ({' '.join(SYMBOLS)})"),
        )
        if policy[field]
    ]
    age = policy["MaxPasswordAge"]
    rules.append(f"Expires after {age} days" if age else "Never expires")
    if policy["HardExpiry"]:
        rules.append("Once expired, only an administrator can reset it")
    if policy["PasswordReusePrevention"]:
        rules.append(f"Cannot reuse the last {policy['PasswordReusePrevention']} passwords")
    if policy["AllowUsersToChangePassword"]:
        rules.append("Every user may change their own password")
    return rules
