import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

pytestmark = pytest.mark.browser

LIST_BUCKETS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "ListBuckets", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"}],
    },
    indent=2,
)


def test_a_user_is_denied_then_allowed_once_a_policy_is_attached(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    operations.create_user(root, "alice")

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Access tester").click()
    expect(page.get_by_role("heading", name="Access tester")).to_be_visible()

    page.get_by_label("Principal").select_option(label="alice")
    page.get_by_label("Actions").fill("s3:ListAllMyBuckets")
    page.get_by_role("button", name="Test access").click()
    result = page.get_by_role("article", name="s3:ListAllMyBuckets")
    expect(result).to_contain_text("implicitDeny")
    expect(result).to_contain_text("because no identity-based policy allows the s3:ListAllMyBuckets action")
    expect(result.get_by_role("img", name="How AWS evaluated s3:ListAllMyBuckets: implicitDeny")).to_be_visible()
    assert "actions=s3%3AListAllMyBuckets" in page.url
    page.screenshot(path="/tmp/access-tester-denied.png", full_page=True, caret="initial")

    policy = operations.create_policy(root, "ListBuckets", LIST_BUCKETS)
    operations.attach_user_policy(root, "alice", policy.arn)
    page.get_by_role("button", name="Test access").click()
    expect(result).to_contain_text("allowed")
    expect(result).to_contain_text('because an identity-based policy allows it (statement 1 "ListBuckets"')
    expect(result.locator("mark.mark-deciding")).to_contain_text('"Sid": "ListBuckets"')
    page.screenshot(path="/tmp/access-tester-allowed.png", full_page=True, caret="initial")

    page.reload()
    expect(page.get_by_role("article", name="s3:ListAllMyBuckets")).to_contain_text("allowed")
