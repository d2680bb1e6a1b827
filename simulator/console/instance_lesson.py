"""The lesson a console form gives when a learner treats an EC2 instance as an IAM identity (names an
instance where a user belongs, as when adding members to a group): an instance gets its permissions
through the role of its instance profile, never a policy or a group of its own."""

from __future__ import annotations

import re
from typing import Any

from simulator.sandbox.instance_states import settled
from simulator.sandbox.models import Account

# What an instance id looks like ("Resource IDs", EC2 User Guide): i- and 8 or 17 hexadecimal digits.
INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def instance_lesson(account: Account, typed: str) -> dict[str, Any]:
    """Context for ``_instance_gets_role.html`` when ``typed`` names an instance (of this account, or not);
    empty otherwise."""
    if not INSTANCE_ID.fullmatch(typed.strip()):
        return {}
    instance = (
        account.instances.select_related("account__sandbox", "instance_profile__role")
        .filter(instance_id=typed.strip())
        .first()
    )
    if instance is not None:
        settled(instance)
    profile = instance.instance_profile if instance is not None else None
    return {"instance_lesson": True, "lesson_instance": instance, "lesson_role": profile.role if profile else None}
