import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

SIGN_UP = "/sign-up/"
AT_LEAST_8 = "It must contain at least 8 characters."
GOOD = {"username": "carla", "email": "", "password1": "an-unguessable-pass", "password2": "an-unguessable-pass"}


@pytest.mark.django_db
def test_it_creates_a_learner_with_a_hashed_password_and_signs_them_in(client: Client) -> None:
    response = client.post(SIGN_UP, GOOD)

    assertRedirects(response, "/")
    user = get_user_model().objects.get(username="carla")
    assert user.password.startswith("md5$")  # tests use the fast hasher; hashed all the same
    assert user.check_password("an-unguessable-pass")
    assert not user.groups.exists()  # a learner: not in the instructors group
    assert client.get("/").context["user"] == user


@pytest.mark.django_db
def test_email_is_optional_but_kept_when_given(client: Client) -> None:
    client.post(SIGN_UP, GOOD | {"email": "carla@example.com"})
    assert get_user_model().objects.get(username="carla").email == "carla@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "learner"}, "username", "A user with that username already exists."),
        ({"username": "LEARNER"}, "username", "A user with that username already exists."),
        ({"password2": "something-else-entirely"}, "password2", "The two password fields didn’t match."),
        ({"password1": "password", "password2": "password"}, "password2", "This password is too common."),
        ({"password1": "short1x", "password2": "short1x"}, "password2", f"This password is too short. {AT_LEAST_8}"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_it_shows_each_error_next_to_its_field(
    client: Client, learner: AbstractUser, change: dict, field: str, message: str
) -> None:
    response = client.post(SIGN_UP, GOOD | change)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assertContains(response, f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>', html=True)
    assertContains(response, f'aria-describedby="id_{field}_helptext id_{field}_error"')
    assert not get_user_model().objects.filter(username="carla").exists()


@pytest.mark.django_db
def test_every_control_has_a_label(client: Client) -> None:
    response = client.get(SIGN_UP)
    for field in ("username", "email", "password1", "password2"):
        assertContains(response, f'<label for="id_{field}"')
