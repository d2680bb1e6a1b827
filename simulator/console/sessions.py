"""Temporary credentials as the console shows them: the AWS CLI's output, and the decisions that issued them
with both sides of an AssumeRole drawn apart (the role's trust policy, the caller's own permissions).

Read from the credentials and the decision log's traces; nothing is decided again here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from simulator.console.decision_display import OUTCOME_LABELS, Flowchart, flowchart
from simulator.policy.decision import Stage
from simulator.sandbox.models import DecisionRecord, Sandbox, TemporaryCredential

# The sides of an AssumeRole, in the order the learner reads them, with what each one is.
_SIDES = (
    (Stage.RESOURCE_BASED.value, "The role's trust policy", "who may assume the role (its resource-based policy)"),
    (Stage.IDENTITY_BASED.value, "The caller's permissions", "what the caller's own policies let it call"),
    (Stage.PERMISSIONS_BOUNDARY.value, "The caller's permissions boundary", "the most the caller's policies may grant"),
    (Stage.SESSION.value, "The calling session's policies", "the most a session's policies may grant"),
)


def cli_output(credential: TemporaryCredential) -> str:
    """What ``aws sts assume-role`` (or ``get-session-token``) prints for these credentials."""
    expiration = credential.expires_at.astimezone(UTC).replace(microsecond=0).isoformat()
    output: dict[str, Any] = {
        "Credentials": {
            "AccessKeyId": credential.access_key_id,
            "SecretAccessKey": credential.secret,
            "SessionToken": credential.session_token,
            "Expiration": expiration,
        }
    }
    if credential.role_id is not None:
        output["AssumedRoleUser"] = {"AssumedRoleId": assumed_role_id(credential), "Arn": credential.arn}
        if credential.source_identity:
            output["SourceIdentity"] = credential.source_identity
    return json.dumps(output, indent=4)


def assumed_role_id(credential: TemporaryCredential) -> str:
    """AssumedRoleUser.AssumedRoleId: the role's unique id and the session name, as aws:userid holds them."""
    return f"{credential.role.unique_id}:{credential.session_name}" if credential.role_id else ""


@dataclass(frozen=True)
class Side:
    """One side of a decision: the policies of one kind, what their stage came to, and the statements that
    apply there (``allowing`` and ``denying`` name them as the trace does)."""

    stage: str
    title: str
    about: str
    outcome: str
    detail: str
    allowing: list[str]
    denying: list[str]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def _statement_name(statement: dict[str, Any]) -> str:
    sid = f' "{statement["sid"]}"' if statement.get("sid") else ""
    return f"statement {statement['statement']}{sid} of {statement.get('policyId') or 'the policy'}"


def sides(trace: dict[str, Any]) -> list[Side]:
    """The trust policy and the caller's permissions (and a boundary or session policies when the caller has
    them), each with the statements of that kind that apply: AssumeRole reads both."""
    stages = {stage["stage"]: stage for stage in trace.get("stages", [])}
    drawn = []
    for stage, title, about in _SIDES:
        statements = [s for s in trace.get("statements", []) if s.get("policyType") == stage]
        if not statements and stage not in (Stage.RESOURCE_BASED.value, Stage.IDENTITY_BASED.value):
            continue
        applying = [s for s in statements if s.get("applies")]
        reached = stages.get(stage, {})
        drawn.append(
            Side(
                stage=stage,
                title=title,
                about=about,
                outcome=reached.get("outcome", "not-applicable"),
                detail=reached.get("detail", ""),
                allowing=[_statement_name(s) for s in applying if s.get("effect") == "Allow"],
                denying=[_statement_name(s) for s in applying if s.get("effect") == "Deny"],
            )
        )
    return drawn


@dataclass(frozen=True)
class ShownDecision:
    """A logged decision as the STS pages draw it."""

    record_id: int
    action: str
    allowed: bool
    sentence: str
    flowchart: Flowchart
    sides: list[Side]


def shown(records: Iterable[DecisionRecord]) -> list[ShownDecision]:
    return [
        ShownDecision(
            record.id,
            record.action,
            record.result == "allowed",
            record.sentence,
            flowchart(record.trace),
            sides(record.trace),
        )
        for record in records
    ]


def sts_decisions(sandbox: Sandbox, ids: Iterable[int]) -> list[ShownDecision]:
    """The STS decisions among the records ``ids`` that are this sandbox's (ids may come from a link)."""
    records = DecisionRecord.objects.filter(account__sandbox=sandbox, action__istartswith="sts:", id__in=list(ids))
    # A call makes at most a few decisions: a link's list is cut short rather than read whole.
    return shown(records.order_by("id")[:10])
