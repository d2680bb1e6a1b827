import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("console_errors")
def test_start_page_renders_without_console_errors(live_server: LiveServer, page: Page) -> None:
    """A console error here is usually the Content Security Policy blocking something."""
    page.goto(live_server.url + "/")

    expect(page).to_have_title("IAM Sandbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("IAM Sandbox")
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("heading", name="What's coming")).to_be_visible()
    # htmx loaded from our own origin and picked up its configuration.
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    page.screenshot(path="/tmp/start.png", full_page=True, caret="initial")


def test_skip_link_is_the_first_stop_for_keyboard_users(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    skip_link.press("Enter")
    expect(page.locator("main")).to_be_focused()
