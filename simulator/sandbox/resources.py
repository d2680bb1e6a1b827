"""Resource-based policies in a sandbox: what a resource's own policy says, and which account owns it.

Two kinds of resource carry one here: an S3 bucket (its bucket policy covers the bucket and every
object in it) and an IAM role (its trust policy says who may assume it). Anything that decides a
request on such a resource (the S3 operations, the access tester, the API's simulation) asks
:func:`resource_policy`, keeps it if it is :func:`taking_part` in the action, and passes ``policy`` as the
resource-based policy and ``account_id`` as the resource's account, so a request from another account
of the sandbox is decided cross-account ("Cross-account policy evaluation logic", IAM User Guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import TRUST_POLICY_ACTIONS, parse_policy

from .models import Bucket, Role, Sandbox

# "Amazon S3 resources" (ARN formats): a bucket, or an object in it; no region or account in either.
_S3_ARN = re.compile(r"arn:aws:s3:::(?P<bucket>[^/]+)(?:/.*)?", re.DOTALL)
_ROLE_ARN = re.compile(r"arn:aws:iam::(?P<account>\d{12}):role(?P<path>/(?:.*/)?)(?P<name>[^/]+)")
_TRUST_ACTIONS = frozenset(action.lower() for action in TRUST_POLICY_ACTIONS)


@dataclass(frozen=True)
class ResourcePolicy:
    """A resource's own policy and owner.

    ``policy`` is None for a bucket without a bucket policy: the owner still matters, because a
    request from another account needs the resource's side to allow and, with no policy, it cannot.
    ``account_id`` is the owning account; ``label`` names the policy in the console's words
    ("bucket policy of reports", "trust policy of role Admin"), which is also how decisions name it;
    ``kind`` is ``"bucket"`` or ``"trust"``.
    """

    policy: Policy | None
    account_id: str
    label: str
    kind: Literal["bucket", "trust"]


@lru_cache(maxsize=1024)
def _parsed(text: str, policy_type: PolicyType, label: str) -> Policy:
    """Stored documents were validated when written; parsing each once serves every later decision."""
    return parse_policy(text, policy_type, policy_id=label, source_type="resource")


def bucket_label(bucket: Bucket) -> str:
    return f"bucket policy of {bucket.name}"


def bucket_policy(bucket: Bucket) -> Policy | None:
    """The bucket's policy, parsed as a resource-based policy; None when it has none."""
    if not bucket.policy:
        return None
    return _parsed(bucket.policy, PolicyType.RESOURCE, bucket_label(bucket))


def resource_policy(sandbox: Sandbox, resource_arn: str) -> ResourcePolicy | None:
    """The resource-based policy of the sandbox resource ``resource_arn`` names, with its owner.

    A bucket's ARN or one of its objects' gives the bucket's policy; a role's ARN (path included,
    as IAM writes it) gives its trust policy. None when the ARN names nothing in the sandbox that has
    a resource-based policy: another kind of resource, a wildcard, a bucket or role that does not exist.
    At most one query.
    """
    if s3 := _S3_ARN.fullmatch(resource_arn):
        bucket = Bucket.objects.filter(sandbox=sandbox, name=s3["bucket"]).select_related("account").first()
        if bucket is None:
            return None
        return ResourcePolicy(bucket_policy(bucket), bucket.account.account_id, bucket_label(bucket), "bucket")
    if iam := _ROLE_ARN.fullmatch(resource_arn):
        role = (
            Role.objects.filter(
                account__sandbox=sandbox, account__account_id=iam["account"], path=iam["path"], name=iam["name"]
            )
            .select_related("account")
            .first()
        )
        if role is None:
            return None
        label = f"trust policy of role {role.name}"
        return ResourcePolicy(_parsed(role.trust_policy, PolicyType.TRUST, label), iam["account"], label, "trust")
    return None


def taking_part(found: ResourcePolicy | None, action: str) -> ResourcePolicy | None:
    """``found`` if it takes part in deciding ``action``, else None.

    A bucket policy bears on every request for its bucket; a role's trust policy only on the actions a
    trust policy governs (assuming the role and what comes with it: "IAM role trust policies"). Asking
    to, say, delete a role is decided by the caller's own policies alone.
    """
    if found is None or (found.kind == "trust" and action.lower() not in _TRUST_ACTIONS):
        return None
    return found
