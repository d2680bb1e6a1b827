"""Access keys: long-term credentials of an IAM user, or of the root user (which AWS strongly advises against).

IAM API Reference: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
GetAccessKeyLastUsed; "IAM and AWS STS quotas" (two access keys per user, the root user
included); "Create access keys for the root user"; "Update access keys" for the switch from
one key to another without downtime that the second key exists for.

The secret is returned once, by ``create_access_key``; nothing else here hands it out.
"""

from __future__ import annotations

from django.db import transaction

from . import clock, errors
from .authorization import Actor, allow
from .credentials import require_root
from .lookups import find_user, locked, locked_account
from .models import AccessKey, Account, IamUser, Sandbox

ACCESS_KEYS_PER_USER = 2
NEVER_USED = "N/A"


def _owner(actor: Actor, user_name: str | None) -> tuple[IamUser | None, str]:
    """The key's owner (None: the root user) and its ARN. Only the root user manages root keys."""
    if user_name is None:
        require_root(actor, "manage the root user's access keys")
        return None, actor.account.root_arn
    user = find_user(actor, user_name)
    return user, user.arn


def _keys_of(account: Account, user: IamUser | None):
    return AccessKey.objects.filter(account=account, user=user)


def _key(actor: Actor, user: IamUser | None, access_key_id: str) -> AccessKey:
    key = _keys_of(actor.account, user).filter(access_key_id=access_key_id).first()
    if key is None:
        raise errors.AwsError("NoSuchEntity", f"The Access Key with id {access_key_id} cannot be found.", 404)
    return key


def create_access_key(actor: Actor, user_name: str | None) -> AccessKey:
    """A new Active key for the user (``None``: for the root user, which only the root user may do).

    The returned key carries its secret: show it now, it is never shown again.
    """
    user, owner_arn = _owner(actor, user_name)
    allow(actor, "iam:CreateAccessKey", owner_arn)
    with transaction.atomic():
        # Locking the owner's row serializes two concurrent creations against the quota.
        if user is None:
            locked_account(actor)
        else:
            user = locked(user)
        if _keys_of(actor.account, user).count() >= ACCESS_KEYS_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
        return AccessKey.objects.create(account=actor.account, user=user)


def update_access_key(actor: Actor, user_name: str | None, access_key_id: str, status: str) -> AccessKey:
    """Activate or deactivate a key. An inactive key is refused by AWS, yet still counts towards the quota."""
    if status not in AccessKey.Status.values:
        enum = f"Member must satisfy enum value set: [{', '.join(AccessKey.Status.values)}]"
        raise errors.validation_failed([errors.constraint(status, "status", enum)])
    user, owner_arn = _owner(actor, user_name)
    key = _key(actor, user, access_key_id)
    allow(actor, "iam:UpdateAccessKey", owner_arn)
    with transaction.atomic():
        key = AccessKey.objects.select_for_update().get(pk=key.pk)
        key.status = status
        key.save(update_fields=["status"])
    return key


def delete_access_key(actor: Actor, user_name: str | None, access_key_id: str) -> None:
    user, owner_arn = _owner(actor, user_name)
    key = _key(actor, user, access_key_id)
    allow(actor, "iam:DeleteAccessKey", owner_arn)
    with transaction.atomic():
        AccessKey.objects.filter(pk=key.pk).delete()


def list_access_keys(actor: Actor, user_name: str | None) -> list[AccessKey]:
    """The owner's keys, oldest first, with their status, creation and last use (never their secrets)."""
    user, owner_arn = _owner(actor, user_name)
    allow(actor, "iam:ListAccessKeys", owner_arn)
    return list(_keys_of(actor.account, user).defer("secret"))


def last_used(key: AccessKey) -> dict[str, object]:
    """GetAccessKeyLastUsed's AccessKeyLastUsed: service and region "N/A", no date, while the key was never used.

    The sandbox has no regions, so a used key reports none.
    """
    if key.last_used_at is None:
        return {"ServiceName": NEVER_USED, "Region": NEVER_USED}
    return {"LastUsedDate": key.last_used_at, "ServiceName": key.last_used_service}


def record_access_key_use(sandbox: Sandbox, access_key_id: str, service: str) -> AccessKey:
    """Stamp a key's last use, for whoever receives a request signed with it (the API, an AWS-compatible endpoint).

    A key that does not exist in ``sandbox`` (another learner's is as unknown as a made-up one) or is inactive
    cannot sign anything: AWS answers InvalidClientTokenId.
    """
    with transaction.atomic():
        key = (
            AccessKey.objects.select_for_update()
            .filter(account__sandbox=sandbox, access_key_id=access_key_id)
            .select_related("account__sandbox")
            .first()
        )
        if key is None or key.status != AccessKey.Status.ACTIVE:
            raise errors.AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        key.last_used_at = clock.account_now(key.account)
        key.last_used_service = service
        key.save(update_fields=["last_used_at", "last_used_service"])
    return key
