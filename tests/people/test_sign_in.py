import pytest
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.views import redirect_to_login
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.people import throttle

SIGN_IN, SIGN_OUT = "/sign-in/", "/sign-out/"
WRONG_PASSWORD = "Please enter a correct username and password."


def signed_in_user(client: Client) -> str:
    return client.get("/").context["user"].get_username()


@pytest.mark.django_db
def test_it_signs_in_and_out(client: Client, learner: AbstractUser, password: str) -> None:
    assertRedirects(client.post(SIGN_IN, {"username": "learner", "password": password}), "/")
    assertContains(client.get("/"), "Signed in as <strong>learner</strong>", html=True)

    assertRedirects(client.post(SIGN_OUT), "/")
    assert signed_in_user(client) == ""
    assertContains(client.get("/"), "Sign up")


@pytest.mark.django_db
def test_sign_out_refuses_get(client: Client, learner: AbstractUser) -> None:
    client.force_login(learner)
    assert client.get(SIGN_OUT).status_code == 405
    assert signed_in_user(client) == "learner"


@pytest.mark.django_db
def test_a_wrong_password_is_an_error_on_the_page(client: Client, learner: AbstractUser) -> None:
    response = client.post(SIGN_IN, {"username": "learner", "password": "not-it"})
    assert response.status_code == 200
    assertContains(response, WRONG_PASSWORD)
    assertContains(response, 'role="alert"')
    assert signed_in_user(client) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/admin/", "/admin/"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("http://testserver/admin/", "http://testserver/admin/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_followed_only_within_the_site(
    client: Client, learner: AbstractUser, password: str, next_url: str, lands_on: str
) -> None:
    response = client.post(f"{SIGN_IN}?next={next_url}", {"username": "learner", "password": password})
    assert (response.status_code, response["Location"]) == (302, lands_on)


@pytest.mark.django_db
def test_next_is_carried_by_the_form_and_dropped_when_unsafe(client: Client) -> None:
    assertContains(client.get(f"{SIGN_IN}?next=/admin/"), '<input type="hidden" name="next" value="/admin/">')
    assertNotContains(client.get(f"{SIGN_IN}?next=https://evil.example.com/"), 'name="next"')


def test_a_page_behind_login_sends_people_to_sign_in() -> None:
    """LOGIN_URL is this app's page; the admin's own login is not where people go."""
    assert redirect_to_login("/somewhere/")["Location"] == "/sign-in/?next=/somewhere/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        (SIGN_IN, {"username": "learner", "password": "correct-horse-battery-staple"}),
        (SIGN_OUT, {}),
        ("/sign-up/", {"username": "carla", "password1": "an-unguessable-pass", "password2": "an-unguessable-pass"}),
    ],
)
def test_posts_without_a_csrf_token_are_refused(learner: AbstractUser, url: str, data: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, data).status_code == 403
    assert signed_in_user(client) == ""


@pytest.mark.django_db
def test_posts_with_the_csrf_token_are_accepted(learner: AbstractUser, password: str) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get(SIGN_IN).context["csrf_token"]
    response = client.post(SIGN_IN, {"username": "learner", "password": password, "csrfmiddlewaretoken": token})
    assertRedirects(response, "/")


def fail(client: Client, username: str = "learner", address: str = "10.0.0.1", times: int = 1):
    for _ in range(times):
        response = client.post(SIGN_IN, {"username": username, "password": "guess"}, REMOTE_ADDR=address)
    return response


@pytest.mark.django_db
def test_five_failures_lock_the_username_until_fifteen_minutes_pass(
    client: Client, learner: AbstractUser, password: str, clock
) -> None:
    assertContains(fail(client, times=throttle.LIMIT), WRONG_PASSWORD)

    clock.advance(minutes=1)
    refused = client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.2")
    assertContains(refused, "Too many failed sign-in attempts", status_code=429)
    assertContains(refused, "Try again in 14 minutes", status_code=429)
    assert signed_in_user(client) == ""

    clock.advance(minutes=14)
    response = client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.2")
    assertRedirects(response, "/")


@pytest.mark.django_db
def test_five_failures_from_one_address_lock_it_for_every_username(
    client: Client, learner: AbstractUser, password: str, clock
) -> None:
    for number in range(throttle.LIMIT):
        fail(client, username=f"guess{number}")
    refused = client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429

    clock.advance(minutes=15)
    assertRedirects(client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.1"), "/")


@pytest.mark.django_db
def test_four_failures_spread_out_do_not_lock(client: Client, learner: AbstractUser, password: str, clock) -> None:
    fail(client, times=throttle.LIMIT - 1)
    clock.advance(minutes=16)
    assert fail(client, times=throttle.LIMIT - 1).status_code == 200
    assertRedirects(client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.1"), "/")


@pytest.mark.django_db
def test_the_username_limit_ignores_case(client: Client, learner: AbstractUser, clock) -> None:
    for number in range(throttle.LIMIT):
        fail(client, username="Learner" if number % 2 else "LEARNER", address=f"10.0.1.{number}")
    assert fail(client, username="learner", address="10.0.2.1").status_code == 429


@pytest.mark.django_db
def test_signing_in_clears_the_username_count(client: Client, learner: AbstractUser, password: str, clock) -> None:
    fail(client, times=throttle.LIMIT - 1, address="10.0.0.1")
    client.post(SIGN_IN, {"username": "learner", "password": password}, REMOTE_ADDR="10.0.0.2")
    client.post(SIGN_OUT)
    assert fail(client, times=throttle.LIMIT - 1, address="10.0.0.3").status_code == 200
