"""IAM actions on a sandbox account, each authorized by the engine as the acting identity.

Every front door (console pages, the JSON API, later the AWS-compatible
endpoint) calls these functions, so the sandbox's state and the engine never
disagree. Each one decides first (the decision is logged whatever happens),
then validates and writes in one transaction: nothing is half-written.
Names, paths and quotas follow "IAM and AWS STS quotas" and the IAM API
Reference for each action.

Users, groups and roles share most actions (AttachUserPolicy, AttachGroupPolicy,
AttachRolePolicy...): each is written once, for any of the three, and the IAM
action of each kind is that function with the kind filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from simulator.policy.model import PolicyType

from . import errors, tagging
from .authorization import Actor, allow
from .checks import attachable, check_document, check_modifiable, check_name, check_path, policy_size
from .lookups import find_customer_managed_policy, find_entity, find_group, find_policy, find_user, locked
from .models import Group, GroupPolicy, IamUser, ManagedPolicy, PolicyVersion, Role, RolePolicy, UserPolicy

IdentityModel = type[IamUser] | type[Group] | type[Role]

GROUPS_PER_USER = 10
MANAGED_POLICIES_PER_ENTITY = 10
VERSIONS_PER_POLICY = 5
MANAGED_POLICY_SIZE = 6144
USER_INLINE_SIZE = 2048
GROUP_INLINE_SIZE = 5120
ROLE_INLINE_SIZE = 10240
TRUST_POLICY_SIZE = 2048


def _noun(model: IdentityModel) -> str:
    """The entity's noun as it appears in IAM action names: User, Group, Role."""
    return model.arn_kind.capitalize()


def _create_entity(
    actor: Actor,
    model: IdentityModel,
    name: str,
    path: str,
    longest: int,
    check: Callable[[], None] | None = None,
    **fields: object,
):
    """CreateUser, CreateGroup and CreateRole alike: validate, authorize, then write; a name taken in
    any case is EntityAlreadyExists (the database's constraint settles races)."""
    kind = _noun(model)
    check_name(kind, name, longest)
    check_path(path)
    if check is not None:
        check()
    entity = model(account=actor.account, name=name, path=path, **fields)
    allow(actor, f"iam:Create{kind}", entity.arn)
    try:
        with transaction.atomic():
            entity.save()
            return entity
    except IntegrityError:
        raise errors.entity_already_exists(kind, name) from None


def create_user(actor: Actor, name: str, path: str = "/") -> IamUser:
    return _create_entity(actor, IamUser, name, path, 64)


def create_group(actor: Actor, name: str, path: str = "/") -> Group:
    return _create_entity(actor, Group, name, path, 128)


def _delete_entity(actor: Actor, entity: IamUser | Group, uses: Callable[[Any], Iterable[tuple[str, int]]]) -> None:
    """DeleteUser and DeleteGroup: whatever ``uses`` still counts (what, how many) blocks the deletion, and
    the conflict names it."""
    allow(actor, f"iam:Delete{_noun(type(entity))}", entity.arn)
    with transaction.atomic():
        entity = locked(entity)
        blockers = ", ".join(f"{count} {what}" for what, count in uses(entity) if count)
        if blockers:
            raise errors.delete_conflict(f"Cannot delete entity, must remove {blockers} first.")
        entity.delete()


def delete_user(actor: Actor, name: str) -> None:
    """Unlike the console, DeleteUser removes nothing for you: everything the user still has blocks it
    (DeleteUser, "Deleting an IAM user"). The sandbox models the password, access keys, policies and groups."""
    _delete_entity(
        actor,
        find_user(actor, name),
        lambda user: (
            ("console password (login profile)", 1 if user.password else 0),
            ("access key(s)", user.access_keys.count()),
            ("group membership(s)", user.groups.count()),
            ("attached policy(ies)", user.managed_policies.count()),
            ("inline policy(ies)", user.inline_policies.count()),
        ),
    )


def delete_group(actor: Actor, name: str) -> None:
    """DeleteGroup: the group must have no members and no attached or inline policies left."""
    _delete_entity(
        actor,
        find_group(actor, name),
        lambda group: (
            ("member(s)", group.members.count()),
            ("attached policy(ies)", group.managed_policies.count()),
            ("inline policy(ies)", group.inline_policies.count()),
        ),
    )


