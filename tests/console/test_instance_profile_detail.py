"""An instance profile's page: its summary, the one role it holds, adding or removing that role, deletion.

IAM User Guide, "Use instance profiles" (one role per profile, adding one needs iam:PassRole) and "Delete roles or
instance profiles"; IAM API Reference, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile and
DeleteInstanceProfile ("Errors": LimitExceeded, NoSuchEntity, DeleteConflict).
"""

import json

import pytest
from django.test import Client
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import InstanceProfile, Role, Sandbox

from .conftest import HTMX, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def allowing(*actions: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    )


def profile_url(sandbox, profile, change: str = "") -> str:
    base = f"/console/{sandbox.id}/instance-profiles/{profile.id}/"
    return f"{base}{change}/?from=detail" if change else base


@pytest.fixture
def web(root) -> Role:
    return operations.create_role(root, "WebServer", EC2_TRUST)


@pytest.fixture
def profile(root) -> InstanceProfile:
    return role_operations.create_instance_profile(root, "web-profile", "/tier/")


@pytest.fixture
def holding(root, profile, web) -> InstanceProfile:
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    return profile


def role_of(profile: InstanceProfile) -> str | None:
    profile.refresh_from_db()
    return profile.role.name if profile.role else None


def test_it_shows_the_summary_the_role_it_holds_and_how_instances_use_it(learner_client, sandbox, holding, web):
    response = learner_client.get(profile_url(sandbox, holding))
    assertContains(response, '<h1 id="page-title" class="policy-title">web-profile <span class="tag">Instance profile')
    assertContains(response, f'<code class="arn">{holding.arn}</code>', html=True)
    assertContains(response, "<dd><code>/tier/</code></dd>", html=True)
    assertContains(response, f"<code>{holding.unique_id}</code>", html=True)
    assertContains(response, f'datetime="{holding.created_at.isoformat()}"')
    assertContains(response, f'<a href="/console/{sandbox.id}/roles/{web.id}/">WebServer</a>', html=True)
    assertContains(response, f'<code class="arn">{web.arn}</code>', html=True)
    assertContains(response, "gets the temporary credentials of the role it holds")
    assertContains(response, "A profile holds at most one role. Policies never attach to an instance")
    assertContains(response, 'aria-label="Remove WebServer from web-profile"')
    assertContains(response, 'for="delete-confirm"')
    assertNotContains(response, 'id="profile-role"')


def test_an_empty_profile_offers_the_roles_that_are_not_service_linked(learner_client, sandbox, root, profile, web):
    role_operations.create_service_linked_role(root, "autoscaling.amazonaws.com")
    response = learner_client.get(profile_url(sandbox, profile))
    assertContains(response, "No role: instances launched with this profile get no credentials.")
    assertContains(response, '<select id="profile-role" name="role"><option>WebServer</option></select>', html=True)
    assert response.context["role_names"] == ["WebServer"]


def test_names_on_the_list_and_on_the_role_page_link_to_the_profile(learner_client, sandbox, holding, web):
    link = f'<a href="{profile_url(sandbox, holding)}"><strong>web-profile</strong></a>'
    assertContains(learner_client.get(f"/console/{sandbox.id}/instance-profiles/"), link, html=True)
    role_page = learner_client.get(f"/console/{sandbox.id}/roles/{web.id}/")
    assertContains(role_page, f'<a href="{profile_url(sandbox, holding)}">web-profile</a>', html=True)


def test_adding_and_removing_the_role_works_without_javascript(learner_client, sandbox, profile, web):
    response = learner_client.post(profile_url(sandbox, profile, "add_role"), {"role": "WebServer"})
    assertRedirects(response, profile_url(sandbox, profile))
    assert role_of(profile) == "WebServer"
    assertRedirects(learner_client.post(profile_url(sandbox, profile, "remove_role")), profile_url(sandbox, profile))
    assert role_of(profile) is None


