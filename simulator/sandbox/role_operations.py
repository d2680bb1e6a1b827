"""IAM actions on roles beyond creating them: updating, deleting, service-linked roles, instance profiles.

Each follows the pattern of ``operations``: look the entity up in the actor's account, validate,
let the engine decide as the acting identity (the decision is logged whatever happens), then write
in one transaction. Error codes and messages follow the IAM API Reference page of each action.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from simulator.policy.model import PolicyType

from . import errors
from .authorization import Actor, allow
from .checks import check_document, check_modifiable, check_name, check_path
from .instance_states import settle_all
from .lookups import find_entity, find_role, locked
from .models import InstanceProfile, Role
from .operations import TRUST_POLICY_SIZE
from .service_linked import CATALOG, LinkedService, permissions_policy

SHORTEST_SESSION, LONGEST_SESSION = 3600, 43200
# UpdateRole's Description: "[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*", up to 1000 characters.
_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]{0,1000}")
# Instance profiles are how EC2 instances get a role, so adding a role passes it to EC2 ("Use instance profiles").
INSTANCE_PROFILE_SERVICE = "ec2.amazonaws.com"


def _step(verb: str, singular: str, plural: str, names: Sequence[str]) -> str:
    """One thing to undo before a deletion, naming what: "detach managed policies ReadS3, Logs"."""
    return f"{verb} {singular if len(names) == 1 else plural} {', '.join(names)}"


def update_role(
    actor: Actor, name: str, description: str | None = None, max_session_duration: int | None = None
) -> Role:
    """UpdateRole: the description and the longest session anyone assuming the role may ask for.

    A service-linked role's description can be edited like any role's ("Update a service-linked
    role"); its other settings belong to its service.
    """
    role = find_role(actor, name)
    if description is not None and not _DESCRIPTION.fullmatch(description):
        raise errors.validation_error(
            "Description is invalid: use at most 1000 characters, without control characters other than tabs and "
            "line breaks."
        )
    if max_session_duration is not None and not SHORTEST_SESSION <= max_session_duration <= LONGEST_SESSION:
        raise errors.validation_error("MaxSessionDuration must be between 3600 and 43200 seconds (1 to 12 hours).")
    allow(actor, "iam:UpdateRole", role.arn)
    if max_session_duration is not None:
        check_modifiable(role)
    with transaction.atomic():
        role = locked(role)
        if description is not None:
            role.description = description
        if max_session_duration is not None:
            role.max_session_duration = max_session_duration
        role.save(update_fields=["description", "max_session_duration"])
        return role


def update_assume_role_policy(actor: Actor, name: str, document: str) -> Role:
    """UpdateAssumeRolePolicy: replace who may assume the role, checked as a trust policy.

    The engine's MalformedPolicyDocument names the statement and the element at fault; an IAM group
    named as a principal gets its own lesson there (groups are not principals: name users or a role).
    """
    role = find_role(actor, name)
    check_document(document, PolicyType.TRUST, TRUST_POLICY_SIZE)
    allow(actor, "iam:UpdateAssumeRolePolicy", role.arn)
    check_modifiable(role)
    with transaction.atomic():
        role = locked(role)
        role.trust_policy = document
        role.save(update_fields=["trust_policy"])
        return role


def delete_role(actor: Actor, name: str) -> None:
    """DeleteRole: unlike the console, the API removes nothing for you ("Delete roles or instance profiles"):
    the role must first leave its instance profiles and lose its attached and inline policies. The
    conflict names each of them, so the learner knows exactly what to undo."""
    role = find_role(actor, name)
    allow(actor, "iam:DeleteRole", role.arn)
    check_modifiable(role)
    with transaction.atomic():
        role = locked(role)
        blockers = (
            ("remove it from", "instance profile", "instance profiles", role.instance_profiles),
            ("detach", "managed policy", "managed policies", role.managed_policies),
            ("delete", "inline policy", "inline policies", role.inline_policies),
        )
        steps = []
        for verb, singular, plural, related in blockers:
            names = list(related.values_list("name", flat=True))
            if names:
                steps.append(_step(verb, singular, plural, names))
        if steps:
            raise errors.delete_conflict(f"Cannot delete entity, must {'; '.join(steps)} first.")
        role.delete()


def _service(aws_service_name: str) -> LinkedService:
    service = CATALOG.get(aws_service_name)
    if service is None:
        raise errors.AwsError(
            "InvalidInput",
            f"Invalid service name {aws_service_name}: service principals are case-sensitive, and this sandbox "
            f"links roles to {', '.join(sorted(CATALOG))}.",
        )
    return service


def create_service_linked_role(actor: Actor, aws_service_name: str, description: str | None = None) -> Role:
    """CreateServiceLinkedRole: the service's predefined role, trust policy and permissions policy.

    The request carries iam:AWSServiceName, so a policy can allow creating the roles of some services
    only. A second request for the same service is InvalidInput, as in IAM (the name is taken).
    """
    service = _service(aws_service_name)
    role = Role(
        account=actor.account,
        name=service.role_name,
        path=service.role_path,
        trust_policy=service.trust_policy,
        description=service.role_description if description is None else description,
        service_linked=service.principal,
    )
    allow(actor, "iam:CreateServiceLinkedRole", role.arn, {"iam:AWSServiceName": service.principal})
    taken = errors.AwsError(
        "InvalidInput",
        f"Service role name {service.role_name} has been taken in this account, please try a different suffix.",
    )
    if actor.account.roles.filter(name__iexact=service.role_name).exists():
        raise taken
    try:
        with transaction.atomic():
            role.save()
            role.managed_policies.add(permissions_policy(service))
            return role
    except IntegrityError:
        raise taken from None


@dataclass(frozen=True)
class DeletionTask:
    """What DeleteServiceLinkedRole starts and GetServiceLinkedRoleDeletionStatus reports: in IAM the
    deletion runs later and fails, with the resources to blame, while the service still uses the role."""

    deletion_task_id: str
    status: str
    reason: str = ""
    resources: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def set_service_resource(actor: Actor, role_name: str, arn: str, in_use: bool) -> Role:
    """Record that a resource of a service-linked role's service now uses the role, or no longer does.

    Not an IAM action: it stands for the learner creating or deleting, say, an Auto Scaling group, since none
    of the catalog's services runs in the sandbox.
    """
    role = find_role(actor, role_name)
    if not role.service_linked:
        raise errors.AwsError("InvalidInput", f"Role {role.name} is not a service-linked role.", 400)
    with transaction.atomic():
        role = locked(role)
        kept = [existing for existing in role.resources_in_use if existing != arn]
        role.resources_in_use = [*kept, arn] if in_use else kept
        role.save(update_fields=["resources_in_use"])
    return role


def delete_service_linked_role(actor: Actor, role_name: str) -> DeletionTask:
    """DeleteServiceLinkedRole: delete the role unless its service still has resources that use it.

    With any left (``Role.resources_in_use``), the task FAILS naming them, as
    GetServiceLinkedRoleDeletionStatus reports, and the role stays.
    """
    role = find_role(actor, role_name)
    if not role.service_linked:
        raise errors.AwsError(
            "InvalidInput", f"Role {role.name} is not a service-linked role: delete it with DeleteRole.", 400
        )
    allow(actor, "iam:DeleteServiceLinkedRole", role.arn)
    task_id = f"task{role.path}{role.name}/{uuid.uuid4()}"
    with transaction.atomic():
        role = locked(role)
        if role.resources_in_use:
            service = CATALOG.get(role.service_linked)
            kinds = f"{service.resource_kind}s" if service else "resources"
            return DeletionTask(
                task_id,
                "FAILED",
                f"The service-linked role {role.name} is in use by {role.service_linked}: delete the {kinds} that "
                "use it first, then submit the deletion again.",
                tuple(role.resources_in_use),
            )
        role.managed_policies.clear()
        role.delete()
    return DeletionTask(task_id, "SUCCEEDED")


def create_instance_profile(actor: Actor, name: str, path: str = "/") -> InstanceProfile:
    """CreateInstanceProfile: an empty container for the one role an EC2 instance is launched with."""
    check_name("Instance profile", name, 128)
    check_path(path)
    profile = InstanceProfile(account=actor.account, name=name, path=path)
    allow(actor, "iam:CreateInstanceProfile", profile.arn)
    try:
        with transaction.atomic():
            profile.save()
            return profile
    except IntegrityError:
        raise errors.entity_already_exists("Instance profile", name) from None


def add_role_to_instance_profile(actor: Actor, instance_profile_name: str, role_name: str) -> None:
    """AddRoleToInstanceProfile: at most one role per profile, a quota that cannot be raised.

    It hands the role to EC2, so the caller needs iam:PassRole on the role as well.
    """
    profile, role = find_entity(actor, InstanceProfile, instance_profile_name), find_role(actor, role_name)
    allow(actor, "iam:AddRoleToInstanceProfile", profile.arn)
    allow(actor, "iam:PassRole", role.arn, {"iam:PassedToService": INSTANCE_PROFILE_SERVICE})
    check_modifiable(role)
    with transaction.atomic():
        profile = locked(profile)
        if profile.role_id is not None:
            raise errors.limit_exceeded(
                "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1. "
                f"Instance profile {profile.name} already holds a role: remove it first."
            )
        profile.role = role
        profile.save(update_fields=["role"])


def remove_role_from_instance_profile(actor: Actor, instance_profile_name: str, role_name: str) -> None:
    """RemoveRoleFromInstanceProfile: instances launched with the profile lose the role's permissions."""
    profile, role = find_entity(actor, InstanceProfile, instance_profile_name), find_role(actor, role_name)
    allow(actor, "iam:RemoveRoleFromInstanceProfile", profile.arn)
    with transaction.atomic():
        profile = locked(profile)
        if profile.role_id != role.pk:
            raise errors.AwsError("NoSuchEntity", f"Role {role.name} is not in instance profile {profile.name}.", 404)
        profile.role = None
        profile.save(update_fields=["role"])


def delete_instance_profile(actor: Actor, name: str) -> None:
    """DeleteInstanceProfile: only an empty profile can go ("Delete roles or instance profiles").

    AWS itself lets a profile that instances still use be deleted, and warns that this "will break any
    applications running on the instance"; the sandbox refuses instead, naming the instances to disassociate
    it from first (a terminated instance lets go of its profile once it settles).
    """
    profile = find_entity(actor, InstanceProfile, name)
    allow(actor, "iam:DeleteInstanceProfile", profile.arn)
    settle_all(actor.account)
    with transaction.atomic():
        profile = locked(profile)
        if profile.role_id is not None:
            raise errors.delete_conflict(
                f"Cannot delete entity, must remove roles from instance profile first (it holds {profile.role.name})."
            )
        instance_ids = list(profile.instances.values_list("instance_id", flat=True))
        if instance_ids:
            instances = f"instance{'s' if len(instance_ids) > 1 else ''} {', '.join(instance_ids)}"
            raise errors.delete_conflict(
                f"Cannot delete entity, must disassociate the instance profile from {instances} first."
            )
        profile.delete()
