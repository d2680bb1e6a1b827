"""The access graph page: what it draws from an account, focusing on one entity, and who may see it.

Relationships: IAM User Guide, "IAM user groups", "Managed policies and inline policies", "Permissions
boundaries for IAM entities", "Use instance profiles", "AWS JSON policy elements: Principal" (AWS
account principals, IAM role and user principals, service principals, anonymous principals) and
"IAM identifiers" (unique IDs stand in for deleted principals); Amazon S3 User Guide, "Bucket policies
for Amazon S3".
"""

import json

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from simulator.console.access_graph import KINDS, Edge, Graph, Node, build_graph
from simulator.console.graph_drawing import MAX_WIDTH, NAME_SIZE, draw, fit, text_width
from simulator.sandbox import buckets, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Bucket, Group, IamUser, ManagedPolicy, Role, Sandbox

from .conftest import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

PARTNER = "111122223333"
READ = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal, **extra) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def graph_url(sandbox, focus: str = "") -> str:
    return f"/console/{sandbox.id}/graph/" + (f"?focus={focus}" if focus else "")


@pytest.fixture
def account(sandbox):
    return sandbox.accounts.get()


@pytest.fixture
def built(root, account):
    """Developers (alice, bob) with ReadReports and an inline policy; a role for EC2 in a profile, which
    carol may assume; bob bounded by an AWS managed policy; a bucket whose policy names alice and anyone."""
    for name in ("alice", "bob", "carol"):
        operations.create_user(root, name)
    operations.create_group(root, "Developers")
    reports = operations.create_policy(root, "ReadReports", READ)
    operations.create_policy(root, "Unused", READ)
    operations.attach_group_policy(root, "Developers", reports.arn)
    operations.put_group_policy(root, "Developers", "see-instances", READ)
    operations.add_user_to_group(root, "Developers", "alice")
    operations.add_user_to_group(root, "Developers", "bob")
    operations.put_user_permissions_boundary(root, "bob", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    carol = account.users.get(name="carol")
    web_trust = doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": carol.arn},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
    )
    operations.create_role(root, "WebServer", web_trust)
    operations.attach_role_policy(root, "WebServer", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "WebServer")
    buckets.create_bucket(root, "reports")
    alice = account.users.get(name="alice")
    buckets.put_bucket_policy(
        root,
        "reports",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": alice.arn},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::reports/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ),
    )
    return account


def named_edges(graph) -> set[tuple[str, str, str]]:
    return {(source.name, edge.kind, target.name) for source, edge, target in graph.relationships()}


# What the graph holds --------------------------------------------------------------------------------------------


def test_it_draws_every_relationship_of_the_account(built, sandbox):
    graph = build_graph(built, sandbox.id)
    assert named_edges(graph) == {
        ("alice", "member", "Developers"),
        ("bob", "member", "Developers"),
        ("Developers", "attached", "ReadReports"),
        ("bob", "boundary", "AmazonS3ReadOnlyAccess"),
        ("WebServer", "attached", "ReadOnlyAccess"),
        ("ec2.amazonaws.com", "trust", "WebServer"),
        ("carol", "trust", "WebServer"),
        ("web", "profile", "WebServer"),
        ("alice", "bucket-allow", "reports"),
        ("Everyone (*)", "bucket-deny", "reports"),
    }


def test_conditions_are_kept_on_the_edge(built, sandbox):
    graph = build_graph(built, sandbox.id)
    conditional = {(s.name, t.name) for s, edge, t in graph.relationships() if edge.conditional}
    assert conditional == {("carol", "WebServer"), ("Everyone (*)", "reports")}


