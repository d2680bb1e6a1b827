"""The learner's API token: created or rotated while signed in, sent as `Authorization: Token <key>`, revocable."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_signed_in_learner_creates_a_token_that_authenticates(api, learner, sandbox):
    response = api.post("/api/token/")
    assert response.status_code == 201
    key = response.json()["Token"]
    assert Token.objects.get(user=learner).key == key
    listed = with_token(key).get("/api/sandboxes/").json()
    assert [s["SandboxId"] for s in listed["results"]] == [sandbox.id]


def test_creating_again_rotates_it_and_the_old_one_stops_working(api):
    old = api.post("/api/token/").json()["Token"]
    new = api.post("/api/token/").json()["Token"]
    assert new != old
    assert_error(with_token(old).get("/api/sandboxes/"), 401, "InvalidClientTokenId")
    assert with_token(new).get("/api/sandboxes/").status_code == 200


def test_a_token_can_rotate_itself(learner):
    old = Token.objects.create(user=learner).key
    new = with_token(old).post("/api/token/").json()["Token"]
    assert Token.objects.get(user=learner).key == new


def test_revoking_ends_it(api, learner):
    key = api.post("/api/token/").json()["Token"]
    assert api.delete("/api/token/").status_code == 204
    assert not Token.objects.filter(user=learner).exists()
    assert_error(with_token(key).get("/api/sandboxes/"), 401, "InvalidClientTokenId")


def test_nobody_signed_in_gets_no_token():
    assert_error(APIClient().post("/api/token/"), 401, "MissingAuthenticationToken")
    assert not Token.objects.exists()


def test_a_session_needs_the_csrf_token_to_create_one(learner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    assert_error(client.post("/api/token/"), 403, "AccessDenied", "CSRF Failed")


def test_each_learner_has_their_own_token(api, other_api, learner, other_learner):
    mine = api.post("/api/token/").json()["Token"]
    theirs = other_api.post("/api/token/").json()["Token"]
    assert mine != theirs
    assert Token.objects.get(key=mine).user == learner


def test_sandboxes_lists_only_the_learners_own(api, other_api, sandbox):
    assert [s["SandboxId"] for s in api.get("/api/sandboxes/").json()["results"]] == [sandbox.id]
    assert other_api.get("/api/sandboxes/").json()["results"] == []
