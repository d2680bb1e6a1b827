"""A learner opens the access graph of a demo-like account, reads it, focuses on one user and follows a box.

Relationships drawn: IAM User Guide, "IAM user groups", "Managed policies and inline policies",
"Permissions boundaries for IAM entities", "IAM roles" (trust policies), "Use instance profiles";
Amazon S3 User Guide, "Bucket policies for Amazon S3".
"""

import json
import random

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import buckets, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.demo import create_demo_sandbox
from simulator.sandbox.models import Bucket, Group, IamUser, ManagedPolicy, Role, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER = "111122223333"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def demo_like_sandbox(owner) -> Sandbox:
    """The demo account (roles, an instance profile, a bucket) with more of what the graph draws: an AWS
    managed policy on a group, a boundary, a role trusted by a person, a bucket policy naming principals."""
    sandbox = create_demo_sandbox(owner)
    account = sandbox.accounts.get()
    root = Actor(account)
    operations.attach_group_policy(root, "Admins", "arn:aws:iam::aws:policy/IAMFullAccess")
    boundary = operations.create_policy(
        root, "StaffBoundary", doc({"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"})
    )
    operations.put_user_permissions_boundary(root, "bob", boundary.arn)
    operations.put_user_policy(root, "carol", "break-glass", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    carol = account.users.get(name="carol")
    auditor_trust = doc(
        {"Effect": "Allow", "Principal": {"AWS": account.root_arn}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": carol.arn},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
    )
    role_operations.update_assume_role_policy(root, "Auditor", auditor_trust)
    alice = account.users.get(name="alice")
    web = account.roles.get(name="WebServer")
    buckets.put_bucket_policy(
        root,
        "reports",
        doc(
            {
                "Sid": "Readers",
                "Effect": "Allow",
                "Principal": {"AWS": [alice.arn, web.arn, PARTNER]},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            },
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ),
    )
    return sandbox


# Every box's rectangle, and every edge sampled along its length, in the page's coordinates.
GEOMETRY = """() => {
  const box = (element) => { const r = element.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const nodes = [...document.querySelectorAll('.graph-node')].map((node) => ({
    key: node.dataset.key,
    box: box(node.querySelector('.graph-shape:not(.graph-shape-under)')),
    texts: [...node.querySelectorAll('text')].map(box),
  }));
  const svg = document.querySelector('svg.graph');
  const matrix = svg.getScreenCTM();
  const edges = [...svg.querySelectorAll('.graph-edge-line')].map((line) => {
    const length = line.getTotalLength();
    const points = [];
    for (let at = 0; at <= length; at += 4) {
      const p = line.getPointAtLength(at).matrixTransform(matrix);
      points.push([p.x, p.y]);
    }
    return points;
  });
  return {nodes, edges};
}"""


def inside(point: list[float], box: list[float], margin: float) -> bool:
    return box[0] + margin < point[0] < box[2] - margin and box[1] + margin < point[1] < box[3] - margin


def overlap(one: list[float], other: list[float]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def check_geometry(page: Page) -> None:
    """No two boxes overlap, every label stays inside its box, and no edge runs behind a box."""
    geometry = page.evaluate(GEOMETRY)
    nodes = geometry["nodes"]
    for index, node in enumerate(nodes):
        for other in nodes[index + 1 :]:
            assert not overlap(node["box"], other["box"]), (node["key"], other["key"])
        for text in node["texts"]:
            assert text[0] >= node["box"][0] and text[2] <= node["box"][2] + 0.5, node["key"]
    for points in geometry["edges"]:
        for point in points:
            assert not any(inside(point, node["box"], 2) for node in nodes), point


def test_a_learner_reads_the_graph_focuses_on_a_user_and_opens_a_box(
    live_server: LiveServer, signed_in_page: Page, learner
) -> None:
    page = signed_in_page
    sandbox = demo_like_sandbox(learner)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Access graph").click()
    expect(page.get_by_role("heading", name="Access graph")).to_be_visible()

    graph = page.get_by_role("group", name="Access graph of account")
    for name in ("IAM user alice", "User group Developers", "IAM role WebServer", "Instance profile WebServer"):
        expect(graph.get_by_role("link", name=name)).to_be_visible()
    expect(graph.get_by_role("link", name="AWS managed policy IAMFullAccess")).to_be_visible()
    expect(graph.get_by_role("link", name="S3 bucket reports")).to_be_visible()
    expect(graph.get_by_role("img", name="AWS service ec2.amazonaws.com")).to_be_visible()
    expect(graph.get_by_role("img", name="Anyone Everyone (*)")).to_be_visible()
    check_geometry(page)
    page.screenshot(path="/tmp/graph.png", full_page=True, caret="initial")
    page.locator("figure.access-graph").screenshot(path="/tmp/graph-figure.png", caret="initial")

    page.get_by_text("The same relationships as a table").click()
    table = page.get_by_role("table", name="Relationships")
    carol_may_assume = table.get_by_role("row").filter(has_text="carol").filter(has_text="may assume")
    expect(carol_may_assume).to_contain_text("when its conditions hold")
    expect(carol_may_assume).to_contain_text("Auditor")
    page.locator("details.graph-table").screenshot(path="/tmp/graph-table.png", caret="initial")
    bounded = table.get_by_role("row").filter(has_text="has the permissions boundary")
    expect(bounded).to_contain_text("bob")
    expect(bounded).to_contain_text("StaffBoundary")

    page.get_by_label("Focus on").select_option(label="alice")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Showing what connects to IAM user alice")).to_be_visible()
    expect(graph.get_by_role("link", name="IAM user bob")).to_have_count(0)
    expect(graph.get_by_role("link", name="Customer managed policy ReadReports")).to_be_visible()
    expect(graph.get_by_role("link", name="S3 bucket reports")).to_be_visible()
    check_geometry(page)
    page.screenshot(path="/tmp/graph-focus.png", full_page=True, caret="initial")

    page.emulate_media(color_scheme="dark")
    page.locator("figure.access-graph").screenshot(path="/tmp/graph-dark.png", caret="initial")
    page.emulate_media(color_scheme="light")

    graph.get_by_role("link", name="User group Developers").click()
    expect(page.get_by_role("heading", name="Developers")).to_be_visible()


def test_on_a_phone_the_graph_scrolls_sideways_at_a_readable_size(
    live_server: LiveServer, signed_in_page: Page, learner
) -> None:
    page = signed_in_page
    sandbox = demo_like_sandbox(learner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/console/{sandbox.id}/graph/")
    scroller = page.get_by_role("region", name="Access graph")
    expect(scroller).to_be_visible()
    widths = scroller.evaluate("(element) => [element.clientWidth, element.scrollWidth]")
    assert widths[1] > widths[0]
    # The figure itself stays within the screen: only its inner region scrolls.
    figure = page.locator("figure.access-graph").bounding_box()
    assert figure is not None and figure["x"] >= 0 and figure["x"] + figure["width"] <= 390
    font_size = page.locator(".graph-name").first.evaluate("(text) => text.getBoundingClientRect().height")
    assert font_size >= 14
    page.screenshot(path="/tmp/graph-phone.png", caret="initial")


def busy_sandbox(owner) -> Sandbox:
    """An account of 100-odd entities tied together at random (seeded): what a real account looks like."""
    sandbox = Sandbox.objects.create_with_account(owner)
    account = sandbox.accounts.get()
    chance = random.Random(7)
    users = [IamUser.objects.create(account=account, name=f"user-{n:02}") for n in range(40)]
    groups = [Group.objects.create(account=account, name=f"team-{n}") for n in range(8)]
    policies = [ManagedPolicy.objects.create(account=account, name=f"Policy{n:02}ForSomething") for n in range(20)]
    roles = []
    for n in range(12):
        trusted = chance.sample(users, 2)
        trust = doc({"Effect": "Allow", "Principal": {"AWS": [u.arn for u in trusted]}, "Action": "sts:AssumeRole"})
        roles.append(Role.objects.create(account=account, name=f"role-{n:02}", trust_policy=trust))
    for user in users:
        user.groups.add(*chance.sample(groups, chance.randint(0, 2)))
        if chance.random() < 0.2:
            user.managed_policies.add(chance.choice(policies))
    for owner_ in (*groups, *roles):
        owner_.managed_policies.add(*chance.sample(policies, chance.randint(1, 3)))
    for n in range(4):
        readers = [u.arn for u in chance.sample(users, 2)] + [chance.choice(roles).arn]
        Bucket.objects.create(
            sandbox=sandbox,
            account=account,
            name=f"bucket-{n}",
            policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": readers},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::bucket-{n}/*",
                }
            ),
        )
    return sandbox


def test_a_busy_account_is_still_drawn_without_overlaps(live_server: LiveServer, signed_in_page: Page, learner) -> None:
    page = signed_in_page
    sandbox = busy_sandbox(learner)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{live_server.url}/console/{sandbox.id}/graph/")
    expect(page.get_by_role("group", name="Access graph of account")).to_be_visible()
    check_geometry(page)
    page.screenshot(path="/tmp/graph-busy.png", full_page=True, caret="initial")
    page.screenshot(
        path="/tmp/graph-busy-detail.png", full_page=True, clip={"x": 0, "y": 1300, "width": 1440, "height": 900}
    )
