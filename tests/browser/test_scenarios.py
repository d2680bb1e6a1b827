"""The cross-account scenario and the root user scenario, in a browser.

IAM User Guide: "Cross-account policy evaluation logic", "Cross account resource access in IAM" (formerly "How
IAM roles differ from resource-based policies"), "AWS account root user".
"""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox.models import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_learner_sees_both_sides_must_allow_then_reads_through_the_role(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    expect(page.get_by_role("complementary", name="Acting as the root user")).to_contain_text(
        "You are acting as the root user"
    )
    page.get_by_role("link", name="Scenarios", exact=True).click()
    expect(page.get_by_role("heading", name="Scenarios", exact=True)).to_be_visible()
    page.screenshot(path="/tmp/scenarios.png", full_page=True, caret="initial")
    page.get_by_role("link", name="Cross-account access: TO the resource, or FROM a role").click()
    progress = page.get_by_role("list", name="Progress")
    expect(progress.locator("[aria-current=step]")).to_contain_text("Set up")

    page.get_by_role("button", name="Set up the scenario").click()
    expect(progress.locator("[aria-current=step]")).to_contain_text("Decide TO")
    to_column = page.get_by_role("region", name="2. Access TO the resource")
    to_column.get_by_label("The bucket policy allows account B").uncheck()
    to_column.get_by_role("button", name="Save and decide: partner reads the object").click()
    expect(to_column.get_by_role("status")).to_contain_text("AccessDenied")
    expect(to_column.get_by_role("img", name="How AWS evaluated s3:GetObject: implicitDeny")).to_be_visible()

    from_column = page.get_by_role("region", name="3. Access FROM the role's side")
    from_column.get_by_label("External ID the trust policy requires").fill("reports-2024")
    from_column.get_by_label("External ID partner passes").fill("reports-2024")
    from_column.get_by_role("button", name="Save and decide: partner assumes the role, then reads").click()
    expect(from_column.get_by_role("status")).to_contain_text("Read.")
    expect(from_column.get_by_role("img", name="How AWS evaluated sts:AssumeRole: allowed")).to_be_visible()
    expect(from_column.get_by_role("img", name="How AWS evaluated s3:GetObject: allowed")).to_be_visible()
    expect(progress.locator(".scenario-progress-done")).to_have_count(4)
    expect(page.get_by_role("region", name="4. Compare")).to_contain_text("Given up for the session")
    page.screenshot(path="/tmp/scenario-cross-account.png", full_page=True, caret="initial")


def test_root_is_allowed_where_alice_is_denied_until_a_deny_stops_both(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/scenarios/root-user/")
    page.get_by_role("button", name="Set up the scenario").click()
    page.get_by_role("button", name="Save and decide: alice, then the root user, read the object").click()
    results = page.get_by_role("region", name="The same request, two identities")
    expect(results.get_by_role("img", name="How AWS evaluated s3:GetObject: implicitDeny")).to_be_visible()
    expect(results.get_by_role("img", name="How AWS evaluated s3:GetObject: allowed")).to_be_visible()
    expect(results).to_contain_text(
        "Settled at Identity-based policies: the root user has complete access to its account"
    )
    page.screenshot(path="/tmp/scenario-root-user.png", full_page=True, caret="initial")

    results.get_by_label("The bucket policy denies everyone").check()
    results.get_by_role("button", name="Save and decide: alice, then the root user, read the object").click()
    expect(results.get_by_role("img", name="How AWS evaluated s3:GetObject: explicitDeny")).to_have_count(2)
    expect(results).to_contain_text("the root user is not above it")
