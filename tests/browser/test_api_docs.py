"""The API docs (Swagger UI) work offline and under the site's CSP, and "Try it out" uses the session,
CSRF token included."""

import pytest
from django.contrib.auth.models import AbstractUser
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer
from rest_framework.authtoken.models import Token

from simulator.sandbox.models import Sandbox

pytestmark = pytest.mark.browser


def test_the_docs_render_offline_and_try_it_out_lists_the_learners_sandboxes(
    live_server: LiveServer, page: Page, learner: AbstractUser, password: str
) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    elsewhere: list[str] = []

    def note_external(request: Request) -> None:
        if not request.url.startswith((live_server.url, "data:")):
            elsewhere.append(request.url)

    page.on("request", note_external)
    sandbox = Sandbox.objects.create_with_account(learner, name="Playground")
    page.goto(live_server.url + "/sign-in/")
    page.get_by_label("Username").fill(learner.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", name="IAM Sandbox API")).to_be_visible()
    expect(page.locator("#operations-tag-users")).to_be_visible()
    page.screenshot(path="/tmp/api-docs.png", caret="initial")
    operation = page.locator("#operations-sandboxes-sandboxes_list")
    operation.get_by_role("button", name="List your sandboxes").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text(f'"SandboxId": {sandbox.id}')
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/api-docs-try-it-out.png", caret="initial")

    # A write from the page: the start-up script sends the session's CSRF token.
    create_token = page.locator("#operations-token-token_create")
    create_token.get_by_role("button", name="Create or rotate your API token").click()
    create_token.get_by_role("button", name="Try it out").click()
    create_token.get_by_role("button", name="Execute").click()
    expect(create_token.locator(".live-responses-table tbody .response-col_status")).to_have_text("201")
    assert Token.objects.filter(user=learner).exists()
    assert errors == []
    assert elsewhere == []
