import os
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser, Group

from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Sandbox

# Playwright's sync API runs an event loop in the test thread, and Django refuses database
# calls from a thread with a running loop unless told otherwise (it reads this per call).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip browser tests on machines without Chromium, but never let CI pass by skipping them."""
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    reason = f"browser test needs {CHROMIUM} (apt-get install chromium)"
    if running_in_ci():
        pytest.fail(f"{reason}; CI is set, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium: `playwright install` cannot download browsers here."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def password() -> str:
    """The password every user fixture signs in with."""
    return PASSWORD


@pytest.fixture
def learner(django_user_model: type[AbstractUser]) -> AbstractUser:
    return django_user_model.objects.create_user("learner", "learner@example.com", PASSWORD)


@pytest.fixture
def other_learner(django_user_model: type[AbstractUser]) -> AbstractUser:
    """A second learner, who must never see or change the first one's things."""
    return django_user_model.objects.create_user("other", "other@example.com", PASSWORD)


@pytest.fixture
def instructor(django_user_model: type[AbstractUser]) -> AbstractUser:
    """A member of the "instructors" group, which is what makes someone an instructor."""
    user = django_user_model.objects.create_user("instructor", "instructor@example.com", PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="instructors")[0])
    return user


@pytest.fixture
def sandbox(learner: AbstractUser) -> Sandbox:
    """The learner's sandbox "Playground", holding one empty account."""
    return Sandbox.objects.create_with_account(learner)


@pytest.fixture
def account(sandbox: Sandbox) -> Account:
    """The sandbox's one account."""
    return sandbox.accounts.get()


@pytest.fixture
def root(account: Account) -> Actor:
    """The account's root user, to set things up as."""
    return Actor(account)
