import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "an-unguessable-pass"


@pytest.mark.usefixtures("console_errors")
def test_someone_signs_up_signs_out_and_signs_in_again(live_server: LiveServer, page: Page, settings) -> None:
    settings.DEMO_MODE = True
    account = page.get_by_role("navigation", name="Account")

    page.goto(live_server.url + "/")
    account.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(account).to_contain_text("Signed in as carla")

    account.get_by_role("button", name="Sign out").click()
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()

    account.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill("a wrong guess")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_role("complementary", name="Demo accounts")).to_contain_text("demo-password-1")
    page.screenshot(path="/tmp/sign-in.png", full_page=True, caret="initial")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(account).to_contain_text("Signed in as carla")
    page.screenshot(path="/tmp/signed-in.png", caret="initial")


def test_sign_up_page_shows_errors_beside_the_fields(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url + "/sign-up/")
    page.get_by_label("Username").fill("dan")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Password again").fill("password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_label("Password again")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    page.screenshot(path="/tmp/sign-up.png", full_page=True, caret="initial")
