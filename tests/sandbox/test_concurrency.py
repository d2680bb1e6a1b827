"""Twenty writers on one sandbox at once: nobody's change is lost and nobody gets a server error.

SQLite takes its write lock at the start of each transaction (immediate
mode) and waits for it (busy timeout), PostgreSQL locks the rows we select
for update: either way concurrent actions queue instead of failing.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from simulator.sandbox import access_keys, buckets
from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import AccessKey, BucketObject, IamUser, Sandbox

THREADS = 20


def in_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


def outcome(operation, *args) -> str:
    """"created", or the AWS error code the operation answered with."""
    try:
        operation(*args)
    except AwsError as error:
        return error.code
    return "created"


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
        return outcome(ops.create_user, root, "alice")

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(create, range(THREADS)))

    assert sorted(set(outcomes)) == ["EntityAlreadyExists", "created"]
    assert outcomes.count("created") == 1
    assert IamUser.objects.filter(account=root.account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_tag_changes_on_one_user_keep_every_tag(learner):
    """Tags are one JSON list on the user: each TagUser must see the tags the others wrote before it."""
    root = Actor(Sandbox.objects.create_with_account(learner).accounts.get())
    ops.create_user(root, "alice")

    @in_thread
    def tag(n):
        ops.tag_user(root, "alice", [{"Key": f"key{n}", "Value": str(n)}])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(tag, range(THREADS)))

    tags = IamUser.objects.get(account=root.account, name="alice").tags
    assert sorted(tag["Key"] for tag in tags) == sorted(f"key{n}" for n in range(THREADS))


@pytest.mark.django_db(transaction=True)
def test_racing_for_the_two_access_keys_a_user_may_have_creates_exactly_two(learner):
    """"IAM and AWS STS quotas": two access keys per user, however many ask at once."""
    root = Actor(Sandbox.objects.create_with_account(learner).accounts.get())
    ops.create_user(root, "alice")

    @in_thread
    def create_key(_):
        return outcome(access_keys.create_access_key, root, "alice")

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(create_key, range(THREADS)))

    assert outcomes.count("created") == 2
    assert set(outcomes) == {"created", "LimitExceeded"}
    assert AccessKey.objects.filter(user__name="alice").count() == 2


@pytest.mark.django_db(transaction=True)
def test_twenty_writers_on_one_bucket_lose_nothing(learner):
    root = Actor(Sandbox.objects.create_with_account(learner).accounts.get())
    buckets.create_bucket(root, "reports")

    @in_thread
    def write(n):
        buckets.put_object(root, "reports", f"day-{n}.csv", f"row {n}")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))

    assert BucketObject.objects.filter(bucket__name="reports").count() == THREADS
