"""The journey issue 3 names, end to end in a real browser: sign up, create a user and a group, attach a policy,
act as the user, get denied and read why, fix the policy, get allowed.

IAM User Guide: "IAM user groups" (members inherit the group's policies), "Policy evaluation logic" (no
identity-based policy allows → implicit deny), "Versioning IAM policies" (the default version is the one
evaluated).
"""

import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-journey-of-many-steps"


def allowing(*actions: str) -> str:
    statement = {"Sid": "TeamIam", "Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def act_as(page: Page, choice: str, now: str) -> None:
    """Pick ``choice`` in the navigation bar's identity picker; the bar then says "Acting as ``now``"."""
    bar = page.get_by_role("region", name="Acting identity")
    if bar.locator("details").get_attribute("open") is None:
        bar.locator("summary").click()
    bar.get_by_label("Act as").select_option(label=choice)
    bar.get_by_role("button", name="Act as this identity").click()
    expect(page.get_by_role("region", name="Acting identity")).to_contain_text(f"Acting as {now}")


def test_a_new_learner_is_denied_reads_why_fixes_the_policy_and_is_allowed(
    live_server: LiveServer, page: Page, console_errors: list[str]
) -> None:
    page.goto(live_server.url + "/sign-up/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Console").click()
    page.get_by_role("button", name="Create my sandbox account").click()

    # As root: a user, a group with the user in it, a policy attached to the group.
    page.get_by_label("User name").fill("dev")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="dev")).to_be_visible()
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="User groups").click()
    page.get_by_label("Group name").fill("developers")
    page.get_by_role("button", name="Create group").click()
    page.get_by_label("User", exact=True).select_option("dev")
    page.get_by_label("Group", exact=True).select_option("developers")
    page.get_by_role("button", name="Add user to group").click()
    expect(page.get_by_role("cell", name="developers")).to_be_visible()

    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Policies").click()
    page.get_by_label("Policy name", exact=True).fill("TeamIam")
    page.get_by_label("Policy document (JSON)").fill(allowing("iam:ListUsers"))
    page.get_by_role("button", name="Create policy").click()
    page.get_by_role("link", name="TeamIam", exact=True).click()
    page.get_by_label("Group", exact=True).select_option("developers")
    page.get_by_role("button", name="Attach to group").click()
    expect(page.get_by_role("region", name="Attached to")).to_contain_text("developers")

    # As dev: creating a user is denied, and the page says why, with the path through AWS's logic.
    act_as(page, "dev", "IAM user dev")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Users").click()
    page.get_by_label("User name").fill("intern")
    page.get_by_role("button", name="Create user").click()
    denial = page.get_by_role("alert")
    expect(denial).to_contain_text("AccessDenied")
    expect(denial).to_contain_text("is not authorized to perform: iam:CreateUser")
    expect(denial).to_contain_text("no identity-based policy allows the iam:CreateUser action")
    why = page.locator(".denial")
    expect(why.get_by_role("img", name="How AWS evaluated iam:CreateUser")).to_be_visible()
    expect(why).to_contain_text("Closest to allowing")
    expect(why).to_contain_text('statement 1 "TeamIam"')
    expect(why).to_contain_text("iam:CreateUser is not in Action (iam:ListUsers)")
    page.screenshot(path="/tmp/journey-denied.png", full_page=True, caret="initial")
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="intern")).to_have_count(0)

    # As root again: fix the policy with a new default version.
    act_as(page, "Root user", "root user")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Policies").click()
    page.get_by_role("link", name="TeamIam", exact=True).click()
    editor = page.get_by_role("region", name="Edit policy")
    editor.get_by_label("Policy document (JSON)").fill(allowing("iam:ListUsers", "iam:CreateUser"))
    editor.get_by_label("Set the new version as the default").check()
    editor.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("region", name="Versions")).to_contain_text("v2")

    # As dev: now allowed.
    act_as(page, "dev", "IAM user dev")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Users").click()
    page.get_by_label("User name").fill("intern")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="intern")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Decision log").click()
    # Each decision's first row holds its action and result; the second folds its explanation away.
    create_user_rows = (
        page.get_by_role("region", name="Decisions").locator("tbody tr:first-child").filter(has_text="iam:CreateUser")
    )
    results = [row.locator(".badge").inner_text() for row in create_user_rows.all()]
    assert results == ["allowed", "implicitDeny", "allowed"]  # newest first: intern, intern denied, dev
    page.screenshot(path="/tmp/journey-log.png", full_page=True, caret="initial")
