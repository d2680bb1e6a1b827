from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

HTMX = {"HX-Request": "true"}


@pytest.fixture
def sandbox(learner) -> Sandbox:
    return Sandbox.objects.create_with_account(learner)


@pytest.fixture
def root(sandbox) -> Actor:
    """The sandbox account's root user, as whom the console acts."""
    return Actor(sandbox.accounts.get())


@pytest.fixture
def learner_client(client: Client, learner) -> Client:
    client.force_login(learner)
    return client


@pytest.fixture
def other_client(client: Client, other_learner) -> Client:
    client.force_login(other_learner)
    return client


@pytest.fixture
def alice(root):
    return operations.create_user(root, "alice", "/engineering/")


def queries_to_get(client: Client, url: str) -> int:
    """How many queries answering GET ``url`` (with a 200) takes."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def assert_queries_do_not_grow(client: Client, url: str, add: Callable[[int, int], None], many: int = 300) -> None:
    """A page costs as many queries for ``many`` rows as for 10: ``add(first, last)`` adds rows first to last."""
    add(0, 10)
    with_ten = queries_to_get(client, url)
    add(10, many)
    assert queries_to_get(client, url) == with_ten
