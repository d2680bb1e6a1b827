"""Who may use the console: only the sandbox's owner; everyone else sees nothing at all."""

import pytest
from django.test import Client

from simulator.sandbox.models import Group, IamUser

pytestmark = pytest.mark.django_db

SANDBOX_ROUTES = [
    ("get", "/console/{id}/users/", {}),
    ("post", "/console/{id}/users/", {"name": "mallory", "path": "/"}),
    ("get", "/console/{id}/groups/", {}),
    ("post", "/console/{id}/groups/", {"name": "intruders", "path": "/"}),
    ("post", "/console/{id}/groups/members/", {"user": "alice", "group": "admins"}),
]
ALL_ROUTES = [("get", "/console/", {}), ("post", "/console/create/", {}), *SANDBOX_ROUTES]


@pytest.mark.parametrize(("method", "route", "data"), SANDBOX_ROUTES)
def test_another_learner_gets_404_on_every_sandbox_route(other_client, sandbox, alice, method, route, data):
    response = getattr(other_client, method)(route.format(id=sandbox.id), data)
    assert response.status_code == 404
    assert not IamUser.objects.filter(name="mallory").exists()
    assert not Group.objects.exists()


@pytest.mark.parametrize(("method", "route", "data"), SANDBOX_ROUTES)
def test_a_sandbox_that_does_not_exist_is_404(learner_client, method, route, data):
    assert getattr(learner_client, method)(route.format(id=999999), data).status_code == 404


@pytest.mark.parametrize(("method", "route", "data"), ALL_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, sandbox, method, route, data):
    path = route.format(id=sandbox.id)
    response = getattr(client, method)(path, data)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={path}"


@pytest.mark.parametrize(("method", "route", "data"), [r for r in ALL_ROUTES if r[0] == "post"])
def test_posts_without_the_csrf_token_are_refused(learner, sandbox, method, route, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(route.format(id=sandbox.id), data).status_code == 403
    assert not IamUser.objects.exists()


def test_another_learners_console_does_not_list_the_sandbox(other_client, sandbox):
    response = other_client.get("/console/")
    assert sandbox.accounts.get().account_id not in response.content.decode()
    assert b"Create my sandbox account" in response.content
