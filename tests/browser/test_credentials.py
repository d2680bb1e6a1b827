"""A learner updates an access key without downtime through the guided flow ("Update access keys"),
and sees the Account tab's root-user checklist."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import access_keys, operations, password_policy
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import AccessKey, IamUser, Sandbox

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
    # The page holds other live regions too (the MFA panel's simulated authenticator): name the one meant.
    expect(page.get_by_role("status", name="Access key created")).to_contain_text(
        "only time the secret access key can be viewed"
    )
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
    expect(page.get_by_role("status").filter(has_text="Update complete.")).to_be_visible()
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


def test_acting_as_the_user_they_change_their_expired_password(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    """MaxPasswordAge and ChangePassword with AllowUsersToChangePassword ("Set an account password policy")."""
    page = signed_in_page
    alice = operations.create_user(root, "alice")
    password_policy.create_login_profile(root, "alice", "First-Pass-1")
    password_policy.update_account_password_policy(root, AllowUsersToChangePassword=True, MaxPasswordAge=30)
    forty_days_ago = password_policy.now(alice.account) - timedelta(days=40)
    IamUser.objects.filter(pk=alice.pk).update(password_changed_at=forty_days_ago)
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/{alice.id}/credentials/")
    expect(page.locator("#password-expired")).to_contain_text("must set a new one at next sign-in")
    bar = page.get_by_role("region", name="Acting identity")
    bar.locator("summary").click()
    bar.get_by_label("Act as").select_option(label="alice")
    bar.get_by_role("button", name="Act as this identity").click()
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/{alice.id}/credentials/")
    own = page.get_by_role("region", name="Change your password")

    own.get_by_label("Old password").fill("First-Pass-1")
    own.get_by_label("New password", exact=True).fill("Second-Pass-2")
    own.get_by_label("Confirm new password").fill("Other-Pass-3")
    own.get_by_role("button", name="Change your password").click()
    expect(page.locator("#change-error")).to_contain_text("do not match")
    page.screenshot(path="/tmp/credentials-change-error.png", full_page=True, caret="initial")

    own.get_by_label("Old password").fill("First-Pass-1")
    own.get_by_label("New password", exact=True).fill("Second-Pass-2")
    own.get_by_label("Confirm new password").fill("Second-Pass-2")
    own.get_by_role("button", name="Change your password").click()
    expect(page.get_by_role("status").filter(has_text="Your password was changed.")).to_be_visible()
    expect(page.locator("#password-expired")).to_have_count(0)
    page.screenshot(path="/tmp/credentials-change.png", full_page=True, caret="initial")
