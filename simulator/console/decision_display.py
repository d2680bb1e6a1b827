"""A decision drawn for a page: AWS's evaluation flowchart with the path taken, and policy text with marks.

Everything here is read from the engine's decision and its trace (:func:`simulator.policy.explain.trace`);
nothing is decided again. Templates escape every string these values carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simulator.policy.decision import ALLOWED, Decision, Stage
from simulator.policy.model import Policy, Span
from simulator.policy.policyset import PolicySet

# The flowchart's geometry, in SVG user units: stage boxes in a column, a deny exit to the right.
BOX_X, BOX_WIDTH, BOX_HEIGHT, BOX_GAP = 8, 400, 56, 22
EXIT_X, EXIT_WIDTH = 448, 144
CHART_WIDTH = EXIT_X + EXIT_WIDTH + 8
DETAIL_LENGTH = 50

OUTCOME_LABELS = {
    "deny": "Deny",
    "allow": "Allow",
    "no-allow": "No allow",
    "pass": "No deny",
    "not-applicable": "None apply",
    "not-reached": "Not reached",
}


@dataclass(frozen=True)
class FlowBox:
    stage: str
    title: str
    outcome: str
    label: str
    detail: str
    short_detail: str
    decisive: bool
    y: int
    # The connector into this box from the one above it: taken when this stage was reached.
    entered: bool

    @property
    def text_y(self) -> int:
        return self.y + 23

    @property
    def detail_y(self) -> int:
        return self.y + 44

    @property
    def middle_y(self) -> int:
        return self.y + BOX_HEIGHT // 2

    @property
    def connector_top(self) -> int:
        return self.y - BOX_GAP


@dataclass(frozen=True)
class Flowchart:
    boxes: tuple[FlowBox, ...]
    result: str
    allowed: bool
    allow_y: int
    height: int
    deny_box: FlowBox | None
    description: str

    width: int = CHART_WIDTH
    box_x: int = BOX_X
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT
    exit_x: int = EXIT_X
    exit_width: int = EXIT_WIDTH

    @property
    def box_right(self) -> int:
        return BOX_X + BOX_WIDTH

    @property
    def label_x(self) -> int:
        return BOX_X + BOX_WIDTH - 16

    @property
    def spine_x(self) -> int:
        return BOX_X + BOX_WIDTH // 2

    @property
    def allow_connector_top(self) -> int:
        return self.allow_y - BOX_GAP

    @property
    def allow_text_y(self) -> int:
        return self.allow_y + 28

    @property
    def exit_middle_x(self) -> int:
        return EXIT_X + EXIT_WIDTH // 2


def _shorten(text: str) -> str:
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1].rstrip() + "…"


def flowchart(trace: dict[str, Any]) -> Flowchart:
    """AWS's evaluation logic as boxes, one per stage in order, each with the outcome the trace gives it.

    A deny leaves the column to the right at the stage that decided it, as in the IAM User Guide's
    flowchart ("Policy evaluation logic"); an allow runs down every stage to the Allow box below them.
    """
    allowed = trace["decision"] == ALLOWED
    boxes = tuple(
        FlowBox(
            stage=step["stage"],
            title=step["title"],
            outcome=step["outcome"],
            label=OUTCOME_LABELS.get(step["outcome"], step["outcome"]),
            detail=step["detail"],
            short_detail=_shorten(step["detail"]),
            decisive=step["stage"] == trace["stage"],
            y=BOX_X + number * (BOX_HEIGHT + BOX_GAP),
            entered=step["outcome"] != "not-reached",
        )
        for number, step in enumerate(trace["stages"])
    )
    allow_y = BOX_X + len(boxes) * (BOX_HEIGHT + BOX_GAP)
    deny_box = None if allowed else next((box for box in boxes if box.decisive), None)
    steps = "; ".join(f"{box.title}: {box.label.lower()} ({box.detail})" for box in boxes)
    return Flowchart(
        boxes=boxes,
        result=trace["decision"],
        allowed=allowed,
        allow_y=allow_y,
        height=allow_y + 44 + BOX_X,
        deny_box=deny_box,
        description=f"{steps}. Result: {trace['decision']}, settled at {Stage(trace['stage']).title}.",
    )


@dataclass(frozen=True)
class Segment:
    """Consecutive lines of a policy's text, marked (``"deciding"``, ``"closest"``) or not (``""``)."""

    lines: tuple[str, ...]
    mark: str = ""
    effect: str = ""


