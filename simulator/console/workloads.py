"""What uses an entity, for its page: a role's live sessions and the instances acting as it, a profile's
instances, the instances holding a user's access keys. Each list is one query, however long.

A session is live while its credentials have not expired on the sandbox clock ("Temporary security
credentials in IAM"). An instance acts as the role of the instance profile it is associated with (EC2 User
Guide, "IAM roles for Amazon EC2"); a terminated instance has lost its association, and its disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from simulator.sandbox import instance_states
from simulator.sandbox.models import AccessKey, Account, Instance, InstanceProfile, Role, TemporaryCredential


def operation_words(credential: TemporaryCredential) -> str:
    """How the credentials were issued: the STS action's name, or EC2 handing the instance its role."""
    if credential.operation == TemporaryCredential.Operation.INSTANCE_ROLE:
        return credential.get_operation_display()
    return credential.operation


def live_sessions(role: Role, now: datetime) -> list[TemporaryCredential]:
    """The role's temporary credentials not yet expired at ``now``, the soonest to expire first."""
    live = role.sessions.filter(expires_at__gt=now).select_related("account", "instance")
    return list(live.order_by("expires_at", "id"))


def instances_using(role: Role, now: datetime) -> list[Instance]:
    """The instances acting as ``role``: associated with any instance profile holding it."""
    instance_states.settle_all(role.account, now)
    instances = Instance.objects.filter(account=role.account, instance_profile__role=role)
    return list(instances.select_related("instance_profile"))


def instances_with(profile: InstanceProfile, now: datetime) -> list[Instance]:
    instance_states.settle_all(profile.account, now)
    return list(profile.instances.all())


def instances_holding(account: Account, keys: Iterable[AccessKey], now: datetime) -> dict[str, list[Instance]]:
    """For each of ``keys`` (by access key ID), the instances with it written on their disk; a terminated
    instance's disk is gone with it."""
    key_ids = [key.access_key_id for key in keys]
    if not key_ids:
        return {}
    instance_states.settle_all(account, now)
    holding: dict[str, list[Instance]] = defaultdict(list)
    stored = account.instances.filter(stored_access_key_id__in=key_ids).exclude(state=Instance.State.TERMINATED)
    for instance in stored:
        holding[instance.stored_access_key_id].append(instance)
    return dict(holding)