def add_user_to_group(actor: Actor, group_name: str, user_name: str) -> None:
    group, user = find_group(actor, group_name), find_user(actor, user_name)
    allow(actor, "iam:AddUserToGroup", group.arn)
    with transaction.atomic():
        user = locked(user)
        if user.groups.filter(pk=group.pk).exists():
            return
        if user.groups.count() >= GROUPS_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}.")
        group.members.add(user)


def remove_user_from_group(actor: Actor, group_name: str, user_name: str) -> None:
    group, user = find_group(actor, group_name), find_user(actor, user_name)
    allow(actor, "iam:RemoveUserFromGroup", group.arn)
    with transaction.atomic():
        group = locked(group)
        if not group.members.filter(pk=user.pk).exists():
            raise errors.AwsError("NoSuchEntity", f"User {user.name} is not a member of group {group.name}.", 404)
        group.members.remove(user)


def create_policy(actor: Actor, name: str, document: str, path: str = "/", description: str = "") -> ManagedPolicy:
    check_name("Policy", name, 128)
    check_path(path)
    check_document(document, PolicyType.IDENTITY, MANAGED_POLICY_SIZE)
    policy = ManagedPolicy(account=actor.account, name=name, path=path, description=description)
    allow(actor, "iam:CreatePolicy", policy.arn)
    try:
        with transaction.atomic():
            policy.save()
            PolicyVersion.objects.create(policy=policy, number=1, document=document, is_default=True)
            return policy
    except IntegrityError:
        raise errors.entity_already_exists("Policy", name) from None


def create_policy_version(actor: Actor, policy_arn: str, document: str, set_as_default: bool = False) -> PolicyVersion:
    policy = find_customer_managed_policy(
        actor, policy_arn, "Cannot create versions for policies outside your own account."
    )
    check_document(document, PolicyType.IDENTITY, MANAGED_POLICY_SIZE)
    allow(actor, "iam:CreatePolicyVersion", policy.arn)
    with transaction.atomic():
        policy = locked(policy)
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


