"""IAM actions on a sandbox account, each authorized by the engine as the acting identity.

Every front door (console pages, the JSON API, later the AWS-compatible
endpoint) calls these functions, so the sandbox's state and the engine never
disagree. Each one decides first (the decision is logged whatever happens),
then validates and writes in one transaction: nothing is half-written.
Names, paths and quotas follow "IAM and AWS STS quotas" and the IAM API
Reference for each action.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import IntegrityError, transaction

from simulator.policy import explain
from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy

from . import errors
from .authorization import Actor, authorize
from .models import Group, GroupPolicy, IamUser, ManagedPolicy, PolicyVersion, Role, UserPolicy

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_POLICY_ARN = re.compile(r"arn:aws:iam::(?P<owner>aws|\d{12}):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")
GROUPS_PER_USER = 10
MANAGED_POLICIES_PER_ENTITY = 10
VERSIONS_PER_POLICY = 5
MANAGED_POLICY_SIZE = 6144
USER_INLINE_SIZE = 2048
GROUP_INLINE_SIZE = 5120
TRUST_POLICY_SIZE = 2048


def _check_name(kind: str, name: str, longest: int) -> None:
    if not (1 <= len(name) <= longest) or not _NAME.fullmatch(name):
        raise errors.validation_error(
            f"{kind} name {name!r} is invalid: use 1 to {longest} letters, digits and + = , . @ _ -"
        )


def _check_path(path: str) -> None:
    if len(path) > 512 or not _PATH.fullmatch(path):
        raise errors.validation_error(f"Path {path!r} is invalid: it must begin and end with / (for example /dev/)")


def _size(document: str) -> int:
    """IAM counts a policy's characters without its whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def _check_document(document: str, policy_type: PolicyType, limit: int) -> None:
    try:
        parse_policy(document, policy_type)
    except MalformedPolicyDocument as error:
        raise errors.AwsError("MalformedPolicyDocument", str(error)) from None
    if _size(document) > limit:
        raise errors.limit_exceeded(f"Cannot exceed quota for PolicySize: {limit}.")


def _allow(actor: Actor, action: str, resource: str) -> None:
    decision = authorize(actor, action, resource)
    if not decision.allowed:
        raise errors.AccessDenied(decision, explain.sentence(decision))


def _arn(actor: Actor, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{actor.account.account_id}:{kind}{path}{name}"


def _user(actor: Actor, name: str) -> IamUser:
    user = actor.account.users.filter(name__iexact=name).first()
    if user is None:
        raise errors.no_such_entity("User", name)
    return user


def _group(actor: Actor, name: str) -> Group:
    group = actor.account.groups.filter(name__iexact=name).first()
    if group is None:
        raise errors.no_such_entity("Group", name)
    return group


def _policy(actor: Actor, arn: str) -> ManagedPolicy:
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


def _create_entity(
    actor: Actor,
    model: type[IamUser] | type[Group] | type[Role],
    name: str,
    path: str,
    longest: int,
    check: Callable[[], None] | None = None,
    **fields: object,
):
    """CreateUser, CreateGroup and CreateRole alike: validate, authorize, then write; a name taken in
    any case is EntityAlreadyExists (the database's constraint settles races)."""
    kind = model.arn_kind.capitalize()
    _check_name(kind, name, longest)
    _check_path(path)
    if check is not None:
        check()
    _allow(actor, f"iam:Create{kind}", _arn(actor, model.arn_kind, path, name))
    try:
        with transaction.atomic():
            return model.objects.create(account=actor.account, name=name, path=path, **fields)
    except IntegrityError:
        raise errors.entity_already_exists(kind, name) from None


def create_user(actor: Actor, name: str, path: str = "/") -> IamUser:
    return _create_entity(actor, IamUser, name, path, 64)


def delete_user(actor: Actor, name: str) -> None:
    user = _user(actor, name)
    _allow(actor, "iam:DeleteUser", user.arn)
    with transaction.atomic():
        user = IamUser.objects.select_for_update().get(pk=user.pk)
        blockers = [
            f"{count} {what}"
            for what, count in (
                ("group membership(s)", user.groups.count()),
                ("attached policy(ies)", user.managed_policies.count()),
                ("inline policy(ies)", user.inline_policies.count()),
            )
            if count
        ]
        if blockers:
            raise errors.delete_conflict(f"Cannot delete entity, must remove {', '.join(blockers)} first.")
        user.delete()


def create_group(actor: Actor, name: str, path: str = "/") -> Group:
    return _create_entity(actor, Group, name, path, 128)


def add_user_to_group(actor: Actor, group_name: str, user_name: str) -> None:
    group, user = _group(actor, group_name), _user(actor, user_name)
    _allow(actor, "iam:AddUserToGroup", group.arn)
    with transaction.atomic():
        user = IamUser.objects.select_for_update().get(pk=user.pk)
        if user.groups.filter(pk=group.pk).exists():
            return
        if user.groups.count() >= GROUPS_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}.")
        group.members.add(user)


