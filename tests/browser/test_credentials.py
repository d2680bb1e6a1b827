"""A learner updates an access key without downtime through the guided flow ("Update access keys"),
and sees the Account tab's root-user checklist."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import access_keys, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import AccessKey, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_updates_an_access_key_step_by_step(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    alice = operations.create_user(root, "alice")
    old = access_keys.create_access_key(root, "alice")
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/{alice.id}/credentials/")
    steps = page.locator(".rotation-steps > li")
    current = page.locator('.rotation-steps > li[aria-current="step"]')
    expect(current).to_contain_text("Create a second access key")

    page.get_by_role("button", name="Create second access key").click()
    expect(page.get_by_role("status")).to_contain_text("only time the secret access key can be viewed")
    new = AccessKey.objects.exclude(pk=old.pk).get()
    expect(page.locator("#new-secret")).to_have_text(new.secret)
    expect(current).to_contain_text("Switch your applications to the new key")
    expect(page.get_by_role("button", name="Deactivate old key")).to_be_disabled()

    page.get_by_role("button", name="Simulate a call with the new key").click()
    expect(current).to_contain_text("Deactivate the old key")
    expect(page.locator("#new-secret")).to_have_count(0)
    page.get_by_role("button", name="Deactivate old key").click()
    expect(current).to_contain_text("Delete the old key")
    expect(steps.nth(0)).to_have_class("rotation-step rotation-step-done")
    expect(page.get_by_label("Step 4 of 4")).to_have_attribute("value", "3")
    page.screenshot(path="/tmp/credentials.png", full_page=True, caret="initial")

    page.get_by_role("button", name="Delete old key").click()
    expect(page.get_by_role("status")).to_contain_text("Update complete.")
    assert list(AccessKey.objects.values_list("access_key_id", flat=True)) == [new.access_key_id]

    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    page.get_by_label("MFA code 1").fill("123456")
    page.get_by_label("MFA code 2").fill("654321")
    page.get_by_role("button", name="Assign MFA device").click()
    expect(page.get_by_role("heading", name="Lock away your root user")).to_contain_text("3 of 3 done")
    page.get_by_role("button", name="Create root access key (not recommended)").click()
    expect(page.get_by_role("heading", name="Lock away your root user")).to_contain_text("2 of 3 done")
    page.screenshot(path="/tmp/credentials-account.png", full_page=True, caret="initial")
