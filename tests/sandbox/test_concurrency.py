"""Twenty writers on one sandbox at once: nobody's change is lost and nobody gets a server error.

SQLite takes its write lock at the start of each transaction (immediate
mode) and waits for it (busy timeout), PostgreSQL locks the rows we select
for update: either way concurrent actions queue instead of failing.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import IamUser, Sandbox

THREADS = 20


def in_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_lose_nothing(learner):
    root = Actor(Sandbox.objects.create_with_account(learner).accounts.get())
    ops.create_group(root, "everyone")

    @in_thread
    def create_and_join(n):
        ops.create_user(root, f"user{n}")
        ops.add_user_to_group(root, "everyone", f"user{n}")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(create_and_join, range(THREADS)))

    assert IamUser.objects.filter(account=root.account).count() == THREADS
    assert root.account.groups.get(name="everyone").members.count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_racing_to_create_the_same_user_yields_one_user_and_clean_errors(learner):
    root = Actor(Sandbox.objects.create_with_account(learner).accounts.get())

    @in_thread
    def create(_):
        try:
            ops.create_user(root, "alice")
            return "created"
        except AwsError as error:
            return error.code

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(create, range(THREADS)))

    assert sorted(set(outcomes)) == ["EntityAlreadyExists", "created"]
    assert outcomes.count("created") == 1
    assert IamUser.objects.filter(account=root.account).count() == 1
