"""How a simulated EC2 instance moves between states on the sandbox clock ("Amazon EC2 instance state changes").

Launching or starting puts an instance in ``pending``, stopping in ``stopping``, terminating in ``shutting-down``;
each settles into ``running``, ``stopped`` or ``terminated`` a few sandbox seconds later. Nothing ticks: whoever
looks at an instance settles it first, from the time it last changed, so a paused clock keeps it pending and a
fast one settles it at once. A terminated instance stays listed for an hour, as in the EC2 console, and loses
its instance profile association when it settles (its resources are "gradually disassociated").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet

from . import clock
from .models import Account, Instance

State = Instance.State
# How long each passing state lasts, and what it settles into.
SETTLES_INTO: dict[str, tuple[str, timedelta]] = {
    State.PENDING: (State.RUNNING, timedelta(seconds=5)),
    State.STOPPING: (State.STOPPED, timedelta(seconds=10)),
    State.SHUTTING_DOWN: (State.TERMINATED, timedelta(seconds=10)),
}
# DescribeInstances: "Recently terminated instances might appear in the returned results. This interval is
# usually less than one hour."
TERMINATED_STAYS_VISIBLE = timedelta(hours=1)


def _settled_fields(new_state: str) -> dict[str, object]:
    """What changes when an instance reaches ``new_state``: a terminated one drops its profile association."""
    if new_state == State.TERMINATED:
        return {"state": new_state, "instance_profile": None, "association_id": ""}
    return {"state": new_state}


def settled(instance: Instance) -> Instance:
    """``instance`` with any transition that has come due applied (in memory and in the database); cheap when
    none has: call it before showing or using an instance."""
    if instance.state not in SETTLES_INTO:
        return instance
    new_state, delay = SETTLES_INTO[instance.state]
    settles_at = instance.state_changed_at + delay
    if clock.account_now(instance.account) < settles_at:
        return instance
    changes = {**_settled_fields(new_state), "state_changed_at": settles_at}
    # Only if nobody changed it meanwhile (a stop racing the settle): the later change wins, as it should.
    Instance.objects.filter(pk=instance.pk, state=instance.state, state_changed_at=instance.state_changed_at).update(
        **changes
    )
    for field, value in changes.items():
        setattr(instance, field, value)
    return instance


def settle_all(account: Account, now: datetime | None = None) -> None:
    """Settle every instance of the account whose transition has come due: one query when none has, three
    updates more when some have, however many instances there are.

    The query first keeps pages that only look read-only: on SQLite even an update that matches nothing
    takes the database's write lock, and every page showing instances settles them.
    """
    now = now or clock.account_now(account)
    due = {state: Q(state=state, state_changed_at__lte=now - delay) for state, (_, delay) in SETTLES_INTO.items()}
    anything_due = Q()
    for condition in due.values():
        anything_due |= condition
    if not Instance.objects.filter(anything_due, account=account).exists():
        return
    for state, (new_state, delay) in SETTLES_INTO.items():
        Instance.objects.filter(due[state], account=account).update(
            **_settled_fields(new_state), state_changed_at=F("state_changed_at") + delay
        )


def listed(account: Account) -> QuerySet[Instance]:
    """The account's instances as lists show them, settled: those terminated over an hour ago are gone."""
    now = clock.account_now(account)
    settle_all(account, now)
    long_gone = Q(state=State.TERMINATED, state_changed_at__lt=now - TERMINATED_STAYS_VISIBLE)
    return account.instances.exclude(long_gone)


def is_gone(instance: Instance) -> bool:
    """Terminated long enough ago that EC2 no longer describes it."""
    if instance.state != State.TERMINATED:
        return False
    return clock.account_now(instance.account) - instance.state_changed_at > TERMINATED_STAYS_VISIBLE
