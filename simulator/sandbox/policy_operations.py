"""A managed policy's versions and its end: GetPolicyVersion, SetDefaultPolicyVersion, DeletePolicyVersion
and DeletePolicy.

Creating a policy or a version stays in ``operations`` (create_policy, create_policy_version). Each action
here follows the same pattern: validate the input, find the policy in the actor's account (or AWS's),
let the engine decide as the acting identity, then write in one transaction. AWS managed policies are
AWS's: every change to one is refused with AWS's AccessDenied, whoever asks. Codes and messages follow
the IAM API Reference page of each action.
"""

from __future__ import annotations

import re

from django.db import transaction

from . import errors
from .authorization import Actor, allow
from .lookups import find_customer_managed_policy, find_policy, locked
from .models import ManagedPolicy, PolicyVersion

# PolicyVersion's VersionId constraint in the IAM API Reference; the part after a dot never names a version here.
_VERSION_ID = re.compile(r"v(?P<number>[1-9][0-9]*)(?:\.[A-Za-z0-9-]*)?")


def _version_number(version_id: str) -> int:
    """The number in ``v3``; an id of any other shape fails the API's input validation, before anything else."""
    parts = _VERSION_ID.fullmatch(version_id)
    if parts is None:
        rule = r"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"
        raise errors.validation_failed([errors.constraint(version_id, "versionId", rule)])
    return int(parts["number"])


def _no_such_version(policy_arn: str, version_id: str) -> errors.AwsError:
    return errors.AwsError(
        "NoSuchEntity", f"Policy {policy_arn} version {version_id} does not exist or is not attachable.", 404
    )


def _version(policy: ManagedPolicy, policy_arn: str, version_id: str, number: int) -> PolicyVersion:
    version = policy.versions.filter(number=number).first()
    if version is None or version.version_id != version_id:
        raise _no_such_version(policy_arn, version_id)
    return version


def get_policy_version(actor: Actor, policy_arn: str, version_id: str) -> PolicyVersion:
    """A version of the account's own policy or of an AWS managed one (of which only the default is kept here)."""
    number = _version_number(version_id)
    policy = find_policy(actor, policy_arn)
    allow(actor, "iam:GetPolicyVersion", policy.arn)
    return _version(policy, policy_arn, version_id, number)


def set_default_policy_version(actor: Actor, policy_arn: str, version_id: str) -> PolicyVersion:
    """Make ``version_id`` the version that takes effect for every user, group and role the policy is attached to."""
    number = _version_number(version_id)
    policy = find_customer_managed_policy(actor, policy_arn, "Cannot update policies outside your own account.")
    allow(actor, "iam:SetDefaultPolicyVersion", policy.arn)
    with transaction.atomic():
        policy = locked(policy)
        version = _version(policy, policy_arn, version_id, number)
        if not version.is_default:
            # The old default steps down first: a policy never has two (the database's constraint says so too).
            policy.versions.filter(is_default=True).update(is_default=False)
            version.is_default = True
            version.save(update_fields=["is_default"])
        return version


def delete_policy_version(actor: Actor, policy_arn: str, version_id: str) -> None:
    """Delete a version that is not the default; the default goes only with the policy (DeletePolicy)."""
    number = _version_number(version_id)
    policy = find_customer_managed_policy(
        actor, policy_arn, "Cannot delete policy versions for policies outside your own account."
    )
    allow(actor, "iam:DeletePolicyVersion", policy.arn)
    with transaction.atomic():
        policy = locked(policy)
        version = _version(policy, policy_arn, version_id, number)
        if version.is_default:
            raise errors.delete_conflict("Cannot delete the default version of a policy.")
        version.delete()


def delete_policy(actor: Actor, policy_arn: str) -> None:
    """Delete a customer managed policy with its default version.

    As DeletePolicy says, first detach it from every user, group and role, stop using it as anyone's
    permissions boundary, and delete its other versions: until then IAM answers DeleteConflict.
    """
    policy = find_customer_managed_policy(actor, policy_arn, "Cannot delete policies outside your own account.")
    allow(actor, "iam:DeletePolicy", policy.arn)
    with transaction.atomic():
        policy = locked(policy)
        uses = (policy.users, policy.groups, policy.roles, policy.bounded_users, policy.bounded_roles)
        if any(use.exists() for use in uses):
            raise errors.delete_conflict("Cannot delete a policy attached to entities.")
        if policy.versions.count() > 1:
            raise errors.delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must delete the "
                "policy's versions. The default version is deleted with the policy."
            )
        policy.delete()
