"""An account's IAM configuration as ``aws iam get-account-authorization-details`` prints it.

The shape is the GetAccountAuthorizationDetails response (IAM API Reference: UserDetail,
GroupDetail, RoleDetail, ManagedPolicyDetail, PolicyVersion, InstanceProfile, AttachedPolicy,
AttachedPermissionsBoundary, Tag), with the policy documents as JSON objects the way the AWS CLI
prints them (the raw API URL-encodes them; :mod:`.authorization_import` reads both).

Like AWS without a filter it lists the customer managed policies and the AWS managed policies
that are attached to something. Optional members are left out when empty, as AWS leaves them out
(PermissionsBoundary, Tags, Description), and the listing is one page: no Marker, no IsTruncated.
What the shape has no place for is not exported: a role's description and maximum session
duration, instance profiles without a role, users' passwords and access keys.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch

from .models import Account, Group, IamUser, InstanceProfile, ManagedPolicy, Role

BOUNDARY_TYPE = "PermissionsBoundaryPolicy"


def aws_date(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, as the CLI's examples print CreateDate."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _document(text: str) -> Any:
    return json.loads(text)


def _inline(policies) -> list[dict]:
    return [{"PolicyName": p.name, "PolicyDocument": _document(p.document)} for p in policies]


def _attached(policies) -> list[dict]:
    return [{"PolicyName": p.name, "PolicyArn": p.arn} for p in policies]


def _boundary_and_tags(entity: IamUser | Role) -> dict:
    optional: dict[str, Any] = {}
    if entity.permissions_boundary is not None:
        optional["PermissionsBoundary"] = {
            "PermissionsBoundaryType": BOUNDARY_TYPE,
            "PermissionsBoundaryArn": entity.permissions_boundary.arn,
        }
    if entity.tags:
        optional["Tags"] = [{"Key": tag["Key"], "Value": tag["Value"]} for tag in entity.tags]
    return optional


def _named(entity: IamUser | Group | Role | InstanceProfile, noun: str) -> dict:
    """The members every entity's detail begins with, named after it (UserName, UserId...)."""
    return {
        "Path": entity.path,
        f"{noun}Name": entity.name,
        f"{noun}Id": entity.unique_id,
        "Arn": entity.arn,
        "CreateDate": aws_date(entity.created_at),
    }


def _user(user: IamUser) -> dict:
    return {
        **_named(user, "User"),
        "UserPolicyList": _inline(user.inline_policies.all()),
        "GroupList": [group.name for group in user.groups.all()],
        "AttachedManagedPolicies": _attached(user.managed_policies.all()),
        **_boundary_and_tags(user),
    }


def _group(group: Group) -> dict:
    return {
        **_named(group, "Group"),
        "GroupPolicyList": _inline(group.inline_policies.all()),
        "AttachedManagedPolicies": _attached(group.managed_policies.all()),
    }


def _role_summary(role: Role) -> dict:
    """The role as an instance profile lists it (the Role type, its identifying members)."""
    return {**_named(role, "Role"), "AssumeRolePolicyDocument": _document(role.trust_policy)}


def _instance_profile(profile: InstanceProfile, role: Role) -> dict:
    return {**_named(profile, "InstanceProfile"), "Roles": [_role_summary(role)]}


def _role(role: Role) -> dict:
    return {
        **_role_summary(role),
        "InstanceProfileList": [_instance_profile(p, role) for p in role.instance_profiles.all()],
        "RolePolicyList": _inline(role.inline_policies.all()),
        "AttachedManagedPolicies": _attached(role.managed_policies.all()),
        **_boundary_and_tags(role),
        # The sandbox does not record when a role was last used; AWS answers {} for a role never used.
        "RoleLastUsed": {},
    }


def _policy(policy: ManagedPolicy) -> dict:
    versions = list(policy.versions.all())
    default = next(v for v in versions if v.is_default)
    detail = {
        "PolicyName": policy.name,
        "PolicyId": policy.unique_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": default.version_id,
        "AttachmentCount": policy.attachment_count,
        "PermissionsBoundaryUsageCount": policy.boundary_count,
        "IsAttachable": True,
        "CreateDate": aws_date(policy.created_at),
        "UpdateDate": aws_date(max(v.created_at for v in versions)),
        "PolicyVersionList": [
            {
                "Document": _document(v.document),
                "VersionId": v.version_id,
                "IsDefaultVersion": v.is_default,
                "CreateDate": aws_date(v.created_at),
            }
            for v in versions
        ],
    }
    if policy.description:
        detail["Description"] = policy.description
    return detail


def _policies(account: Account, users: list[IamUser], groups: list[Group], roles: list[Role]) -> list[dict]:
    """The account's own policies, then the AWS managed ones its identities use, with their counts."""
    attachments: dict[int, int] = {}
    boundaries: dict[int, int] = {}
    aws_managed: set[int] = set()
    for entity in (*users, *groups, *roles):
        for policy in entity.managed_policies.all():
            attachments[policy.pk] = attachments.get(policy.pk, 0) + 1
            if policy.aws_managed:
                aws_managed.add(policy.pk)
        boundary = getattr(entity, "permissions_boundary", None)
        if boundary is not None:
            boundaries[boundary.pk] = boundaries.get(boundary.pk, 0) + 1
            if boundary.aws_managed:
                aws_managed.add(boundary.pk)
    own = ManagedPolicy.objects.filter(account=account)
    used = ManagedPolicy.objects.filter(pk__in=aws_managed)
    details = []
    for policies in (own, used):
        for policy in policies.select_related("account").prefetch_related("versions"):
            policy.attachment_count = attachments.get(policy.pk, 0)
            policy.boundary_count = boundaries.get(policy.pk, 0)
            details.append(_policy(policy))
    return details


def export_account(account: Account) -> dict:
    """The account's users, groups, roles and policies, as GetAccountAuthorizationDetails returns them.

    A fixed number of queries, however big the account.
    """
    managed = Prefetch("managed_policies", queryset=ManagedPolicy.objects.select_related("account"))
    boundary = ("permissions_boundary__account",)
    users = list(
        account.users.select_related("account", *boundary).prefetch_related(
            "inline_policies", Prefetch("groups", queryset=Group.objects.order_by("name")), managed
        )
    )
    groups = list(account.groups.select_related("account").prefetch_related("inline_policies", managed))
    profiles = Prefetch("instance_profiles", queryset=InstanceProfile.objects.select_related("account"))
    roles = list(
        account.roles.select_related("account", *boundary).prefetch_related("inline_policies", managed, profiles)
    )
    return {
        "UserDetailList": [_user(u) for u in users],
        "GroupDetailList": [_group(g) for g in groups],
        "RoleDetailList": [_role(r) for r in roles],
        "Policies": _policies(account, users, groups, roles),
    }


def exported_json(account: Account) -> str:
    """The export as the file a learner downloads: indented like the CLI's output."""
    return json.dumps(export_account(account), indent=4) + "\n"