def test_nodes_name_their_kind_link_to_their_page_and_carry_inline_policies(built, sandbox):
    nodes = {node.name: node for node in build_graph(built, sandbox.id).nodes}
    developers = built.groups.get(name="Developers")
    bounded_by = ManagedPolicy.objects.get(account=None, name="AmazonS3ReadOnlyAccess")
    assert (nodes["Developers"].kind_label, nodes["Developers"].inline) == ("User group", ("see-instances",))
    assert nodes["Developers"].url == f"/console/{sandbox.id}/groups/{developers.id}/"
    assert (nodes["AmazonS3ReadOnlyAccess"].kind, nodes["AmazonS3ReadOnlyAccess"].url) == (
        "aws-policy",
        f"/console/{sandbox.id}/policies/{bounded_by.id}/",
    )
    assert nodes["web"].url == f"/console/{sandbox.id}/instance-profiles/{built.instance_profiles.get().id}/"
    assert nodes["reports"].url == f"/console/{sandbox.id}/buckets/{built.buckets.get().id}/"
    assert (nodes["ec2.amazonaws.com"].kind, nodes["ec2.amazonaws.com"].url) == ("outside", None)


def test_customer_policies_show_unattached_but_aws_managed_ones_only_when_used(built, sandbox):
    """IAM User Guide, "AWS managed policies": every account can use them, so only those in use are drawn."""
    policies = {node.name for node in build_graph(built, sandbox.id).nodes if node.kind.endswith("policy")}
    assert policies == {"ReadReports", "Unused", "AmazonS3ReadOnlyAccess", "ReadOnlyAccess"}


@pytest.mark.parametrize(
    ("principal", "kind_label", "name"),
    [
        ({"Service": "lambda.amazonaws.com"}, "AWS service", "lambda.amazonaws.com"),
        ({"AWS": PARTNER}, "Another account", PARTNER),
        ({"AWS": f"arn:aws:iam::{PARTNER}:root"}, "Another account", PARTNER),
        ({"AWS": f"arn:aws:iam::{PARTNER}:user/ops/dana"}, "IAM user", "dana"),
        ({"AWS": f"arn:aws:iam::{PARTNER}:role/Deployer"}, "IAM role", "Deployer"),
        ({"AWS": f"arn:aws:sts::{PARTNER}:assumed-role/Deployer/ci"}, "Role session", "Deployer/ci"),
        ({"AWS": "*"}, "Anyone", "Everyone (*)"),
        ({"Federated": "accounts.google.com"}, "Identity provider", "accounts.google.com"),
        ({"AWS": "AIDAJQABLZS4A3QDU576Q"}, "Unique ID", "AIDAJQABLZS4A3QDU576Q"),
    ],
)
def test_principals_outside_the_account_are_nodes_of_their_own(root, account, sandbox, principal, kind_label, name):
    operations.create_role(root, "Target", trust(principal))
    graph = build_graph(account, sandbox.id)
    (source, edge, target) = graph.relationships()[0]
    assert (source.kind, source.kind_label, source.name, edge.kind, target.name) == (
        "outside",
        kind_label,
        name,
        "trust",
        "Target",
    )


def test_the_own_account_is_one_node_however_it_is_written(root, account, sandbox):
    operations.create_role(root, "ById", trust({"AWS": account.account_id}))
    operations.create_role(root, "ByArn", trust({"AWS": account.root_arn}))
    graph = build_graph(account, sandbox.id)
    sources = {source.key for source, _, _ in graph.relationships()}
    assert sources == {f"outside:account:{account.account_id}"}
    assert graph.by_key[f"outside:account:{account.account_id}"].kind_label == "This account"


@pytest.mark.parametrize("by", ["arn", "unique_id"])
def test_a_user_of_the_account_is_its_own_node_by_arn_or_unique_id(root, account, sandbox, alice, by):
    operations.create_role(root, "Target", trust({"AWS": getattr(alice, by)}))
    graph = build_graph(account, sandbox.id)
    assert [(s.key, e.kind) for s, e, _ in graph.relationships()] == [(f"user:{alice.id}", "trust")]


def test_a_role_may_be_trusted_by_another_role_or_itself(root, account, sandbox):
    first = operations.create_role(root, "First", trust({"Service": "ec2.amazonaws.com"}))
    operations.create_role(root, "Second", trust({"AWS": first.arn}))
    role_operations.update_assume_role_policy(root, "First", trust({"AWS": first.arn}))
    assert named_edges(build_graph(account, sandbox.id)) == {("First", "trust", "Second"), ("First", "trust", "First")}


