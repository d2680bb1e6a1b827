"""Parsed IAM policy documents: frozen values named in AWS's terms.

Everything here is produced once by :mod:`simulator.policy.parse` and never
changes afterwards, so evaluation can index and cache it freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PolicyType(str, Enum):
    """Where a policy sits decides which elements it may hold and how it counts."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    PERMISSIONS_BOUNDARY = "permissions-boundary"
    SESSION = "session"
    SERVICE_CONTROL = "service-control"
    RESOURCE_CONTROL = "resource-control"

    @property
    def takes_principal(self) -> bool:
        """Resource-based policies (trust policies are one) must name a principal;
        the others must not."""
        return self in (PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RESOURCE_CONTROL)


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the policy text, both numbers counted from 1."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """One value of a Principal/NotPrincipal element.

    ``kind`` is ``"AWS"``, ``"Service"``, ``"Federated"``, ``"CanonicalUser"``,
    or ``"*"`` for the bare ``"Principal": "*"`` form (value ``"*"``).
    """

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key) pair of a Condition block with its values.

    ``operator`` is the operator as written (``"ForAnyValue:StringLikeIfExists"``);
    ``set_operator`` is ``""``, ``"ForAnyValue"`` or ``"ForAllValues"``;
    ``base_operator`` the operator without set prefix or ``IfExists`` suffix;
    ``key`` the condition key as written (compare it lower-cased).
    Values are normalised to strings the way AWS compares them
    (JSON ``true`` becomes ``"true"``, numbers keep their written form).
    """

    operator: str
    set_operator: str
    base_operator: str
    if_exists: bool
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Exactly one of each Action/NotAction and
    Resource/NotResource pair is set (Resource may be absent in trust
    policies); Principal/NotPrincipal only in resource-based policies."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: tuple[PrincipalEntry, ...] | None
    not_principals: tuple[PrincipalEntry, ...] | None
    conditions: tuple[Condition, ...]
    span: Span

    @property
    def label(self) -> str:
        """How messages name the statement: its position and its Sid when it has one."""
        number = f"statement {self.index + 1}"
        return f"{number} (Sid {self.sid!r})" if self.sid else number


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole policy document.

    ``policy_id`` is how a decision names the policy (for example
    ``"PolicyInputList.1"`` or ``"arn:aws:iam::aws:policy/ReadOnlyAccess"``);
    ``source_type`` is AWS's PolicySourceType for it (user, group, role,
    aws-managed, user-managed, resource, none).
    """

    policy_type: PolicyType
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    text: str
    policy_id: str = ""
    source_type: str = "none"

    @property
    def allows_variables(self) -> bool:
        """Policy variables are only substituted under Version 2012-10-17."""
        return self.version == "2012-10-17"
