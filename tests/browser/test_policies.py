import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}'


def test_a_learner_writes_a_policy_with_live_findings_and_attaches_it(
    live_server: LiveServer, page: Page, learner, password
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sandbox = Sandbox.objects.create_with_account(learner)
    operations.create_user(Actor(sandbox.accounts.get()), "alice")

    page.goto(live_server.url + "/sign-in/")
    page.get_by_label("Username").fill("learner")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Policies").click()
    expect(page.get_by_role("heading", name="Policies", exact=True)).to_be_visible()

    page.get_by_label("Policy name").fill("ReadObjects")
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
    policies = page.get_by_role("region", name="Customer managed policies")
    expect(policies.get_by_role("row", name="ReadObjects")).to_contain_text("v1")
    expect(editor).to_have_value("")
    page.screenshot(path="/tmp/console-policies.png", full_page=True, caret="initial")

    policies.get_by_role("link", name="ReadObjects").click()
    expect(page.get_by_role("heading", name="ReadObjects")).to_be_visible()
    page.get_by_label("User", exact=True).select_option("alice")
    page.get_by_role("button", name="Attach to user").click()
    attached = page.get_by_role("region", name="Attached to")
    expect(attached.get_by_role("listitem")).to_have_text(["User alice"])
    page.screenshot(path="/tmp/console-policy.png", full_page=True, caret="initial")
    assert errors == []