def test_deny_statements_of_a_trust_policy_let_nobody_in(root, account, sandbox):
    document = doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": PARTNER}, "Action": "sts:AssumeRole"},
    )
    operations.create_role(root, "Target", document)
    assert named_edges(build_graph(account, sandbox.id)) == {("ec2.amazonaws.com", "trust", "Target")}


def test_a_stored_document_that_no_longer_parses_draws_no_edges(root, account, sandbox):
    role = operations.create_role(root, "Target", trust({"Service": "ec2.amazonaws.com"}))
    Role.objects.filter(pk=role.pk).update(trust_policy="{not json")
    Bucket.objects.create(sandbox=sandbox, account=account, name="broken", policy="{not json")
    graph = build_graph(account, sandbox.id)
    assert graph.edges == () and {n.name for n in graph.nodes} == {"Target", "broken"}


def test_another_accounts_entities_are_not_drawn(built, sandbox, other_learner):
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    operations.create_user(theirs, "mallory")
    assert "mallory" not in {node.name for node in build_graph(built, sandbox.id).nodes}


# Focus -------------------------------------------------------------------------------------------------------------


def test_focusing_on_a_user_follows_the_arrows_both_ways(built, sandbox):
    graph = build_graph(built, sandbox.id)
    alice = graph.by_key[f"user:{built.users.get(name='alice').id}"]
    assert {node.name for node in graph.around(alice.key).nodes} == {"alice", "Developers", "ReadReports", "reports"}


def test_focusing_on_a_role_shows_who_may_assume_it_and_what_it_has(built, sandbox):
    graph = build_graph(built, sandbox.id)
    role = built.roles.get(name="WebServer")
    shown = graph.around(f"role:{role.id}")
    assert {node.name for node in shown.nodes} == {"WebServer", "ec2.amazonaws.com", "carol", "web", "ReadOnlyAccess"}
    assert all(edge.source in shown.by_key and edge.target in shown.by_key for edge in shown.edges)


def test_focusing_on_a_policy_shows_everyone_who_gets_it(built, sandbox):
    graph = build_graph(built, sandbox.id)
    policy = built.policies.get(name="ReadReports")
    names = {node.name for node in graph.around(f"policy:{policy.id}").nodes}
    assert names == {"ReadReports", "Developers", "alice", "bob"}


def test_a_trust_cycle_does_not_loop_forever(root, account, sandbox):
    first = operations.create_role(root, "First", trust({"AWS": account.account_id}))
    second = operations.create_role(root, "Second", trust({"AWS": first.arn}))
    role_operations.update_assume_role_policy(root, "First", trust({"AWS": second.arn}))
    graph = build_graph(account, sandbox.id)
    assert {node.name for node in graph.around(f"role:{first.id}").nodes} == {"First", "Second"}


# Drawing ---------------------------------------------------------------------------------------------------------


def node(key: str, kind: str, name: str, inline: tuple[str, ...] = ()) -> Node:
    return Node(key, kind, KINDS[kind][0], name, "arn", None, inline)


@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        ("alice", 200, "alice"),
        ("AWSServiceRoleForAutoScalingWithAVeryLongName", 150, None),
        ("", 10, ""),
    ],
)
def test_labels_are_shortened_with_an_ellipsis_to_fit(text, room, expected):
    fitted = fit(text, NAME_SIZE, room)
    assert text_width(fitted, NAME_SIZE) <= room
    if expected is not None:
        assert fitted == expected
    else:
        assert fitted.endswith("…") and text.startswith(fitted[:-1])


