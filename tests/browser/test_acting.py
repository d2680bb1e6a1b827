"""Acting as an IAM user: denied with the explanation in place, then allowed once root attaches a policy.

IAM User Guide: "AWS account root user" (root for account tasks only), "Policy evaluation logic", and
"Troubleshoot access denied error messages".
"""

import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import IamUser, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def allowing(action: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def act_as(page: Page, identity: str) -> None:
    """Switch identity with the picker in the sandbox's navigation bar."""
    bar = page.get_by_role("region", name="Acting identity")
    if bar.locator("details").get_attribute("open") is None:
        bar.locator("summary").click()
    bar.get_by_label("Act as").select_option(label=identity)
    bar.get_by_role("button", name="Act as this identity").click()


def create_policy_and_attach_to(page: Page, live_server: LiveServer, sandbox: Sandbox, name: str, action: str) -> None:
    page.goto(f"{live_server.url}/console/{sandbox.id}/policies/")
    page.get_by_label("Policy name", exact=True).fill(name)
    page.get_by_label("Policy document (JSON)").fill(allowing(action))
    page.get_by_role("button", name="Create policy").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_label("User", exact=True).select_option("dev")
    page.get_by_role("button", name="Attach to user").click()
    expect(page.get_by_role("region", name="Attached to")).to_contain_text("dev")


def create_user(page: Page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_role("button", name="Create user").click()


def test_a_user_is_denied_in_place_then_allowed_once_root_attaches_a_policy(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    bar = page.get_by_role("region", name="Acting identity")
    expect(bar).to_contain_text("Acting as root user")
    expect(page.get_by_role("complementary", name="Acting as the root user")).to_contain_text(
        "use it only for the tasks that need it"
    )
    create_user(page, "dev")
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="dev")).to_be_visible()
    create_policy_and_attach_to(page, live_server, sandbox, "ListUsersOnly", "iam:ListUsers")

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    bar.locator("summary").click()
    expect(bar.get_by_text("A shortcut of the simulation")).to_be_visible()
    page.screenshot(path="/tmp/act-as-picker.png", full_page=True, caret="initial")
    act_as(page, "dev")
    expect(bar).to_contain_text("Acting as IAM user dev")
    expect(bar).not_to_contain_text("Root has complete access")

    create_user(page, "intern")
    expect(page.get_by_role("alert")).to_contain_text("AccessDenied")
    expect(page.get_by_role("alert")).to_contain_text("user/dev is not authorized to perform: iam:CreateUser")
    why = page.locator("#create-user-error-why")
    expect(why.get_by_role("img", name="How AWS evaluated iam:CreateUser: implicitDeny")).to_be_visible()
    expect(why).to_contain_text("Closest to allowing")
    expect(why).to_contain_text("ListUsersOnly")
    page.screenshot(path="/tmp/act-as-denied.png", full_page=True, caret="initial")
    why.screenshot(path="/tmp/act-as-denied-why.png", caret="initial")
    why.get_by_role("link", name="See this decision in the decision log").click()
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    expect(page.get_by_role("article", name="iam:CreateUser")).to_contain_text("implicitDeny")
    assert not IamUser.objects.filter(name="intern").exists()

    act_as(page, "Root user")
    expect(bar).to_contain_text("Acting as root user")
    create_policy_and_attach_to(page, live_server, sandbox, "CreateUsers", "iam:CreateUser")

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    act_as(page, "dev")
    expect(bar).to_contain_text("Acting as IAM user dev")
    create_user(page, "intern")
    expect(page.get_by_role("region", name="Users").get_by_role("cell", name="intern")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path="/tmp/act-as-allowed.png", full_page=True, caret="initial")

    bar.get_by_role("link", name="Effective permissions").click()
    expect(page.get_by_role("heading", name="Effective permissions of IAM user dev")).to_be_visible()
    expect(page.get_by_role("row", name="AWS Identity and Access Management")).to_contain_text("iam:CreateUser")
    page.screenshot(path="/tmp/act-as-effective-permissions.png", full_page=True, caret="initial")


def test_a_context_key_the_policy_uses_gets_its_value_in_the_access_tester(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    """IAM API Reference, "GetContextKeysForPrincipalPolicy": the keys to give values to before simulating."""
    page = signed_in_page
    operations.create_user(root, "alice")
    own_folder = {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::reports",
        "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
    }
    operations.put_user_policy(
        root, "alice", "OwnFolder", json.dumps({"Version": "2012-10-17", "Statement": [own_folder]})
    )
    page.goto(f"{live_server.url}/console/{sandbox.id}/access/")
    page.get_by_label("Principal").select_option(label="alice")
    page.get_by_label("Actions").fill("s3:ListBucket")
    page.get_by_label("Resource ARN").fill("arn:aws:s3:::reports")
    page.get_by_role("button", name="Test access").click()
    keys = page.get_by_role("region", name="Context keys the policies use")
    expect(keys.get_by_role("row", name="s3:prefix")).to_contain_text("missing")
    expect(keys.get_by_role("row", name="aws:username")).to_contain_text("filled in by the sandbox")
    expect(page.get_by_role("article", name="s3:ListBucket")).to_contain_text("implicitDeny")

    keys.get_by_label("s3:prefix").fill("home/alice/notes")
    page.get_by_role("button", name="Test access").click()
    expect(page.get_by_role("article", name="s3:ListBucket")).to_contain_text("allowed")
    expect(keys.get_by_label("s3:prefix")).to_have_value("home/alice/notes")
    assert "key%3As3%3Aprefix=home%2Falice%2Fnotes" in page.url
    page.screenshot(path="/tmp/act-as-tester-context-keys.png", full_page=True, caret="initial")


def test_on_a_phone_a_bad_role_session_name_is_explained_on_the_act_as_page(
    live_server: LiveServer, signed_in_page: Page, console_errors: list[str], sandbox: Sandbox, root: Actor
) -> None:
    """STS API Reference, "AssumeRole": RoleSessionName is 2 to 64 characters of [\\w+=,.@-]."""
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    trust = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    operations.create_role(root, "Admin", json.dumps({"Version": "2012-10-17", "Statement": [trust]}))
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    bar = page.get_by_role("region", name="Acting identity")
    bar.locator("summary").click()
    bar.get_by_label("Act as").select_option(label="Admin")
    bar.get_by_label("Name of the role session").fill("my session")
    page.screenshot(path="/tmp/act-as-phone-picker.png", full_page=True, caret="initial")
    bar.get_by_role("button", name="Act as this identity").click()
    expect(page.get_by_role("heading", name="Act as an identity")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "failed to satisfy constraint: Member must satisfy regular expression"
    )
    page.screenshot(path="/tmp/act-as-phone-error.png", full_page=True, caret="initial")

    form = page.get_by_role("region", name="Identity", exact=True)
    form.get_by_label("Name of the role session").fill("my-session")
    form.get_by_role("button", name="Act as this identity").click()
    expect(page.get_by_role("heading", name="IAM users")).to_be_visible()
    expect(bar).to_contain_text("Acting as role session Admin/my-session")
    # The refused choice answers with AWS's status for a ValidationError, which Chromium reports as a failed load.
    assert console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    console_errors.clear()
