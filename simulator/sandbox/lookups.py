"""Finding what a request names in the acting identity's account, and locking it for the write that follows.

IAM names are unique in an account regardless of case, so a name finds its entity whatever its case.
Another account's entities do not exist for this one: NoSuchEntity, as AWS answers.
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.db.models import Model

from . import errors
from .authorization import Actor
from .models import Account, Group, IamUser, InstanceProfile, ManagedPolicy, Role

Named = TypeVar("Named", IamUser, Group, Role, InstanceProfile)
Row = TypeVar("Row", bound=Model)

_POLICY_ARN = re.compile(r"arn:aws:iam::(?P<owner>aws|\d{12}):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")


def find_entity(actor: Actor, model: type[Named], name: str) -> Named:
    """The user, group, role or instance profile of the actor's account named ``name``."""
    entity = model.objects.select_related("account").filter(account=actor.account, name__iexact=name).first()
    if entity is None:
        raise errors.no_such_entity(model.arn_kind.replace("-", " "), name)
    return entity


def find_user(actor: Actor, name: str) -> IamUser:
    return find_entity(actor, IamUser, name)


def find_group(actor: Actor, name: str) -> Group:
    return find_entity(actor, Group, name)


def find_role(actor: Actor, name: str) -> Role:
    return find_entity(actor, Role, name)


def find_policy(actor: Actor, arn: str) -> ManagedPolicy:
    """A customer managed policy of this account or an AWS managed one, by ARN."""
    parts = _POLICY_ARN.fullmatch(arn)
    if parts is not None and parts["owner"] in ("aws", actor.account.account_id):
        account = None if parts["owner"] == "aws" else actor.account
        policy = (
            ManagedPolicy.objects.filter(account=account, path=parts["path"], name=parts["name"])
            .select_related("account")
            .first()
        )
        if policy is not None:
            return policy
    raise errors.AwsError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def find_customer_managed_policy(actor: Actor, arn: str, refusal: str) -> ManagedPolicy:
    """The account's own policy by ARN, for a change to it. AWS managed policies are AWS's: a change to one is
    AccessDenied whoever asks, with ``refusal``, AWS's words for the action."""
    policy = find_policy(actor, arn)
    if policy.aws_managed:
        raise errors.AwsError("AccessDenied", refusal, 403)
    return policy


def locked(row: Row) -> Row:
    """The row re-read under a lock, so concurrent changes to it queue behind this one (its account is read
    along, not locked: the account's other entities stay free to change)."""
    return type(row).objects.select_related("account").select_for_update(of=("self",)).get(pk=row.pk)


def locked_account(actor: Actor) -> Account:
    """The actor's account under a lock: account-wide settings and quotas change one request at a time."""
    return Account.objects.select_for_update().get(pk=actor.account.pk)
