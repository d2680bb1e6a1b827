"""The instances pages: the list and its launch form, an instance's page and each change it posts, the lesson
of "attach a policy to this instance" and of adding an instance to a group.

EC2 User Guide, "Amazon EC2 instance state changes" and "Grant permissions to attach an IAM role to an
instance"; EC2 API Reference, RunInstances, StopInstances, StartInstances, RebootInstances,
TerminateInstances, AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation,
DisassociateIamInstanceProfile, ModifyInstanceMetadataOptions, CreateTags, DeleteTags; IAM User Guide, "Use an
IAM role to grant permissions to applications running on Amazon EC2 instances" (policies attach to identities;
an instance gets permissions through its role).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from simulator.sandbox import clock, ec2, imds, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import AccessKey, Instance, Sandbox, TemporaryCredential
from tests.documents import EC2_TRUST

from .conftest import HTMX, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def list_url(sandbox: Sandbox) -> str:
    return reverse("console:instances", args=[sandbox.id])


def page_url(sandbox: Sandbox, instance: Instance, change: str = "") -> str:
    if change:
        return reverse("console:instance_change", args=[sandbox.id, instance.instance_id, change])
    return reverse("console:instance", args=[sandbox.id, instance.instance_id])


@pytest.fixture
def profile(root: Actor):
    operations.create_role(root, "WebServer", EC2_TRUST)
    role_operations.create_instance_profile(root, "web-profile")
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")


@pytest.fixture
def instance(root: Actor, sandbox: Sandbox) -> Instance:
    """A running instance named web-1."""
    [launched] = ec2.run_instances(root, tags=[{"Key": "Name", "Value": "web-1"}])
    clock.advance(sandbox, 5)
    return ec2.find_instance(root, launched.instance_id)


def state(instance: Instance) -> str:
    return Instance.objects.get(pk=instance.pk).state


# The list and launching ---------------------------------------------------------------------------------------


def test_the_list_shows_each_instance_with_its_state_type_and_role(learner_client, sandbox, root, profile):
    ec2.run_instances(
        root, instance_type="t3.small", instance_profile_name="web-profile", tags=[{"Key": "Name", "Value": "api"}]
    )
    response = learner_client.get(list_url(sandbox))
    assertContains(response, "instance-state-pending")
    assertContains(response, "t3.small")
    assertContains(response, "web-profile → WebServer")
    assertContains(response, "<strong>api</strong>")
    assertContains(response, 'aria-current="page">Instances</a>')


def test_launching_from_the_form_runs_an_instance_with_a_profile_and_a_name(learner_client, sandbox, profile):
    form = {"instance_type": "t3.micro", "profile": "web-profile", "http_tokens": "optional", "name": "web-1"}
    response = learner_client.post(list_url(sandbox), form, headers=HTMX)
    assert response.status_code == 200
    launched = Instance.objects.get()
    assert (launched.instance_profile.name, launched.metadata_http_tokens, launched.tags) == (
        "web-profile",
        "optional",
        [{"Key": "Name", "Value": "web-1"}],
    )
    assertContains(response, launched.instance_id)


def test_a_spot_launch_creates_the_service_linked_role(learner_client, sandbox):
    learner_client.post(list_url(sandbox), {"instance_type": "t3.micro", "http_tokens": "required", "spot": "on"})
    assert Instance.objects.get().spot
    assert sandbox.accounts.get().roles.filter(name="AWSServiceRoleForEC2Spot").exists()


def test_a_refused_launch_shows_the_aws_error_in_place(learner_client, sandbox):
    response = learner_client.post(list_url(sandbox), {"instance_type": "t3.huge", "http_tokens": "required"})
    assertContains(response, "InvalidParameterValue", status_code=400)
    response = learner_client.post(list_url(sandbox), {"instance_type": "t3.huge"}, headers=HTMX)
    assertContains(response, "Invalid value &#x27;t3.huge&#x27; for InstanceType")
    assert not Instance.objects.exists()


def test_the_list_costs_the_same_queries_with_10_or_300_instances(learner_client, sandbox, root, profile):
    account = root.account
    web = account.instance_profiles.get()
    now = clock.now(sandbox)

    def add(first: int, last: int) -> None:
        Instance.objects.bulk_create(
            Instance(
                account=account,
                instance_id=f"i-0{n:016x}",
                state=Instance.State.PENDING if n % 2 else Instance.State.RUNNING,
                instance_profile=web if n % 3 else None,
                tags=[{"Key": "Name", "Value": f"web-{n}"}],
                launched_at=now,
                state_changed_at=now,
            )
            for n in range(first, last)
        )

    assert_queries_do_not_grow(learner_client, list_url(sandbox), add)


# An instance's page and its state machine ---------------------------------------------------------------------


def test_the_page_shows_only_the_state_changes_the_state_allows(learner_client, sandbox, instance):
    response = learner_client.get(page_url(sandbox, instance))
    for change in ("stop", "reboot", "terminate"):
        assertContains(response, page_url(sandbox, instance, change))
    assertNotContains(response, page_url(sandbox, instance, "start"))
    ec2.stop_instances(Actor(instance.account), [instance.instance_id])
    clock.advance(sandbox, 10)
    response = learner_client.get(page_url(sandbox, instance))
    assertContains(response, page_url(sandbox, instance, "start"))
    assertNotContains(response, page_url(sandbox, instance, "stop"))


def test_a_passing_state_says_when_it_settles_and_polls_for_it(learner_client, sandbox, instance):
    learner_client.post(page_url(sandbox, instance, "stop"), headers=HTMX)
    response = learner_client.get(page_url(sandbox, instance))
    assertContains(response, "it becomes <strong>stopped</strong>")
    assertContains(response, 'hx-trigger="every 2s"')
    clock.advance(sandbox, 10)
    response = learner_client.get(page_url(sandbox, instance) + "?region=state", headers=HTMX)
    assertContains(response, "instance-state-stopped")
    assertNotContains(response, "every 2s")
    assertNotContains(response, "Instance metadata options")


@pytest.mark.parametrize(
    ("change", "after"), [("stop", "stopping"), ("terminate", "shutting-down"), ("reboot", "running")]
)
def test_each_state_button_changes_the_instance_in_place(learner_client, sandbox, instance, change, after):
    response = learner_client.post(page_url(sandbox, instance, change), headers=HTMX)
    assertContains(response, f"instance-state-{after}")
    assert state(instance) == after


def test_without_javascript_a_change_redirects_back_to_the_page(learner_client, sandbox, instance):
    response = learner_client.post(page_url(sandbox, instance, "stop"))
    assert response.status_code == 302 and response["Location"] == page_url(sandbox, instance)


def test_a_state_change_the_state_does_not_allow_is_explained_in_place(learner_client, sandbox, instance):
    ec2.terminate_instances(Actor(instance.account), [instance.instance_id])
    response = learner_client.post(page_url(sandbox, instance, "start"), headers=HTMX)
    assertContains(response, "IncorrectInstanceState")
    assertContains(response, 'id="state-error"')


def test_a_denied_change_is_explained_with_the_decision(learner_client, sandbox, root, instance):
    """Acting as an IAM user with no policy: EC2's UnauthorizedOperation, explained by the engine in place."""
    operations.create_user(root, "bob")
    learner_client.post(reverse("console:act_as", args=[sandbox.id]), {"identity": "user:bob", "next": ""})
    response = learner_client.post(page_url(sandbox, instance, "stop"), headers=HTMX)
    assertContains(response, "UnauthorizedOperation")
    assertContains(response, "Why it was denied")
    assert state(instance) == "running"


