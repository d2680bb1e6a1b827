"""The sandbox clock in the console: shown on every sandbox page, paused, sped up, moved forward, resynced.

The clock is the simulation's, not AWS's; what it drives is AWS's: temporary credentials stop working at their
Expiration (IAM User Guide, "Temporary security credentials in IAM").
"""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.console.clock import CHANGED_EVENT, countdown_words, duration_words
from simulator.sandbox import clock
from simulator.sandbox.models import DecisionRecord

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def clock_url(sandbox) -> str:
    return f"/console/{sandbox.id}/clock/"


def change(client, sandbox, headers=None, **form):
    return client.post(clock_url(sandbox), form, headers=headers or {})


def sandbox_now(sandbox):
    """The time of the sandbox as the database holds it now (the views changed it there)."""
    sandbox.refresh_from_db()
    return clock.now(sandbox)


@pytest.fixture
def paused(sandbox):
    """A stopped clock reads the same however long a test takes."""
    clock.set_rate(sandbox, 0)
    return clock.now(sandbox)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (8, "8 s"), (60, "1 min"), (61, "1 min 1 s"), (3599, "59 min 59 s"), (3600, "1 h"),
     (3661, "1 h 1 min"), (86400, "1 d"), (97205, "1 d 3 h"), (-7300, "2 h 1 min")],
)  # fmt: skip
def test_durations_are_worded_in_their_two_largest_units(seconds, words):
    assert duration_words(seconds) == words


def test_a_countdown_says_expired_once_its_time_has_come(paused):
    assert countdown_words(paused + timedelta(minutes=54, seconds=10), paused) == "expires in 54 min 10 s"
    assert countdown_words(paused, paused) == "expired"
    assert countdown_words(paused - timedelta(hours=1), paused) == "expired"


def test_every_sandbox_page_shows_the_clock_in_its_heading(learner_client, sandbox, paused):
    response = learner_client.get(f"/console/{sandbox.id}/users/")
    assertContains(response, 'aria-label="Sandbox clock"')
    assertContains(response, f'data-sandbox-now-ms="{int(paused.timestamp() * 1000)}"')
    assertContains(response, 'data-sandbox-rate="0.0"')
    assertContains(response, f"{paused:%Y-%m-%d %H:%M:%S} UTC")
    assertContains(response, '<span class="clock-speed clock-paused">paused</span>', html=True)
    assertContains(response, "js/clock.js")


def test_a_sandbox_moved_forward_says_how_far_ahead_of_real_time_it_is(learner_client, sandbox, paused):
    clock.advance(sandbox, 2 * 3600 + 90)
    response = learner_client.get(f"/console/{sandbox.id}/users/")
    assertContains(response, "2 h 1 min ahead of real time")


@pytest.mark.parametrize(("rate", "speed"), [("0", "paused"), ("1", "1×"), ("60", "60×"), ("600", "600×")])
def test_the_speed_buttons_set_the_rate_and_htmx_swaps_the_widget(learner_client, sandbox, rate, speed):
    response = change(learner_client, sandbox, HTMX, action="rate", rate=rate)
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == float(rate)
    assert response["HX-Trigger"] == CHANGED_EVENT
    assertContains(response, f">{speed}</span>")
    assertContains(response, f'value="{rate}" aria-pressed="true"')
    assertNotContains(response, "<html")


@pytest.mark.parametrize("seconds", [300, 3600, 21600, 86400])
def test_the_jump_buttons_move_the_clock_forward(learner_client, sandbox, paused, seconds):
    change(learner_client, sandbox, HTMX, action="advance", seconds=str(seconds))
    assert sandbox_now(sandbox) == paused + timedelta(seconds=seconds)


def test_any_number_of_minutes_can_be_typed(learner_client, sandbox, paused):
    change(learner_client, sandbox, HTMX, action="advance", minutes="90", seconds="")
    assert sandbox_now(sandbox) == paused + timedelta(minutes=90)


@pytest.mark.parametrize(
    "form",
    [
        {"action": "rate", "rate": "5"},
        {"action": "rate", "rate": "fast"},
        {"action": "advance", "minutes": "-3"},
        {"action": "advance", "minutes": "0"},
        {"action": "advance", "minutes": "many"},
        {"action": "advance", "minutes": "inf"},
        {"action": "advance", "minutes": str(367 * 24 * 60)},
        {"action": "rewind", "seconds": "60"},
    ],
)
def test_a_refused_change_is_explained_in_the_widget_and_changes_nothing(learner_client, sandbox, paused, form):
    response = change(learner_client, sandbox, HTMX, **form)
    assertContains(response, "ValidationError")
    assertContains(response, '<details class="clock-controls" open>')
    assert "HX-Trigger" not in response
    sandbox.refresh_from_db()
    assert (sandbox.clock_rate, clock.now(sandbox)) == (0, paused)


