"""S3 actions on a sandbox's buckets and objects, each authorized by the engine as the acting identity.

A request on a bucket or an object is decided with the bucket policy as the resource-based policy
and the bucket owner's account as the resource's account, so an identity from another account of
the sandbox needs both its identity-based policies and the bucket policy to allow ("Cross-account
policy evaluation logic"). Error codes and messages: S3 API Reference, each action's page and
"Error responses"; bucket names: "General purpose bucket naming rules".

Bucket-owner rules kept from "How Amazon S3 authorizes a request" and the bucket policy actions'
pages: the owner account's root user may always get, put and delete the bucket policy, even when the
policy denies it (no one can lock the owner out); other accounts get MethodNotAllowed from those
three actions even when allowed. Simplified: every object belongs to the bucket owner (Object
Ownership "Bucket owner enforced", the default, so ACLs play no part); Block Public Access, regions,
versioning and multipart uploads are not modelled; bodies are text of at most MAX_OBJECT_SIZE bytes.
"""

from __future__ import annotations

import ipaddress
import re

from django.db import IntegrityError, transaction
from django.db.models.functions import Left

from simulator.policy import catalog, explain
from simulator.policy.decision import Decision
from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import Policy, PolicyType, Statement
from simulator.policy.parse import parse_policy

from . import errors
from .authorization import Actor, allow, authorize, policies_for
from .models import Account, Bucket, BucketObject, IamUser, Role
from .resources import bucket_policy

BUCKET_POLICY_SIZE = 20 * 1024
MAX_OBJECT_SIZE = 64 * 1024
MAX_KEY_BYTES = 1024
MAX_KEYS = 1000
_BUCKET_CHARACTERS = re.compile(r"[a-z0-9.-]+")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_POLICY_ACTIONS = ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy")
_IAM_PRINCIPAL = re.compile(
    r"arn:aws:(?:iam::(?P<account>\d{12}):(?P<kind>user|role)(?P<path>/(?:.*/)?)(?P<name>[^/]+)"
    r"|sts::(?P<session_account>\d{12}):assumed-role/(?P<role>[^/]+)/.+)"
)


def bucket_name_problem(name: str) -> str | None:
    """What breaks "General purpose bucket naming rules" in ``name``, or None when it is a valid name."""
    if not 3 <= len(name) <= 63:
        return "a bucket name is 3 to 63 characters long"
    if not _BUCKET_CHARACTERS.fullmatch(name):
        return "use only lowercase letters, digits, dots (.) and hyphens (-)"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "a bucket name begins and ends with a letter or a digit"
    if ".." in name:
        return "a bucket name has no two adjacent dots"
    if _is_ip_address(name):
        return "a bucket name must not look like an IP address"
    if name.startswith(_RESERVED_PREFIXES):
        return f"the prefixes {', '.join(_RESERVED_PREFIXES)} are reserved"
    if name.endswith(_RESERVED_SUFFIXES):
        return f"the suffixes {', '.join(_RESERVED_SUFFIXES)} are reserved"
    return None


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def _bucket(actor: Actor, name: str) -> Bucket:
    """Bucket names are global in S3; here they are unique across the sandbox's accounts."""
    bucket = Bucket.objects.filter(sandbox_id=actor.account.sandbox_id, name=name).select_related("account").first()
    if bucket is None:
        raise errors.AwsError("NoSuchBucket", "The specified bucket does not exist", 404)
    return bucket


def _decide(actor: Actor, action: str, bucket: Bucket, resource: str, context: dict | None = None) -> Decision:
    """The engine's decision with the bucket policy on the resource side and the bucket owner as its account.

    The owner's root user is never locked out of the bucket policy actions, so for them the policy is
    left out: what decides is that the root user has complete access to its own account.
    """
    owner_root = actor.is_root and actor.account.pk == bucket.account_id
    policy = None if owner_root and action in _POLICY_ACTIONS else bucket_policy(bucket)
    owner = bucket.account.account_id
    return authorize(
        actor,
        action,
        resource,
        policies=policies_for(actor, resource=policy),
        context={"aws:ResourceAccount": owner, **(context or {})},
        resource_account=owner,
    )


def _allow(actor: Actor, action: str, bucket: Bucket, resource: str, context: dict | None = None) -> None:
    decision = _decide(actor, action, bucket, resource, context)
    if not decision.allowed:
        raise errors.AccessDenied(decision)


def _allow_policy_action(actor: Actor, action: str, bucket: Bucket) -> None:
    """Allowed is not enough for the bucket policy actions: only the owner's identities may use them."""
    _allow(actor, action, bucket, bucket.arn)
    if actor.account.pk != bucket.account_id:
        raise errors.AwsError(
            "MethodNotAllowed",
            "The specified method is not allowed against this resource: only identities of the bucket owner's "
            f"account ({bucket.account.account_id}) may use {action}, whatever the policies allow.",
            405,
        )


