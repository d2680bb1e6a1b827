"""The demo people: `manage.py seed_demo` creates them, and the sign-in page lists them in demo mode."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from simulator.people.roles import INSTRUCTORS
from simulator.sandbox.demo import create_demo_sandbox

PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    instructor: bool

    @property
    def role(self) -> str:
        return "instructor" if self.instructor else "learner"


PEOPLE = (DemoPerson("instructor", instructor=True), DemoPerson("ana", False), DemoPerson("ben", False))


def seed() -> list[str]:
    """Create the demo people who are missing, each learner with a sandbox that already holds an account's
    worth of IAM entities, and return their usernames.

    Someone who already exists is left alone, password and groups included: running this twice changes
    nothing, and it never takes over an account that was there first.
    """
    instructors = Group.objects.get_or_create(name=INSTRUCTORS)[0]
    created = []
    for person in PEOPLE:
        user, is_new = get_user_model().objects.get_or_create(username=person.username)
        if not is_new:
            continue
        user.set_password(PASSWORD)
        user.save()
        if person.instructor:
            user.groups.add(instructors)
        else:
            create_demo_sandbox(user)
        created.append(person.username)
    return created
