"""An AccessDenied explained where it happened: the decision it carries, drawn as the access tester draws one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from simulator.console.decision_display import Flowchart, flowchart
from simulator.policy import explain
from simulator.policy.decision import Decision

register = template.Library()


@dataclass(frozen=True)
class Denial:
    """What console/_aws_error.html draws under an AccessDenied (``action`` titles the flowchart)."""

    action: str
    trace: dict[str, Any]
    flowchart: Flowchart
    record_id: int | None


@register.filter
def denial(error: object) -> Denial | None:
    """The explanation an engine-decided AccessDenied carries; ``None`` for any other error."""
    decision = getattr(error, "decision", None)
    if not isinstance(decision, Decision):
        return None
    trace = explain.trace(decision)
    return Denial(decision.request.action, trace, flowchart(trace), getattr(error, "record_id", None))
