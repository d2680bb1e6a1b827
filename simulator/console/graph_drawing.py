"""The access graph as SVG geometry: each node's outline, fitted labels and place, each edge's curve.

Everything the template draws is computed here, in viewBox units (CSS pixels at full size), so the
template only writes numbers and text out. Text widths are estimated from a table of character widths
(wide sans-serif fonts, erring wide) so labels are shortened with an ellipsis before they overflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.console import graph_layout
from simulator.console.graph_layout import Box, Link, Spacing

if TYPE_CHECKING:
    from simulator.console.access_graph import Edge, Graph, Node

# Beyond this many nodes a picture is a grey tangle: the page suggests focusing on one entity instead.
MAX_NODES = 150
NAME_SIZE, KIND_SIZE, INLINE_SIZE, HEADING_SIZE = 14.0, 10.5, 11.5, 13.0
PADDING = 12.0
# Kind labels are set in spaced capitals: this much wider than their letters alone.
KIND_SPACING = 1.1
MIN_WIDTH, MAX_WIDTH = 150.0, 230.0
HEIGHT, HEIGHT_WITH_INLINE = 48.0, 70.0
SPACING = Spacing(column_gap=104, row_gap=18, lane_gap=8, margin=14, top=44)
# Columns, left to right, and the kinds of node in each (see access_graph.KINDS).
# An instance stands left of the users whose keys it may hold, two columns from the profile it is associated with.
COLUMN_OF = {"outside": 0, "instance": 1, "user": 2, "group": 3, "profile": 3, "session": 3, "role": 4}
COLUMN_OF |= {"policy": 5, "aws-policy": 5, "bucket": 6}
HEADINGS = {"outside": "Outside the account", "instance": "Instances", "user": "Users", "group": "Groups"}
HEADINGS |= {"profile": "Instance profiles", "session": "Live sessions", "role": "Roles"}
HEADINGS |= {"policy": "Managed policies", "aws-policy": "Managed policies", "bucket": "Buckets"}

# Each kind of edge as the legend explains it; line styles differ as well as colours.
EDGE_LEGEND = (
    ("member", "Member of the group"),
    ("attached", "Policy attached"),
    ("boundary", "Permissions boundary (dashed)"),
    ("trust", "May assume the role: named in its trust policy"),
    ("profile", "Instance profile holding the role"),
    ("bucket-allow", "Allowed by the bucket policy"),
    ("bucket-deny", "Denied by the bucket policy (dotted)"),
    ("instance-profile", "Instance associated with the instance profile (at launch or later)"),
    ("session", "Live session of the role, until it expires"),
    ("keys", "Holds a user's long-term access keys on its disk: an anti-pattern (thick, dashed)"),
)

# Advance widths in ems of DejaVu Sans Bold, the widest common face behind system-ui (Linux), so that
# narrower faces (Segoe UI, San Francisco, Roboto) only leave a little room to spare.
_WIDTHS = dict.fromkeys("ijl'|!.,:;", 0.38) | dict.fromkeys("frt()[]- ", 0.49) | dict.fromkeys("mw@%", 1.05)
_WIDTHS |= {"I": 0.4, "M": 1.0, "W": 1.1, "*": 0.5, "_": 0.5}
_UPPER, _DIGIT, _OTHER = 0.8, 0.7, 0.69
# Text in the regular weight (the inline badges) is about this much narrower than bold.
REGULAR_WEIGHT = 0.9


def text_width(text: str, size: float) -> float:
    """How wide ``text`` is in bold at ``size`` pixels, estimated generously."""
    ems = 0.0
    for character in text:
        if character in _WIDTHS:
            ems += _WIDTHS[character]
        elif character.isdigit():
            ems += _DIGIT
        else:
            ems += _UPPER if character.isupper() else _OTHER
    return ems * size


def fit(text: str, size: float, room: float) -> str:
    """``text``, or as much of it as fits in ``room`` followed by an ellipsis."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _inline_label(names: tuple[str, ...]) -> str:
    if not names:
        return ""
    return f"Inline: {names[0]}" if len(names) == 1 else f"{len(names)} inline: {', '.join(names)}"


@dataclass(frozen=True, slots=True)
class Badge:
    """The pill under a node's name that lists its inline policies."""

    x: float
    y: float
    width: float
    text_x: float
    text_y: float
    text: str
    height: float = 17.0


