"""The policies that bear on a principal's requests, indexed for fast evaluation.

A :class:`PolicySet` is built once per principal (and resource) and reused
for every request. It files each statement under the service prefixes its
Action names, so a request for ``s3:GetObject`` only ever looks at
statements that could match an S3 action (plus those written with a
wildcard service or ``NotAction``); the statements that do match an action
are remembered per action. The cost of a decision therefore does not grow
with statements whose actions cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .decision import MatchedStatement, Stage
from .matching import action_pattern_matches, service_of
from .model import Policy, PolicyType, Statement
from .wildcards import alternation_regex, has_wildcard


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One statement ready for matching, with what can be worked out in advance.

    ``slot`` names the (stage, level) the statement belongs to: one Allow per
    slot is enough for the fast path. ``resource_regex`` matches every
    Resource pattern at once when none holds a policy variable.
    """

    order: int
    policy: Policy
    statement: Statement
    stage: Stage
    level: int
    allow: bool
    substitute: bool
    any_resource: bool
    resource_regex: re.Pattern[str] | None
    names_principal: bool
    matched: MatchedStatement
    slot: tuple[Stage, int]
    variable_texts: tuple[str, ...]

    def action_matches(self, action: str) -> bool:
        statement = self.statement
        if statement.actions is not None:
            return any(action_pattern_matches(p, action) for p in statement.actions)
        return not any(action_pattern_matches(p, action) for p in statement.not_actions or ())


def _entry(order: int, policy: Policy, statement: Statement, stage: Stage, level: int) -> Entry:
    substitute = policy.allows_variables
    resources = statement.resources
    any_resource = (resources is None and statement.not_resources is None) or (
        resources is not None and "*" in resources
    )
    regex = None
    if resources is not None and not any_resource and not (substitute and any("${" in r for r in resources)):
        regex = alternation_regex(resources)
    matched = MatchedStatement(
        policy.policy_id,
        stage.value,
        policy.source_type,
        statement.index,
        statement.sid,
        statement.effect,
        statement.span,
    )
    return Entry(
        order,
        policy,
        statement,
        stage,
        level,
        statement.effect == "Allow",
        substitute,
        any_resource,
        regex,
        statement.principals is not None or statement.not_principals is not None,
        matched,
        (stage, level),
        _variable_texts(statement) if substitute else (),
    )


def _variable_texts(statement: Statement) -> tuple[str, ...]:
    """The Resource patterns and condition values that hold policy variables."""
    texts = [*(statement.resources or ()), *(statement.not_resources or ())]
    texts += [value for condition in statement.conditions for value in condition.values]
    return tuple(text for text in texts if "${" in text)


@dataclass(slots=True, eq=False)
class Plan:
    """What one action needs from a policy set: the statements whose Action covers it.

    ``explained`` is filled by the first explained evaluation of the action
    with what does not depend on the rest of the request (each candidate's
    action verdict and the statements the action misses).
    """

    candidates: tuple[Entry, ...]
    explained: object = None


def _services(statement: Statement) -> tuple[str, ...] | None:
    """The service prefixes a statement's Action can match; ``None`` when it could match any service."""
    if statement.actions is None:
        return None
    services = []
    for pattern in statement.actions:
        service = service_of(pattern)
        if not service or has_wildcard(service):
            return None
        services.append(service)
    return tuple(services)


class PolicySet:
    """Every policy that can bear on a request, by the stage of AWS's logic that reads it.

    ``service_control`` and ``resource_control`` are given level by level
    (organization root, each OU, the account): at every level some policy
    must allow. ``resource`` is the resource-based policy (a role's trust
    policy is one). ``permissions_boundary`` and ``session`` each act as one
    filter however many documents make them up.
    """

    def __init__(
        self,
        identity: Iterable[Policy] = (),
        *,
        resource: Policy | None = None,
        permissions_boundary: Iterable[Policy] = (),
        session: Iterable[Policy] = (),
        service_control: Sequence[Iterable[Policy]] = (),
        resource_control: Sequence[Iterable[Policy]] = (),
    ) -> None:
        self.identity = tuple(identity)
        self.resource = resource
        self.permissions_boundary = tuple(permissions_boundary)
        self.session = tuple(session)
        self.service_control = tuple(tuple(level) for level in service_control)
        self.resource_control = tuple(tuple(level) for level in resource_control)
        self.organization_levels = (
            (Stage.RESOURCE_CONTROL, self.resource_control),
            (Stage.SERVICE_CONTROL, self.service_control),
        )
        self.present = frozenset(
            stage
            for stage, present in (
                (Stage.RESOURCE_CONTROL, self.resource_control),
                (Stage.SERVICE_CONTROL, self.service_control),
                (Stage.RESOURCE_BASED, self.resource is not None),
                (Stage.IDENTITY_BASED, True),
                (Stage.PERMISSIONS_BOUNDARY, self.permissions_boundary),
                (Stage.SESSION, self.session),
            )
            if present
        )
        self.entries: tuple[Entry, ...] = tuple(self._build_entries())
        self._by_service: dict[str, list[Entry]] = {}
        self._any_service: list[Entry] = []
        for entry in self.entries:
            services = _services(entry.statement)
            if services is None:
                self._any_service.append(entry)
            else:
                for service in dict.fromkeys(services):
                    self._by_service.setdefault(service, []).append(entry)
        self._plans: dict[str, Plan] = {}

    @property
    def requires_resource_allow(self) -> bool:
        """A role's trust policy must allow even within one account (so must a KMS key policy)."""
        return self.resource is not None and self.resource.policy_type is PolicyType.TRUST

    def _build_entries(self):
        groups: list[tuple[Stage, int, Iterable[Policy]]] = [
            *((Stage.RESOURCE_CONTROL, n, level) for n, level in enumerate(self.resource_control)),
            *((Stage.SERVICE_CONTROL, n, level) for n, level in enumerate(self.service_control)),
            (Stage.RESOURCE_BASED, 0, (self.resource,) if self.resource else ()),
            (Stage.IDENTITY_BASED, 0, self.identity),
            (Stage.PERMISSIONS_BOUNDARY, 0, self.permissions_boundary),
            (Stage.SESSION, 0, self.session),
        ]
        order = 0
        for stage, level, policies in groups:
            for policy in policies:
                for statement in policy.statements:
                    yield _entry(order, policy, statement, stage, level)
                    order += 1

    def plan(self, action: str) -> Plan:
        """The statements whose Action (or NotAction) covers ``action``, in evaluation order."""
        plan = self._plans.get(action)
        if plan is None:
            key = action.lower()
            pool = self._by_service.get(service_of(key), []) + self._any_service
            plan = Plan(tuple(sorted((e for e in pool if e.action_matches(key)), key=lambda e: e.order)))
            if len(self._plans) > 4096:
                self._plans.clear()
            self._plans[action] = plan
        return plan