def create_bucket(actor: Actor, name: str) -> Bucket:
    problem = bucket_name_problem(name)
    if problem is not None:
        raise errors.AwsError("InvalidBucketName", f"The specified bucket is not valid: {problem}.")
    allow(actor, "s3:CreateBucket", f"arn:aws:s3:::{name}")
    try:
        with transaction.atomic():
            return Bucket.objects.create(sandbox_id=actor.account.sandbox_id, account=actor.account, name=name)
    except IntegrityError:
        taken = Bucket.objects.filter(sandbox_id=actor.account.sandbox_id, name=name).values("account").first()
    if taken is not None and taken["account"] == actor.account.pk:
        raise errors.AwsError(
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
            409,
        )
    raise errors.AwsError(
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all accounts of the "
        "sandbox, as it is by all AWS accounts. Please select a different name and try again.",
        409,
    )


def delete_bucket(actor: Actor, name: str) -> None:
    bucket = _bucket(actor, name)
    _allow(actor, "s3:DeleteBucket", bucket, bucket.arn)
    with transaction.atomic():
        bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
        if bucket.objects_stored.exists():
            raise errors.AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
        bucket.delete()


def _malformed(message: str) -> errors.AwsError:
    return errors.AwsError("MalformedPolicy", message)


# S3 answers a policy it cannot accept with a short message naming the element at fault.
_S3_MESSAGES = {
    None: "This policy contains invalid Json",
    "Principal": "Invalid principal in policy",
    "NotPrincipal": "Invalid principal in policy",
    "Action": "Policy has invalid action",
    "NotAction": "Policy has invalid action",
    "Resource": "Policy has invalid resource",
    "NotResource": "Policy has invalid resource",
}


def _check_bucket_policy(bucket: Bucket, document: str) -> None:
    """Refuse, with MalformedPolicy, a document S3 would not accept as this bucket's policy.

    Beyond the policy grammar, S3 requires every Resource to be this bucket or objects in it, every
    action to be an S3 action that applies to one of them, and every IAM principal to exist.
    """
    if len(document.encode()) > BUCKET_POLICY_SIZE:
        raise _malformed(f"Policy exceeds the maximum allowed document size ({BUCKET_POLICY_SIZE} bytes).")
    try:
        policy = parse_policy(document, PolicyType.RESOURCE)
    except MalformedPolicyDocument as malformed:
        first = malformed.errors[0]
        said = first.aws_message
        if not said.startswith("Missing required field"):
            said = _S3_MESSAGES.get(first.element, said)
        raise _malformed(f"{said}: {first.message}") from None
    for statement in policy.statements:
        label = statement.label[0].upper() + statement.label[1:]
        for resource in (*(statement.resources or ()), *(statement.not_resources or ())):
            if resource != bucket.arn and not resource.startswith(f"{bucket.arn}/"):
                raise _malformed(
                    f"Policy has invalid resource: {label} names {resource}, but a bucket policy covers only "
                    f"its bucket ({bucket.arn}) and the objects in it ({bucket.arn}/*)."
                )
        for action in (*(statement.actions or ()), *(statement.not_actions or ())):
            if action != "*" and not (action.lower().startswith("s3:") and catalog.actions_matching(action)):
                raise _malformed(f"Policy has invalid action: {label} names {action}, which is not an S3 action.")
        if not _applies_to_a_resource(statement, bucket):
            raise _malformed(
                f"Action does not apply to any resource(s) in statement: {label} names bucket actions "
                "only with object ARNs, or object actions only with the bucket's ARN."
            )
    missing = _missing_principals(bucket, policy)
    if missing:
        raise _malformed(f"Invalid principal in policy: {missing[0]} does not exist in its account.")


def _applies_to_a_resource(statement: Statement, bucket: Bucket) -> bool:
    """Whether some action of the statement acts on a resource it names: s3:ListBucket on the bucket,
    s3:GetObject on objects. NotAction and NotResource always leave something, so they pass."""
    if statement.actions is None or statement.resources is None or "*" in statement.actions:
        return True
    kinds = {"bucket" if resource == bucket.arn else "object" for resource in statement.resources}
    actions = {found for pattern in statement.actions for found in catalog.actions_matching(pattern)}
    return any(kind in found.resource_types for found in actions for kind in kinds)


def _missing_principals(bucket: Bucket, policy: Policy) -> list[str]:
    """The IAM users, roles and role sessions the policy names in the sandbox's accounts that do not exist.

    Principals in accounts outside the sandbox cannot be checked, so they pass, as an account ID does.
    """
    named = [
        (entry.value, found)
        for statement in policy.statements
        for entry in (*(statement.principals or ()), *(statement.not_principals or ()))
        if entry.kind == "AWS" and (found := _IAM_PRINCIPAL.fullmatch(entry.value))
    ]
    if not named:
        return []
    accounts = set(Account.objects.filter(sandbox_id=bucket.sandbox_id).values_list("account_id", flat=True))
    users = {u.arn for u in IamUser.objects.filter(account__sandbox_id=bucket.sandbox_id).select_related("account")}
    roles = Role.objects.filter(account__sandbox_id=bucket.sandbox_id).select_related("account")
    role_arns = {r.arn for r in roles}
    sessions = {(r.account.account_id, r.name) for r in roles}
    missing = []
    for arn, found in named:
        if found["account"] in accounts:
            exists = arn in (users if found["kind"] == "user" else role_arns)
        elif found["session_account"] in accounts:
            exists = (found["session_account"], found["role"]) in sessions
        else:
            exists = True
        if not exists:
            missing.append(arn)
    return missing


