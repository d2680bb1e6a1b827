"""What runs in the account, in the access graph: EC2 instances and the live sessions of its roles.

An instance gains its role through its instance profile (instance → profile → role), never a policy of its
own (EC2 User Guide, "IAM roles for Amazon EC2"). An instance holding an IAM user's long-term access key
on its disk gains that user's permissions instead: the anti-pattern, drawn as a warning edge to the user
("Security best practices in IAM": use temporary credentials; keys stored on an instance never rotate by
themselves). A live role session (temporary credentials not yet expired on the sandbox clock) points to
its role, with its expiry.

Read in six queries at most (three settle the instances whose state change has come due), however many
instances and sessions the account holds.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from simulator.console import workloads
from simulator.console.graph_model import Edge, Node
from simulator.sandbox import instance_states
from simulator.sandbox.models import AccessKey, Account, Instance, Role

ROOT_KEY = "outside:root"


def instances_and_sessions(
    account: Account, sandbox_id: int, now: datetime, roles: list[Role]
) -> tuple[list[Node], list[Edge], list[Node]]:
    """(instance nodes, their and the sessions' edges, session nodes); ``roles`` are the account's roles."""
    instance_states.settle_all(account, now)
    instances = list(account.instances.exclude(state=Instance.State.TERMINATED))
    nodes = [_instance_node(instance, sandbox_id) for instance in instances]
    edges = [
        Edge(f"instance:{i.pk}", f"profile:{i.instance_profile_id}", "instance-profile")
        for i in instances
        if i.instance_profile_id
    ]
    key_edges, root_node = _stored_key_edges(account, instances)
    nodes += root_node
    sessions, session_edges = _sessions(account, sandbox_id, now, roles)
    return nodes, edges + key_edges + session_edges, sessions


def _instance_node(instance: Instance, sandbox_id: int) -> Node:
    name_tag = next((tag["Value"] for tag in instance.tags if tag.get("Key") == "Name"), "")
    named = f" ({name_tag})" if name_tag else ""
    description = f"{instance.instance_id}{named}, {instance.state}, {instance.instance_type}"
    if instance.stored_access_key_id:
        description += f"; long-term access key {instance.stored_access_key_id} stored on its disk"
    url = reverse("console:instance", args=[sandbox_id, instance.instance_id])
    return Node(f"instance:{instance.pk}", "instance", "EC2 instance", instance.instance_id, description, url)


def _stored_key_edges(account: Account, instances: list[Instance]) -> tuple[list[Edge], list[Node]]:
    """Edges from instances to the users whose keys they hold; a root key points at the root user.

    A key deleted in IAM may still sit on a disk: it no longer works, so it gains nothing and draws no edge.
    """
    stored = {i.stored_access_key_id for i in instances if i.stored_access_key_id}
    if not stored:
        return [], []
    keys = {
        key_id: (user_id, status)
        for key_id, user_id, status in AccessKey.objects.filter(account=account, access_key_id__in=stored).values_list(
            "access_key_id", "user_id", "status"
        )
    }
    edges, root_node = [], []
    for instance in instances:
        if instance.stored_access_key_id not in keys:
            continue
        user_id, status = keys[instance.stored_access_key_id]
        note = "the key is inactive: it works again if reactivated" if status == AccessKey.Status.INACTIVE else ""
        target = f"user:{user_id}" if user_id else ROOT_KEY
        edges.append(Edge(f"instance:{instance.pk}", target, "keys", note=note))
        if not user_id and not root_node:
            root_node = [Node(ROOT_KEY, "outside", "Root user", "root", account.root_arn, None)]
    return edges, root_node


def _sessions(account: Account, sandbox_id: int, now: datetime, roles: list[Role]) -> tuple[list[Node], list[Edge]]:
    names = {role.pk: role.name for role in roles}
    # The account too: the related manager sets it on each row, which would read a deferred field row by row.
    live = account.temporary_credentials.filter(role__account=account, expires_at__gt=now).only(
        "pk", "account", "role_id", "session_name", "expires_at", "operation"
    )
    nodes, edges = [], []
    for credential in live:
        arn = f"arn:aws:sts::{account.account_id}:assumed-role/{names[credential.role_id]}/{credential.session_name}"
        until = f"until {expiry(credential.expires_at)} sandbox time, {time_left(credential.expires_at, now)}"
        url = reverse("console:session", args=[sandbox_id, credential.pk])
        description = f"{arn} ({workloads.operation_words(credential)}), {until}"
        key = f"session:{credential.pk}"
        nodes.append(Node(key, "session", "Role session", credential.session_name, description, url))
        edges.append(Edge(key, f"role:{credential.role_id}", "session", note=until))
    return nodes, edges


def expiry(moment: datetime) -> str:
    """A sandbox time as the graph's labels give it: the clock time, in the site's time zone."""
    return timezone.localtime(moment).strftime("%H:%M:%S")


def time_left(until: datetime, now: datetime) -> str:
    """How long until ``until``, roughly, in words: "in 42 min"."""
    seconds = max(0, round((until - now).total_seconds()))
    if seconds < 60:
        return f"in {seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"in {hours} h {minutes} min" if minutes else f"in {hours} h"