def test_every_node_of_a_column_is_as_wide_as_the_column_and_its_labels_fit():
    graph = Graph(
        (
            node("user:1", "user", "a" * 80, ("one", "two")),
            node("user:2", "user", "bob"),
            node("group:1", "group", "Developers", ("see-instances",)),
        ),
        (Edge("user:2", "group:1", "member"),),
    )
    drawn = {d.node.key: d for d in draw(graph).nodes}
    assert drawn["user:1"].width == drawn["user:2"].width == MAX_WIDTH
    assert drawn["user:1"].name_text.endswith("…")
    badge = drawn["user:1"].badge
    assert badge is not None and badge.text.startswith("2 inline: one, two")
    assert badge.x + badge.width <= drawn["user:1"].x + drawn["user:1"].width
    assert drawn["user:2"].badge is None and drawn["group:1"].height > drawn["user:2"].height


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_node_has_a_closed_outline_and_its_own_heading(kind):
    drawing = draw(Graph((node("x", kind, "name"),), ()))
    (drawn,) = drawing.nodes
    assert drawn.outline.startswith("M") and drawn.outline.endswith("Z")
    ((_, heading),) = drawing.headings[0].lines
    assert heading


def test_an_edges_hover_text_says_the_relationship_in_words():
    graph = Graph(
        (node("user:1", "user", "carol"), node("role:1", "role", "Auditor")),
        (Edge("user:1", "role:1", "trust", conditional=True),),
    )
    (edge,) = draw(graph).edges
    assert edge.title == "IAM user carol may assume IAM role Auditor, when the statement's conditions hold"


# The page ----------------------------------------------------------------------------------------------------------


def test_the_page_draws_each_node_as_a_named_link_with_a_legend_and_a_table(learner_client, built, sandbox):
    response = learner_client.get(graph_url(sandbox))
    alice = built.users.get(name="alice")
    assertContains(response, f'<a href="/console/{sandbox.id}/users/{alice.id}/" aria-label="IAM user alice"')
    assertContains(response, 'aria-label="AWS service ec2.amazonaws.com"')
    assertContains(
        response,
        "<title>IAM user carol may assume IAM role WebServer, when the statement&#x27;s conditions hold</title>",
    )
    assertContains(response, 'marker-end="url(#graph-arrow-boundary)"')
    assertContains(response, '<h2 id="graph-legend-title">Legend</h2>', html=False)
    assertContains(response, "<summary>The same relationships as a table</summary>", html=False)
    assertContains(response, "<td>is a member of</td>", count=2)
    assertContains(response, "<td>has the inline policy</td>", count=1)
    assertContains(response, 'aria-current="page">Access graph</a>')
    assertContains(response, 'viewBox="0 0 ')


def test_the_page_takes_the_same_queries_for_ten_and_three_hundred_users(learner_client, root, account, sandbox):
    group = operations.create_group(root, "Everyone")
    policy = operations.create_policy(root, "Shared", READ)
    role = operations.create_role(root, "Shared", trust({"Service": "ec2.amazonaws.com"}))

    def add_users(first: int, last: int) -> None:
        for number in range(first, last):
            user = IamUser.objects.create(account=account, name=f"user{number}")
            user.groups.add(group)
            user.managed_policies.add(policy)
            user.inline_policies.create(name="own", document=READ)
            role.managed_policies.add(policy)

    assert_queries_do_not_grow(learner_client, graph_url(sandbox), add_users)


def test_the_page_takes_the_same_queries_for_ten_and_three_hundred_policies(learner_client, root, account, sandbox):
    user = operations.create_user(root, "alice")
    group = operations.create_group(root, "Developers")
    role = operations.create_role(root, "Shared", trust({"Service": "ec2.amazonaws.com"}))

    def add_policies(first: int, last: int) -> None:
        for number in range(first, last):
            policy = ManagedPolicy.objects.create(account=account, name=f"policy{number}")
            policy.users.add(user)
            policy.groups.add(group)
            policy.roles.add(role)

    assert_queries_do_not_grow(learner_client, graph_url(sandbox), add_policies)


