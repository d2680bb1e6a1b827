"""Assume a role in the browser, act as the session, fast-forward the sandbox clock past its expiry.

STS API Reference, "AssumeRole" (the credentials and their Expiration); IAM User Guide, "Temporary security
credentials in IAM" (they stop working once expired).
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice_and_role(sandbox: Sandbox) -> None:
    """alice, and a role that trusts her by name and may list users."""
    root = Actor(sandbox.accounts.get())
    alice = operations.create_user(root, "alice")
    statement = {"Sid": "TrustAlice", "Effect": "Allow", "Principal": {"AWS": alice.arn}, "Action": "sts:AssumeRole"}
    operations.create_role(root, "Admin", json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    listing = {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
    operations.put_role_policy(root, "Admin", "list", json.dumps({"Version": "2012-10-17", "Statement": [listing]}))


def act_as(page: Page, identity: str) -> None:
    bar = page.get_by_role("region", name="Acting identity")
    if bar.locator("details").get_attribute("open") is None:
        bar.locator("summary").click()
    bar.get_by_label("Act as").select_option(label=identity)
    bar.get_by_role("button", name="Act as this identity").click()


def clock_controls(page: Page):
    widget = page.get_by_role("region", name="Sandbox clock")
    if widget.locator("details").get_attribute("open") is None:
        widget.get_by_text("Change time").click()
    return widget


def test_the_clock_ticks_in_the_browser_and_speeds_up(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    widget = clock_controls(page)
    expect(widget).to_contain_text("on real time")
    widget.get_by_role("button", name="600×").click()
    expect(widget.locator(".clock-speed")).to_have_text("600×")
    # Ten sandbox minutes a real second: the widget counts ahead of real time with no request to the server.
    expect(widget.locator("[data-clock-ahead]")).to_contain_text(re.compile(r"min.*ahead of real time"), timeout=5000)
    widget.get_by_role("button", name="+1 day").click()
    expect(widget.locator("[data-clock-ahead]")).to_contain_text("1 d")
    page.screenshot(path="/tmp/clock-widget.png", full_page=False, caret="initial")


def test_assume_a_role_act_as_the_session_and_watch_it_expire(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, alice_and_role: None
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    act_as(page, "alice")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="STS").click()
    expect(page.get_by_role("heading", name="STS: temporary credentials")).to_be_visible()
    expect(page.get_by_role("region", name="Who you are")).to_contain_text("user/alice")

    page.get_by_label("Role", exact=True).select_option(
        label=f"arn:aws:iam::{sandbox.accounts.get().account_id}:role/Admin"
    )
    page.get_by_label("Session name").fill("browser-session")
    page.get_by_role("button", name="Assume role").click()
    result = page.get_by_role("region", name="Credentials issued")
    expect(result).to_contain_text('"AccessKeyId": "ASIA')
    expect(result).to_contain_text("assumed-role/Admin/browser-session")
    expect(result.get_by_role("region", name="The role's trust policy")).to_contain_text('"TrustAlice"')
    expect(result.get_by_role("region", name="The caller's permissions")).to_be_visible()
    expect(result.locator("[data-sandbox-expires]").first).to_contain_text(re.compile(r"expires in (59 min|1 h)"))
    page.screenshot(path="/tmp/sts-assumed.png", full_page=True, caret="initial")

    result.get_by_role("button", name="Act as this session").click()
    bar = page.get_by_role("region", name="Acting identity")
    expect(bar).to_contain_text("Acting as role session Admin/browser-session")
    expect(bar.locator("[data-sandbox-expires]")).to_contain_text("expires in")
    expect(page.get_by_role("region", name="Live sessions")).to_contain_text("browser-session")

    widget = clock_controls(page)
    widget.get_by_role("button", name="+1 h").click()
    expect(bar.locator("[data-sandbox-expires]")).to_have_text("expired")
    # The clock change tells the page; the sessions list reloads itself.
    expect(page.get_by_role("heading", name="Live sessions")).to_contain_text("0")
    page.screenshot(path="/tmp/sts-expired-countdown.png", full_page=True, caret="initial")

    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Users").click()
    notice = page.get_by_role("status").filter(has_text="you are the root user again")
    expect(notice).to_contain_text("assumed-role/Admin/browser-session")
    expect(bar).to_contain_text("Acting as root user")
    page.screenshot(path="/tmp/sts-fallback.png", full_page=False, caret="initial")
