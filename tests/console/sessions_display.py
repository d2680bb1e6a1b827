"""Builders the display tests share: role sessions and instances written straight into the models, as STS and
EC2 would leave them (sandbox times), so the pages can be tested without going through those services."""

from __future__ import annotations

from datetime import timedelta

from simulator.sandbox import clock
from simulator.sandbox.models import Account, IamUser, Instance, InstanceProfile, Role, TemporaryCredential

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def session_of(
    role: Role,
    session_name: str = "deploy",
    *,
    lasts: int = 3600,
    operation: str = TemporaryCredential.Operation.ASSUME_ROLE,
    issued_to: str = "",
    instance: Instance | None = None,
) -> TemporaryCredential:
    """Temporary credentials of ``role`` issued now on the sandbox clock, lasting ``lasts`` seconds."""
    now = clock.account_now(role.account)
    return TemporaryCredential.objects.create(
        account=role.account,
        operation=operation,
        role=role,
        instance=instance,
        session_name=session_name,
        issued_at=now,
        expires_at=now + timedelta(seconds=lasts),
        issued_to=issued_to or role.account.root_arn,
    )


def instance_in(
    account: Account,
    profile: InstanceProfile | None = None,
    *,
    state: str = Instance.State.RUNNING,
    tags: list[dict] | None = None,
    stored_key: str = "",
) -> Instance:
    """An instance launched now, with ``profile`` and, for the anti-pattern, ``stored_key`` on its disk."""
    now = clock.account_now(account)
    return Instance.objects.create(
        account=account,
        instance_profile=profile,
        association_id="iip-assoc-0123456789abcdef0" if profile else "",
        state=state,
        state_changed_at=now,
        launched_at=now,
        tags=tags or [],
        stored_access_key_id=stored_key,
        stored_secret_access_key="x" * 40 if stored_key else "",
    )


def profile_with(account: Account, name: str, role: Role | None) -> InstanceProfile:
    return InstanceProfile.objects.create(account=account, name=name, role=role)


def user_named(account: Account, name: str) -> IamUser:
    return IamUser.objects.create(account=account, name=name)
