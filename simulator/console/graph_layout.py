"""A layered drawing of a directed graph: boxes in given columns, edges as smooth curves between them.

Pure Python, deterministic, in the manner of Sugiyama et al.: an edge that skips columns gets a
waypoint in each column it crosses, so it passes through a gap reserved for it instead of behind a
box; barycentre sweeps order each column to reduce crossings (the best ordering seen is kept);
boxes then move towards the middle of their neighbours, as far as the boxes above and below them
allow. An edge between boxes of one column bows out to the left of that column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

_Adjacency = dict[str, list[str]]

SWEEPS = 12
STRAIGHTENING_PASSES = 10
# How strongly a waypoint holds its place against a box that wants to move: boxes line up first.
WAYPOINT_WEIGHT = 0.3
# Links meeting one side of a box are spread this far apart, within the middle of the side.
PORT_SPACING = 7.0


@dataclass(frozen=True, slots=True)
class Box:
    """A node to place: ``column`` orders the columns left to right (gaps in the numbers close up)."""

    key: str
    column: int
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Spacing:
    column_gap: float = 110
    row_gap: float = 16
    # Room between an edge passing through a column and whatever is above and below it.
    lane_gap: float = 7
    margin: float = 12
    # Room above the first row, for column headings.
    top: float = 40


@dataclass(frozen=True, slots=True)
class Placed:
    """A box where it was put; every box of a column takes the column's width."""

    key: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Column:
    rank: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Route:
    """A link drawn as an SVG path, from its source's side to its target's side."""

    source: str
    target: str
    path: str


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    columns: tuple[Column, ...]
    boxes: dict[str, Placed]
    routes: tuple[Route, ...]


@dataclass(frozen=True, slots=True)
class _Chain:
    """A link as the vertices it passes, left to right; ``reversed`` when it points right to left."""

    link: Link
    vertices: tuple[str, ...]
    reversed: bool
    same_column: bool


def layout(boxes: Sequence[Box], links: Sequence[Link], spacing: Spacing = Spacing()) -> Layout:
    """Place ``boxes`` in their columns and route ``links`` between them; the input order breaks ties."""
    ranks = sorted({box.column for box in boxes})
    level = {rank: index for index, rank in enumerate(ranks)}
    layer_of = {box.key: level[box.column] for box in boxes}
    heights = {box.key: box.height for box in boxes}
    layers: list[list[str]] = [[] for _ in ranks]
    for box in boxes:
        layers[layer_of[box.key]].append(box.key)
    chains = [_chain(number, link, layer_of, layers, heights) for number, link in enumerate(links)]
    up, down = _neighbours(chains)
    layers = order_layers(layers, up, down)
    for layer in layers:
        # Boxes tied to nothing in the next columns go last, out of the way of those that are.
        layer.sort(key=lambda key: key not in up and key not in down)
    real = {box.key for box in boxes}
    tops = _straighten(layers, up, down, heights, real, spacing)
    middles = {key: top + heights[key] / 2 for key, top in tops.items()}
    columns = _columns(ranks, boxes, spacing)
    placed = {}
    for box in boxes:
        column = columns[layer_of[box.key]]
        placed[box.key] = Placed(box.key, column.x, tops[box.key], column.width, box.height)
    width = columns[-1].x + columns[-1].width + spacing.margin if columns else 2 * spacing.margin
    height = max((box.y + box.height for box in placed.values()), default=spacing.top) + spacing.margin
    routes = _routes(chains, placed, middles, layer_of, columns, spacing)
    return Layout(width, height, tuple(columns), placed, routes)


def _chain(
    number: int, link: Link, layer_of: dict[str, int], layers: list[list[str]], heights: dict[str, float]
) -> _Chain:
    """The link's vertices, a waypoint (of no height) added in every column it crosses."""
    start, end = layer_of[link.source], layer_of[link.target]
    left, right = (link.target, link.source) if start > end else (link.source, link.target)
    waypoints = []
    for layer in range(min(start, end) + 1, max(start, end)):
        key = f"\x00{number}:{layer}"
        layers[layer].append(key)
        layer_of[key] = layer
        heights[key] = 0.0
        waypoints.append(key)
    return _Chain(link, (left, *waypoints, right), start > end, start == end)


def _neighbours(chains: list[_Chain]) -> tuple[_Adjacency, _Adjacency]:
    """For each vertex, its neighbours one column to the left (up) and one to the right (down)."""
    up: _Adjacency = defaultdict(list)
    down: _Adjacency = defaultdict(list)
    for chain in chains:
        if chain.same_column:
            continue
        for left, right in pairwise(chain.vertices):
            down[left].append(right)
            up[right].append(left)
    return up, down


