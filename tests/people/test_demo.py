import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.people import demo
from simulator.sandbox.models import Sandbox


@pytest.mark.django_db
@pytest.mark.parametrize(("demo_mode", "shown"), [(True, True), (False, False)])
def test_demo_details_appear_only_in_demo_mode(client: Client, settings, demo_mode: bool, shown: bool) -> None:
    settings.DEMO_MODE = demo_mode
    response = client.get("/sign-in/")
    check = assertContains if shown else assertNotContains
    check(response, "demo-password-1")
    check(response, "<td><code>ana</code></td>", html=True)
    check(response, "<td><code>instructor</code></td><td>Instructor</td>", html=True)


def people() -> dict[str, list[str]]:
    users = get_user_model().objects.order_by("username")
    return {user.username: [group.name for group in user.groups.all()] for user in users}


@pytest.mark.django_db
def test_seed_demo_creates_the_three_people_once(settings, capsys: pytest.CaptureFixture[str]) -> None:
    settings.DEMO_MODE = True
    call_command("seed_demo")
    assert "Created instructor, ana, ben" in capsys.readouterr().out

    call_command("seed_demo")
    assert "Already present, left unchanged: instructor, ana, ben." in capsys.readouterr().out
    assert people() == {"ana": [], "ben": [], "instructor": ["instructors"]}
    sandboxes = Sandbox.objects.values_list("owner__username", "name")
    assert sorted(sandboxes) == [("ana", "Playground"), ("ben", "Playground")]


@pytest.mark.django_db
def test_seed_demo_leaves_an_existing_account_alone(settings) -> None:
    settings.DEMO_MODE = True
    get_user_model().objects.create_user("ana", password="ana-chose-this-one")
    call_command("seed_demo")
    assert get_user_model().objects.get(username="ana").check_password("ana-chose-this-one")
    assert get_user_model().objects.get(username="ben").check_password(demo.PASSWORD)


@pytest.mark.django_db
def test_seed_demo_refuses_outside_demo_mode(settings) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_people_sign_in_with_the_shown_password(client: Client, settings) -> None:
    settings.DEMO_MODE = True
    call_command("seed_demo")
    assertRedirects(client.post("/sign-in/", {"username": "instructor", "password": "demo-password-1"}), "/")


@pytest.mark.django_db(transaction=True)
def test_a_migration_creates_the_instructors_group() -> None:
    """Migrated down and up again here: a transactional test elsewhere may have flushed the migrated rows."""
    call_command("migrate", "people", "zero", verbosity=0)
    assert not Group.objects.filter(name="instructors").exists()
    call_command("migrate", "people", verbosity=0)
    assert Group.objects.filter(name="instructors").exists()
