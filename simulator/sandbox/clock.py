"""The sandbox clock: each sandbox keeps its own time, which a learner can pause, speed up or move forward.

Every time-dependent rule reads :func:`now` (credential expiry and rotation, password age, instance state
changes, ``aws:CurrentTime``), so an hour-long session can be watched expiring in a minute. The clock
never runs backwards: credentials issued "in the future" would otherwise be valid before they exist.

Sandbox time is stored as a reading (``clock_base`` at real time ``clock_set_at``) and a rate, so no
process has to tick it: any reader works the current time out from the real clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import errors
from .models import Account, Sandbox

# The speeds a learner can choose, in sandbox seconds per real second (0: paused).
RATES = (0.0, 1.0, 60.0, 600.0)
# Moving forward by more than this at once is refused: a year covers every expiry the sandbox has.
LONGEST_JUMP = timedelta(days=366)


def reading(sandbox: Sandbox, real_now: datetime | None = None) -> datetime:
    """The sandbox's time at real time ``real_now`` (now by default)."""
    real_now = real_now or timezone.now()
    if sandbox.clock_base is None or sandbox.clock_set_at is None:
        return real_now
    elapsed = (real_now - sandbox.clock_set_at).total_seconds()
    return sandbox.clock_base + timedelta(seconds=elapsed * sandbox.clock_rate)


def now(sandbox: Sandbox) -> datetime:
    """The current sandbox time."""
    return reading(sandbox)


def account_now(account: Account) -> datetime:
    """The current time of the sandbox an account belongs to."""
    return now(account.sandbox)


def _reset_reading(sandbox: Sandbox, base: datetime, rate: float) -> None:
    sandbox.clock_base = base
    sandbox.clock_set_at = timezone.now()
    sandbox.clock_rate = rate
    sandbox.save(update_fields=["clock_base", "clock_set_at", "clock_rate"])


def set_rate(sandbox: Sandbox, rate: float) -> None:
    """Run the clock at ``rate`` sandbox seconds per real second from now on (0 pauses it)."""
    if rate not in RATES:
        raise errors.validation_error(f"The clock runs at one of {', '.join(f'{r:g}' for r in RATES)}x.")
    with transaction.atomic():
        locked = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
        _reset_reading(locked, reading(locked), rate)
    sandbox.refresh_from_db(fields=["clock_base", "clock_set_at", "clock_rate"])


def advance(sandbox: Sandbox, seconds: float) -> datetime:
    """Move the clock forward by ``seconds`` at once, keeping its rate; the new sandbox time."""
    if not 0 < seconds <= LONGEST_JUMP.total_seconds():
        raise errors.validation_error(
            f"The clock moves forward by 1 second to {LONGEST_JUMP.days} days at a time, never back."
        )
    with transaction.atomic():
        locked = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
        moved = reading(locked) + timedelta(seconds=seconds)
        _reset_reading(locked, moved, locked.clock_rate)
    sandbox.refresh_from_db(fields=["clock_base", "clock_set_at", "clock_rate"])
    return moved


def resync(sandbox: Sandbox) -> None:
    """Back to real time at normal speed, unless the sandbox is ahead of it (the clock never runs back):
    then it keeps its time and runs at normal speed."""
    with transaction.atomic():
        locked = Sandbox.objects.select_for_update().get(pk=sandbox.pk)
        current = reading(locked)
        real_now = timezone.now()
        if current <= real_now:
            locked.clock_base = locked.clock_set_at = None
            locked.clock_rate = 1.0
            locked.save(update_fields=["clock_base", "clock_set_at", "clock_rate"])
        else:
            _reset_reading(locked, current, 1.0)
    sandbox.refresh_from_db(fields=["clock_base", "clock_set_at", "clock_rate"])