def test_a_big_account_asks_for_a_focus_instead_of_a_tangle(learner_client, root, account, sandbox):
    group = Group.objects.create(account=account, name="Everyone")
    for number in range(160):
        IamUser.objects.create(account=account, name=f"user{number}").groups.add(group)
    response = learner_client.get(graph_url(sandbox))
    assertContains(response, "too many to draw readably")
    assertNotContains(response, '<svg class="graph"')
    assertContains(response, "<td>is a member of</td>", count=160)
    user = account.users.get(name="user7")
    response = learner_client.get(graph_url(sandbox, f"user:{user.id}"))
    assertContains(response, '<svg class="graph"')
    assertContains(response, "Showing what connects to IAM user <strong>user7</strong>")


def test_focus_draws_only_what_connects_and_offers_the_whole_account_again(learner_client, built, sandbox):
    bob = built.users.get(name="bob")
    response = learner_client.get(graph_url(sandbox, f"user:{bob.id}"))
    assertContains(response, "Showing what connects to IAM user <strong>bob</strong>")
    assertContains(response, f'<option value="user:{bob.id}" selected>bob</option>', html=True)
    assertContains(response, 'aria-label="Customer managed policy ReadReports"')
    assertNotContains(response, 'aria-label="IAM user alice"')
    assertContains(response, f'<a href="/console/{sandbox.id}/graph/">Show the whole account</a>', html=True)


@pytest.mark.parametrize("focus", ["user:999999", "nonsense", "<script>alert(1)</script>"])
def test_an_unknown_focus_shows_the_whole_account_and_says_so(learner_client, built, sandbox, focus):
    response = learner_client.get(graph_url(sandbox), {"focus": focus})
    assertContains(response, "nothing to focus on by that name")
    assertContains(response, 'aria-label="IAM user alice"')
    assertNotContains(response, "<script>alert")


def test_another_learners_entity_cannot_be_focused_on(learner_client, built, sandbox, other_learner):
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    mallory = operations.create_user(theirs, "mallory")
    response = learner_client.get(graph_url(sandbox, f"user:{mallory.id}"))
    assertContains(response, "nothing to focus on by that name")
    assertNotContains(response, "mallory")


def test_an_empty_account_says_so(learner_client, sandbox):
    response = learner_client.get(graph_url(sandbox))
    assertContains(response, "This account holds no users, groups, roles, policies, instances or buckets yet")
    assertNotContains(response, '<svg class="graph"')


def test_odd_text_in_principals_is_escaped_in_the_drawing_and_the_table(learner_client, root, account, sandbox):
    """A principal in another account is not checked for existence, so its name can be anything."""
    odd = f"arn:aws:iam::{PARTNER}:user/<b>x</b>"
    operations.create_role(root, "Target", trust({"AWS": odd}))
    buckets.create_bucket(root, "reports")
    buckets.put_bucket_policy(
        root,
        "reports",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": odd},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            }
        ),
    )
    response = learner_client.get(graph_url(sandbox))
    assertNotContains(response, "<b>x</b>")
    assertContains(response, "&lt;b&gt;x&lt;/b&gt;")


# Who may use the page ----------------------------------------------------------------------------------------------


def test_another_learner_gets_404(other_client, built, sandbox):
    assert other_client.get(graph_url(sandbox)).status_code == 404


def test_a_sandbox_that_does_not_exist_is_404(learner_client):
    assert learner_client.get("/console/999999/graph/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, sandbox):
    response = client.get(graph_url(sandbox))
    assert response.status_code == 302 and response["Location"] == f"/sign-in/?next={graph_url(sandbox)}"


def test_the_page_only_reads(learner_client, other_client, sandbox):
    assert learner_client.post(graph_url(sandbox)).status_code == 405
    assert other_client.post(graph_url(sandbox)).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(learner, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(graph_url(sandbox), headers={"HX-Request": "true"}).status_code == 403


def test_an_edge_says_its_relationship_in_words():
    assert Edge("a", "b", "trust").relationship == "may assume"
    assert Edge("a", "b", "bucket-deny", conditional=True).relationship == "is denied by the bucket policy of"
