import pytest
from django.test import Client

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
