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
from collections.abc import Callable, Iterable, Mapping

from django.db import IntegrityError, transaction

from simulator.policy import explain
from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy

from . import errors, tagging
from .authorization import Actor, authorize
from .models import Group, GroupPolicy, IamUser, ManagedPolicy, PolicyVersion, Role, RolePolicy, UserPolicy

Identity = IamUser | Group | Role

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_POLICY_ARN = re.compile(r"arn:aws:iam::(?P<owner>aws|\d{12}):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")
GROUPS_PER_USER = 10
MANAGED_POLICIES_PER_ENTITY = 10
VERSIONS_PER_POLICY = 5
MANAGED_POLICY_SIZE = 6144
USER_INLINE_SIZE = 2048
GROUP_INLINE_SIZE = 5120
ROLE_INLINE_SIZE = 10240
TRUST_POLICY_SIZE = 2048
SERVICE_ROLE_POLICY_PATH = "/aws-service-role/"


def _check_name(kind: str, name: str, longest: int) -> None:
    if not (1 <= len(name) <= longest) or not _NAME.fullmatch(name):
        raise errors.validation_error(
            f"{kind} name {name!r} is invalid: use 1 to {longest} letters, digits and + = , . @ _ -"
        )


def _check_path(path: str) -> None:
    if len(path) > 512 or not _PATH.fullmatch(path):
        raise errors.validation_error(f"Path {path!r} is invalid: it must begin and end with / (for example /dev/)")


def policy_size(document: str) -> int:
    """IAM counts a policy's characters without its whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def _check_document(document: str, policy_type: PolicyType, limit: int) -> None:
    try:
        parse_policy(document, policy_type)
    except MalformedPolicyDocument as error:
        raise errors.AwsError("MalformedPolicyDocument", str(error)) from None
    if policy_size(document) > limit:
        raise errors.limit_exceeded(f"Cannot exceed quota for PolicySize: {limit}.")


def _allow(actor: Actor, action: str, resource: str, context: Mapping[str, str | Iterable[str]] | None = None) -> None:
    decision = authorize(actor, action, resource, context=context)
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


def _role(actor: Actor, name: str) -> Role:
    role = actor.account.roles.filter(name__iexact=name).first()
    if role is None:
        raise errors.no_such_entity("Role", name)
    return role


def _kind(entity: Identity) -> str:
    """The entity's noun as it appears in IAM action names: User, Group, Role."""
    return type(entity).arn_kind.capitalize()


def _check_modifiable(entity: Identity) -> None:
    """A service-linked role belongs to its service: only that service may change it ("Using service-linked
    roles"); IAM answers UnmodifiableEntity whoever asks, even the root user."""
    if isinstance(entity, Role) and entity.service_linked:
        raise errors.AwsError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{entity.name}' - this role is only modifiable by AWS",
        )


def _locked(entity: Identity) -> Identity:
    """The entity re-read under a row lock, so concurrent changes to it queue behind this one (its account
    is read along, not locked: other entities of the account stay free to change)."""
    return type(entity).objects.select_related("account").select_for_update(of=("self",)).get(pk=entity.pk)


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


def _attachable(policy: ManagedPolicy) -> ManagedPolicy:
    """A service-linked role's policy serves only that role: IAM refuses to attach it to anything else,
    or to make it a boundary (AttachUserPolicy, PutUserPermissionsBoundary: PolicyNotAttachable)."""
    if policy.aws_managed and policy.path.startswith(SERVICE_ROLE_POLICY_PATH):
        raise errors.AwsError(
            "PolicyNotAttachable",
            f"Policy {policy.arn} is an AWS service role policy: only its service-linked role may use it.",
        )
    return policy


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