@dataclass(frozen=True, slots=True)
class DrawnNode:
    node: Node
    x: float
    y: float
    width: float
    height: float
    outline: str
    # Drawn under and over the outline: a group's second card, a bucket's rim, a policy's folded corner.
    under: str
    over: str
    text_x: float
    kind_y: float
    name_y: float
    kind_text: str
    name_text: str
    badge: Badge | None
    focused: bool

    @property
    def title(self) -> str:
        inline = f"\nInline policies: {', '.join(self.node.inline)}" if self.node.inline else ""
        return f"{self.node.kind_label}: {self.node.name}\n{self.node.description}{inline}"


@dataclass(frozen=True, slots=True)
class DrawnEdge:
    edge: Edge
    path: str
    title: str


@dataclass(frozen=True, slots=True)
class Heading:
    x: float
    lines: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    width: float
    height: float
    headings: tuple[Heading, ...]
    nodes: tuple[DrawnNode, ...]
    edges: tuple[DrawnEdge, ...]


def _needed_width(node: Node) -> float:
    kind = text_width(node.kind_label.upper(), KIND_SIZE * KIND_SPACING)
    inline = text_width(_inline_label(node.inline), INLINE_SIZE * REGULAR_WEIGHT) + 12
    # A pixel to spare: the width is rounded, and a label that fits exactly must not lose a letter.
    return max(text_width(node.name, NAME_SIZE), kind, inline) + 2 * PADDING + _indent(node.kind) + 1


def _indent(kind: str) -> float:
    return 8.0 if kind in ("outside", "instance") else 0.0


def draw(graph: Graph, focus: str = "") -> Drawing:
    """Place and draw every node and edge of ``graph``; ``focus`` is the key of a node to mark."""
    widths: dict[int, float] = {}
    for node in graph.nodes:
        column = COLUMN_OF[node.kind]
        widths[column] = min(MAX_WIDTH, max(widths.get(column, MIN_WIDTH), _needed_width(node)))
    boxes = [
        Box(node.key, COLUMN_OF[node.kind], widths[COLUMN_OF[node.kind]], HEIGHT_WITH_INLINE if node.inline else HEIGHT)
        for node in graph.nodes
    ]
    placed = graph_layout.layout(boxes, [Link(edge.source, edge.target) for edge in graph.edges], SPACING)
    nodes = tuple(_node(node, placed.boxes[node.key], node.key == focus) for node in graph.nodes)
    names = {node.key: f"{node.kind_label} {node.name}" for node in graph.nodes}
    edges = tuple(
        DrawnEdge(edge, route.path, f"{names[edge.source]} {edge.relationship} {names[edge.target]}{_when(edge)}")
        for edge, route in zip(graph.edges, placed.routes, strict=True)
    )
    return Drawing(_round(placed.width), _round(placed.height), _headings(graph, placed), nodes, edges)


def _when(edge: Edge) -> str:
    note = f", {edge.note}" if edge.note else ""
    return note + (", when the statement's conditions hold" if edge.conditional else "")


def _round(value: float) -> float:
    return round(value, 1)


def _headings(graph: Graph, placed: graph_layout.Layout) -> tuple[Heading, ...]:
    kinds: dict[int, dict[str, None]] = {}
    for node in graph.nodes:
        kinds.setdefault(COLUMN_OF[node.kind], {})[HEADINGS[node.kind]] = None
    headings = []
    for column in placed.columns:
        words = list(kinds[column.rank])
        # Two headings side by side would run into the next column: one above the other instead.
        if len(words) > 1 and text_width(" · ".join(words), HEADING_SIZE) > column.width:
            lines = tuple((SPACING.top - 26 + 15 * index, word) for index, word in enumerate(words))
        else:
            lines = ((SPACING.top - 14, " · ".join(words)),)
        headings.append(Heading(_round(column.x + column.width / 2), lines))
    return tuple(headings)


def _node(node: Node, box: graph_layout.Placed, focused: bool) -> DrawnNode:
    x, y, width, height = (_round(value) for value in (box.x, box.y, box.width, box.height))
    outline, under, over = _shape(node.kind, x, y, width, height)
    text_x = x + PADDING + _indent(node.kind)
    room = width - 2 * PADDING - _indent(node.kind)
    # Text clears a group's second card, a profile's tab and a bucket's rim.
    top = y + {"group": 4.0, "profile": 4.0, "bucket": 3.0}.get(node.kind, 0.0)
    badge = None
    if node.inline:
        text = fit(_inline_label(node.inline), INLINE_SIZE * REGULAR_WEIGHT, room - 12)
        badge_y = _round(top + 47)
        badge_width = _round(text_width(text, INLINE_SIZE * REGULAR_WEIGHT) + 12)
        badge = Badge(_round(text_x - 2), badge_y, badge_width, _round(text_x + 4), _round(badge_y + 12.5), text)
    return DrawnNode(
        node,
        x,
        y,
        width,
        height,
        outline,
        under,
        over,
        text_x,
        _round(top + 18),
        _round(top + 36),
        fit(node.kind_label.upper(), KIND_SIZE * KIND_SPACING, room),
        fit(node.name, NAME_SIZE, room),
        badge,
        focused,
    )