def put_bucket_policy(actor: Actor, bucket_name: str, document: str) -> None:
    """Replace the bucket's policy; the document is checked the way S3 checks it before anything else."""
    bucket = _bucket(actor, bucket_name)
    _check_bucket_policy(bucket, document)
    _allow_policy_action(actor, "s3:PutBucketPolicy", bucket)
    with transaction.atomic():
        Bucket.objects.filter(pk=bucket.pk).update(policy=document)


def get_bucket_policy(actor: Actor, bucket_name: str) -> str:
    bucket = _bucket(actor, bucket_name)
    _allow_policy_action(actor, "s3:GetBucketPolicy", bucket)
    if not bucket.policy:
        raise errors.AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
    return bucket.policy


def delete_bucket_policy(actor: Actor, bucket_name: str) -> None:
    """Deleting a policy that is not there succeeds, as in S3 (204 No Content either way)."""
    bucket = _bucket(actor, bucket_name)
    _allow_policy_action(actor, "s3:DeleteBucketPolicy", bucket)
    with transaction.atomic():
        Bucket.objects.filter(pk=bucket.pk).update(policy="")


def _check_key(key: str) -> None:
    if not key:
        raise errors.AwsError("InvalidArgument", "An object key must be at least 1 character long.")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise errors.AwsError("KeyTooLongError", f"Your key is too long: at most {MAX_KEY_BYTES} bytes in UTF-8.")


def put_object(actor: Actor, bucket_name: str, key: str, body: str, content_type: str = "text/plain") -> BucketObject:
    """Store a text object, replacing any object with the same key."""
    bucket = _bucket(actor, bucket_name)
    _check_key(key)
    if len(body.encode()) > MAX_OBJECT_SIZE:
        raise errors.AwsError(
            "EntityTooLarge",
            f"Your proposed upload exceeds the maximum allowed object size ({MAX_OBJECT_SIZE} bytes in the sandbox).",
        )
    content_type = content_type or "text/plain"
    if len(content_type) > 255:
        raise errors.AwsError("InvalidArgument", "The Content-Type is longer than 255 characters.")
    _allow(actor, "s3:PutObject", bucket, f"{bucket.arn}/{key}")
    with transaction.atomic():
        # Locked so that DeleteBucket, which checks for objects under the same lock, cannot miss this one.
        bucket = Bucket.objects.select_for_update().filter(pk=bucket.pk).first()
        if bucket is None:
            raise errors.AwsError("NoSuchBucket", "The specified bucket does not exist", 404)
        stored, _ = BucketObject.objects.update_or_create(
            bucket=bucket, key=key, defaults={"body": body, "content_type": content_type}
        )
        return stored


def get_object(actor: Actor, bucket_name: str, key: str) -> BucketObject:
    """The object; for a missing key S3 answers NoSuchKey only to whoever may list the bucket.

    "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code 403
    Access Denied error" (GetObject): otherwise anyone could learn which keys exist.
    """
    bucket = _bucket(actor, bucket_name)
    _allow(actor, "s3:GetObject", bucket, f"{bucket.arn}/{key}")
    stored = bucket.objects_stored.filter(key=key).first()
    if stored is not None:
        return stored
    listing = _decide(actor, "s3:ListBucket", bucket, bucket.arn)
    if not listing.allowed:
        raise errors.AccessDenied(
            listing,
            f"{explain.sentence(listing)}. The key does not exist, and S3 answers AccessDenied rather than "
            "NoSuchKey to anyone who may not list the bucket.",
        )
    raise errors.AwsError("NoSuchKey", "The specified key does not exist.", 404)


def delete_object(actor: Actor, bucket_name: str, key: str) -> None:
    """Deleting a key that is not there succeeds, as in S3 (204 No Content either way)."""
    bucket = _bucket(actor, bucket_name)
    _check_key(key)
    _allow(actor, "s3:DeleteObject", bucket, f"{bucket.arn}/{key}")
    with transaction.atomic():
        bucket.objects_stored.filter(key=key).delete()


def list_objects(actor: Actor, bucket_name: str, prefix: str = "") -> list[BucketObject]:
    """ListObjectsV2: up to MAX_KEYS objects whose keys begin with ``prefix``, in key order, without bodies.

    It needs s3:ListBucket on the bucket; the prefix is the s3:prefix condition key, so a policy can
    allow listing only part of the bucket.
    """
    bucket = _bucket(actor, bucket_name)
    _allow(actor, "s3:ListBucket", bucket, bucket.arn, {"s3:prefix": prefix} if prefix else None)
    objects = bucket.objects_stored.defer("body")
    if prefix:
        # startswith is a LIKE, which SQLite compares without case; S3 keys are case-sensitive.
        objects = objects.annotate(head=Left("key", len(prefix))).filter(head=prefix)
    return list(objects[:MAX_KEYS])