def _blockers(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{count} {what}" for what, count in counts if count)


def delete_user(actor: Actor, name: str) -> None:
    """Unlike the console, DeleteUser removes nothing for you: everything the user still has blocks it
    (DeleteUser, "Deleting an IAM user"). The sandbox models the password, access keys, policies and groups."""
    user = _user(actor, name)
    _allow(actor, "iam:DeleteUser", user.arn)
    with transaction.atomic():
        user = _locked(user)
        blockers = _blockers(
            (
                ("console password (login profile)", 1 if user.password else 0),
                ("access key(s)", user.access_keys.count()),
                ("group membership(s)", user.groups.count()),
                ("attached policy(ies)", user.managed_policies.count()),
                ("inline policy(ies)", user.inline_policies.count()),
            )
        )
        if blockers:
            raise errors.delete_conflict(f"Cannot delete entity, must remove {blockers} first.")
        user.delete()


def create_group(actor: Actor, name: str, path: str = "/") -> Group:
    return _create_entity(actor, Group, name, path, 128)


def delete_group(actor: Actor, name: str) -> None:
    """DeleteGroup: the group must have no members and no attached or inline policies left."""
    group = _group(actor, name)
    _allow(actor, "iam:DeleteGroup", group.arn)
    with transaction.atomic():
        group = _locked(group)
        blockers = _blockers(
            (
                ("member(s)", group.members.count()),
                ("attached policy(ies)", group.managed_policies.count()),
                ("inline policy(ies)", group.inline_policies.count()),
            )
        )
        if blockers:
            raise errors.delete_conflict(f"Cannot delete entity, must remove {blockers} first.")
        group.delete()


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


def remove_user_from_group(actor: Actor, group_name: str, user_name: str) -> None:
    group, user = _group(actor, group_name), _user(actor, user_name)
    _allow(actor, "iam:RemoveUserFromGroup", group.arn)
    with transaction.atomic():
        group = _locked(group)
        if not group.members.filter(pk=user.pk).exists():
            raise errors.AwsError("NoSuchEntity", f"User {user.name} is not a member of group {group.name}.", 404)
        group.members.remove(user)


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


def _attach(actor: Actor, entity: Identity, policy_arn: str) -> None:
    """AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy: attaching twice changes nothing."""
    policy = _attachable(_policy(actor, policy_arn))
    kind = _kind(entity)
    _allow(actor, f"iam:Attach{kind}Policy", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        if entity.managed_policies.filter(pk=policy.pk).exists():
            return
        if entity.managed_policies.count() >= MANAGED_POLICIES_PER_ENTITY:
            raise errors.limit_exceeded(f"Cannot exceed quota for PoliciesPer{kind}: {MANAGED_POLICIES_PER_ENTITY}.")
        entity.managed_policies.add(policy)


def attach_user_policy(actor: Actor, user_name: str, policy_arn: str) -> None:
    _attach(actor, _user(actor, user_name), policy_arn)


def attach_group_policy(actor: Actor, group_name: str, policy_arn: str) -> None:
    _attach(actor, _group(actor, group_name), policy_arn)


def attach_role_policy(actor: Actor, role_name: str, policy_arn: str) -> None:
    _attach(actor, _role(actor, role_name), policy_arn)


def _detach(actor: Actor, entity: Identity, policy_arn: str) -> None:
    policy = _policy(actor, policy_arn)
    _allow(actor, f"iam:Detach{_kind(entity)}Policy", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        if not entity.managed_policies.filter(pk=policy.pk).exists():
            raise errors.AwsError("NoSuchEntity", f"Policy {policy_arn} was not found.", 404)
        entity.managed_policies.remove(policy)


def detach_user_policy(actor: Actor, user_name: str, policy_arn: str) -> None:
    _detach(actor, _user(actor, user_name), policy_arn)


def detach_group_policy(actor: Actor, group_name: str, policy_arn: str) -> None:
    _detach(actor, _group(actor, group_name), policy_arn)


def detach_role_policy(actor: Actor, role_name: str, policy_arn: str) -> None:
    _detach(actor, _role(actor, role_name), policy_arn)


def _put_inline(
    actor: Actor, entity: Identity, policy_name: str, document: str, limit: int
) -> UserPolicy | GroupPolicy | RolePolicy:
    """Create or replace an inline policy; all of an entity's inline policies share one size quota."""
    _check_name("Policy", policy_name, 128)
    _check_document(document, PolicyType.IDENTITY, limit)
    _allow(actor, f"iam:Put{_kind(entity)}Policy", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        others = entity.inline_policies.exclude(name=policy_name)
        if sum(policy_size(p.document) for p in others) + policy_size(document) > limit:
            kind = type(entity).arn_kind
            raise errors.limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {entity.name}")
        inline, _ = entity.inline_policies.update_or_create(name=policy_name, defaults={"document": document})
        return inline


def put_user_policy(actor: Actor, user_name: str, policy_name: str, document: str) -> UserPolicy:
    return _put_inline(actor, _user(actor, user_name), policy_name, document, USER_INLINE_SIZE)


def put_group_policy(actor: Actor, group_name: str, policy_name: str, document: str) -> GroupPolicy:
    """Every member of the group inherits its inline policies."""
    return _put_inline(actor, _group(actor, group_name), policy_name, document, GROUP_INLINE_SIZE)


def put_role_policy(actor: Actor, role_name: str, policy_name: str, document: str) -> RolePolicy:
    return _put_inline(actor, _role(actor, role_name), policy_name, document, ROLE_INLINE_SIZE)


def _delete_inline(actor: Actor, entity: Identity, policy_name: str) -> None:
    _allow(actor, f"iam:Delete{_kind(entity)}Policy", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        deleted, _ = _locked(entity).inline_policies.filter(name=policy_name).delete()
    if not deleted:
        kind = type(entity).arn_kind
        raise errors.AwsError("NoSuchEntity", f"The {kind} policy with name {policy_name} cannot be found.", 404)


def delete_user_policy(actor: Actor, user_name: str, policy_name: str) -> None:
    _delete_inline(actor, _user(actor, user_name), policy_name)


def delete_group_policy(actor: Actor, group_name: str, policy_name: str) -> None:
    _delete_inline(actor, _group(actor, group_name), policy_name)


def delete_role_policy(actor: Actor, role_name: str, policy_name: str) -> None:
    _delete_inline(actor, _role(actor, role_name), policy_name)


def _put_boundary(actor: Actor, entity: IamUser | Role, policy_arn: str) -> None:
    """A permissions boundary caps what identity policies can grant; it grants nothing by itself."""
    policy = _attachable(_policy(actor, policy_arn))
    _allow(actor, f"iam:Put{_kind(entity)}PermissionsBoundary", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        entity.permissions_boundary = policy
        entity.save(update_fields=["permissions_boundary"])


def put_user_permissions_boundary(actor: Actor, user_name: str, policy_arn: str) -> None:
    _put_boundary(actor, _user(actor, user_name), policy_arn)


def put_role_permissions_boundary(actor: Actor, role_name: str, policy_arn: str) -> None:
    _put_boundary(actor, _role(actor, role_name), policy_arn)


def _delete_boundary(actor: Actor, entity: IamUser | Role) -> None:
    """Removing a boundary that is not set changes nothing."""
    _allow(actor, f"iam:Delete{_kind(entity)}PermissionsBoundary", entity.arn)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        entity.permissions_boundary = None
        entity.save(update_fields=["permissions_boundary"])


def delete_user_permissions_boundary(actor: Actor, user_name: str) -> None:
    _delete_boundary(actor, _user(actor, user_name))


def delete_role_permissions_boundary(actor: Actor, role_name: str) -> None:
    _delete_boundary(actor, _role(actor, role_name))


def _tag(actor: Actor, entity: IamUser | Role, tags: list[dict]) -> None:
    """TagUser/TagRole; the request's tags are condition keys too (aws:RequestTag/..., aws:TagKeys), so a
    policy can govern which tags a caller may set ("Controlling access to IAM resources" with tags)."""
    new = tagging.validated(tags)
    context: dict[str, str | list[str]] = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in new}
    context["aws:TagKeys"] = [t["Key"] for t in new]
    _allow(actor, f"iam:Tag{_kind(entity)}", entity.arn, context)
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        entity.tags = tagging.merged(entity.tags, new, type(entity).arn_kind)
        entity.save(update_fields=["tags"])


def tag_user(actor: Actor, user_name: str, tags: list[dict]) -> None:
    _tag(actor, _user(actor, user_name), tags)


def tag_role(actor: Actor, role_name: str, tags: list[dict]) -> None:
    _tag(actor, _role(actor, role_name), tags)


def _untag(actor: Actor, entity: IamUser | Role, keys: list[str]) -> None:
    _allow(actor, f"iam:Untag{_kind(entity)}", entity.arn, {"aws:TagKeys": list(keys)})
    _check_modifiable(entity)
    with transaction.atomic():
        entity = _locked(entity)
        entity.tags = tagging.without(entity.tags, keys)
        entity.save(update_fields=["tags"])


def untag_user(actor: Actor, user_name: str, keys: list[str]) -> None:
    _untag(actor, _user(actor, user_name), keys)


def untag_role(actor: Actor, role_name: str, keys: list[str]) -> None:
    _untag(actor, _role(actor, role_name), keys)


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