def _attach(model: IdentityModel, actor: Actor, name: str, policy_arn: str) -> None:
    """AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy: attaching twice changes nothing."""
    entity = find_entity(actor, model, name)
    policy = attachable(find_policy(actor, policy_arn))
    allow(actor, f"iam:Attach{_noun(model)}Policy", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        if entity.managed_policies.filter(pk=policy.pk).exists():
            return
        if entity.managed_policies.count() >= MANAGED_POLICIES_PER_ENTITY:
            quota = f"PoliciesPer{_noun(model)}"
            raise errors.limit_exceeded(f"Cannot exceed quota for {quota}: {MANAGED_POLICIES_PER_ENTITY}.")
        entity.managed_policies.add(policy)


def _detach(model: IdentityModel, actor: Actor, name: str, policy_arn: str) -> None:
    entity = find_entity(actor, model, name)
    policy = find_policy(actor, policy_arn)
    allow(actor, f"iam:Detach{_noun(model)}Policy", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        if not entity.managed_policies.filter(pk=policy.pk).exists():
            raise errors.AwsError("NoSuchEntity", f"Policy {policy_arn} was not found.", 404)
        entity.managed_policies.remove(policy)


def _put_inline(
    model: IdentityModel, limit: int, actor: Actor, name: str, policy_name: str, document: str
) -> UserPolicy | GroupPolicy | RolePolicy:
    """Create or replace an inline policy; all of an entity's inline policies share one size quota. (Every
    member of a group inherits the group's inline policies.)"""
    entity = find_entity(actor, model, name)
    check_name("Policy", policy_name, 128)
    check_document(document, PolicyType.IDENTITY, limit)
    allow(actor, f"iam:Put{_noun(model)}Policy", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        others = entity.inline_policies.exclude(name=policy_name)
        if sum(policy_size(p.document) for p in others) + policy_size(document) > limit:
            raise errors.limit_exceeded(
                f"Maximum policy size of {limit} bytes exceeded for {model.arn_kind} {entity.name}"
            )
        inline, _ = entity.inline_policies.update_or_create(name=policy_name, defaults={"document": document})
        return inline


def _delete_inline(model: IdentityModel, actor: Actor, name: str, policy_name: str) -> None:
    entity = find_entity(actor, model, name)
    allow(actor, f"iam:Delete{_noun(model)}Policy", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        deleted, _ = locked(entity).inline_policies.filter(name=policy_name).delete()
    if not deleted:
        message = f"The {model.arn_kind} policy with name {policy_name} cannot be found."
        raise errors.AwsError("NoSuchEntity", message, 404)


def _put_boundary(model: type[IamUser] | type[Role], actor: Actor, name: str, policy_arn: str) -> None:
    """A permissions boundary caps what identity policies can grant; it grants nothing by itself."""
    entity = find_entity(actor, model, name)
    policy = attachable(find_policy(actor, policy_arn))
    allow(actor, f"iam:Put{_noun(model)}PermissionsBoundary", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        entity.permissions_boundary = policy
        entity.save(update_fields=["permissions_boundary"])


def _delete_boundary(model: type[IamUser] | type[Role], actor: Actor, name: str) -> None:
    """Removing a boundary that is not set changes nothing."""
    entity = find_entity(actor, model, name)
    allow(actor, f"iam:Delete{_noun(model)}PermissionsBoundary", entity.arn)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        entity.permissions_boundary = None
        entity.save(update_fields=["permissions_boundary"])


def _tag(model: type[IamUser] | type[Role], actor: Actor, name: str, tags: list[dict]) -> None:
    """TagUser/TagRole; the request's tags are condition keys too (aws:RequestTag/..., aws:TagKeys), so a
    policy can govern which tags a caller may set ("Controlling access to IAM resources" with tags)."""
    entity = find_entity(actor, model, name)
    new = tagging.validated(tags)
    context: dict[str, str | list[str]] = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in new}
    context["aws:TagKeys"] = [t["Key"] for t in new]
    allow(actor, f"iam:Tag{_noun(model)}", entity.arn, context)
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        entity.tags = tagging.merged(entity.tags, new, model.arn_kind)
        entity.save(update_fields=["tags"])


def _untag(model: type[IamUser] | type[Role], actor: Actor, name: str, keys: list[str]) -> None:
    entity = find_entity(actor, model, name)
    allow(actor, f"iam:Untag{_noun(model)}", entity.arn, {"aws:TagKeys": list(keys)})
    check_modifiable(entity)
    with transaction.atomic():
        entity = locked(entity)
        entity.tags = tagging.without(entity.tags, keys)
        entity.save(update_fields=["tags"])


# The IAM actions themselves, each called with the acting identity and the entity's name first.
attach_user_policy = partial(_attach, IamUser)
attach_group_policy = partial(_attach, Group)
attach_role_policy = partial(_attach, Role)
detach_user_policy = partial(_detach, IamUser)
detach_group_policy = partial(_detach, Group)
detach_role_policy = partial(_detach, Role)
put_user_policy = partial(_put_inline, IamUser, USER_INLINE_SIZE)
put_group_policy = partial(_put_inline, Group, GROUP_INLINE_SIZE)
put_role_policy = partial(_put_inline, Role, ROLE_INLINE_SIZE)
delete_user_policy = partial(_delete_inline, IamUser)
delete_group_policy = partial(_delete_inline, Group)
delete_role_policy = partial(_delete_inline, Role)
put_user_permissions_boundary = partial(_put_boundary, IamUser)
put_role_permissions_boundary = partial(_put_boundary, Role)
delete_user_permissions_boundary = partial(_delete_boundary, IamUser)
delete_role_permissions_boundary = partial(_delete_boundary, Role)
tag_user = partial(_tag, IamUser)
tag_role = partial(_tag, Role)
untag_user = partial(_untag, IamUser)
untag_role = partial(_untag, Role)


def create_role(
    actor: Actor, name: str, trust_policy: str, path: str = "/", description: str = "", max_session_duration: int = 3600
) -> Role:
    """A role: who may assume it is its trust policy, validated as one (it must name a principal)."""

    def check() -> None:
        if not 3600 <= max_session_duration <= 43200:
            raise errors.validation_error("MaxSessionDuration must be between 3600 and 43200 seconds (1 to 12 hours).")
        check_document(trust_policy, PolicyType.TRUST, TRUST_POLICY_SIZE)

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
