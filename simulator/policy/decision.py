"""A decision is a value: its result, the stage that decided it, and everything that led there.

Turning a decision into English or a picture is :mod:`simulator.policy.explain`'s
job; nothing here needs re-evaluating to be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .conditions import ConditionResult
from .matching import Check
from .model import Span
from .request import Request

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


class Stage(str, Enum):
    """The steps of AWS's evaluation logic, in the order AWS takes them
    ("Policy evaluation logic": how AWS enforcement code evaluates requests)."""

    EXPLICIT_DENY = "explicit-deny"
    RESOURCE_CONTROL = "resource-control-policies"
    SERVICE_CONTROL = "service-control-policies"
    RESOURCE_BASED = "resource-based-policies"
    IDENTITY_BASED = "identity-based-policies"
    PERMISSIONS_BOUNDARY = "permissions-boundary"
    SESSION = "session-policies"

    @property
    def title(self) -> str:
        return _STAGE_TITLES[self]

    @property
    def singular(self) -> str:
        """How AWS's AccessDenied messages name one policy of this kind."""
        return _SINGULAR[self]


_STAGE_TITLES = {
    Stage.EXPLICIT_DENY: "Explicit deny in any policy",
    Stage.RESOURCE_CONTROL: "Resource control policies",
    Stage.SERVICE_CONTROL: "Service control policies",
    Stage.RESOURCE_BASED: "Resource-based policies",
    Stage.IDENTITY_BASED: "Identity-based policies",
    Stage.PERMISSIONS_BOUNDARY: "Permissions boundary",
    Stage.SESSION: "Session policies",
}


_SINGULAR = {
    Stage.EXPLICIT_DENY: "policy",
    Stage.RESOURCE_CONTROL: "resource control policy",
    Stage.SERVICE_CONTROL: "service control policy",
    Stage.RESOURCE_BASED: "resource-based policy",
    Stage.IDENTITY_BASED: "identity-based policy",
    Stage.PERMISSIONS_BOUNDARY: "permissions boundary",
    Stage.SESSION: "session policy",
}


class Outcome(str, Enum):
    DENY = "deny"
    ALLOW = "allow"
    NO_ALLOW = "no-allow"
    PASS = "pass"
    NOT_APPLICABLE = "not-applicable"
    NOT_REACHED = "not-reached"


@dataclass(frozen=True, slots=True)
class StageResult:
    """What one step of the evaluation found; ``detail`` says it in words."""

    stage: Stage
    outcome: Outcome
    detail: str


@dataclass(frozen=True, slots=True)
class StatementEvaluation:
    """One statement weighed against the request, element by element.

    Elements after the first one that failed are ``None`` (not checked).
    ``stopped_by`` names that element: ``"action"``, ``"resource"``,
    ``"principal"`` or ``"condition"``; ``None`` when the statement applies.
    """

    policy_id: str
    policy_type: str
    source_type: str
    statement_index: int
    sid: str | None
    effect: str
    span: Span
    action: Check
    resource: Check | None
    principal: Check | None
    conditions: tuple[ConditionResult, ...]
    applies: bool
    stopped_by: str | None
    missing_variables: tuple[str, ...] = ()

    @property
    def missing_keys(self) -> tuple[str, ...]:
        """Context keys the statement needed and the request lacked: condition keys and policy variables."""
        return tuple(result.key for result in self.conditions if result.missing) + self.missing_variables


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that determined the decision, located in its policy's text."""

    policy_id: str
    policy_type: str
    source_type: str
    statement_index: int
    sid: str | None
    effect: str
    span: Span


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one request.

    ``stage`` is the step of the evaluation logic that settled the result.
    ``matched`` are the statements that determined it: the explicit denies,
    or the allows every required policy type contributed; empty for an
    implicit deny. With ``explain`` on, ``stages`` walks every step in
    order, ``evaluations`` holds every statement whose action matched,
    weighed element by element, ``action_misses`` every other statement
    (its Action does not cover the request's), and ``closest`` the
    statements that came nearest to allowing an implicitly denied request.
    """

    request: Request
    result: str
    stage: Stage
    matched: tuple[MatchedStatement, ...]
    stages: tuple[StageResult, ...] = ()
    evaluations: tuple[StatementEvaluation, ...] = ()
    closest: tuple[StatementEvaluation, ...] = ()
    missing_context_values: tuple[str, ...] = ()
    policy_types_present: frozenset[Stage] = field(default_factory=frozenset)
    action_misses: tuple[StatementEvaluation, ...] = ()

    @property
    def considered(self) -> tuple[StatementEvaluation, ...]:
        """Every statement of every policy that bears on the principal, with why it did or did not apply."""
        return self.evaluations + self.action_misses

    @property
    def allowed(self) -> bool:
        return self.result == ALLOWED
