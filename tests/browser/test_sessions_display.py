"""A learner sees credentials, instances and live sessions where they look: the decision log says what each
request was signed with, the access graph draws instances, sessions and keys left on a disk, and the role's
page counts its sessions down on the sandbox clock.

AWS: CloudTrail User Guide, "CloudTrail userIdentity element"; EC2 User Guide, "IAM roles for Amazon EC2";
IAM User Guide, "Temporary security credentials in IAM", "Security best practices in IAM".
"""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import access_keys, operations
from simulator.sandbox.authorization import Actor, authorize
from simulator.sandbox.models import Sandbox
from tests.console.sessions_display import instance_in, profile_with, session_of
from tests.documents import EC2_TRUST

pytestmark = pytest.mark.browser

READ_REPORTS = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],'
    ' "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}]}'
)


@pytest.fixture
def running_account(sandbox: Sandbox, root: Actor) -> dict:
    """WebServer handed to a running instance through a profile, a live session of it that read a report, and
    alice's long-term key written on a second instance, which listed the bucket with it."""
    account = root.account
    web = operations.create_role(root, "WebServer", EC2_TRUST)
    operations.put_role_policy(root, "WebServer", "ReadReports", READ_REPORTS)
    profile = profile_with(account, "WebProfile", web)
    web_instance = instance_in(account, profile, tags=[{"Key": "Name", "Value": "web-1"}])
    alice = operations.create_user(root, "alice")
    key = access_keys.create_access_key(root, "alice")
    legacy = instance_in(account, stored_key=key.access_key_id, tags=[{"Key": "Name", "Value": "legacy"}])
    session = session_of(web, "deploy", lasts=3600, issued_to=alice.arn)
    authorize(Actor.signed_with(session, "api"), "s3:GetObject", "arn:aws:s3:::reports/q1.csv")
    authorize(Actor.signed_with_key(key, "api"), "s3:ListBucket", "arn:aws:s3:::reports")
    authorize(root, "iam:ListRoles", "*")
    return {"web": web, "instance": web_instance, "legacy": legacy, "session": session, "key": key}


def test_the_log_says_what_each_request_was_signed_with(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, running_account: dict
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/decisions/")
    log = page.get_by_role("region", name="Decisions")
    expect(log.get_by_role("columnheader", name="Sandbox time")).to_be_visible()
    expect(log.get_by_role("columnheader", name="Signed with")).to_be_visible()
    expect(log).to_contain_text(f"Temporary credentials {running_account['session'].access_key_id}")
    expect(log).to_contain_text("role WebServer, session deploy")
    expect(log).to_contain_text(f"Long-term access key {running_account['key'].access_key_id}")
    expect(log.get_by_role("link", name="WebServer")).to_have_attribute(
        "href", f"/console/{sandbox.id}/roles/{running_account['web'].id}/"
    )
    page.screenshot(path="/tmp/sessions-log.png", full_page=True, caret="initial")

    page.get_by_label("Signed with").select_option("temporary")
    page.get_by_role("button", name="Filter").click()
    expect(log.get_by_role("row")).to_have_count(1 + 2)
    assert "credentials=temporary" in page.url
    expect(log).to_contain_text("s3:GetObject")
    page.screenshot(path="/tmp/sessions-log-filtered.png", full_page=True, caret="initial")


def test_the_graph_draws_instances_sessions_and_keys_on_a_disk(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, running_account: dict
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/graph/")
    graph = page.locator("svg.graph")
    instance_id = running_account["instance"].instance_id
    expect(graph.get_by_role("link", name=f"EC2 instance {instance_id}")).to_be_visible()
    expect(graph.get_by_role("link", name="Role session deploy")).to_be_visible()
    expect(graph.locator(".graph-edge-keys")).to_have_count(1)
    expect(graph.locator(".graph-edge-session title")).to_contain_text("is a live session of IAM role WebServer")
    page.screenshot(path="/tmp/sessions-graph.png", full_page=True, caret="initial")
    page.get_by_text("The same relationships as a table").click()
    table = page.get_by_role("table", name=re.compile("Relationships in account"))
    expect(table).to_contain_text("holds long-term keys of")
    expect(table.get_by_role("link", name="anti-pattern: why")).to_be_visible()
    expiry = re.compile(r"is a live session of \(until \d\d:\d\d:\d\d sandbox time, in (1 h|59 min)\)")
    expect(table).to_contain_text(expiry)
    table.screenshot(path="/tmp/sessions-graph-table.png", caret="initial")

    page.get_by_label("Focus on").select_option(label=instance_id)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Showing what connects to EC2 instance")).to_be_visible()
    expect(graph.get_by_role("link", name="IAM role WebServer")).to_be_visible()
    expect(graph.get_by_role("link", name="IAM user alice")).to_have_count(0)


def test_the_role_page_counts_its_sessions_down_and_lists_its_instances(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, running_account: dict
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/roles/{running_account['web'].id}/")
    sessions = page.get_by_role("region", name="Live sessions")
    expect(sessions).to_contain_text("assumed-role/WebServer/deploy")
    # static/js/clock.js takes over the server's words and counts down to the second.
    expect(sessions.locator("[data-sandbox-expires]")).to_have_text(re.compile(r"expires in (59 min \d+ s|1 h)"))
    instances = page.get_by_role("region", name="Instances using this role")
    expect(instances.get_by_role("link", name=running_account["instance"].instance_id)).to_be_visible()
    expect(instances).to_contain_text("running")
    page.screenshot(path="/tmp/sessions-role.png", full_page=True, caret="initial")
    sessions.screenshot(path="/tmp/sessions-role-sessions.png", caret="initial")