def _shape(kind: str, x: float, y: float, width: float, height: float) -> tuple[str, str, str]:
    """The outline of a node of ``kind`` filling the box, and what is drawn under and over it."""
    right, bottom = x + width, y + height
    if kind == "user":
        return rounded(x, y, width, height, 10), "", ""
    if kind == "outside":
        return rounded(x, y, width, height, height / 2), "", ""
    if kind == "group":
        return rounded(x, y + 5, width - 5, height - 5, 6), rounded(x + 5, y, width - 5, height - 5, 6), ""
    if kind == "role":
        cut = 9
        corners = [(x + cut, y), (right - cut, y), (right, y + cut), (right, bottom - cut), (right - cut, bottom)]
        corners += [(x + cut, bottom), (x, bottom - cut), (x, y + cut)]
        return _polygon(corners), "", ""
    if kind == "instance":
        # A server: a box with its vents down the left side.
        vents = "".join(f"M{_n(x + 6)} {_n(y + height * share)}H{_n(x + 12)}" for share in (0.3, 0.5, 0.7))
        return rounded(x, y, width, height, 3), "", vents
    if kind == "session":
        # Dashed in the style sheet: a session is the role's, for a while.
        return rounded(x, y, width, height, 14), "", ""
    if kind == "profile":
        tab = min(70.0, width * 0.4)
        return (
            _polygon([(x, bottom), (x, y), (x + tab, y), (x + tab + 6, y + 6), (right, y + 6), (right, bottom)]),
            "",
            "",
        )
    if kind in ("policy", "aws-policy"):
        fold = 12
        outline = _polygon([(x, y), (right - fold, y), (right, y + fold), (right, bottom), (x, bottom)])
        return outline, "", f"M{_n(right - fold)} {_n(y)}V{_n(y + fold)}H{_n(right)}"
    rim, half = 5, width / 2  # a bucket: a squat cylinder
    top, base = f"{_n(x)} {_n(y + rim)}", f"{_n(right)} {_n(y + rim)}"
    outline = (
        f"M{top}A{_n(half)} {rim} 0 0 1 {base}V{_n(bottom - rim)}A{_n(half)} {rim} 0 0 1 {_n(x)} {_n(bottom - rim)}Z"
    )
    return outline, "", f"M{top}A{_n(half)} {rim} 0 0 0 {base}"


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a tenth of a pixel is plenty."""
    return f"{round(value, 1):g}"


def _polygon(corners: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in corners) + "Z"


def rounded(x: float, y: float, width: float, height: float, radius: float) -> str:
    """A rectangle with rounded corners as a path, so every node shape is one kind of element."""
    r = _n(min(radius, width / 2, height / 2))
    left, top, right, bottom = _n(x), _n(y), _n(x + width), _n(y + height)
    inner_left, inner_right = _n(x + float(r)), _n(x + width - float(r))
    inner_top, inner_bottom = _n(y + float(r)), _n(y + height - float(r))
    arc = f"A{r} {r} 0 0 1"
    return (
        f"M{inner_left} {top}H{inner_right}{arc} {right} {inner_top}V{inner_bottom}{arc} {inner_right} {bottom}"
        f"H{inner_left}{arc} {left} {inner_bottom}V{inner_top}{arc} {inner_left} {top}Z"
    )


def legend_shapes() -> list[tuple[str, str, str, str, str]]:
    """Each kind of node as a small sample for the legend: kind, label, outline, under, over."""
    samples = [
        ("outside", "Principal outside the account (AWS service, account, anyone)"),
        ("instance", "EC2 instance"),
        ("user", "IAM user"),
        ("group", "User group"),
        ("profile", "Instance profile"),
        ("session", "Live role session (temporary credentials)"),
        ("role", "IAM role"),
        ("policy", "Customer managed policy"),
        ("aws-policy", "AWS managed policy"),
        ("bucket", "S3 bucket"),
    ]
    return [(kind, label, *_shape(kind, 1.0, 1.0, 40.0, 24.0)) for kind, label in samples]
