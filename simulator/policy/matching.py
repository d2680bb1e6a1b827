"""Does a statement's Action, Resource and Principal cover a request?

Each matcher answers with a :class:`Check`: whether it matched and, in words,
why — the explanation is part of the answer, never reconstructed later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import variables
from .model import PrincipalEntry, Statement
from .request import Principal, PrincipalKind
from .wildcards import glob_regex, has_wildcard, pattern_regex


@dataclass(frozen=True, slots=True)
class Check:
    matched: bool
    detail: str
    pattern: str | None = None


def service_of(action: str) -> str:
    """The lower-cased service prefix of ``service:Action`` (``""`` for a bare ``*``)."""
    prefix, _, _ = action.partition(":")
    return prefix.lower() if _ else ""


def action_pattern_matches(pattern: str, action: str) -> bool:
    """Actions compare case-insensitively; ``*`` and ``?`` are wildcards."""
    if not has_wildcard(pattern):
        return pattern.lower() == action.lower()
    return pattern_regex(pattern, ignore_case=True).fullmatch(action) is not None


def check_action(statement: Statement, action: str) -> Check:
    if statement.actions is not None:
        for pattern in statement.actions:
            if action_pattern_matches(pattern, action):
                return Check(True, f"Action {pattern} matches {action}", pattern)
        return Check(False, f"{action} is not in Action ({_listed(statement.actions)})")
    for pattern in statement.not_actions or ():
        if action_pattern_matches(pattern, action):
            return Check(False, f"{action} is excluded by NotAction {pattern}", pattern)
    return Check(True, f"{action} is not excluded by NotAction ({_listed(statement.not_actions or ())})")


def resource_pattern_matches(
    pattern: str, resource: str, context: Mapping[str, tuple[str, ...]], substitute: bool
) -> bool | None:
    """Match one Resource pattern; ``None`` when a policy variable in it has no value.

    ARNs compare case-sensitively and a wildcard crosses ``:`` and ``/``.
    """
    if pattern == "*":
        return True
    if substitute and "${" in pattern:
        pieces = variables.resolve(pattern, context)
        if pieces is None:
            return None
        return glob_regex(pieces).fullmatch(resource) is not None
    if not has_wildcard(pattern):
        return pattern == resource
    return pattern_regex(pattern).fullmatch(resource) is not None


def check_resource(
    statement: Statement, resource: str, context: Mapping[str, tuple[str, ...]], substitute: bool
) -> Check:
    if statement.resources is None and statement.not_resources is None:
        return Check(True, "the statement has no Resource element: it applies to the resource it is attached to")
    if statement.resources is not None:
        unresolved = []
        for pattern in statement.resources:
            outcome = resource_pattern_matches(pattern, resource, context, substitute)
            if outcome:
                return Check(True, f"Resource {pattern} matches {resource}", pattern)
            if outcome is None:
                unresolved.append(pattern)
        detail = f"{resource} is outside Resource ({_listed(statement.resources)})"
        if unresolved:
            detail += f"; a policy variable in {_listed(unresolved)} has no value in this request"
        return Check(False, detail)
    for pattern in statement.not_resources or ():
        if resource_pattern_matches(pattern, resource, context, substitute):
            return Check(False, f"{resource} is excluded by NotResource {pattern}", pattern)
    return Check(True, f"{resource} is not excluded by NotResource ({_listed(statement.not_resources or ())})")


def _account_of(value: str) -> str | None:
    """The account an ``AWS`` principal value names as a whole, if it is an account principal."""
    if value.isdigit() and len(value) == 12:
        return value
    if value.startswith("arn:") and value.endswith(":root"):
        parts = value.split(":")
        if len(parts) == 6 and parts[2] == "iam":
            return parts[4]
    return None


def principal_entry_matches(entry: PrincipalEntry, principal: Principal, *, negated: bool = False) -> str | None:
    """How ``entry`` names ``principal``: ``"everyone"``, ``"account"``, ``"role"``, ``"direct"``, or ``None``.

    The kind of match matters to evaluation: naming the account only
    delegates to the account's own identity-based policies, while naming a
    user or session grants it directly. In NotPrincipal a role ARN does not
    cover the role's sessions: AWS asks for the assumed-role ARN as well
    ("AWS JSON policy elements: NotPrincipal").
    """
    kind, value = entry.kind, entry.value
    if kind == "*" or (kind == "AWS" and value == "*"):
        return "everyone" if principal.kind is not PrincipalKind.SERVICE or kind == "*" else None
    if kind == "AWS":
        if principal.kind in (PrincipalKind.SERVICE, PrincipalKind.IDENTITY_PROVIDER, PrincipalKind.ANONYMOUS):
            return None
        account = _account_of(value)
        if account is not None:
            if negated:
                # NotPrincipal compares literally: the account ARN stands for the account
                # principal (its root user), not for every identity in it.
                return "account" if account == principal.account and principal.kind is PrincipalKind.ROOT else None
            return "account" if account == principal.account else None
        if value == principal.arn:
            return "direct"
        if not negated and principal.role_arn is not None and value == principal.role_arn:
            return "role"
        return None
    if kind == "Service":
        return "direct" if principal.kind is PrincipalKind.SERVICE and value == principal.arn else None
    if kind in ("Federated", "CanonicalUser"):
        return "direct" if value == principal.arn else None
    return None


def check_principal(statement: Statement, principal: Principal, bounded: bool = False) -> tuple[Check, str | None]:
    """Whether the statement's Principal/NotPrincipal covers ``principal``, and how it names it.

    ``bounded`` says the principal has a permissions boundary: a Deny with
    NotPrincipal then denies it whatever NotPrincipal lists ("AWS JSON policy
    elements: NotPrincipal").
    """
    if statement.principals is not None:
        for entry in statement.principals:
            how = principal_entry_matches(entry, principal)
            if how:
                return Check(True, f"Principal {_entry_text(entry)} covers {principal.arn}", entry.value), how
        named = _listed([_entry_text(e) for e in statement.principals])
        return Check(False, f"{principal.arn} is not named in Principal ({named})"), None
    if statement.not_principals is not None:
        if bounded and statement.effect == "Deny":
            return Check(
                True, "a Deny with NotPrincipal always covers a principal with a permissions boundary"
            ), "everyone"
        for entry in statement.not_principals:
            if principal_entry_matches(entry, principal, negated=True):
                return Check(
                    False, f"{principal.arn} is excluded by NotPrincipal {_entry_text(entry)}", entry.value
                ), None
        named = _listed([_entry_text(e) for e in statement.not_principals])
        return Check(True, f"{principal.arn} is not excluded by NotPrincipal ({named})"), "everyone"
    return Check(True, "the policy applies to the identity it is attached to"), "direct"


def _entry_text(entry: PrincipalEntry) -> str:
    return "*" if entry.kind == "*" else f"{entry.kind}: {entry.value}"


def _listed(values) -> str:
    return ", ".join(values)