# The IAM role of a running instance --------------------------------------------------------------------------


def test_a_running_instance_takes_replaces_and_drops_a_profile_in_place(
    learner_client, sandbox, root, profile, instance
):
    operations.create_role(root, "Reports", EC2_TRUST)
    role_operations.create_instance_profile(root, "reports-profile")
    role_operations.add_role_to_instance_profile(root, "reports-profile", "Reports")
    response = learner_client.post(page_url(sandbox, instance, "associate"), {"profile": "web-profile"}, headers=HTMX)
    assertContains(response, "WebServer")
    assert state(instance) == "running"
    response = learner_client.post(page_url(sandbox, instance, "replace"), {"profile": "reports-profile"}, headers=HTMX)
    assertContains(response, ">Reports</a>")
    response = learner_client.post(page_url(sandbox, instance, "disassociate"), headers=HTMX)
    assertContains(response, "No instance profile")
    assert Instance.objects.get(pk=instance.pk).instance_profile is None


def test_a_second_association_is_refused_in_place(learner_client, sandbox, root, profile, instance):
    ec2.associate_iam_instance_profile(root, instance.instance_id, "web-profile")
    response = learner_client.post(page_url(sandbox, instance, "associate"), {"profile": "web-profile"}, headers=HTMX)
    assertContains(response, "IncorrectState")
    assertContains(response, 'id="role-error"')


