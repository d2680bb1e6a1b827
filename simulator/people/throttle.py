"""Sign-in throttling: after LIMIT failures for one username or one client address within WINDOW, refuse.

Failures are timestamps kept in Django's cache under a key per username and per address; only the last
LIMIT are kept, so an attacker cannot grow an entry. Refused attempts are not counted, so a lock lifts
WINDOW after the oldest of those failures.
"""

import hashlib
import math
import time

from django.core.cache import cache

LIMIT = 5
WINDOW = 15 * 60  # seconds


def _now() -> float:
    """The clock, a seam for tests (the cache's own expiry only bounds memory; it never decides)."""
    return time.time()


def _key(kind: str, value: str) -> str:
    # Hashed: usernames may hold characters that some cache backends refuse in keys.
    return "people:sign-in:" + hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _keys(username: str, address: str) -> tuple[str, str]:
    return _key("username", username.casefold()), _key("address", address)


def _recent(key: str, now: float) -> list[float]:
    return [moment for moment in cache.get(key, []) if moment > now - WINDOW]


def retry_after(username: str, address: str) -> int:
    """Seconds until this username and address may try again; 0 when they may try now."""
    now = _now()
    wait = 0.0
    for key in _keys(username, address):
        recent = _recent(key, now)
        if len(recent) >= LIMIT:
            wait = max(wait, recent[-LIMIT] + WINDOW - now)
    return math.ceil(wait)


def record_failure(username: str, address: str) -> None:
    now = _now()
    for key in _keys(username, address):
        cache.set(key, [*_recent(key, now), now][-LIMIT:], timeout=WINDOW)


def forget_username(username: str) -> None:
    """Clear a username's failures after it signs in. The address keeps its count: one valid account must not
    let its owner reset the limit while guessing at others."""
    cache.delete(_key("username", username.casefold()))
