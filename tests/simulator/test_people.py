"""The shared people every view test needs (tests/conftest.py)."""

import pytest
from django.contrib.auth.models import AbstractUser


def is_instructor(user: AbstractUser) -> bool:
    return user.groups.filter(name="instructors").exists()


@pytest.mark.django_db
def test_only_the_instructor_is_in_the_instructors_group(
    learner: AbstractUser, other_learner: AbstractUser, instructor: AbstractUser
) -> None:
    assert [is_instructor(user) for user in (learner, other_learner, instructor)] == [False, False, True]


def test_every_person_signs_in_with_the_shared_password(
    learner: AbstractUser, other_learner: AbstractUser, instructor: AbstractUser, password: str
) -> None:
    assert all(user.check_password(password) for user in (learner, other_learner, instructor))
    assert len({learner.pk, other_learner.pk, instructor.pk}) == 3
