"""The group's page: members, attached and inline policies, deletion.

Error codes: IAM API Reference, AddUserToGroup, RemoveUserFromGroup, AttachGroupPolicy, DetachGroupPolicy,
PutGroupPolicy, DeleteGroupPolicy and DeleteGroup ("Errors"); that a group is not a principal:
IAM User Guide, "IAM user groups".
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Group, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db

READ_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)


def group_url(sandbox, group, change: str = "") -> str:
    base = f"/console/{sandbox.id}/groups/{group.id}/"
    return f"{base}change/{change}/" if change else base


@pytest.fixture
def policy(root):
    return operations.create_policy(root, "ReadS3", READ_S3)


@pytest.fixture
def devs(root) -> Group:
    return operations.create_group(root, "devs", "/teams/")


@pytest.fixture
def furnished(root, devs, alice, policy) -> Group:
    operations.add_user_to_group(root, "devs", "alice")
    operations.attach_group_policy(root, "devs", policy.arn)
    operations.put_group_policy(root, "devs", "see-all", READ_S3)
    return devs


def test_it_shows_members_policies_and_that_a_group_is_not_a_principal(
    learner_client, sandbox, furnished, alice, policy
):
    response = learner_client.get(group_url(sandbox, furnished))
    assertContains(response, f'<code class="arn">{furnished.arn}</code>', html=True)
    assertContains(response, f'<a href="/console/{sandbox.id}/users/{alice.id}/">alice</a>', html=True)
    assertContains(response, f'<a href="/console/{sandbox.id}/policies/{policy.id}/">ReadS3</a>', html=True)
    assertContains(response, 'id="inline-policy-see-all"')
    assertContains(response, "A group is not a principal.")
    assertContains(response, "its members inherit its policies")
    assertContains(response, f"of {operations.GROUP_INLINE_SIZE} characters used")


def test_the_groups_list_links_each_name_to_its_page(learner_client, sandbox, devs):
    response = learner_client.get(f"/console/{sandbox.id}/groups/")
    assertContains(response, f'<a href="{group_url(sandbox, devs)}"><strong>devs</strong></a>', html=True)


CHANGES = [
    ("add_member", {"user": "alice"}, lambda g: list(g.members.values_list("name", flat=True)) == ["alice"]),
    ("attach", None, lambda g: g.managed_policies.count() == 1),
    ("put_inline", {"policy_name": "p", "document": READ_S3}, lambda g: g.inline_policies.count() == 1),
]


@pytest.mark.parametrize(("change", "data", "done"), CHANGES, ids=[row[0] for row in CHANGES])
def test_each_change_works_with_and_without_javascript(
    learner_client, sandbox, devs, alice, policy, change, data, done
):
    data = data or {"policy_arn": policy.arn}
    response = learner_client.post(group_url(sandbox, devs, change), data)
    assertRedirects(response, group_url(sandbox, devs))
    assert done(devs)
    response = learner_client.post(group_url(sandbox, devs, change), data, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="group-region"')
    assert done(devs)


REMOVALS = [
    ("remove_member", {"user": "alice"}, lambda g: not g.members.exists(), "alice is not a member"),
    ("detach", None, lambda g: not g.managed_policies.exists(), "was not found"),
    ("delete_inline", {"policy_name": "see-all"}, lambda g: not g.inline_policies.exists(), "cannot be found"),
]


@pytest.mark.parametrize(("change", "data", "done", "again"), REMOVALS, ids=[row[0] for row in REMOVALS])
def test_each_removal_works_and_a_second_one_is_no_such_entity_in_place(
    learner_client, sandbox, furnished, policy, change, data, done, again
):
    data = data or {"policy_arn": policy.arn}
    assertRedirects(learner_client.post(group_url(sandbox, furnished, change), data), group_url(sandbox, furnished))
    assert done(furnished)
    response = learner_client.post(group_url(sandbox, furnished, change), data, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">NoSuchEntity</code>', html=True)
    assertContains(response, again.replace("alice is", "User alice is"))


def test_delete_shows_what_blocks_it_then_deletes(learner_client, sandbox, furnished, policy):
    response = learner_client.post(group_url(sandbox, furnished, "delete"), {"confirm": "devs"})
    assert response.status_code == 409
    assertContains(
        response,
        "must remove 1 member(s), 1 attached policy(ies), 1 inline policy(ies) first.",
        status_code=409,
    )
    assertContains(response, 'id="delete-error"', status_code=409)
    furnished.members.clear()
    furnished.managed_policies.clear()
    furnished.inline_policies.all().delete()
    assertContains(
        learner_client.post(group_url(sandbox, furnished, "delete"), {"confirm": "dev"}), "exactly", status_code=400
    )
    response = learner_client.post(group_url(sandbox, furnished, "delete"), {"confirm": "devs"}, headers=HTMX)
    assert response["HX-Redirect"] == f"/console/{sandbox.id}/groups/"
    assert not Group.objects.exists()


def test_a_typed_inline_policy_name_is_escaped(learner_client, sandbox, devs):
    script = '"><script>alert(1)</script>'
    response = learner_client.post(group_url(sandbox, devs, "put_inline"), {"policy_name": script, "document": READ_S3})
    assertContains(response, escape(script), status_code=400)
    assertNotContains(response, script, status_code=400)


def routes(sandbox, group) -> list[tuple[str, str, dict]]:
    data = {"user": "alice", "policy_arn": "x", "policy_name": "p", "document": READ_S3, "confirm": group.name}
    return [("get", group_url(sandbox, group), {})] + [
        ("post", group_url(sandbox, group, change), data)
        for change in ("add_member", "remove_member", "attach", "detach", "put_inline", "delete_inline", "delete")
    ]


def test_another_learner_gets_404_on_every_route(other_client, sandbox, devs, alice):
    for method, url, data in routes(sandbox, devs):
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert Group.objects.filter(pk=devs.pk).exists() and not devs.members.exists()


def test_a_group_of_another_account_is_404_in_the_learners_sandbox(learner_client, other_learner, sandbox):
    theirs = operations.create_group(Actor(Sandbox.objects.create_with_account(other_learner).accounts.get()), "x")
    for method, url, data in routes(sandbox, theirs):
        assert getattr(learner_client, method)(url, data).status_code == 404, url


def test_changes_need_a_csrf_token(learner, sandbox, devs, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for _method, url, data in routes(sandbox, devs)[1:]:
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert not devs.members.exists()


def test_the_page_costs_the_same_queries_with_10_or_300_members_users_and_policies(learner_client, sandbox, root, devs):
    def grow(total: int) -> int:
        for n in range(devs.members.count(), total):
            user = operations.create_user(root, f"u{n}")
            operations.create_policy(root, f"p{n}", READ_S3)
            devs.members.add(user)
            operations.create_user(root, f"outsider{n}")
        with CaptureQueriesContext(connection) as queries:
            assert learner_client.get(group_url(sandbox, devs)).status_code == 200
        return len(queries)

    assert grow(10) == grow(300)