def create_policy(actor: Actor, name: str, document: str, path: str = "/", description: str = "") -> ManagedPolicy:
    _check_name("Policy", name, 128)
    _check_path(path)
    _check_document(document, PolicyType.IDENTITY, MANAGED_POLICY_SIZE)
    _allow(actor, "iam:CreatePolicy", _arn(actor, "policy", path, name))
    try:
        with transaction.atomic():
            policy = ManagedPolicy.objects.create(account=actor.account, name=name, path=path, description=description)
            PolicyVersion.objects.create(policy=policy, number=1, document=document, is_default=True)
            return policy
    except IntegrityError:
        raise errors.entity_already_exists("Policy", name) from None


def create_policy_version(actor: Actor, policy_arn: str, document: str, set_as_default: bool = False) -> PolicyVersion:
    policy = _policy(actor, policy_arn)
    if policy.aws_managed:
        raise errors.AwsError(
            "AccessDenied", "AWS managed policies are read-only: copy it into a policy of your own.", 403
        )
    _check_document(document, PolicyType.IDENTITY, MANAGED_POLICY_SIZE)
    _allow(actor, "iam:CreatePolicyVersion", policy.arn)
    with transaction.atomic():
        policy = ManagedPolicy.objects.select_for_update().get(pk=policy.pk)
        versions = list(policy.versions.all())
        if len(versions) >= VERSIONS_PER_POLICY:
            raise errors.limit_exceeded(
                f"A managed policy can have up to {VERSIONS_PER_POLICY} versions. "
                "Before you create a new version, you must delete an existing version."
            )
        if set_as_default:
            policy.versions.update(is_default=False)
        number = max(v.number for v in versions) + 1
        return PolicyVersion.objects.create(policy=policy, number=number, document=document, is_default=set_as_default)


def _attach(actor: Actor, entity: IamUser | Group, action: str, policy_arn: str, quota: str) -> None:
    policy = _policy(actor, policy_arn)
    _allow(actor, action, entity.arn)
    with transaction.atomic():
        entity = type(entity).objects.select_for_update().get(pk=entity.pk)
        if entity.managed_policies.filter(pk=policy.pk).exists():
            return
        if entity.managed_policies.count() >= MANAGED_POLICIES_PER_ENTITY:
            raise errors.limit_exceeded(f"Cannot exceed quota for {quota}: {MANAGED_POLICIES_PER_ENTITY}.")
        entity.managed_policies.add(policy)


def attach_user_policy(actor: Actor, user_name: str, policy_arn: str) -> None:
    _attach(actor, _user(actor, user_name), "iam:AttachUserPolicy", policy_arn, "PoliciesPerUser")


def attach_group_policy(actor: Actor, group_name: str, policy_arn: str) -> None:
    _attach(actor, _group(actor, group_name), "iam:AttachGroupPolicy", policy_arn, "PoliciesPerGroup")


def _put_inline(
    actor: Actor, entity: IamUser | Group, action: str, policy_name: str, document: str, limit: int
) -> UserPolicy | GroupPolicy:
    """Create or replace an inline policy; all of an entity's inline policies share one size quota."""
    _check_name("Policy", policy_name, 128)
    _check_document(document, PolicyType.IDENTITY, limit)
    _allow(actor, action, entity.arn)
    with transaction.atomic():
        entity = type(entity).objects.select_for_update().get(pk=entity.pk)
        others = entity.inline_policies.exclude(name=policy_name)
        if sum(_size(p.document) for p in others) + _size(document) > limit:
            kind = type(entity).arn_kind
            raise errors.limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {entity.name}")
        inline, _ = entity.inline_policies.update_or_create(name=policy_name, defaults={"document": document})
        return inline


def put_user_policy(actor: Actor, user_name: str, policy_name: str, document: str) -> UserPolicy:
    return _put_inline(actor, _user(actor, user_name), "iam:PutUserPolicy", policy_name, document, USER_INLINE_SIZE)


def put_group_policy(actor: Actor, group_name: str, policy_name: str, document: str) -> GroupPolicy:
    """Every member of the group inherits its inline policies."""
    return _put_inline(actor, _group(actor, group_name), "iam:PutGroupPolicy", policy_name, document, GROUP_INLINE_SIZE)


def create_role(
    actor: Actor, name: str, trust_policy: str, path: str = "/", description: str = "", max_session_duration: int = 3600
) -> Role:
    """A role: who may assume it is its trust policy, validated as one (it must name a principal)."""

    def check() -> None:
        if not 3600 <= max_session_duration <= 43200:
            raise errors.validation_error("MaxSessionDuration must be between 3600 and 43200 seconds (1 to 12 hours).")
        _check_document(trust_policy, PolicyType.TRUST, TRUST_POLICY_SIZE)

    return _create_entity(
        actor,
        Role,
        name,
        path,
        64,
        check,
        description=description,
        trust_policy=trust_policy,
        max_session_duration=max_session_duration,
    )
