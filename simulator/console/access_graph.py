"""The access graph: the acting account's identities, policies, buckets, instances and live role sessions,
and how they are connected.

An edge points from whoever gains something to what they gain: a user to its group, an identity to
its policies, whoever a trust policy names to the role they may assume, an instance to its profile and
the profile to its role (simulator.console.graph_workloads), a live session to its role, whoever a
bucket policy names to the bucket. Read along the arrows, the graph answers "what can
this reach"; against them, "who reaches this" (the ``?focus=`` view follows both from one entity).

The account is read in a fixed number of queries whatever its size; the drawing is computed here
(simulator.console.graph_drawing) and sent as SVG, with a table of the same relationships beside it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from simulator.console import graph_workloads
from simulator.console.graph_drawing import EDGE_LEGEND, MAX_NODES, draw, legend_shapes
from simulator.console.graph_model import KINDS, Edge, Graph, Node
from simulator.console.graph_principals import Named, named_principals, outside
from simulator.console.views import get_sandbox_and_actor
from simulator.policy.model import PolicyType
from simulator.sandbox import clock
from simulator.sandbox.models import Account, Group, GroupPolicy, IamUser, ManagedPolicy, Role, RolePolicy, UserPolicy


def _pairs(model: type[Model], owner: str, account: Account, value: str) -> list[tuple[int, Any]]:
    """(owner id, value) for every row of ``model`` whose owner is in the account: one query."""
    return list(model.objects.filter(**{f"{owner}__account": account}).values_list(f"{owner}_id", value))


def build_graph(account: Account, sandbox_id: int, now: datetime | None = None) -> Graph:
    """The account's graph, in the same number of queries however many entities it holds; role sessions
    are those live at ``now`` (the sandbox's time by default)."""
    users, groups, roles = list(account.users.all()), list(account.groups.all()), list(account.roles.all())
    profiles, buckets = list(account.instance_profiles.all()), list(account.buckets.all())
    members = _pairs(Group.members.through, "group", account, "iamuser_id")
    attached = {
        "user": _pairs(IamUser.managed_policies.through, "iamuser", account, "managedpolicy_id"),
        "group": _pairs(Group.managed_policies.through, "group", account, "managedpolicy_id"),
        "role": _pairs(Role.managed_policies.through, "role", account, "managedpolicy_id"),
    }
    inline: dict[str, dict[int, list[str]]] = {kind: defaultdict(list) for kind in ("user", "group", "role")}
    for kind, model in (("user", UserPolicy), ("group", GroupPolicy), ("role", RolePolicy)):
        for owner_id, name in _pairs(model, kind, account, "name"):
            inline[kind][owner_id].append(name)
    bounded = [("user", user) for user in users] + [("role", role) for role in roles]
    used = {policy_id for pairs in attached.values() for _, policy_id in pairs}
    used |= {entity.permissions_boundary_id for _, entity in bounded if entity.permissions_boundary_id}
    policies = ManagedPolicy.objects.filter(Q(account=account) | Q(pk__in=used)).select_related("account")

    now = now or clock.account_now(account)
    instances, workload_edges, sessions = graph_workloads.instances_and_sessions(account, sandbox_id, now, roles)

    url = _Links(sandbox_id)
    nodes = instances + [_identity_node("user", user, url, inline["user"]) for user in users]
    nodes += [_identity_node("group", group, url, inline["group"]) for group in groups]
    nodes += [
        Node(f"profile:{p.pk}", "profile", "Instance profile", p.name, p.arn, url.of("instance_profile", p.pk))
        for p in profiles
    ]
    nodes += sessions
    nodes += [_identity_node("role", role, url, inline["role"]) for role in roles]
    nodes += [_policy_node(policy, url) for policy in policies]
    nodes += [Node(f"bucket:{b.pk}", "bucket", "S3 bucket", b.name, b.arn, url.of("bucket", b.pk)) for b in buckets]

    edges = [Edge(f"user:{user_id}", f"group:{group_id}", "member") for group_id, user_id in members]
    edges += [
        Edge(f"{kind}:{owner}", f"policy:{policy}", "attached")
        for kind, pairs in attached.items()
        for owner, policy in pairs
    ]
    edges += [
        Edge(f"{kind}:{entity.pk}", f"policy:{entity.permissions_boundary_id}", "boundary")
        for kind, entity in bounded
        if entity.permissions_boundary_id
    ]
    edges += [Edge(f"profile:{p.pk}", f"role:{p.role_id}", "profile") for p in profiles if p.role_id]
    edges += workload_edges
    principals = _Principals(account.account_id, users, roles)
    for role in roles:
        for named in named_principals(role.trust_policy, PolicyType.TRUST):
            if named.effect == "Allow":
                edges.append(Edge(principals.key(named), f"role:{role.pk}", "trust", named.conditional))
    for bucket in buckets:
        for named in named_principals(bucket.policy, PolicyType.RESOURCE):
            kind = "bucket-allow" if named.effect == "Allow" else "bucket-deny"
            edges.append(Edge(principals.key(named), f"bucket:{bucket.pk}", kind, named.conditional))
    nodes += principals.outside_nodes()
    # Statements naming one principal twice give one edge; an edge to something outside the account
    # (a member added to a group across accounts by hand) has nothing to point at.
    keys = {node.key for node in nodes}
    return Graph(tuple(nodes), tuple(e for e in dict.fromkeys(edges) if e.source in keys and e.target in keys))


class _Links:
    """Each node's page."""

    def __init__(self, sandbox_id: int) -> None:
        self.sandbox_id = sandbox_id

    def of(self, kind: str, pk: int) -> str:
        return reverse(f"console:{kind}", args=[self.sandbox_id, pk])


def _identity_node(kind: str, entity: IamUser | Group | Role, url: _Links, inline: dict[int, list[str]]) -> Node:
    label = KINDS[kind][0]
    if kind == "role" and entity.service_linked:
        label = "Service-linked role"
    return Node(
        f"{kind}:{entity.pk}", kind, label, entity.name, entity.arn, url.of(kind, entity.pk), tuple(inline[entity.pk])
    )


def _policy_node(policy: ManagedPolicy, url: _Links) -> Node:
    kind = "aws-policy" if policy.aws_managed else "policy"
    # Both kinds share the key space of their edges: an attachment names the policy by its id alone.
    return Node(f"policy:{policy.pk}", kind, KINDS[kind][0], policy.name, policy.arn, url.of("policy", policy.pk))


class _Principals:
    """Turns what a policy names into node keys: the account's own users and roles, or outside nodes."""

    def __init__(self, account_id: str, users: list[IamUser], roles: list[Role]) -> None:
        self.account_id = account_id
        self.own: dict[str, str] = {}
        for kind, entities in (("user", users), ("role", roles)):
            for entity in entities:
                self.own[entity.arn] = self.own[entity.unique_id] = f"{kind}:{entity.pk}"
        self.found: dict[str, Node] = {}

    def key(self, named: Named) -> str:
        entry = named.entry
        if entry.kind == "AWS" and entry.value in self.own:
            return self.own[entry.value]
        node = outside(entry, self.account_id)
        self.found.setdefault(node.key, Node(node.key, "outside", node.kind_label, node.name, node.description, None))
        return node.key

    def outside_nodes(self) -> list[Node]:
        return sorted(self.found.values(), key=lambda node: (node.kind_label, node.name))


@login_required
@require_safe
def access_graph(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """The whole account, or with ``?focus=<key>`` only what connects to one entity; too big, a table and a hint."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    graph = build_graph(actor.account, sandbox.id, clock.now(sandbox))
    focus = request.GET.get("focus", "")
    focused = graph.by_key.get(focus)
    shown = graph.around(focus) if focused else graph
    context = {
        "sandbox": sandbox,
        "account": actor.account,
        "graph": shown,
        "choices": _choices(graph),
        "focus": focus,
        "focused": focused,
        "too_big": len(shown.nodes) > MAX_NODES,
        "drawing": draw(shown, focus) if 0 < len(shown.nodes) <= MAX_NODES else None,
        "legend_nodes": legend_shapes(),
        "legend_edges": EDGE_LEGEND,
    }
    return render(request, "console/access_graph.html", context)


def _choices(graph: Graph) -> list[tuple[str, list[Node]]]:
    """The focus menu: every node, grouped by kind in column order."""
    grouped: dict[str, list[Node]] = defaultdict(list)
    for node in graph.nodes:
        grouped[node.kind].append(node)
    return [(heading, grouped[kind]) for kind, (_, heading) in KINDS.items() if grouped[kind]]
