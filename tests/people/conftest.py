from collections.abc import Iterator

import pytest
from django.core.cache import cache

from simulator.people import throttle


class Clock:
    """Stands in for throttle._now, so a test can let fifteen minutes pass at once."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, *, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Failed sign-ins are counted in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(throttle, "_now", clock)
    return clock