@dataclass(frozen=True)
class Mark:
    span: Span
    kind: str
    effect: str
    words: str


@dataclass(frozen=True)
class Listing:
    """One policy's text, the statements that matter marked by whole lines."""

    policy_id: str
    kind: str
    source_type: str
    segments: tuple[Segment, ...]
    marks: tuple[Mark, ...]
    involved: bool
    deciding: bool = False


def _segments(text: str, marks: Iterable[Mark]) -> tuple[Segment, ...]:
    """Split the text into runs of lines; spans are 1-based and inclusive, and never overlap (one per statement)."""
    by_line: dict[int, Mark] = {}
    for mark in marks:
        for line in range(mark.span.start.line, mark.span.end.line + 1):
            by_line[line] = mark
    segments: list[Segment] = []
    run: list[str] = []
    current: Mark | None = None
    for number, line in enumerate(text.splitlines() or [""], start=1):
        mark = by_line.get(number)
        if mark is not current and run:
            segments.append(_segment(run, current))
            run = []
        current = mark
        run.append(line)
    segments.append(_segment(run, current))
    return tuple(segments)


def _segment(lines: list[str], mark: Mark | None) -> Segment:
    return Segment(tuple(lines), mark.kind if mark else "", mark.effect.lower() if mark else "")


def _statement_words(index: int, sid: str | None, span: Span) -> str:
    name = f"statement {index + 1}" + (f' "{sid}"' if sid else "")
    start, end = span.start.line, span.end.line
    lines = f"line {start}" if start == end else f"lines {start}–{end}"
    return f"{name} ({lines})"


def _policies(policies: PolicySet) -> Iterable[tuple[Stage, Policy]]:
    for level in policies.resource_control:
        yield from ((Stage.RESOURCE_CONTROL, p) for p in level)
    for level in policies.service_control:
        yield from ((Stage.SERVICE_CONTROL, p) for p in level)
    if policies.resource is not None:
        yield Stage.RESOURCE_BASED, policies.resource
    yield from ((Stage.IDENTITY_BASED, p) for p in policies.identity)
    yield from ((Stage.PERMISSIONS_BOUNDARY, p) for p in policies.permissions_boundary)
    yield from ((Stage.SESSION, p) for p in policies.session)


def policy_listings(policies: PolicySet, decision: Decision) -> list[Listing]:
    """Every policy that bears on the principal, with the deciding statements marked.

    An implicit deny has no deciding statement, so the statements that came closest to allowing are marked
    instead. A policy is "involved" when one of its statements covers the request's action.
    """
    marks: dict[tuple[str, str], list[Mark]] = {}
    for matched in decision.matched:
        words = _statement_words(matched.statement_index, matched.sid, matched.span)
        mark = Mark(matched.span, "deciding", matched.effect, words)
        marks.setdefault((matched.policy_type, matched.policy_id), []).append(mark)
    if not decision.matched:
        for closest in decision.closest:
            words = _statement_words(closest.statement_index, closest.sid, closest.span)
            mark = Mark(closest.span, "closest", closest.effect, words)
            marks.setdefault((closest.policy_type, closest.policy_id), []).append(mark)
    involved = {(e.policy_type, e.policy_id) for e in decision.evaluations}
    listings = []
    for stage, policy in _policies(policies):
        key = (stage.value, policy.policy_id)
        policy_marks = tuple(marks.get(key, ()))
        listings.append(
            Listing(
                policy_id=policy.policy_id,
                kind=stage.singular,
                source_type=policy.source_type,
                segments=_segments(policy.text, policy_marks),
                marks=policy_marks,
                involved=key in involved,
                deciding=any(m.kind == "deciding" for m in policy_marks),
            )
        )
    return listings


def split_statements(trace: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """The statements whose Action covers the request, then those it does not (shown folded away).

    Each covering statement gains ``checks``: its Action, Resource and Principal verdicts, those it reached.
    """
    covering = [
        {**s, "checks": [(name.capitalize(), s[name]) for name in ("action", "resource", "principal") if s[name]]}
        for s in trace["statements"]
        if s["stoppedBy"] != "action"
    ]
    missing = [s for s in trace["statements"] if s["stoppedBy"] == "action"]
    return covering, missing
