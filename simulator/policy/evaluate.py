"""Decide a request: find the statements that apply, then walk AWS's flowchart (:mod:`.flow`).

Two paths share the flowchart. The fast one only asks "does this statement
apply?" and stops looking in a policy type once it has an Allow there; the
explained one records every element's verdict for every statement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import conditions, matching, variables
from .decision import IMPLICIT_DENY, Decision, Stage, StatementEvaluation
from .flow import Found, applicable_stages, decide
from .matching import Check
from .policyset import Entry, Plan, PolicySet
from .request import Request


def evaluate(request: Request, policies: PolicySet, *, explain: bool = True) -> Decision:
    """Decide ``request`` against ``policies`` the way AWS does.

    With ``explain`` off only the result, the stage and the statements that
    decided it are worked out, as fast as possible: ``matched`` then holds
    every applicable Deny, or at least one Allow from each policy type that
    had to allow. With it on the decision also carries every Allow that
    applied, every stage, every statement considered and why, the
    statements that came closest, and the missing context keys.
    """
    if explain:
        return _evaluate_explained(request, policies)
    applicable = applicable_stages(request.principal)
    found: dict[Stage, Found] = {}
    allowed_slots = set()
    for entry in policies.plan(request.action).candidates:
        stage = entry.stage
        if stage not in applicable:
            continue
        if entry.allow and stage is not Stage.RESOURCE_BASED and entry.slot in allowed_slots:
            continue
        how = _applies(entry, request, policies)
        if how is None:
            continue
        group = found.get(stage) or found.setdefault(stage, Found())
        if entry.allow:
            group.allows.append((entry, how))
            allowed_slots.add(entry.slot)
        else:
            group.denies.append(entry)
    result, stage, matched, _ = decide(request, policies, found, keep_trail=False)
    return Decision(request, result, stage, matched, policy_types_present=policies.present)


def _resource_applies(entry: Entry, request: Request) -> bool:
    if entry.any_resource:
        return True
    if entry.resource_regex is not None:
        return entry.resource_regex.fullmatch(request.resource) is not None
    return matching.check_resource(entry.statement, request.resource, request.context, entry.substitute).matched


def _applies(entry: Entry, request: Request, policies: PolicySet) -> str | None:
    """How the statement names the principal if it applies, else ``None``; no explanation kept."""
    if not _resource_applies(entry, request):
        return None
    how = "direct"
    statement = entry.statement
    if entry.names_principal:
        check, how = matching.check_principal(statement, request.principal, bool(policies.permissions_boundary))
        if not check.matched:
            return None
    if statement.conditions and not conditions.conditions_match(
        statement.conditions, request.context, entry.substitute
    ):
        return None
    return how


@dataclass(frozen=True, slots=True)
class _ActionVerdicts:
    """Per action, what explanations need that the rest of the request cannot change:
    each candidate's action verdict, and the statements the action misses by policy type."""

    checks: tuple[Check, ...]
    misses: dict[Stage, tuple[StatementEvaluation, ...]]
    by_principal: dict[frozenset[Stage], tuple[StatementEvaluation, ...]]

    def misses_for(self, applicable: frozenset[Stage]) -> tuple[StatementEvaluation, ...]:
        """Shared, not copied: a decision's cost must not grow with statements its action misses."""
        found = self.by_principal.get(applicable)
        if found is None:
            found = tuple(e for stage, evaluations in self.misses.items() if stage in applicable for e in evaluations)
            self.by_principal[applicable] = found
        return found


def _action_verdicts(policies: PolicySet, plan: Plan, action: str) -> _ActionVerdicts:
    if plan.explained is None:
        candidates = set(plan.candidates)
        misses: dict[Stage, list[StatementEvaluation]] = {}
        for entry in policies.entries:
            if entry not in candidates:
                check = matching.check_action(entry.statement, action)
                misses.setdefault(entry.stage, []).append(_evaluation(entry, check, None, None, (), "action"))
        plan.explained = _ActionVerdicts(
            tuple(matching.check_action(entry.statement, action) for entry in plan.candidates),
            {stage: tuple(evaluations) for stage, evaluations in misses.items()},
            {},
        )
    return plan.explained


def _evaluate_explained(request: Request, policies: PolicySet) -> Decision:
    applicable = applicable_stages(request.principal)
    plan = policies.plan(request.action)
    verdicts = _action_verdicts(policies, plan, request.action)
    found: dict[Stage, Found] = {}
    evaluations: list[StatementEvaluation] = []
    for entry, action in zip(plan.candidates, verdicts.checks, strict=True):
        if entry.stage not in applicable:
            continue
        evaluation, how = _weigh(entry, action, request, policies)
        evaluations.append(evaluation)
        if how is None:
            continue
        group = found.get(entry.stage) or found.setdefault(entry.stage, Found())
        if entry.allow:
            group.allows.append((entry, how))
        else:
            group.denies.append(entry)
    missing = tuple(dict.fromkeys(key for e in evaluations for key in e.missing_keys))
    misses = verdicts.misses_for(applicable)
    result, stage, matched, stages = decide(request, policies, found, keep_trail=True)
    closest = _closest(evaluations, misses) if result == IMPLICIT_DENY else ()
    return Decision(
        request, result, stage, matched, stages, tuple(evaluations), closest, missing, policies.present, misses
    )


def _weigh(
    entry: Entry, action: Check, request: Request, policies: PolicySet
) -> tuple[StatementEvaluation, str | None]:
    """Weigh one statement whose action matched, recording every element's verdict."""
    statement = entry.statement
    resource = matching.check_resource(statement, request.resource, request.context, entry.substitute)
    principal = how = None
    results: tuple = ()
    stopped = None
    if not resource.matched:
        stopped = "resource"
    else:
        how = "direct"
        if entry.names_principal:
            principal, how = matching.check_principal(statement, request.principal, bool(policies.permissions_boundary))
        if principal is not None and not principal.matched:
            stopped, how = "principal", None
        elif statement.conditions:
            ok, results = conditions.evaluate_conditions(statement.conditions, request.context, entry.substitute)
            if not ok:
                stopped, how = "condition", None
    evaluation = _evaluation(entry, action, resource, principal, results, stopped)
    if entry.variable_texts:
        unresolved = (key for text in entry.variable_texts for key in variables.unresolved(text, request.context))
        evaluation = replace(evaluation, missing_variables=tuple(dict.fromkeys(unresolved)))
    return evaluation, how


def _evaluation(entry: Entry, action, resource, principal, results, stopped) -> StatementEvaluation:
    policy, statement = entry.policy, entry.statement
    return StatementEvaluation(
        policy_id=policy.policy_id,
        policy_type=entry.stage.value,
        source_type=policy.source_type,
        statement_index=statement.index,
        sid=statement.sid,
        effect=statement.effect,
        span=statement.span,
        action=action,
        resource=resource,
        principal=principal,
        conditions=results,
        applies=stopped is None,
        stopped_by=stopped,
    )


_NEARNESS = {"condition": 0, "principal": 1, "resource": 2}


def _closest(
    weighed: list[StatementEvaluation], misses: tuple[StatementEvaluation, ...], limit: int = 3
) -> tuple[StatementEvaluation, ...]:
    """The Allow statements that came nearest to applying: those stopped latest in the statement first,
    then statements for another action."""
    allows = sorted(
        (e for e in weighed if e.effect == "Allow" and not e.applies), key=lambda e: _NEARNESS[e.stopped_by]
    )
    for miss in misses:
        if len(allows) >= limit:
            break
        if miss.effect == "Allow":
            allows.append(miss)
    return tuple(allows[:limit])
