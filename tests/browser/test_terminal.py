"""The instance terminal in a browser: a denied command, the role's policy fixed meanwhile, the same command
recalled with the up arrow and allowed; then the role-or-keys comparison."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import access_keys, buckets, clock, ec2, operations, role_operations
from simulator.sandbox.models import Sandbox
from tests.documents import EC2_TRUST, READ_REPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_denied_command_runs_again_after_the_policy_is_fixed(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root
) -> None:
    page = signed_in_page
    operations.create_role(root, "web", EC2_TRUST)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "web")
    buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q3.csv", "region,total\neu,42")
    instance = ec2.run_instances(root, instance_profile_name="web")[0]
    clock.advance(sandbox, 10)

    page.goto(f"{live_server.url}/console/{sandbox.id}/instances/{instance.instance_id}/terminal/")
    command = page.get_by_label(f"Command to run on {instance.instance_id}")
    output = page.get_by_role("log", name="Terminal output")
    command.fill("aws s3 cp s3://reports/q3.csv -")
    command.press("Enter")
    expect(output).to_contain_text("An error occurred (AccessDenied) when calling the GetObject operation")
    expect(output.locator(".denial")).to_contain_text("Why it was denied")
    expect(command).to_have_value("")
    output.screenshot(path="/tmp/terminal-denied.png", caret="initial")

    operations.put_role_policy(root, "web", "read-reports", READ_REPORTS)
    command.press("ArrowUp")
    expect(command).to_have_value("aws s3 cp s3://reports/q3.csv -")
    command.press("Enter")
    expect(output.locator(".terminal-entry").last).to_contain_text("eu,42")
    expect(
        output.locator(".terminal-entry").last.locator(".call-decision:not(.call-decision-ec2) .badge")
    ).to_have_text("Allowed")
    command.fill("aws configure list")
    command.press("Enter")
    expect(output.locator(".terminal-entry").last).to_contain_text("iam-role")
    page.screenshot(path="/tmp/terminal.png", full_page=True, caret="initial")

    page.get_by_role("link", name="Role or stored keys? Compare them side by side").click()
    operations.create_user(root, "alice")
    key = access_keys.create_access_key(root, "alice")
    with_keys = ec2.run_instances(root)[0]
    clock.advance(sandbox, 10)
    ec2.store_access_key(root, with_keys.instance_id, key.access_key_id, key.secret)
    page.reload()
    page.get_by_role("button", name="Run aws sts get-caller-identity on both").click()
    expect(page.locator("#comparison")).to_contain_text(":user/alice")
    expect(page.locator("#comparison")).to_contain_text(f"assumed-role/web/{instance.instance_id}")
    page.screenshot(path="/tmp/terminal-antipattern.png", full_page=True, caret="initial")
