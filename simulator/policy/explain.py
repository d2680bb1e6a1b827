"""Decisions in words: the one-sentence verdict and the structured trace pages render.

The sentence follows AWS's enhanced AccessDenied messages ("User: ARN is not
authorized to perform: ACTION on resource: ARN because no identity-based
policy allows the ACTION action"); an implicit deny also says which
statements came closest and what stopped each one.
"""

from __future__ import annotations

from typing import Any

from .conditions import ConditionResult
from .decision import ALLOWED, EXPLICIT_DENY, Decision, MatchedStatement, Stage, StatementEvaluation
from .matching import Check
from .model import Span
from .request import PrincipalKind


def _article(words: str) -> str:
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


def _policy_name(policy_id: str) -> str:
    return f" {policy_id}" if policy_id else ""


def sentence(decision: Decision) -> str:
    """One plain sentence saying what was decided and why."""
    request = decision.request
    who = f"{request.principal.name}: {request.principal.arn}"
    what = f"{request.action} on resource: {request.resource}"
    if decision.result == ALLOWED:
        return f"{who} is allowed to perform: {what} because {_allowed_reason(decision)}"
    if decision.result == EXPLICIT_DENY:
        first = decision.matched[0]
        kind = Stage(first.policy_type).singular
        where = f": {first.policy_id}" if first.policy_id else ""
        return f"{who} is not authorized to perform: {what} with an explicit deny in {_article(kind)}{where}"
    reason = f"because no {decision.stage.singular} allows the {request.action} action"
    return f"{who} is not authorized to perform: {what} {reason}"


def _allowed_reason(decision: Decision) -> str:
    if decision.request.principal.kind is PrincipalKind.ROOT and decision.stage is Stage.IDENTITY_BASED:
        return "the root user has complete access to its own account"
    types = {m.policy_type for m in decision.matched}
    granting = next(s for s in (Stage.RESOURCE_BASED, Stage.IDENTITY_BASED) if s.value in types)
    if decision.stage is not Stage.RESOURCE_BASED and Stage.IDENTITY_BASED.value in types:
        granting = Stage.IDENTITY_BASED
    first = next(m for m in decision.matched if m.policy_type == granting.value)
    reason = f"{_article(granting.singular)} allows it ({_statement_words(first)})"
    if decision.request.is_cross_account and {Stage.IDENTITY_BASED.value, Stage.RESOURCE_BASED.value} <= types:
        # Across accounts neither side alone grants access: name the other side's Allow too.
        other = Stage.RESOURCE_BASED if granting is Stage.IDENTITY_BASED else Stage.IDENTITY_BASED
        second = next(m for m in decision.matched if m.policy_type == other.value)
        reason += (
            f" and {_article(other.singular)} allows it too ({_statement_words(second)}), "
            "as access across accounts needs both"
        )
    limits = [s.singular for s in (Stage.PERMISSIONS_BOUNDARY, Stage.SESSION) if s.value in types]
    return reason + (f", within the {' and the '.join(limits)}" if limits else "")


def _statement_words(statement: MatchedStatement | StatementEvaluation) -> str:
    number = f"statement {statement.statement_index + 1}"
    if statement.sid:
        number += f' "{statement.sid}"'
    return f"{number} of{_policy_name(statement.policy_id)}" if statement.policy_id else number


def why_not(evaluation: StatementEvaluation) -> str:
    """What stopped one statement from applying, in a sentence."""
    if evaluation.applies:
        return f"{_statement_words(evaluation)} applies"
    stopper = {
        "action": evaluation.action,
        "resource": evaluation.resource,
        "principal": evaluation.principal,
    }.get(evaluation.stopped_by or "")
    if stopper is not None:
        detail = stopper.detail
    else:
        failed = [c for c in evaluation.conditions if not c.matched]
        detail = "; ".join(c.reason for c in failed) or "a condition is not met"
    return f"{_statement_words(evaluation)} does not apply: {detail}"


def aws_positions(span: Span) -> dict[str, Any]:
    """A statement's place as AWS's simulator reports it: StartPosition and EndPosition.

    AWS gives the column just past the statement's opening and closing
    braces, where a streaming JSON parser stands after reading each one: the
    AWS CLI reference's simulate-custom-policy example reports columns 38 and
    167 for a statement whose braces are the 37th and 166th characters. Our
    spans point at the braces themselves, hence the one-column shift.
    """
    return {
        "StartPosition": {"Line": span.start.line, "Column": span.start.column + 1},
        "EndPosition": {"Line": span.end.line, "Column": span.end.column + 1},
    }


def _check(check: Check | None) -> dict[str, Any] | None:
    return None if check is None else {"matched": check.matched, "detail": check.detail, "pattern": check.pattern}


def _condition(result: ConditionResult) -> dict[str, Any]:
    return {
        "operator": result.operator,
        "key": result.key,
        "policyValues": list(result.policy_values),
        "requestValues": None if result.request_values is None else list(result.request_values),
        "matched": result.matched,
        "missing": result.missing,
        "reason": result.reason,
    }


def evaluation_dict(evaluation: StatementEvaluation) -> dict[str, Any]:
    return {
        "policyId": evaluation.policy_id,
        "policyType": evaluation.policy_type,
        "statement": evaluation.statement_index + 1,
        "sid": evaluation.sid,
        "effect": evaluation.effect,
        **aws_positions(evaluation.span),
        "applies": evaluation.applies,
        "stoppedBy": evaluation.stopped_by,
        "action": _check(evaluation.action),
        "resource": _check(evaluation.resource),
        "principal": _check(evaluation.principal),
        "conditions": [_condition(c) for c in evaluation.conditions],
        "summary": why_not(evaluation),
    }


def trace(decision: Decision) -> dict[str, Any]:
    """The whole explanation as JSON-ready data: enough for a page to draw it without re-evaluating."""
    return {
        "sentence": sentence(decision),
        "decision": decision.result,
        "stage": decision.stage.value,
        "stages": [
            {"stage": s.stage.value, "title": s.stage.title, "outcome": s.outcome.value, "detail": s.detail}
            for s in decision.stages
        ],
        "matchedStatements": [
            {
                "policyId": m.policy_id,
                "policyType": m.policy_type,
                "statement": m.statement_index + 1,
                "sid": m.sid,
                "effect": m.effect,
                **aws_positions(m.span),
            }
            for m in decision.matched
        ],
        "statements": [evaluation_dict(e) for e in decision.considered],
        "closest": [why_not(e) for e in decision.closest],
        "missingContextValues": list(decision.missing_context_values),
    }
