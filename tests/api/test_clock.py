"""The sandbox clock over the API: read it, set its speed, move it forward, set it back to real time.

The clock is the sandbox's own (no AWS action stands for it): every expiry in the sandbox reads it, so moving it
forward is how a learner watches an hour-long session expire.
"""

import pytest
from rest_framework.test import APIClient

from simulator.sandbox import clock

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_url(sandbox) -> str:
    return f"/api/sandboxes/{sandbox.id}/clock/"


def test_it_reads_real_time_at_normal_speed_until_moved(api, clock_url):
    reading = api.get(clock_url).json()
    assert reading["Rate"] == 1
    assert reading["AheadOfRealTimeSeconds"] == 0
    assert reading["SandboxTime"].endswith("Z")


@pytest.mark.parametrize("rate", [0, 1, 60, 600])
def test_it_runs_at_each_offered_rate(api, clock_url, sandbox, rate):
    response = api.post(clock_url + "rate/", {"Rate": rate}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["Rate"] == rate
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == rate


@pytest.mark.parametrize(("body", "message"), [({"Rate": 7}, "0, 1, 60, 600"), ({}, "Rate: This field is required")])
def test_another_rate_is_a_validation_error_and_changes_nothing(api, clock_url, sandbox, body, message):
    assert_error(api.post(clock_url + "rate/", body, format="json"), 400, "ValidationError", message)
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == 1


def test_advancing_moves_the_sandbox_ahead_of_real_time(api, clock_url, sandbox):
    before = clock.now(sandbox)
    response = api.post(clock_url + "advance/", {"Seconds": 3600}, format="json")
    assert response.status_code == 200, response.content
    assert 3599 <= response.json()["AheadOfRealTimeSeconds"] <= 3601
    sandbox.refresh_from_db()
    assert (clock.now(sandbox) - before).total_seconds() >= 3600


@pytest.mark.parametrize("seconds", [0, -60, 367 * 86400])
def test_it_never_moves_back_nor_more_than_a_year_at_once(api, clock_url, sandbox, seconds):
    response = api.post(clock_url + "advance/", {"Seconds": seconds}, format="json")
    assert_error(response, 400, "ValidationError", "never back")
    assert api.get(clock_url).json()["AheadOfRealTimeSeconds"] == 0


def test_resync_brings_a_paused_clock_back_to_real_time(api, clock_url, sandbox):
    api.post(clock_url + "rate/", {"Rate": 0}, format="json")
    reading = api.post(clock_url + "resync/").json()
    assert reading["Rate"] == 1
    assert reading["AheadOfRealTimeSeconds"] == 0


def test_resync_keeps_a_sandbox_that_is_ahead_where_it_is(api, clock_url):
    api.post(clock_url + "rate/", {"Rate": 600}, format="json")
    api.post(clock_url + "advance/", {"Seconds": 86400}, format="json")
    reading = api.post(clock_url + "resync/").json()
    assert reading["Rate"] == 1
    assert reading["AheadOfRealTimeSeconds"] >= 86400


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("get", "", None),
        ("post", "rate/", {"Rate": 60}),
        ("post", "advance/", {"Seconds": 60}),
        ("post", "resync/", None),
    ],
)
def test_another_learner_finds_no_clock_and_moves_nothing(other_api, clock_url, sandbox, method, route, body):
    response = getattr(other_api, method)(clock_url + route, body, format="json")
    assert_error(response, 404, "NoSuchEntity", "cannot be found")
    sandbox.refresh_from_db()
    assert (sandbox.clock_rate, sandbox.clock_base) == (1, None)


def test_a_session_needs_the_csrf_token_to_move_it(learner, clock_url, sandbox):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(clock_url + "advance/", {"Seconds": 60}, format="json")
    assert_error(response, 403, "AccessDenied", "CSRF")
    sandbox.refresh_from_db()
    assert sandbox.clock_base is None
