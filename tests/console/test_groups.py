"""The user groups page. Error codes and messages: IAM API Reference, CreateGroup and AddUserToGroup ("Errors")."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.models import Group

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def groups_url(sandbox) -> str:
    return f"/console/{sandbox.id}/groups/"


def members_url(sandbox) -> str:
    return f"/console/{sandbox.id}/groups/members/"


def test_it_lists_groups_with_their_member_counts(learner_client, sandbox, root, alice):
    operations.create_group(root, "admins")
    operations.create_group(root, "readers", "/audit/")
    operations.add_user_to_group(root, "admins", "alice")
    response = learner_client.get(groups_url(sandbox))
    rows = response.content.decode()
    assert rows.index("<strong>admins</strong>") < rows.index("<strong>readers</strong>")
    assert [g.member_count for g in response.context["groups"]] == [1, 0]
    assertContains(response, "<td>1</td>", count=1, html=True)
    assertContains(response, "<code>/audit/</code>", html=True)
    assertContains(response, "<option>alice</option>", html=True)


def test_it_creates_a_group_and_redirects_without_js(learner_client, sandbox):
    response = learner_client.post(groups_url(sandbox), {"name": "admins", "path": "/"})
    assertRedirects(response, groups_url(sandbox))
    assert Group.objects.get().name == "admins"


def test_htmx_create_returns_only_the_region(learner_client, sandbox):
    response = learner_client.post(groups_url(sandbox), {"name": "admins", "path": "/"}, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="groups-region"')
    assert "<html" not in content
    assertContains(response, "<strong>admins</strong>", html=True)
    assert response["Vary"].count("HX-Request") == 1


def test_it_adds_a_user_to_a_group(learner_client, sandbox, root, alice):
    operations.create_group(root, "admins")
    response = learner_client.post(members_url(sandbox), {"user": "alice", "group": "admins"})
    assertRedirects(response, groups_url(sandbox))
    assert list(alice.groups.values_list("name", flat=True)) == ["admins"]


def test_htmx_add_member_updates_the_count(learner_client, sandbox, root, alice):
    operations.create_group(root, "admins")
    response = learner_client.post(members_url(sandbox), {"user": "alice", "group": "admins"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="groups-region"')
    assert [g.member_count for g in response.context["groups"]] == [1]


@pytest.mark.parametrize(
    ("url", "data", "status", "code", "message"),
    [
        (groups_url, {"name": "ADMINS", "path": "/"}, 409, "EntityAlreadyExists", "Group with name ADMINS already"),
        (groups_url, {"name": "a/b", "path": "/"}, 400, "ValidationError", "Group name &#x27;a/b&#x27; is invalid"),
        (members_url, {"user": "nobody", "group": "admins"}, 404, "NoSuchEntity", "user with name nobody cannot"),
        (members_url, {"user": "alice", "group": "nothing"}, 404, "NoSuchEntity", "group with name nothing cannot"),
    ],
)
def test_errors_are_shown_in_aws_terms(learner_client, sandbox, root, alice, url, data, status, code, message):
    operations.create_group(root, "admins")
    for headers, expected_status in (({}, status), (HTMX, 200)):
        response = learner_client.post(url(sandbox), data, headers=headers)
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=expected_status)
        assertContains(response, message, status_code=expected_status)
    assert Group.objects.count() == 1
    assert not alice.groups.exists()


def test_a_group_name_with_a_script_is_escaped(learner_client, sandbox):
    response = learner_client.post(groups_url(sandbox), {"name": "<script>x</script>", "path": "/"})
    assertNotContains(response, "<script>x", status_code=400)
    assertContains(response, "&lt;script&gt;x&lt;/script&gt;", status_code=400)