def order_layers(layers: list[list[str]], up: _Adjacency, down: _Adjacency, sweeps: int = SWEEPS) -> list[list[str]]:
    """Reorder each layer by the mean position of its neighbours, sweeping right then left; keep the best."""
    current = [list(layer) for layer in layers]
    best, fewest = [list(layer) for layer in current], crossings(current, down)
    for sweep in range(sweeps):
        rightwards = sweep % 2 == 0
        indices = range(1, len(current)) if rightwards else range(len(current) - 2, -1, -1)
        for index in indices:
            beside = current[index - 1] if rightwards else current[index + 1]
            _reorder(current[index], beside, up if rightwards else down)
        count = crossings(current, down)
        if count < fewest:
            best, fewest = [list(layer) for layer in current], count
    return best


def _reorder(layer: list[str], beside: list[str], neighbours: _Adjacency) -> None:
    """Sort by barycentre, on the scale of ``layer``; a vertex with no neighbours keeps its place."""
    position = {key: index for index, key in enumerate(beside)}
    scale = len(layer) / max(len(beside), 1)

    def barycentre(item: tuple[int, str]) -> tuple[float, int]:
        index, key = item
        near = [position[other] for other in neighbours.get(key, ()) if other in position]
        return (sum(near) / len(near) * scale if near else float(index), index)

    layer[:] = [key for _, key in sorted(enumerate(layer), key=barycentre)]


def crossings(layers: list[list[str]], down: _Adjacency) -> int:
    """How many pairs of segments cross between adjacent layers (counted as inversions, n log n)."""
    total = 0
    for left, right in pairwise(layers):
        position = {key: index for index, key in enumerate(right)}
        ends = sorted(
            (index, position[other])
            for index, key in enumerate(left)
            for other in down.get(key, ())
            if other in position
        )
        total += _inversions([end for _, end in ends], len(right))
    return total


def _inversions(values: list[int], size: int) -> int:
    """Pairs i < j with values[i] > values[j], with a Fenwick tree over 0..size-1."""
    tree = [0] * (size + 1)
    count = 0
    for seen, value in enumerate(values):
        index = value + 1
        not_greater = 0
        while index > 0:
            not_greater += tree[index]
            index -= index & -index
        count += seen - not_greater
        index = value + 1
        while index <= size:
            tree[index] += 1
            index += index & -index
    return count


def _straighten(
    layers: list[list[str]],
    up: _Adjacency,
    down: _Adjacency,
    heights: dict[str, float],
    real: set[str],
    spacing: Spacing,
) -> dict[str, float]:
    """Top edge of every vertex: stacked first, then pulled towards its neighbours' middles."""
    tops: dict[str, float] = {}
    for layer in layers:
        for offset, key in zip(_stacked(layer, heights, real, spacing), layer, strict=True):
            tops[key] = offset
    for number in range(STRAIGHTENING_PASSES):
        rightwards = number % 2 == 0
        order = layers if rightwards else layers[::-1]
        neighbours = up if rightwards else down
        for layer in order:
            _settle(layer, neighbours, tops, heights, real, spacing)
    lowest = min(tops.values(), default=0.0)
    return {key: top - lowest + spacing.top for key, top in tops.items()}


def _stacked(layer: list[str], heights: dict[str, float], real: set[str], spacing: Spacing) -> list[float]:
    """Each vertex's top in the layer packed as tightly as its gaps allow, the first at 0.

    Two boxes with an edge passing between them are still at least a row gap apart.
    """
    lane = max(spacing.lane_gap, spacing.row_gap / 2)
    offsets, y = [], 0.0
    for index, key in enumerate(layer):
        if index:
            above = layer[index - 1]
            y += heights[above] + (spacing.row_gap if above in real and key in real else lane)
        offsets.append(y)
    return offsets


def _settle(
    layer: list[str],
    neighbours: _Adjacency,
    tops: dict[str, float],
    heights: dict[str, float],
    real: set[str],
    spacing: Spacing,
) -> None:
    """Move the layer's vertices as near their wished-for places as keeping their order and gaps allows.

    With each top written as its offset in a tight stack plus a free shift, keeping the order means
    the shifts never decrease down the layer: the least-squares answer is an isotonic regression.
    """
    if not layer:
        return
    offsets = _stacked(layer, heights, real, spacing)
    wished, weights = [], []
    for key, offset in zip(layer, offsets, strict=True):
        near = neighbours.get(key, ())
        middle = sum(tops[other] + heights[other] / 2 for other in near) / len(near) if near else None
        top = middle - heights[key] / 2 if middle is not None else tops[key]
        wished.append(top - offset)
        weights.append(1.0 if key in real else WAYPOINT_WEIGHT)
    for key, offset, shift in zip(layer, offsets, isotonic(wished, weights), strict=True):
        tops[key] = offset + shift


