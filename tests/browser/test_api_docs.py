"""The API docs (Swagger UI) work offline and under the site's CSP, and "Try it out" uses the session,
CSRF token included."""

import pytest
from django.contrib.auth.models import AbstractUser
from playwright.sync_api import Locator, Page, Request, expect
from pytest_django.live_server_helper import LiveServer
from rest_framework.authtoken.models import Token

from simulator.sandbox.models import Sandbox

from .conftest import sign_in

pytestmark = pytest.mark.browser


def scrolled_to(page: Page, selector: str) -> Locator:
    """The element, once Swagger UI has drawn it: with a spec this large it draws only the operations near
    the view (scrolled away, they go again), so scroll down from the top until it is there."""
    found = page.locator(selector)
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(200):
        if found.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    found.scroll_into_view_if_needed()
    return found


def try_it_out(operation: Locator, summary: str, status: str) -> None:
    """Open the operation titled ``summary``, send it as it stands and wait for the answer's ``status``."""
    operation.get_by_role("button", name=summary).click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text(status)


@pytest.mark.usefixtures("console_errors")
def test_the_docs_render_offline_and_try_it_out_lists_the_learners_sandboxes(
    live_server: LiveServer, page: Page, learner: AbstractUser, password: str, sandbox: Sandbox
) -> None:
    elsewhere: list[str] = []

    def note_external(request: Request) -> None:
        if not request.url.startswith((live_server.url, "data:")):
            elsewhere.append(request.url)

    # Listening from the sign-in page on: it too must load nothing from elsewhere.
    page.on("request", note_external)
    sign_in(page, live_server, learner.get_username(), password)
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", name="IAM Sandbox API")).to_be_visible()
    expect(scrolled_to(page, "#operations-tag-users")).to_be_visible()
    page.screenshot(path="/tmp/api-docs.png", caret="initial")
    operation = scrolled_to(page, "#operations-sandboxes-sandboxes_list")
    try_it_out(operation, "List your sandboxes", "200")
    expect(operation.locator(".live-responses-table")).to_contain_text(f'"SandboxId": {sandbox.id}')
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/api-docs-try-it-out.png", caret="initial")

    # A write from the page: the start-up script sends the session's CSRF token.
    try_it_out(scrolled_to(page, "#operations-token-token_create"), "Create or rotate your API token", "201")
    assert Token.objects.filter(user=learner).exists()
    assert elsewhere == []
