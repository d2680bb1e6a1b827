"""What the browser tests share: a check that the page logged no console error, and the learner signed in
through the sign-in form (their sandbox and its root user are tests/conftest.py's)."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AbstractUser
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Every console error and uncaught exception of the page, in order; any left at the end fails the test.

    Under the site's CSP an error is usually something blocked. A test that provokes one on purpose asserts it
    and then removes it from the list.
    """
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    if errors:
        pytest.fail(f"the page logged console errors: {errors}", pytrace=False)


def sign_in(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    """Through the sign-in form, as a person would; back once the site greets them."""
    page.goto(live_server.url + "/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(f"Signed in as {username}")


@pytest.fixture
def signed_in_page(
    page: Page, live_server: LiveServer, learner: AbstractUser, password: str, console_errors: list[str]
) -> Page:
    """The page, with the learner signed in; a console error fails the test (see console_errors)."""
    sign_in(page, live_server, learner.get_username(), password)
    return page
