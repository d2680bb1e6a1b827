"""A learner opens an instance profile from the list, puts a role in it, is refused deleting it, then empties and
deletes it.

IAM User Guide, "Use instance profiles"; IAM API Reference, AddRoleToInstanceProfile and DeleteInstanceProfile.
"""

import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import InstanceProfile, Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_an_instance_profiles_page_adds_its_role_and_refuses_deletion_while_it_holds_one(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    operations.create_role(root, "WebServer", EC2_TRUST)
    role_operations.create_instance_profile(root, "web-profile")
    page.goto(f"{live_server.url}/console/{sandbox.id}/instance-profiles/")
    page.get_by_role("link", name="web-profile").click()
    expect(page.get_by_role("heading", name="web-profile")).to_be_visible()

    role_panel = page.get_by_role("region", name="Role")
    expect(role_panel).to_contain_text("No role")
    page.get_by_label("Add a role").select_option("WebServer")
    role_panel.get_by_role("button", name="Add role").click()
    expect(role_panel.get_by_role("link", name="WebServer")).to_be_visible()

    page.get_by_text("Delete web-profile…").click()
    page.get_by_label("Type web-profile to confirm").fill("web-profile")
    page.get_by_role("button", name="Delete instance profile").click()
    expect(page.get_by_role("alert")).to_contain_text("DeleteConflict")
    page.screenshot(path="/tmp/instance-profile.png", full_page=True, caret="initial")

    page.get_by_role("button", name="Remove WebServer from web-profile").click()
    expect(role_panel).to_contain_text("No role")
    page.get_by_text("Delete web-profile…").click()
    page.get_by_label("Type web-profile to confirm").fill("web-profile")
    page.get_by_role("button", name="Delete instance profile").click()
    expect(page.get_by_role("heading", name="Instance profiles", exact=True)).to_be_visible()
    assert not InstanceProfile.objects.exists()
