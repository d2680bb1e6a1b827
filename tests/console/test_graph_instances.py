"""EC2 instances, their instance profiles and live role sessions in the access graph.

AWS: EC2 User Guide, "IAM roles for Amazon EC2" (an instance gets its role through an instance profile;
policies never attach to an instance); IAM User Guide, "Use instance profiles", "Temporary security credentials
in IAM" (credentials expire), "Security best practices in IAM" (use temporary credentials, not long-term keys
stored on an instance).
"""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from simulator.console.access_graph import build_graph
from simulator.console.graph_drawing import COLUMN_OF, draw
from simulator.sandbox import access_keys, clock, operations
from simulator.sandbox.models import AccessKey, Instance
from tests.documents import EC2_TRUST

from .conftest import assert_queries_do_not_grow
from .sessions_display import ESCAPED, SCRIPT, instance_in, profile_with, session_of

pytestmark = pytest.mark.django_db


def graph_url(sandbox, focus: str = "") -> str:
    return f"/console/{sandbox.id}/graph/" + (f"?focus={focus}" if focus else "")


@pytest.fixture
def account(sandbox):
    return sandbox.accounts.get()


@pytest.fixture
def web(root):
    return operations.create_role(root, "WebServer", EC2_TRUST)


@pytest.fixture
def running(account, web):
    """A web instance launched with a profile holding WebServer, and a live session of the role."""
    profile = profile_with(account, "WebProfile", web)
    instance = instance_in(account, profile, tags=[{"Key": "Name", "Value": "web-1"}])
    session = session_of(web, "deploy", lasts=3600)
    return {"profile": profile, "instance": instance, "session": session}


def relationships(graph) -> set[tuple[str, str, str]]:
    return {(source.name, edge.kind, target.name) for source, edge, target in graph.relationships()}


def test_an_instance_reaches_its_role_through_its_profile(account, sandbox, running):
    graph = build_graph(account, sandbox.id)
    instance_id = running["instance"].instance_id
    assert {(instance_id, "instance-profile", "WebProfile"), ("WebProfile", "profile", "WebServer")} <= relationships(
        graph
    )
    node = graph.by_key[f"instance:{running['instance'].pk}"]
    assert node.kind_label == "EC2 instance"
    assert node.url == reverse("console:instance", args=[sandbox.id, instance_id])
    assert "web-1" in node.description and "running" in node.description


def test_an_instance_without_a_profile_stands_alone_and_a_terminated_one_is_gone(account, sandbox):
    alone = instance_in(account)
    gone = instance_in(account, state=Instance.State.TERMINATED)
    graph = build_graph(account, sandbox.id)
    assert f"instance:{alone.pk}" in {node.key for node in graph.loose()}
    assert f"instance:{gone.pk}" not in graph.by_key


def test_a_live_session_points_to_its_role_with_its_expiry(account, sandbox, running):
    clock.set_rate(sandbox, 0)
    graph = build_graph(account, sandbox.id)
    key = f"session:{running['session'].pk}"
    node = graph.by_key[key]
    assert (node.kind_label, node.name) == ("Role session", "deploy")
    assert node.url == reverse("console:session", args=[sandbox.id, running["session"].pk])
    assert f"arn:aws:sts::{account.account_id}:assumed-role/WebServer/deploy" in node.description
    (edge,) = [edge for edge in graph.edges if edge.source == key]
    assert edge.kind == "session" and edge.relationship == "is a live session of"
    assert edge.note.startswith("until ") and edge.note.endswith("sandbox time, in 1 h")


def test_a_session_leaves_the_graph_when_it_expires_on_the_sandbox_clock(account, sandbox, running):
    clock.advance(sandbox, 3599)
    assert f"session:{running['session'].pk}" in build_graph(account, sandbox.id).by_key
    clock.advance(sandbox, 1)
    assert f"session:{running['session'].pk}" not in build_graph(account, sandbox.id).by_key


def test_an_instance_holding_a_users_keys_points_to_the_user_as_a_warning(root, account, sandbox, alice):
    key = access_keys.create_access_key(root, "alice")
    instance = instance_in(account, stored_key=key.access_key_id)
    graph = build_graph(account, sandbox.id)
    assert (instance.instance_id, "keys", "alice") in relationships(graph)
    (edge,) = [edge for edge in graph.edges if edge.kind == "keys"]
    assert edge.relationship == "holds long-term keys of" and edge.note == ""
    AccessKey.objects.filter(pk=key.pk).update(status=AccessKey.Status.INACTIVE)
    (edge,) = [edge for edge in build_graph(account, sandbox.id).edges if edge.kind == "keys"]
    assert "inactive" in edge.note