def test_resync_keeps_a_clock_that_is_ahead_and_runs_it_at_normal_speed(learner_client, sandbox, paused):
    change(learner_client, sandbox, HTMX, action="advance", seconds="3600")
    change(learner_client, sandbox, HTMX, action="resync")
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == 1
    assert clock.now(sandbox) >= paused + timedelta(hours=1)


def test_resync_brings_a_clock_that_fell_behind_back_to_real_time(learner_client, sandbox, paused):
    sandbox.clock_base = paused - timedelta(hours=3)
    sandbox.save()
    change(learner_client, sandbox, HTMX, action="resync")
    sandbox.refresh_from_db()
    assert (sandbox.clock_base, sandbox.clock_rate) == (None, 1)


def test_without_javascript_a_change_goes_back_to_the_page_it_was_made_on(learner_client, sandbox, paused):
    back = f"/console/{sandbox.id}/roles/?sort=name"
    response = change(learner_client, sandbox, action="advance", seconds="300", next=back)
    assertRedirects(response, back, fetch_redirect_response=False)
    assert sandbox_now(sandbox) == paused + timedelta(minutes=5)


def test_a_next_address_on_another_site_is_not_followed(learner_client, sandbox):
    response = change(learner_client, sandbox, action="rate", rate="60", next="https://evil.example/")
    assertRedirects(response, f"/console/{sandbox.id}/users/", fetch_redirect_response=False)


def test_without_javascript_a_refused_change_is_explained_on_the_clock_page(learner_client, sandbox):
    response = change(learner_client, sandbox, action="rate", rate="7", next='"><script>alert(1)</script>')
    assert response.status_code == 400
    assertContains(response, '<h1 id="page-title">Sandbox clock</h1>', status_code=400)
    assertContains(response, "ValidationError", status_code=400)


def test_the_widget_escapes_the_address_it_returns_to(learner_client, sandbox):
    response = change(learner_client, sandbox, HTMX, action="rate", rate="7", next='"><script>alert(1)</script>')
    assertNotContains(response, "<script>alert(1)</script>")
    assertContains(response, "&quot;&gt;&lt;script&gt;")


def test_a_get_answers_the_widget_to_htmx_and_the_clock_page_otherwise(learner_client, sandbox):
    assertNotContains(learner_client.get(clock_url(sandbox), headers=HTMX), "<html")
    assertContains(learner_client.get(clock_url(sandbox)), "Time in this sandbox")


def test_changing_the_clock_is_not_an_iam_action(learner_client, sandbox, alice):
    """Acting as a user with no permissions at all, the learner still owns the sandbox and its clock."""
    learner_client.post(f"/console/{sandbox.id}/act-as/", {"identity": "user:alice", "next": ""})
    decisions = DecisionRecord.objects.count()
    change(learner_client, sandbox, HTMX, action="rate", rate="600")
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == 600
    assert DecisionRecord.objects.count() == decisions


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_learner_cannot_see_or_change_the_clock(other_client, sandbox, method):
    response = getattr(other_client, method)(clock_url(sandbox), {"action": "rate", "rate": "600"}, headers=HTMX)
    assert response.status_code == 404
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == 1


def test_an_htmx_change_without_the_csrf_token_is_refused(learner, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = change(client, sandbox, HTMX, action="rate", rate="600")
    assert response.status_code == 403
    sandbox.refresh_from_db()
    assert sandbox.clock_rate == 1


def test_an_expiry_countdown_is_drawn_against_the_sandbox_clock(sandbox, paused):
    template = Template("{% load sandbox_clock %}{% expiry_countdown expires_at %}")
    expires_at = paused + timedelta(minutes=54, seconds=10)
    drawn = template.render(Context({"sandbox": sandbox, "expires_at": expires_at}))
    iso = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert drawn == f'<span class="countdown" data-sandbox-expires="{iso}">expires in 54 min 10 s</span>'
    clock.advance(sandbox, 3600)
    drawn = template.render(Context({"sandbox": sandbox, "expires_at": expires_at}))
    assert 'class="countdown countdown-expired"' in drawn and ">expired<" in drawn
