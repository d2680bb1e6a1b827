import json
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}'
READ_LITE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "iam:Get*", "iam:List*"], "Resource": "*"}],
    },
    indent=4,
)
READ_S3_ONLY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]},
    indent=4,
)


def test_a_learner_writes_a_policy_with_live_findings_and_attaches_it(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    operations.create_user(root, "alice")

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Policies").click()
    expect(page.get_by_role("heading", name="Policies", exact=True)).to_be_visible()

    page.get_by_label("Policy name", exact=True).fill("ReadObjects")
    page.get_by_label("Description").fill("Read any object")
    editor = page.get_by_label("Policy document (JSON)")
    editor.press_sequentially(BROKEN)
    findings = page.locator("#policy-findings")
    expect(findings).to_contain_text("MALFORMED_POLICY_DOCUMENT")
    expect(findings).to_contain_text("line 1, column")
    expect(findings.locator(".finding-badge")).to_have_text(["ERROR"])

    page.get_by_role("button", name="Format").click()
    expect(editor).to_have_value(re.compile(r'^\{\n    "Version": "2012-10-17",\n    "Statement": \[\n'))
    expect(findings).to_contain_text("MALFORMED_POLICY_DOCUMENT")
    page.screenshot(path="/tmp/console-policy-finding.png", full_page=True, caret="initial")

    fixed = editor.input_value().replace('"Alow"', '"Allow"')
    editor.fill(fixed[:-1])
    editor.press("Control+End")
    editor.press_sequentially("}")
    expect(findings).to_contain_text("No findings")
    page.get_by_role("button", name="Create policy").click()
    policies = page.get_by_role("region", name="Managed policies")
    expect(policies.get_by_role("row", name="ReadObjects")).to_contain_text("Customer managed")
    expect(editor).to_have_value("")

    policies.get_by_role("link", name="ReadObjects").click()
    expect(page.get_by_role("heading", name="ReadObjects")).to_be_visible()
    page.get_by_label("User", exact=True).select_option("alice")
    page.get_by_role("button", name="Attach to user").click()
    attached = page.get_by_role("region", name="Attached to")
    expect(attached.get_by_role("listitem")).to_have_text([re.compile(r"User\s+alice\s+Detach")])
    page.screenshot(path="/tmp/console-policy.png", full_page=True, caret="initial")
    attached.get_by_role("button", name="Detach from user alice").click()
    expect(attached).to_contain_text("Not attached in this account")


def test_a_learner_copies_an_aws_managed_policy_and_manages_its_versions(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/console/{sandbox.id}/policies/")
    policies = page.get_by_role("region", name="Managed policies")
    page.get_by_label("AWS managed", exact=True).check()
    expect(page).to_have_url(re.compile(r"type=aws"))
    expect(policies.get_by_role("row", name="ReadOnlyAccess", exact=False).first).to_contain_text("AWS managed")
    page.get_by_label("Policy name contains").fill("readonly")
    expect(policies.locator("tbody tr")).to_have_count(4)
    page.screenshot(path="/tmp/policies-list.png", full_page=True, caret="initial")

    policies.get_by_role("link", name="ReadOnlyAccess", exact=True).click()
    expect(page.get_by_role("heading", name="ReadOnlyAccess", exact=True)).to_be_visible()
    expect(page.get_by_text("AWS managed policies are maintained by AWS; copy it to customise.")).to_be_visible()
    expect(page.get_by_role("button", name="Save as new version")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete policy")).to_have_count(0)
    page.screenshot(path="/tmp/policies-aws.png", caret="initial")

    page.get_by_role("link", name="Copy to a customer managed policy").click()
    expect(page.get_by_label("Policy name", exact=True)).to_have_value("ReadOnlyAccess-copy")
    editor = page.get_by_label("Policy document (JSON)")
    expect(editor).to_have_value(re.compile(r'"s3:Get\*"'))
    findings = page.locator("#policy-findings")
    expect(findings).to_contain_text("holds at most 6144")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("alert")).to_contain_text("LimitExceeded")

    page.get_by_label("Policy name", exact=True).fill("ReadOnlyLite")
    editor.fill(READ_LITE)
    editor.press("End")
    expect(findings).to_contain_text("No findings")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    policies.get_by_role("link", name="ReadOnlyLite").click()
    expect(page.get_by_role("heading", name="ReadOnlyLite")).to_be_visible()

    editor.fill(READ_S3_ONLY)
    editor.press("End")
    page.get_by_label("Set the new version as the default").uncheck()
    page.get_by_role("button", name="Save as new version").click()
    versions = page.get_by_role("region", name="Versions")
    expect(versions.get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("definition").filter(has_text=re.compile(r"^v1$"))).to_be_visible()
    page.screenshot(path="/tmp/policies-versions.png", full_page=True, caret="initial")

    versions.get_by_role("button", name="Set v2 as default").click()
    expect(page.get_by_role("definition").filter(has_text=re.compile(r"^v2$"))).to_be_visible()
    expect(page.get_by_role("region", name="Policy document")).to_contain_text('"s3:List*"')
    expect(page.get_by_role("region", name="Policy document")).not_to_contain_text("iam:Get*")

    versions.get_by_role("button", name="Delete v1").click()
    expect(versions.get_by_role("row")).to_have_count(2)
    expect(versions).to_contain_text("Default")
    page.screenshot(path="/tmp/policies.png", full_page=True, caret="initial")
