"""Issue 4's journey in one browser session: launch an instance, give it a role while it runs, read its
credentials through the metadata service, run a command that is denied, fix the role's policy in another tab,
run it again and succeed, then fast-forward the sandbox clock and watch the credentials rotate.

EC2 User Guide, "Use IMDSv2" and "Retrieve security credentials from instance metadata" ("We make new
credentials available at least five minutes before the expiration of the old credentials"); IAM User Guide,
"Use an IAM role to grant permissions to applications running on Amazon EC2 instances".
"""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import buckets, operations, role_operations
from simulator.sandbox.models import DecisionRecord, Instance, Sandbox
from tests.documents import EC2_TRUST, READ_REPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = (
    'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")'
)
CREDENTIALS = (
    'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" '
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/WebServer"
)
READ = "aws s3 cp s3://reports/q3.csv -"


def run(page: Page, instance_id: str, line: str):
    """Type ``line`` into the terminal and wait for its entry; the entry's locator."""
    command = page.get_by_label(f"Command to run on {instance_id}")
    entries = page.get_by_role("log", name="Terminal output").locator(".terminal-entry")
    before = entries.count()
    command.fill(line)
    command.press("Enter")
    expect(entries).to_have_count(before + 1)
    return entries.last


def access_key_id(entry) -> str:
    return re.search(r'"AccessKeyId" : "(ASIA[A-Z0-9]{16})"', entry.inner_text())[1]


def jump_forward(page: Page, label: str) -> None:
    clock = page.get_by_role("region", name="Sandbox clock")
    clock.get_by_text("Change time").click()
    clock.get_by_role("button", name=label).click()
    expect(page.get_by_role("region", name="Sandbox clock").locator(".clock-ahead")).not_to_have_text("")


def test_an_instance_gets_a_role_while_it_runs_and_its_credentials_rotate(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root, console_errors
) -> None:
    page = signed_in_page
    role = operations.create_role(root, "WebServer", EC2_TRUST)
    role_operations.create_instance_profile(root, "WebServer")
    role_operations.add_role_to_instance_profile(root, "WebServer", "WebServer")
    buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q3.csv", "region,total\neu,42")

    # Launch with no role at all, and let it come up.
    page.goto(f"{live_server.url}/console/{sandbox.id}/instances/")
    page.get_by_label("Name (the Name tag, optional)").fill("web-1")
    page.get_by_role("button", name="Launch instance").click()
    expect(page.get_by_role("region", name="Instances").get_by_text("pending")).to_be_visible()
    instance = Instance.objects.get()
    page.get_by_role("region", name="Instances").get_by_role("link", name=f"web-1 {instance.instance_id}").click()
    jump_forward(page, "+5 min")
    page.reload()
    expect(page.get_by_role("region", name="State").locator(".instance-state")).to_have_text("running")

    # The role arrives on the running instance: no stop, no restart.
    page.get_by_label("Instance profile").select_option("WebServer")
    page.get_by_role("button", name="Associate").click()
    role_link = page.get_by_role("region", name="IAM role").locator(f'a[href="/console/{sandbox.id}/roles/{role.pk}/"]')
    expect(role_link).to_have_text("WebServer")
    expect(page.get_by_role("region", name="State").locator(".instance-state")).to_have_text("running")

    page.goto(f"{live_server.url}/console/{sandbox.id}/instances/{instance.instance_id}/terminal/")
    run(page, instance.instance_id, TOKEN)
    first = run(page, instance.instance_id, CREDENTIALS)
    expect(first).to_contain_text('"Code" : "Success"')
    first_key = access_key_id(first)

    denied = run(page, instance.instance_id, READ)
    expect(denied).to_contain_text("An error occurred (AccessDenied) when calling the GetObject operation")
    expect(denied.locator(".denial")).to_contain_text("Why it was denied")

    # Fix the role's policy in another tab; the instance's next call is decided by it.
    role_tab = page.context.new_page()
    role_tab.goto(f"{live_server.url}/console/{sandbox.id}/roles/{role.pk}/")
    role_tab.get_by_label("Policy name").fill("read-reports")
    role_tab.get_by_label("Policy document (JSON)").fill(READ_REPORTS)
    role_tab.get_by_role("button", name="Save inline policy").click()
    expect(role_tab.get_by_role("link", name="Edit read-reports")).to_be_visible()
    role_tab.close()

    allowed = run(page, instance.instance_id, READ)
    expect(allowed).to_contain_text("eu,42")
    expect(allowed.locator(".call-decision:not(.call-decision-ec2) .badge")).to_have_text("Allowed")
    same = run(page, instance.instance_id, CREDENTIALS)
    assert access_key_id(same) == first_key, "within the hour the instance keeps its credentials"

    # An hour later new credentials are there, long before the first ones expire.
    jump_forward(page, "+1 h")
    rotated_key = access_key_id(run(page, instance.instance_id, CREDENTIALS))
    assert rotated_key != first_key
    page.screenshot(path="/tmp/journey-roles-at-work.png", full_page=True, caret="initial")
    page.goto(f"{live_server.url}/console/{sandbox.id}/instances/{instance.instance_id}/")
    handed_out = page.get_by_role("region", name="Role credentials")
    expect(handed_out.get_by_role("listitem")).to_have_count(2)
    expect(handed_out.get_by_role("listitem").first).to_contain_text(rotated_key)
    handed_out.screenshot(path="/tmp/journey-role-credentials.png", caret="initial")

    session = f"assumed-role/WebServer/{instance.instance_id}"
    calls = DecisionRecord.objects.filter(source="instance", principal_arn__endswith=session)
    assert list(calls.values_list("result", "credentials").order_by("id")) == [
        ("implicitDeny", "temporary"),
        ("allowed", "temporary"),
    ]
    assert DecisionRecord.objects.filter(source="imds", action="sts:AssumeRole", result="allowed").exists()
