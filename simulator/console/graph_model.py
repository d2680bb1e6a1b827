"""What the access graph is made of: nodes (an account's entities and principals outside it) and the edges
between them, pointing from whoever gains something to what they gain.

Kept apart from how the graph is read from an account (simulator.console.access_graph) and drawn
(simulator.console.graph_drawing), which both use these.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

# Each kind of node, in column order (simulator.console.graph_drawing places them): how one is
# introduced, and how the focus menu heads them.
KINDS = {
    "outside": ("Principal", "Outside the account"),
    "instance": ("EC2 instance", "EC2 instances"),
    "user": ("IAM user", "Users"),
    "group": ("User group", "User groups"),
    "profile": ("Instance profile", "Instance profiles"),
    "session": ("Role session", "Live role sessions"),
    "role": ("IAM role", "Roles"),
    "policy": ("Customer managed policy", "Customer managed policies"),
    "aws-policy": ("AWS managed policy", "AWS managed policies"),
    "bucket": ("S3 bucket", "Buckets"),
}
# Each kind of edge, as the words between its two ends.
RELATIONSHIPS = {
    "member": "is a member of",
    "attached": "has attached",
    "boundary": "has the permissions boundary",
    "trust": "may assume",
    "profile": "holds the role",
    "bucket-allow": "is allowed by the bucket policy of",
    "bucket-deny": "is denied by the bucket policy of",
    "instance-profile": "is associated with the instance profile",
    "keys": "holds long-term keys of",
    "session": "is a live session of",
}


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    kind: str
    kind_label: str
    name: str
    # What hovering over the node says beyond its name: an ARN, what a principal means.
    description: str
    url: str | None
    inline: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    # A condition in the statement: the relationship holds only when it is met.
    conditional: bool = False
    # What else the relationship needs said: until when a session lasts, that a stored key is inactive.
    note: str = ""

    @property
    def relationship(self) -> str:
        return RELATIONSHIPS[self.kind]


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    by_key: dict[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {node.key: node for node in self.nodes})

    def around(self, key: str) -> Graph:
        """Only ``key`` and what connects to it: everything reached along the arrows, and against them."""
        onwards, back = defaultdict(list), defaultdict(list)
        for edge in self.edges:
            onwards[edge.source].append(edge.target)
            back[edge.target].append(edge.source)
        keep = _reachable(key, onwards) | _reachable(key, back)
        return Graph(
            tuple(node for node in self.nodes if node.key in keep),
            tuple(edge for edge in self.edges if edge.source in keep and edge.target in keep),
        )

    def relationships(self) -> list[tuple[Node, Edge, Node]]:
        """Every edge with its two nodes, for the table that says in words what the picture shows."""
        return [(self.by_key[edge.source], edge, self.by_key[edge.target]) for edge in self.edges]

    def inline_policies(self) -> list[tuple[Node, str]]:
        """Each inline policy with its owner: a badge in the picture, a row of their own in the table."""
        return [(node, name) for node in self.nodes for name in node.inline]

    def loose(self) -> tuple[Node, ...]:
        """The nodes no edge touches: they have no relationship to list in the table."""
        touched = {key for edge in self.edges for key in (edge.source, edge.target)}
        return tuple(node for node in self.nodes if node.key not in touched)


def _reachable(start: str, neighbours: dict[str, list[str]]) -> set[str]:
    seen, waiting = {start}, deque([start])
    while waiting:
        for other in neighbours[waiting.popleft()]:
            if other not in seen:
                seen.add(other)
                waiting.append(other)
    return seen
