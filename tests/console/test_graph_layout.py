"""The layered layout behind the access graph: pure Python, no database.

Method: Sugiyama, Tagawa and Toda's layered drawing (waypoints for long edges, barycentre ordering
to reduce crossings), with positions settled by isotonic regression.
"""

import re

import pytest

from simulator.console.graph_layout import Box, Link, Spacing, crossings, isotonic, layout, order_layers

SPACING = Spacing()
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def boxes(*specs: str, width: float = 100, height: float = 40) -> list[Box]:
    """``"a:0"`` is box a in column 0."""
    return [Box(key, int(column), width, height) for key, column in (spec.split(":") for spec in specs)]


def links(*specs: str) -> list[Link]:
    return [Link(*spec.split(">")) for spec in specs]


def points(path: str) -> list[tuple[float, float]]:
    """Every coordinate pair of a path made of M, C and L commands (control points included)."""
    numbers = [float(n) for n in NUMBER.findall(path)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def crossing_points(path: str) -> list[tuple[float, float, float]]:
    """The straight runs across a column: (from x, to x, y)."""
    runs = []
    for match in re.finditer(r"(-?[\d.]+) (-?[\d.]+) L(-?[\d.]+) (-?[\d.]+)", path):
        x0, y0, x1, y1 = (float(g) for g in match.groups())
        assert y0 == y1, path
        runs.append((x0, x1, y0))
    return runs


BUSY = (
    boxes("x:0", "a:1", "b:1", "c:1", "g:2", "h:2", "r:3", "s:3", "p:4", "q:4", "k:5"),
    links("a>g", "b>g", "c>h", "a>p", "g>p", "h>q", "x>r", "a>r", "r>q", "s>p", "x>k", "b>k", "r>r", "s>r"),
)


def test_it_is_deterministic():
    assert layout(*BUSY) == layout(*BUSY)


def test_boxes_of_a_column_never_overlap_and_keep_their_gap():
    placed = layout(*BUSY)
    by_column: dict[float, list] = {}
    for box in placed.boxes.values():
        by_column.setdefault(box.x, []).append(box)
    for column in by_column.values():
        column.sort(key=lambda box: box.y)
        for above, below in zip(column, column[1:], strict=False):
            assert below.y >= above.y + above.height + SPACING.row_gap - 1e-6


def test_columns_close_up_gaps_in_their_numbers_and_keep_their_order():
    placed = layout(boxes("a:0", "b:2", "c:7"), [])
    assert [column.rank for column in placed.columns] == [0, 2, 7]
    assert placed.boxes["a"].x < placed.boxes["b"].x < placed.boxes["c"].x
    assert placed.boxes["b"].x - (placed.boxes["a"].x + 100) == SPACING.column_gap


def test_every_box_of_a_column_takes_the_widest_ones_width():
    placed = layout([Box("a", 0, 80, 40), Box("b", 0, 140, 40), Box("c", 1, 60, 40)], [])
    assert placed.boxes["a"].width == placed.boxes["b"].width == 140
    assert placed.boxes["c"].x == SPACING.margin + 140 + SPACING.column_gap


def test_the_drawing_is_as_big_as_what_it_holds():
    placed = layout(*BUSY)
    assert placed.width == max(b.x + b.width for b in placed.boxes.values()) + SPACING.margin
    assert placed.height == max(b.y + b.height for b in placed.boxes.values()) + SPACING.margin
    assert min(b.y for b in placed.boxes.values()) >= SPACING.top


def test_an_edge_runs_from_its_sources_right_side_to_its_targets_left_side():
    placed = layout(boxes("a:0", "b:1"), links("a>b"))
    (route,) = placed.routes
    start, end = points(route.path)[0], points(route.path)[-1]
    a, b = placed.boxes["a"], placed.boxes["b"]
    assert start == (a.x + a.width, a.y + a.height / 2)
    assert end == (b.x, b.y + b.height / 2)


def test_an_edge_that_skips_columns_passes_between_the_boxes_it_crosses():
    placed = layout(*BUSY)
    for route in placed.routes:
        for x0, x1, y in crossing_points(route.path):
            for box in placed.boxes.values():
                if box.x == x0 and box.x + box.width == x1:
                    assert not box.y - SPACING.lane_gap / 2 < y < box.y + box.height + SPACING.lane_gap / 2, route


def test_curves_between_columns_stay_in_the_gap():
    placed = layout(*BUSY)
    column_spans = [(c.x, c.x + c.width) for c in placed.columns]
    for route in placed.routes:
        if route.source == route.target:
            continue
        for x, _ in points(route.path):
            inside = [left < x < right for left, right in column_spans]
            assert not any(inside) or any(x0 <= x <= x1 for x0, x1, _ in crossing_points(route.path)), route


def test_an_edge_within_a_column_bows_out_to_its_left():
    placed = layout(boxes("u:0", "r:1", "s:1"), links("r>s", "u>r"))
    route = next(r for r in placed.routes if r.source == "r")
    column = placed.columns[1]
    xs = [x for x, _ in points(route.path)]
    assert min(xs) < column.x and min(xs) > column.x - SPACING.column_gap
    assert points(route.path)[-1] == (column.x, pytest.approx(placed.boxes["s"].y + 20, abs=4))


def test_a_box_linked_to_itself_gets_a_loop_with_two_ends():
    placed = layout(boxes("r:0"), links("r>r"))
    (route,) = placed.routes
    start, end = points(route.path)[0], points(route.path)[-1]
    assert start != end and start[0] == end[0] == placed.boxes["r"].x


def test_an_edge_pointing_left_starts_at_its_source():
    placed = layout(boxes("a:0", "b:2"), links("b>a"))
    (route,) = placed.routes
    a, b = placed.boxes["a"], placed.boxes["b"]
    assert points(route.path)[0] == (b.x, b.y + b.height / 2)
    assert points(route.path)[-1] == (a.x + a.width, a.y + a.height / 2)


def test_several_edges_on_one_side_meet_it_at_different_points():
    placed = layout(boxes("a:0", "b:0", "c:0", "g:1"), links("a>g", "b>g", "c>g"))
    ends = [points(route.path)[-1] for route in placed.routes]
    assert len(set(ends)) == 3
    g = placed.boxes["g"]
    assert all(g.y < y < g.y + g.height for _, y in ends)


def test_a_chain_is_drawn_straight():
    placed = layout(boxes("a:0", "b:1", "c:2", "z:1"), links("a>b", "b>c"))
    middles = {key: box.y + box.height / 2 for key, box in placed.boxes.items()}
    assert middles["a"] == middles["b"] == middles["c"]


def test_boxes_tied_to_nothing_go_to_the_bottom_of_their_column():
    placed = layout(boxes("loose:0", "a:0", "g:1"), links("a>g"))
    assert placed.boxes["loose"].y > placed.boxes["a"].y


def test_nothing_to_draw_is_an_empty_drawing():
    placed = layout([], [])
    assert (placed.columns, placed.boxes, placed.routes) == ((), {}, ())
    assert placed.width == 2 * SPACING.margin


@pytest.mark.parametrize(
    ("left", "right", "edges", "expected"),
    [
        (["a", "b"], ["c", "d"], {"a": ["c"], "b": ["d"]}, 0),
        (["a", "b"], ["c", "d"], {"a": ["d"], "b": ["c"]}, 1),
        (["a", "b", "c"], ["x", "y", "z"], {"a": ["z"], "b": ["y"], "c": ["x"]}, 3),
        (["a", "b"], ["x", "y"], {"a": ["x", "y"], "b": ["x"]}, 1),
        (["a"], ["x", "y"], {"a": ["x", "y"]}, 0),
    ],
)
def test_crossings_are_counted_between_adjacent_layers(left, right, edges, expected):
    assert crossings([left, right], edges) == expected


def test_barycentre_ordering_undoes_needless_crossings():
    layers = [["a", "b", "c"], ["x", "y", "z"], ["p", "q", "r"]]
    down = {"a": ["z"], "b": ["y"], "c": ["x"], "x": ["r"], "y": ["q"], "z": ["p"]}
    up = {"z": ["a"], "y": ["b"], "x": ["c"], "r": ["x"], "q": ["y"], "p": ["z"]}
    assert crossings(layers, down) == 6
    assert crossings(order_layers(layers, up, down), down) == 0


def test_ordering_never_makes_things_worse():
    layers = [["a", "b"], ["x", "y"]]
    down = {"a": ["x", "y"], "b": ["x", "y"]}
    up = {"x": ["a", "b"], "y": ["a", "b"]}
    assert crossings(order_layers(layers, up, down), down) <= crossings(layers, down)


@pytest.mark.parametrize(
    ("values", "weights", "expected"),
    [
        ([1.0, 2.0, 3.0], [1, 1, 1], [1.0, 2.0, 3.0]),
        ([3.0, 1.0], [1, 1], [2.0, 2.0]),
        ([3.0, 1.0], [3, 1], [2.5, 2.5]),
        ([0.0, 5.0, 1.0, 2.0], [1, 1, 1, 1], [0.0, 8 / 3, 8 / 3, 8 / 3]),
        ([], [], []),
    ],
)
def test_isotonic_regression_finds_the_nearest_non_decreasing_sequence(values, weights, expected):
    assert isotonic(values, weights) == pytest.approx(expected)