def isotonic(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` in weighted least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight_, count = blocks.pop()
            previous = blocks[-1]
            total = previous[1] + weight_
            blocks[-1] = [(previous[0] * previous[1] + mean * weight_) / total, total, previous[2] + count]
    return [mean for mean, _, count in blocks for _ in range(int(count))]


def _columns(ranks: list[int], boxes: Sequence[Box], spacing: Spacing) -> list[Column]:
    widths = defaultdict(float)
    for box in boxes:
        widths[box.column] = max(widths[box.column], box.width)
    columns, x = [], spacing.margin
    for rank in ranks:
        columns.append(Column(rank, x, widths[rank]))
        x += widths[rank] + spacing.column_gap
    return columns


def _routes(
    chains: list[_Chain],
    placed: dict[str, Placed],
    middles: dict[str, float],
    layer_of: dict[str, int],
    columns: list[Column],
    spacing: Spacing,
) -> tuple[Route, ...]:
    ports = _ports(chains, placed, middles)
    routes = []
    for number, chain in enumerate(chains):
        source, target = chain.link.source, chain.link.target
        if chain.same_column:
            routes.append(Route(source, target, _bow(ports[number, "first"], ports[number, "last"], spacing)))
            continue
        points = [ports[number, "first"]]
        for key in chain.vertices[1:-1]:
            column = columns[layer_of[key]]
            points += [(column.x, middles[key]), (column.x + column.width, middles[key])]
        points.append(ports[number, "last"])
        if chain.reversed:
            points.reverse()
        routes.append(Route(source, target, _curve(points)))
    return tuple(routes)


def _ports(
    chains: list[_Chain], placed: dict[str, Placed], middles: dict[str, float]
) -> dict[tuple[int, str], tuple[float, float]]:
    """Where each link meets each box: links on one side are spread along it, in the order of their far ends."""
    sides: dict[tuple[str, str], list[tuple[float, int, str]]] = defaultdict(list)
    for number, chain in enumerate(chains):
        first, last = chain.vertices[0], chain.vertices[-1]
        if chain.same_column:
            # Both ends on the left side; the half nudges keep a loop's two ends apart.
            sides[first, "left"].append((middles[last] - 0.5, number, "first"))
            sides[last, "left"].append((middles[first] + 0.5, number, "last"))
            continue
        sides[first, "right"].append((middles[chain.vertices[1]], number, "first"))
        sides[last, "left"].append((middles[chain.vertices[-2]], number, "last"))
    ports: dict[tuple[int, str], tuple[float, float]] = {}
    for (key, side), ends in sides.items():
        box = placed[key]
        x = box.x if side == "left" else box.x + box.width
        ends.sort()
        band = min(box.height * 0.6, PORT_SPACING * (len(ends) - 1))
        step = band / (len(ends) - 1) if len(ends) > 1 else 0.0
        for index, (_, number, end) in enumerate(ends):
            ports[number, end] = (x, middles[key] - band / 2 + step * index)
    return ports


def _curve(points: list[tuple[float, float]]) -> str:
    """Straight across a column, an S-curve with level ends across each gap between columns."""
    (x, y), *rest = points
    path = [f"M{x:.1f} {y:.1f}"]
    for index, (next_x, next_y) in enumerate(rest):
        crossing_column = index % 2 == 1
        if crossing_column:
            path.append(f"L{next_x:.1f} {next_y:.1f}")
        else:
            bend = (next_x - x) / 2
            path.append(f"C{x + bend:.1f} {y:.1f} {next_x - bend:.1f} {next_y:.1f} {next_x:.1f} {next_y:.1f}")
        x, y = next_x, next_y
    return " ".join(path)


def _bow(start: tuple[float, float], end: tuple[float, float], spacing: Spacing) -> str:
    """A link within one column: out of the source's left side and back into the target's, in the gap."""
    (x, y), (_, end_y) = start, end
    reach = min(spacing.column_gap * 0.45, 26 + abs(end_y - y) * 0.15)
    return f"M{x:.1f} {y:.1f} C{x - reach:.1f} {y:.1f} {x - reach:.1f} {end_y:.1f} {x:.1f} {end_y:.1f}"
