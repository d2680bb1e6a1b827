"""The users page. Error codes and messages: IAM API Reference, CreateUser ("Errors")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import IamUser

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def users_url(sandbox) -> str:
    return f"/console/{sandbox.id}/users/"


def test_it_lists_users_with_path_groups_and_creation_date(learner_client, sandbox, root, alice):
    operations.create_group(root, "admins")
    operations.add_user_to_group(root, "admins", "alice")
    response = learner_client.get(users_url(sandbox))
    assertContains(response, "<strong>alice</strong>", html=True)
    assertContains(response, "<code>/engineering/</code>", html=True)
    assertContains(response, '<span class="tag">admins</span>', html=True)
    assertContains(response, f'datetime="{alice.created_at.isoformat()}"')
    assertContains(response, root.account.account_id)
    assert response["Vary"].count("HX-Request") == 1


def test_it_creates_a_user_as_the_root_user_and_redirects_without_js(learner_client, sandbox):
    response = learner_client.post(users_url(sandbox), {"name": "bob", "path": "/ops/"})
    assertRedirects(response, users_url(sandbox))
    bob = IamUser.objects.get()
    assert (bob.name, bob.path, bob.account.sandbox_id) == ("bob", "/ops/", sandbox.id)


def test_an_empty_path_means_the_default_path(learner_client, sandbox):
    learner_client.post(users_url(sandbox), {"name": "bob", "path": ""})
    assert IamUser.objects.get().path == "/"


def test_htmx_gets_only_the_region_with_the_new_user_and_a_blank_form(learner_client, sandbox):
    response = learner_client.post(users_url(sandbox), {"name": "bob", "path": "/ops/"}, headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="users-region"')
    assert "<html" not in content and "<h1" not in content
    assertContains(response, "<strong>bob</strong>", html=True)
    assertContains(response, 'name="name" value=""')


def test_htmx_get_renders_only_the_region(learner_client, sandbox, alice):
    response = learner_client.get(users_url(sandbox), headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="users-region"')
    assertContains(response, "<strong>alice</strong>", html=True)


@pytest.mark.parametrize(
    ("data", "status", "code", "message"),
    [
        ({"name": "has space", "path": "/"}, 400, "ValidationError", "User name &#x27;has space&#x27; is invalid"),
        ({"name": "", "path": "/"}, 400, "ValidationError", "User name &#x27;&#x27; is invalid"),
        ({"name": "bob", "path": "no-slashes"}, 400, "ValidationError", "must begin and end with /"),
        ({"name": "ALICE", "path": "/"}, 409, "EntityAlreadyExists", "User with name ALICE already exists."),
    ],
)
def test_errors_are_shown_beside_the_form_in_aws_terms(learner_client, sandbox, alice, data, status, code, message):
    for headers, expected_status in (({}, status), (HTMX, 200)):
        response = learner_client.post(users_url(sandbox), data, headers=headers)
        assert response.status_code == expected_status
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=expected_status)
        assertContains(response, message, status_code=expected_status)
        assertContains(response, f'value="{data["name"]}"', status_code=expected_status)
    assert IamUser.objects.count() == 1


def test_access_denied_shows_the_engines_explanation(learner_client, sandbox, root, alice, monkeypatch):
    """As a user with no policies (the console itself acts as root, which is never denied by IAM policies)."""
    create_user = operations.create_user
    monkeypatch.setattr(operations, "create_user", lambda actor, *args: create_user(Actor(actor.account, alice), *args))
    response = learner_client.post(users_url(sandbox), {"name": "bob", "path": "/"}, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">AccessDenied</code>', html=True)
    assertContains(response, "is not authorized to perform: iam:CreateUser")
    assertContains(response, "because no identity-based policy allows the iam:CreateUser action")


def test_what_the_learner_typed_is_escaped(learner_client, sandbox):
    typed = "<script>alert(1)</script>"
    response = learner_client.post(users_url(sandbox), {"name": typed, "path": typed})
    assertContains(response, "ValidationError", status_code=400)
    assertNotContains(response, "<script>alert", status_code=400)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=400)


def test_the_number_of_queries_does_not_grow_with_users_or_groups(learner_client, sandbox, root):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(users_url(sandbox)).status_code == 200
        return len(captured)

    def add_users(first: int, last: int) -> None:
        for number in range(first, last):
            operations.create_user(root, f"user{number}")
            operations.add_user_to_group(root, f"group{number % 3}", f"user{number}")

    for number in range(3):
        operations.create_group(root, f"group{number}")
    add_users(0, 10)
    with_ten = queries_for_page()
    add_users(10, 300)
    assert queries_for_page() == with_ten
