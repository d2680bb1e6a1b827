"""Who a role trusts, in words: "AWS service: ec2", "This account", "Account 111122223333 (external ID)".

The roles list shows this beside each role, as IAM's console shows "Trusted entities": it reads the
Allow statements of the trust policy, the only ones that let anyone assume the role.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType, PrincipalEntry, Statement
from simulator.policy.parse import parse_policy

_IAM_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}|cloudfront):(?P<kind>[a-z-]+)(?:/(?P<rest>.*))?")
_STS_ARN = re.compile(r"arn:aws[a-z-]*:sts::(?P<account>\d{12}):(?P<kind>[a-z-]+)/(?P<rest>.+)")
_SERVICE_SUFFIX = ".amazonaws.com"


def _account(account_id: str, own_account: str) -> str:
    return "This account" if account_id == own_account else f"Account {account_id}"


def _aws(value: str, own_account: str) -> str:
    if value == "*":
        return "Anyone (*)"
    if value.isdigit():
        return _account(value, own_account)
    iam = _IAM_ARN.fullmatch(value)
    if iam is not None:
        name = (iam["rest"] or "").rsplit("/", 1)[-1]
        where = "" if iam["account"] == own_account else f" in account {iam['account']}"
        if iam["kind"] == "root":
            return _account(iam["account"], own_account)
        return {"user": f"IAM user {name}", "role": f"IAM role {name}"}.get(iam["kind"], value) + where
    sts = _STS_ARN.fullmatch(value)
    if sts is not None and sts["kind"] == "assumed-role":
        return f"Role session {sts['rest']}"
    return value


def _federated(value: str) -> str:
    if ":saml-provider/" in value:
        return f"SAML provider {value.rsplit('/', 1)[-1]}"
    if ":oidc-provider/" in value:
        return f"Web identity: {value.split(':oidc-provider/', 1)[1]}"
    return f"Web identity: {value}"


def describe(entry: PrincipalEntry, own_account: str) -> str:
    """One principal in words; ``own_account`` is the role's account, named "This account"."""
    if entry.kind == "Service":
        service = entry.value.removesuffix(_SERVICE_SUFFIX)
        return f"AWS service: {service}"
    if entry.kind in ("AWS", "*"):
        return _aws(entry.value, own_account)
    if entry.kind == "Federated":
        return _federated(entry.value)
    return f"Canonical user {entry.value[:12]}…"


def _needs_external_id(statement: Statement) -> bool:
    return any(condition.key.lower() == "sts:externalid" for condition in statement.conditions)


@lru_cache(maxsize=2048)
def trusted_entities(trust_policy: str, own_account: str) -> tuple[str, ...]:
    """Every principal the trust policy's Allow statements name, in words and without repeats.

    Stored trust policies were checked when written, so a document that no longer parses (the engine
    grew stricter) is shown as such rather than breaking the page.
    """
    try:
        policy = parse_policy(trust_policy, PolicyType.TRUST)
    except MalformedPolicyDocument:
        return ("Unreadable trust policy",)
    described: dict[str, None] = {}
    for statement in policy.statements:
        if statement.effect != "Allow" or not statement.principals:
            continue
        suffix = " (external ID)" if _needs_external_id(statement) else ""
        for entry in statement.principals:
            described[describe(entry, own_account) + suffix] = None
    return tuple(described)