def test_a_key_deleted_in_iam_but_left_on_the_disk_gains_nothing(root, account, sandbox, alice):
    key = access_keys.create_access_key(root, "alice")
    instance_in(account, stored_key=key.access_key_id)
    access_keys.delete_access_key(root, "alice", key.access_key_id)
    assert not [edge for edge in build_graph(account, sandbox.id).edges if edge.kind == "keys"]


def test_a_root_key_on_an_instance_points_to_the_root_user(root, account, sandbox):
    key = access_keys.create_access_key(root, None)
    instance = instance_in(account, stored_key=key.access_key_id)
    graph = build_graph(account, sandbox.id)
    assert (instance.instance_id, "keys", "root") in relationships(graph)


def test_instances_stand_left_of_users_and_sessions_left_of_roles():
    assert COLUMN_OF["instance"] < COLUMN_OF["user"] < COLUMN_OF["profile"] < COLUMN_OF["role"]
    assert COLUMN_OF["session"] < COLUMN_OF["role"]


def test_focusing_on_a_role_shows_its_instances_and_sessions(account, sandbox, running, web):
    around = build_graph(account, sandbox.id).around(f"role:{web.pk}")
    kinds = {node.kind for node in around.nodes}
    assert {"instance", "profile", "session", "role"} <= kinds


def test_the_drawing_names_the_new_edges_in_words(account, sandbox, running, root, alice):
    key = access_keys.create_access_key(root, "alice")
    instance_in(account, stored_key=key.access_key_id)
    titles = [drawn.title for drawn in draw(build_graph(account, sandbox.id)).edges]
    assert any("EC2 instance" in title and "holds long-term keys of IAM user alice" in title for title in titles)
    assert any("Role session deploy is a live session of IAM role WebServer, until " in title for title in titles)


def test_the_page_draws_instances_sessions_and_the_warning_edge(learner_client, root, account, sandbox, running, alice):
    key = access_keys.create_access_key(root, "alice")
    instance_in(account, stored_key=key.access_key_id)
    response = learner_client.get(graph_url(sandbox))
    assertContains(response, 'class="graph-node graph-node-instance', count=2)
    assertContains(response, 'class="graph-node graph-node-session')
    assertContains(response, 'class="graph-edge graph-edge-keys')
    assertContains(response, "<td>is associated with the instance profile</td>", html=True)
    assertContains(response, "holds long-term keys of")
    assertContains(response, f'href="{reverse("console:instance_keys_antipattern", args=[sandbox.id])}"')
    assertContains(response, "is a live session of <span")
    assertContains(response, "Live role session (temporary credentials)")


def test_session_names_and_instance_tags_are_escaped(learner_client, account, sandbox, web):
    session_of(web, SCRIPT)
    instance_in(account, tags=[{"Key": "Name", "Value": SCRIPT}])
    response = learner_client.get(graph_url(sandbox))
    assertNotContains(response, SCRIPT)
    assertContains(response, ESCAPED)


def test_another_learners_instances_and_sessions_are_not_drawn(account, sandbox, running, other_learner):
    from simulator.sandbox.models import Sandbox

    theirs = Sandbox.objects.create_with_account(other_learner).accounts.get()
    graph = build_graph(theirs, sandbox.id)
    assert not [node for node in graph.nodes if node.kind in ("instance", "session")]


def test_another_learner_gets_404(other_client: Client, sandbox, running):
    assert other_client.get(graph_url(sandbox, f"instance:{running['instance'].pk}")).status_code == 404


def test_the_page_takes_the_same_queries_for_ten_and_three_hundred_instances(learner_client, root, account, sandbox):
    web = operations.create_role(root, "WebServer", EC2_TRUST)
    profile = profile_with(account, "WebProfile", web)
    alice = operations.create_user(root, "alice")
    key = AccessKey.objects.create(account=account, user=alice)

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            instance_in(account, profile if number % 2 else None, stored_key=key.access_key_id if number % 3 else "")

    assert_queries_do_not_grow(learner_client, graph_url(sandbox), add)


def test_the_page_takes_the_same_queries_for_ten_and_three_hundred_sessions(learner_client, root, account, sandbox):
    roles = [operations.create_role(root, f"Role{number}", EC2_TRUST) for number in range(3)]

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            session_of(roles[number % 3], f"s{number}")

    assert_queries_do_not_grow(learner_client, graph_url(sandbox), add)


def test_many_instances_ask_for_a_focus_and_focusing_on_one_draws_it(learner_client, account, sandbox, web):
    profile = profile_with(account, "WebProfile", web)
    instances = [instance_in(account, profile) for _ in range(160)]
    response = learner_client.get(graph_url(sandbox))
    assertContains(response, "too many to draw readably")
    assertNotContains(response, '<svg class="graph"')
    response = learner_client.get(graph_url(sandbox, f"instance:{instances[7].pk}"))
    assertContains(response, '<svg class="graph"')
    assertContains(response, f"Showing what connects to EC2 instance <strong>{instances[7].instance_id}</strong>")
