import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor, authorize
from simulator.sandbox.models import Sandbox

pytestmark = pytest.mark.browser

NO_DELETES = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
            {"Sid": "NeverDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
        ],
    }
)


def test_a_learner_filters_the_log_and_opens_an_explanation(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    alice = Actor(root.account, operations.create_user(root, "alice"))
    operations.put_user_policy(root, "alice", "Reports", NO_DELETES)
    for action, resource in [
        ("s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
        ("s3:GetObject", "arn:aws:s3:::payroll/2024.csv"),
        ("s3:DeleteObject", "arn:aws:s3:::reports/q1.csv"),
        ("iam:CreateUser", "*"),
    ]:
        authorize(alice, action, resource)
    for _ in range(50):
        authorize(alice, "s3:ListBucket", "arn:aws:s3:::reports")

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Decision log").click()
    log = page.get_by_role("region", name="Decisions")
    expect(log.get_by_role("row")).to_have_count(1 + 2 * 50)
    log.get_by_role("link", name="Older").click()
    expect(log).to_contain_text("Page 2 of 2")
    expect(log.get_by_role("row")).to_have_count(1 + 2 * 6)
    assert page.url.endswith("?page=2")
    page.screenshot(path="/tmp/decision-log.png", full_page=True, caret="initial")

    page.get_by_label("Result").select_option("explicitDeny")
    page.get_by_role("button", name="Filter").click()
    expect(log.get_by_role("row")).to_have_count(3)
    assert "result=explicitDeny" in page.url
    log.get_by_text("Why?").click()
    expect(log).to_contain_text("with an explicit deny in an identity-based policy: alice/Reports")
    page.screenshot(path="/tmp/decision-log-filtered.png", full_page=True, caret="initial")

    log.get_by_role("link", name="Full explanation").click()
    expect(page.get_by_role("article", name="s3:DeleteObject")).to_contain_text("explicitDeny")
    page.screenshot(path="/tmp/decision-detail.png", full_page=True, caret="initial")