def test_metadata_options_and_tags_change_in_place(learner_client, sandbox, instance):
    form = {"http_tokens": "optional", "http_endpoint": "disabled"}
    learner_client.post(page_url(sandbox, instance, "metadata"), form, headers=HTMX)
    learner_client.post(page_url(sandbox, instance, "tag"), {"key": "team", "value": "web"}, headers=HTMX)
    response = learner_client.post(page_url(sandbox, instance, "untag"), {"key": "Name"}, headers=HTMX)
    changed = Instance.objects.get(pk=instance.pk)
    assert (changed.metadata_http_tokens, changed.metadata_enabled) == ("optional", False)
    assert changed.tags == [{"Key": "team", "Value": "web"}]
    assertContains(response, "<code>team</code>")


def test_the_page_links_to_the_terminal_and_the_metadata_service(learner_client, sandbox, instance):
    response = learner_client.get(page_url(sandbox, instance))
    assertContains(response, reverse("console:instance_terminal", args=[sandbox.id, instance.instance_id]))
    path = "latest/meta-data/iam/security-credentials/"
    assertContains(response, reverse("console:instance_metadata", args=[sandbox.id, instance.instance_id, path]))


def role_credentials_panel(page: str) -> str:
    start = page.index('id="role-credentials-title"')
    return page[start : page.index("</section>", start)]


def test_the_page_shows_the_role_credentials_rotating_on_the_sandbox_clock(learner_client, sandbox, root, profile):
    """EC2 User Guide, "Retrieve security credentials from instance metadata": "We make new credentials available
    at least five minutes before the expiration of the old credentials"; the older set keeps working meanwhile."""
    [launched] = ec2.run_instances(root, instance_profile_name="web-profile")
    clock.advance(sandbox, 5)
    running = ec2.find_instance(root, launched.instance_id)
    assertContains(learner_client.get(page_url(sandbox, running)), "None handed out yet")
    first = imds.instance_credentials(running)
    clock.advance(sandbox, imds.REFRESH_AFTER.total_seconds() + 1)
    second = imds.instance_credentials(ec2.find_instance(root, launched.instance_id))
    panel = role_credentials_panel(learner_client.get(page_url(sandbox, running)).content.decode())
    assert second.access_key_id != first.access_key_id
    assert panel.index(second.access_key_id) < panel.index(first.access_key_id), "newest first, both still working"
    clock.advance(sandbox, (imds.CREDENTIAL_LIFETIME - imds.REFRESH_AFTER).total_seconds())
    panel = role_credentials_panel(learner_client.get(page_url(sandbox, running)).content.decode())
    assert first.access_key_id not in panel and second.access_key_id in panel


def test_the_role_credentials_cost_the_same_queries_however_many(learner_client, sandbox, root, profile):
    [launched] = ec2.run_instances(root, instance_profile_name="web-profile")
    clock.advance(sandbox, 5)
    running = ec2.find_instance(root, launched.instance_id)
    role = running.instance_profile.role
    now = clock.now(sandbox)

    def add(first: int, last: int) -> None:
        for _ in range(first, last):
            TemporaryCredential.objects.create(
                account=running.account,
                operation=TemporaryCredential.Operation.INSTANCE_ROLE,
                role=role,
                instance=running,
                session_name=running.instance_id,
                issued_at=now,
                expires_at=now + imds.CREDENTIAL_LIFETIME,
            )

    assert_queries_do_not_grow(learner_client, page_url(sandbox, running), add)


# Lessons: a policy on an instance, an instance in a group, keys on the disk ----------------------------------


def test_attaching_a_policy_to_an_instance_explains_the_role_instead(learner_client, sandbox, root, profile, instance):
    operations.create_policy(
        root,
        "ReadReports",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        ),
    )
    ec2.associate_iam_instance_profile(root, instance.instance_id, "web-profile")
    response = learner_client.post(
        page_url(sandbox, instance, "attach_policy"), {"policy": "ReadReports"}, headers=HTMX
    )
    assertContains(response, "Policies attach to users, groups and roles, never to an instance")
    assertContains(response, "attach ReadReports to WebServer")
    role = root.account.roles.get(name="WebServer")
    assertContains(response, reverse("console:role", args=[sandbox.id, role.id]))


