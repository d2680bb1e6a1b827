"""A learner launches an instance, watches it settle into running on the sandbox clock, gives the running instance
a role through an instance profile without stopping it, and tries to attach a policy to the instance itself.

EC2 User Guide, "Amazon EC2 instance state changes" and "Grant permissions to attach an IAM role to an instance";
EC2 API Reference, RunInstances and AssociateIamInstanceProfile ("with a running or stopped instance"); IAM User
Guide, "Use an IAM role to grant permissions to applications running on Amazon EC2 instances".
"""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from simulator.sandbox import clock, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Instance, Sandbox
from tests.documents import EC2_TRUST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_role_is_associated_with_a_running_instance_and_a_policy_on_it_is_explained(
    live_server: LiveServer, signed_in_page: Page, sandbox: Sandbox, root: Actor
) -> None:
    page = signed_in_page
    operations.create_role(root, "WebServer", EC2_TRUST)
    role_operations.create_instance_profile(root, "web-profile")
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    page.goto(f"{live_server.url}/console/{sandbox.id}/users/")
    page.get_by_role("navigation", name="Sandbox").get_by_role("link", name="Instances").click()
    expect(page.get_by_role("heading", name="EC2 instances")).to_be_visible()

    page.get_by_label("Name (the Name tag, optional)").fill("web-1")
    page.get_by_label("Instance type").select_option("t3.small")
    page.get_by_role("button", name="Launch instance").click()
    instances = page.get_by_role("region", name="Instances")
    expect(instances.get_by_text("pending")).to_be_visible()
    page.screenshot(path="/tmp/instances.png", full_page=True, caret="initial")

    instance = Instance.objects.get()
    instances.get_by_role("link", name=f"web-1 {instance.instance_id}").click()
    state = page.get_by_role("region", name="State")
    clock.advance(sandbox, 5)
    # The passing state polls for itself: no reload needed to see it settle.
    expect(state.locator(".instance-state")).to_have_text("running", timeout=6000)

    page.get_by_label("Instance profile").select_option("web-profile")
    page.get_by_role("button", name="Associate").click()
    role_panel = page.get_by_role("region", name="IAM role")
    expect(role_panel.get_by_role("link", name="WebServer")).to_be_visible()
    expect(page.get_by_role("region", name="State").locator(".instance-state")).to_have_text("running")
    assert Instance.objects.get().state == "running"

    page.get_by_role("button", name="Attach policy").click()
    lesson = page.get_by_role("region", name="Attach a policy to this instance").get_by_role("status")
    expect(lesson).to_contain_text("Policies attach to users, groups and roles, never to an instance")
    expect(lesson.get_by_role("link", name="WebServer")).to_be_visible()
    page.screenshot(path="/tmp/instance.png", full_page=True, caret="initial")
