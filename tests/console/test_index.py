import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox.models import Sandbox

pytestmark = pytest.mark.django_db


def test_it_offers_a_button_and_creates_nothing_on_get(learner_client):
    response = learner_client.get("/console/")
    assertContains(response, "Create my sandbox account")
    assertContains(response, 'action="/console/create/"')
    assert not Sandbox.objects.exists()


def test_the_first_sandbox_is_offered_as_the_playground(learner_client):
    assertContains(learner_client.get("/console/"), 'name="name" value="Playground"')


def test_the_button_creates_a_playground_with_one_account(learner_client, learner):
    response = learner_client.post("/console/create/", {"name": "Playground", "template": "empty"})
    sandbox = Sandbox.objects.for_user(learner).get()
    assertRedirects(response, f"/console/{sandbox.id}/users/")
    assert sandbox.name == "Playground"
    assert sandbox.accounts.count() == 1


def test_pressing_the_button_twice_keeps_one_sandbox(learner_client, learner):
    learner_client.post("/console/create/", {"name": "Playground"})
    response = learner_client.post("/console/create/", {"name": "Playground"})
    assertContains(response, "EntityAlreadyExists", status_code=409)
    assert Sandbox.objects.for_user(learner).count() == 1


def test_it_lists_the_learners_sandboxes_with_their_account_ids(learner_client, sandbox):
    response = learner_client.get("/console/")
    assertContains(response, sandbox.accounts.get().account_id)
    assertContains(response, f'href="/console/{sandbox.id}/users/"')
    assertNotContains(response, "Create my sandbox account")


def test_the_header_links_to_the_console_when_signed_in(learner_client):
    assertContains(learner_client.get("/"), 'href="/console/"')


def test_the_header_has_no_console_link_when_signed_out(client):
    assertNotContains(client.get("/"), 'href="/console/"')