def test_adding_and_removing_the_role_swaps_the_pages_region_with_htmx(learner_client, sandbox, profile, web):
    response = learner_client.post(profile_url(sandbox, profile, "add_role"), {"role": "WebServer"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="profile-region"')
    assertContains(response, 'aria-label="Remove WebServer from web-profile"')
    assert role_of(profile) == "WebServer"
    response = learner_client.post(profile_url(sandbox, profile, "remove_role"), headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="profile-region"')
    assertContains(response, "<option>WebServer</option>", html=True)
    assert role_of(profile) is None


def test_a_second_role_is_limit_exceeded_in_place(learner_client, sandbox, root, holding):
    operations.create_role(root, "Batch", EC2_TRUST)
    response = learner_client.post(profile_url(sandbox, holding, "add_role"), {"role": "Batch"})
    assertContains(response, '<code class="aws-error-code">LimitExceeded</code>', html=True, status_code=409)
    assertContains(response, 'id="role-error"', status_code=409)
    assert role_of(holding) == "WebServer"


def test_delete_is_a_delete_conflict_in_place_while_it_holds_a_role(learner_client, sandbox, holding):
    response = learner_client.post(profile_url(sandbox, holding, "delete"), {"confirm": "web-profile"})
    assertContains(response, '<code class="aws-error-code">DeleteConflict</code>', html=True, status_code=409)
    assertContains(response, "must remove roles from instance profile first", status_code=409)
    assertContains(response, 'id="delete-error"', status_code=409)
    response = learner_client.post(profile_url(sandbox, holding, "delete"), {"confirm": "web-profile"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="profile-region"')
    assertContains(response, "DeleteConflict")
    assert InstanceProfile.objects.filter(pk=holding.pk).exists()


def test_delete_needs_the_typed_name_then_goes_back_to_the_list(learner_client, sandbox, profile):
    listing = f"/console/{sandbox.id}/instance-profiles/"
    response = learner_client.post(profile_url(sandbox, profile, "delete"), {"confirm": "web"})
    assertContains(response, "Type the instance profile's name exactly", status_code=400)
    assert InstanceProfile.objects.exists()
    assertRedirects(learner_client.post(profile_url(sandbox, profile, "delete"), {"confirm": "web-profile"}), listing)
    assert not InstanceProfile.objects.exists()
    again = role_operations.create_instance_profile(Actor(sandbox.accounts.get()), "web-profile")
    response = learner_client.post(profile_url(sandbox, again, "delete"), {"confirm": "web-profile"}, headers=HTMX)
    assert response["HX-Redirect"] == listing
    assert not InstanceProfile.objects.exists()


def test_the_acting_identity_needs_pass_role_too_and_a_denial_is_explained_in_place(
    learner_client, sandbox, root, alice, profile, web
):
    policy = operations.create_policy(root, "AddOnly", allowing("iam:AddRoleToInstanceProfile"))
    operations.attach_user_policy(root, "alice", policy.arn)
    learner_client.post(f"/console/{sandbox.id}/act-as/", {"identity": "user:alice"})
    response = learner_client.post(profile_url(sandbox, profile, "add_role"), {"role": "WebServer"}, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">AccessDenied</code>', html=True)
    assertContains(response, f"User: {alice.arn} is not authorized to perform: iam:PassRole")
    assertContains(response, 'id="role-error-why"')
    assert role_of(profile) is None


def test_a_typed_role_name_is_escaped(learner_client, sandbox, profile):
    script = "<script>alert(1)</script>"
    response = learner_client.post(profile_url(sandbox, profile, "add_role"), {"role": script})
    assertContains(response, escape(script), status_code=404)
    assertNotContains(response, script, status_code=404)


def routes(sandbox, profile) -> list[tuple[str, str, dict]]:
    data = {"role": "WebServer", "confirm": profile.name}
    return [("get", profile_url(sandbox, profile), {})] + [
        ("post", profile_url(sandbox, profile, change), data) for change in ("add_role", "remove_role", "delete")
    ]


def test_another_learner_gets_404_on_every_route(other_client, sandbox, profile, web):
    for method, url, data in routes(sandbox, profile):
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert role_of(profile) is None


def test_a_profile_of_another_account_is_404_in_the_learners_sandbox(learner_client, other_learner, sandbox, web):
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    their_profile = role_operations.create_instance_profile(theirs, "theirs")
    for method, url, data in routes(sandbox, their_profile):
        assert getattr(learner_client, method)(url, data).status_code == 404, url
    assert InstanceProfile.objects.filter(pk=their_profile.pk).exists()


def test_changes_need_a_csrf_token(learner, sandbox, profile, web):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for _method, url, data in routes(sandbox, profile)[1:]:
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert role_of(profile) is None
    assert InstanceProfile.objects.filter(pk=profile.pk).exists()


def test_the_page_costs_the_same_queries_with_10_or_300_roles_and_profiles(learner_client, sandbox, root, profile):
    def add(first: int, last: int) -> None:
        for number in range(first, last):
            role = Role.objects.create(account=root.account, name=f"r{number}", trust_policy=EC2_TRUST)
            InstanceProfile.objects.create(account=root.account, name=f"p{number}", role=role)

    assert_queries_do_not_grow(learner_client, profile_url(sandbox, profile), add)
