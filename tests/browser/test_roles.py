"""A learner creates a role for EC2 from a template, sees its trust policy checked as typed, and gives it a policy.

Rules: IAM User Guide, "Create a role to delegate permissions to an AWS service" and "AWS JSON policy
elements: Principal" (groups cannot be principals).
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Role, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READ_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
EC2_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)
GROUP_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"}, "Action": "sts:AssumeRole"}]}'
)


def test_a_learner_creates_a_role_from_a_template_and_attaches_a_policy(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    operations.create_policy(root, "ReadObjects", READ_S3)

    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles", exact=True)).to_be_visible()

    page.get_by_label("Role name").fill("WebServer")
    page.get_by_label("Description").fill("The web tier's instances")
    editor = page.get_by_label("Trust policy (JSON)")
    findings = page.locator("#trust-findings")
    editor.press_sequentially(GROUP_TRUST)
    expect(findings).to_contain_text("MALFORMED_POLICY_DOCUMENT")
    expect(findings).to_contain_text("groups are not principals")
    page.screenshot(path="/tmp/roles-group-finding.png", full_page=True, caret="initial")

    page.get_by_role("link", name="An AWS service").click()
    expect(editor).to_have_value(re.compile(r'"Service": "ec2\.amazonaws\.com"'))
    expect(findings).to_contain_text("No findings")
    expect(page.get_by_label("Role name")).to_have_value("WebServer")
    # htmx wires up swapped-in content as it settles (removing "htmx-added"): a key pressed before that
    # would reach a textarea that does not validate yet.
    expect(page.locator("#trust-editor")).not_to_have_class(re.compile(r"\bhtmx-added\b"))
    editor.press("Control+End")
    editor.press_sequentially("x")
    expect(findings).to_contain_text("JSON_SYNTAX_ERROR")
    editor.press("Backspace")
    expect(findings).to_contain_text("No findings")

    page.get_by_role("button", name="Create role").click()
    roles = page.get_by_role("region", name="Roles")
    expect(roles.get_by_role("row", name="WebServer")).to_contain_text("AWS service: ec2")
    page.screenshot(path="/tmp/roles-list.png", full_page=True, caret="initial")

    roles.get_by_role("link", name="WebServer").click()
    expect(page.get_by_role("heading", name="WebServer")).to_be_visible()
    expect(page.get_by_text("Roles have no long-term credentials")).to_be_visible()
    page.get_by_label("Attach a policy").select_option(label="ReadObjects")
    page.get_by_role("button", name="Attach", exact=True).click()
    permissions = page.get_by_role("region", name="Permissions", exact=True)
    expect(permissions.get_by_role("row", name="ReadObjects")).to_contain_text("Customer managed")
    assert list(Role.objects.get(name="WebServer").managed_policies.values_list("name", flat=True)) == ["ReadObjects"]
    page.screenshot(path="/tmp/roles.png", full_page=True, caret="initial")


def test_a_service_linked_role_cannot_be_deleted_while_its_service_uses_it(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox
) -> None:
    """IAM User Guide, "Create a service-linked role" and "Delete a service-linked role"; "Use instance profiles"."""
    page = signed_in_page
    page.goto(f"{live_server.url}/console/{sandbox.id}/roles/")

    page.get_by_label("Service", exact=True).select_option("autoscaling.amazonaws.com")
    page.get_by_role("button", name="Create service-linked role").click()
    expect(page.get_by_role("heading", name="AWSServiceRoleForAutoScaling")).to_be_visible()
    expect(page.get_by_text("A role that belongs to Amazon EC2 Auto Scaling")).to_be_visible()
    expect(page.get_by_role("group").filter(has_text="Edit trust policy")).to_have_count(0)

    page.get_by_label("Name of a simulated Auto Scaling group").fill("web-asg")
    page.get_by_role("button", name="Add", exact=True).click()
    resources = page.get_by_role("region", name="Resources using this role")
    expect(resources).to_contain_text("autoScalingGroupName/web-asg")
    page.get_by_role("button", name="Delete service-linked role").click()
    expect(page.locator("#deletion-task")).to_contain_text("FAILED")
    page.screenshot(path="/tmp/roles-service-linked.png", full_page=True, caret="initial")

    resources.get_by_role("button", name="Delete").click()
    expect(resources).to_contain_text("None: the service no longer needs the role.")
    page.get_by_role("button", name="Delete service-linked role").click()
    expect(page.get_by_role("heading", name="Roles", exact=True)).to_be_visible()
    assert not Role.objects.exists()


def test_an_instance_profile_holds_one_role(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    """IAM User Guide, "Use instance profiles"; IAM API Reference, AddRoleToInstanceProfile, DeleteInstanceProfile."""
    page = signed_in_page
    operations.create_role(root, "WebServer", EC2_TRUST)
    page.goto(f"{live_server.url}/console/{sandbox.id}/roles/")
    page.get_by_role("link", name="instance profile").click()

    page.get_by_label("Instance profile name").fill("web-profile")
    page.get_by_role("button", name="Create instance profile").click()
    profiles = page.get_by_role("region", name="Instance profiles")
    row = profiles.get_by_role("row", name="web-profile")
    expect(row).to_contain_text("Empty")
    row.get_by_role("button", name="Add role to web-profile").click()
    expect(row.get_by_role("link", name="WebServer")).to_be_visible()
    row.get_by_role("button", name="Delete web-profile").click()
    expect(profiles.get_by_role("alert")).to_contain_text("DeleteConflict")
    page.screenshot(path="/tmp/roles-instance-profiles.png", full_page=True, caret="initial")
    row.get_by_role("button", name="Remove WebServer from web-profile").click()
    expect(row).to_contain_text("Empty")
