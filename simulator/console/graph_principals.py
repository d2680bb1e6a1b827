"""Who a trust policy or bucket policy names, as nodes of the access graph.

A principal that is a user or role of the account becomes an edge from that entity's own node
(by ARN, or by unique ID: IAM shows a deleted-and-recreated principal's old ID in its place).
Anything else (an AWS service, an account, anyone, a user elsewhere) is a node outside the account;
one account written as its ID or as its root ARN is the same node.

Sources: IAM User Guide, "AWS JSON policy elements: Principal" (AWS account principals, IAM role and
user principals, service principals, "Anonymous principals"), "IAM identifiers" (unique IDs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from simulator.console.trusted_entities import describe
from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType, PrincipalEntry
from simulator.policy.parse import parse_policy

_ACCOUNT_ROOT = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):root")
_IAM_ENTITY = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(?P<kind>user|role)/(?:.*/)?(?P<name>[^/]+)")
_ROLE_SESSION = re.compile(r"arn:aws[a-z-]*:sts::\d{12}:assumed-role/(?P<session>.+)")
_UNIQUE_ID = re.compile(r"A(?:IDA|ROA)[A-Z0-9]{12,}")


@dataclass(frozen=True, slots=True)
class Named:
    """One principal a statement names, with the statement's effect and whether a condition narrows it."""

    entry: PrincipalEntry
    effect: str
    conditional: bool


@dataclass(frozen=True, slots=True)
class Outside:
    """A principal outside the account, as a node: its key, what kind of principal, its short name, in full."""

    key: str
    kind_label: str
    name: str
    description: str


@lru_cache(maxsize=4096)
def named_principals(document: str, policy_type: PolicyType) -> tuple[Named, ...]:
    """Every principal the document's statements name (not those of NotPrincipal); none for no document.

    Stored documents were checked when written; one that no longer parses (the engine grew stricter)
    names nobody here rather than breaking the page.
    """
    if not document:
        return ()
    try:
        policy = parse_policy(document, policy_type)
    except MalformedPolicyDocument:
        return ()
    return tuple(
        Named(entry, statement.effect, bool(statement.conditions))
        for statement in policy.statements
        for entry in statement.principals or ()
    )


def outside(entry: PrincipalEntry, own_account: str) -> Outside:
    """The node for a principal that is no user or role of the account."""
    value, said = entry.value, describe(entry, own_account)
    if entry.kind == "*" or entry.kind == "AWS" and value == "*":
        return Outside("outside:anyone", "Anyone", "Everyone (*)", "Anyone at all, signed in to AWS or not")
    if entry.kind == "Service":
        return Outside(f"outside:service:{value}", "AWS service", value, f"The AWS service {value}")
    if entry.kind == "AWS":
        return _aws(value, said, own_account)
    if entry.kind == "Federated":
        return Outside(f"outside:federated:{value}", "Identity provider", value.rsplit("/", 1)[-1], said)
    return Outside(f"outside:canonical:{value}", "Canonical user", f"{value[:12]}…", said)


def _aws(value: str, said: str, own_account: str) -> Outside:
    root = _ACCOUNT_ROOT.fullmatch(value)
    account = value if value.isdigit() else root["account"] if root else None
    if account is not None:
        if account == own_account:
            meaning = "this account: any of its users and roles whose own policies allow it"
            return Outside(f"outside:account:{account}", "This account", account, f"Account {account}, {meaning}")
        meaning = "whichever of its users and roles that account's policies allow"
        return Outside(f"outside:account:{account}", "Another account", account, f"Account {account}: {meaning}")
    entity = _IAM_ENTITY.fullmatch(value)
    if entity is not None:
        return Outside(f"outside:aws:{value}", f"IAM {entity['kind']}", entity["name"], f"{said} ({value})")
    session = _ROLE_SESSION.fullmatch(value)
    if session is not None:
        return Outside(f"outside:aws:{value}", "Role session", session["session"], value)
    if _UNIQUE_ID.fullmatch(value):
        meaning = "no user or role of this account has this unique ID; the one it named was deleted"
        return Outside(f"outside:aws:{value}", "Unique ID", value, f"{value}: {meaning}")
    return Outside(f"outside:aws:{value}", "Principal", value, said)