def test_without_a_role_the_lesson_points_to_creating_a_profile(learner_client, sandbox, instance):
    response = learner_client.post(page_url(sandbox, instance, "attach_policy"), headers=HTMX)
    assertContains(response, "has no instance profile yet")
    assertContains(response, reverse("console:instance_profiles", args=[sandbox.id]))


def test_adding_an_instance_to_a_group_explains_instead_of_no_such_entity(learner_client, sandbox, root, instance):
    group = operations.create_group(root, "admins")
    url = reverse("console:group_change", args=[sandbox.id, group.pk, "add_member"])
    assertContains(learner_client.get(reverse("console:group", args=[sandbox.id, group.pk])), instance.instance_id)
    response = learner_client.post(url, {"user": instance.instance_id}, headers=HTMX)
    assertContains(response, "Policies attach to users, groups and roles, never to an instance")
    assertNotContains(response, "NoSuchEntity")
    response = learner_client.post(url, {"user": "mallory"}, headers=HTMX)
    assertContains(response, "NoSuchEntity")


def test_a_users_key_is_stored_on_the_instance_and_removed_with_a_warning(
    learner_client, sandbox, root, alice, instance
):
    key = AccessKey.objects.create(account=root.account, user=alice)
    response = learner_client.get(page_url(sandbox, instance))
    assertContains(response, "Anti-pattern")
    response = learner_client.post(page_url(sandbox, instance, "store_key"), {"key": key.access_key_id}, headers=HTMX)
    assertContains(response, "IAM user <a")
    assert Instance.objects.get(pk=instance.pk).stored_secret_access_key == key.secret
    key.delete()
    response = learner_client.get(page_url(sandbox, instance))
    assertContains(response, "No key with this id exists in IAM any more")
    learner_client.post(page_url(sandbox, instance, "remove_key"), headers=HTMX)
    assert Instance.objects.get(pk=instance.pk).stored_access_key_id == ""


def test_a_spot_interruption_from_the_page_stops_the_instance(learner_client, sandbox, root):
    [spot] = ec2.run_instances(root, spot=True)
    clock.advance(sandbox, 5)
    assertContains(learner_client.get(page_url(sandbox, spot)), "Simulate a Spot interruption")
    response = learner_client.post(page_url(sandbox, spot, "interrupt"), headers=HTMX)
    assertContains(response, "instance-state-stopping")


# Safety -------------------------------------------------------------------------------------------------------


def test_typed_text_is_escaped(learner_client, sandbox, instance):
    script = '"><script>alert(1)</script>'
    response = learner_client.post(page_url(sandbox, instance, "tag"), {"key": "note", "value": script}, headers=HTMX)
    assertContains(response, escape(script))
    assertNotContains(response, script)
    response = learner_client.post(list_url(sandbox), {"instance_type": script, "name": script}, headers=HTMX)
    assertNotContains(response, script)


def routes(sandbox, instance) -> list[tuple[str, str]]:
    changes = ("stop", "terminate", "associate", "disassociate", "metadata", "tag", "store_key", "attach_policy")
    return [("get", list_url(sandbox)), ("post", list_url(sandbox)), ("get", page_url(sandbox, instance))] + [
        ("post", page_url(sandbox, instance, change)) for change in changes
    ]


def test_another_learner_gets_404_on_every_route_and_changes_nothing(other_client, sandbox, instance):
    for method, url in routes(sandbox, instance):
        response = getattr(other_client, method)(url, {"instance_type": "t3.micro", "key": "x"}, headers=HTMX)
        assert response.status_code == 404, url
    assert state(instance) == "running" and Instance.objects.count() == 1


def test_an_unknown_instance_or_change_is_404(learner_client, sandbox, instance):
    assert learner_client.get(reverse("console:instance", args=[sandbox.id, "i-0123456789abcdef0"])).status_code == 404
    assert learner_client.post(page_url(sandbox, instance, "explode")).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(learner, sandbox, instance):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for method, url in routes(sandbox, instance):
        if method == "post":
            assert client.post(url, {"instance_type": "t3.micro"}, headers=HTMX).status_code == 403, url
    assert state(instance) == "running" and Instance.objects.count() == 1
