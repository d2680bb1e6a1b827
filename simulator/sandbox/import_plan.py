"""What an imported dump will create, checked whole before anything is written.

Names, paths, quotas and policy documents are checked as the IAM action creating each part checks
them (CreateUser, PutUserPolicy, CreatePolicyVersion, AttachRolePolicy...). Counts, dates and
ARNs in the dump are informational: the sandbox derives them again. Imported entities keep their
names and paths, and their ids when well formed (see :mod:`.authorization_import` for ids taken).

Two leniencies, both for documents AWS itself publishes: a policy document may be an object or a
string (URL-encoded or not), and where a list of attached policies is expected a single object is
read as a list of one, as in the AWS CLI reference's example output for
get-account-authorization-details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from simulator.policy.model import PolicyType

from . import errors, identifiers, tagging
from .authorization_details import BOUNDARY_TYPE
from .checks import check_name, is_service_role_policy, policy_size
from .import_reader import (
    ATTACHED,
    BOUNDARY,
    GROUP,
    INLINE,
    INSTANCE_PROFILE,
    LAST_USED,
    POLICY,
    PROFILE_ROLE,
    ROLE,
    ROOT,
    TAG,
    USER,
    VERSION,
    DumpReader,
    InvalidDump,
)
from .models import ManagedPolicy
from .operations import (
    GROUP_INLINE_SIZE,
    GROUPS_PER_USER,
    MANAGED_POLICIES_PER_ENTITY,
    MANAGED_POLICY_SIZE,
    ROLE_INLINE_SIZE,
    TRUST_POLICY_SIZE,
    USER_INLINE_SIZE,
    VERSIONS_PER_POLICY,
)
from .service_linked import SERVICE_ROLE_PATH

_POLICY_ARN = re.compile(r"arn:aws:iam::(?P<owner>aws|\d{12}):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")
_VERSION_ID = re.compile(r"v([1-9][0-9]{0,8})")
POLICY_DESCRIPTION_LENGTH = 1000

# A customer managed policy of the dump by (path, lowercased name), or an AWS managed policy itself.
PolicyRef = tuple[str, str] | ManagedPolicy


@dataclass
class InlinePlan:
    name: str
    document: str


@dataclass
class VersionPlan:
    number: int
    document: str
    is_default: bool


@dataclass
class PolicyPlan:
    name: str
    path: str
    unique_id: str
    description: str
    versions: list[VersionPlan]

    @property
    def key(self) -> tuple[str, str]:
        return (self.path, self.name.lower())


@dataclass
class ProfilePlan:
    name: str
    path: str
    unique_id: str


@dataclass
class IdentityPlan:
    """A user, group or role to create, and all that hangs on it."""

    name: str
    path: str
    unique_id: str
    inline: list[InlinePlan]
    attached: list[PolicyRef]
    boundary: PolicyRef | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    group_names: list[str] = field(default_factory=list)
    trust_policy: str = ""
    service_linked: str = ""
    instance_profiles: list[ProfilePlan] = field(default_factory=list)


@dataclass
class Plan:
    policies: list[PolicyPlan]
    groups: list[IdentityPlan]
    users: list[IdentityPlan]
    roles: list[IdentityPlan]


class _PlanReader(DumpReader):
    def __init__(self, library: dict[tuple[str, str], ManagedPolicy]) -> None:
        super().__init__()
        self.library = library
        # What the dump's own lists hold, which attachments and memberships may name.
        self.customer: set[tuple[str, str]] = set()
        self.group_names: set[str] = set()

    def policy_ref(self, arn: Any, path: str) -> PolicyRef | None:
        """The policy an attachment or boundary names: AWS managed from the library, else one of the dump's.

        A customer managed policy is found by path and name: the account id in its ARN is the account the
        dump came from, which need not be this one.
        """
        parts = _POLICY_ARN.fullmatch(arn) if isinstance(arn, str) else None
        aws = parts is not None and parts["owner"] == "aws"
        if parts is not None:
            key = (parts["path"], parts["name"].lower())
            if aws and key in self.library:
                return self.library[key]
            if not aws and key in self.customer:
                return key
        among = "the sandbox's AWS managed policies" if aws else "the dump's Policies"
        message = f"Policy {arn} does not exist or is not attachable: it is not among {among}."
        self.problem(path, message, "NoSuchEntity")
        return None

    def inline_policies(self, value: Any, path: str, owner: str, limit: int) -> list[InlinePlan]:
        """An entity's inline policies, which share one size quota between them."""
        plans: list[InlinePlan] = []
        for item_path, record in self.records(value, path, INLINE):
            name = self.text(record, "PolicyName", item_path)
            self.checked(check_name, f"{item_path}.PolicyName", "Policy", name, 128)
            what = f"{owner}, inline policy {name}"
            where = f"{item_path}.PolicyDocument"
            document = self.document(record["PolicyDocument"], where, PolicyType.IDENTITY, limit, what)
            if any(plan.name == name for plan in plans):
                self.problem(f"{item_path}.PolicyName", f"{owner} has two inline policies named {name}.")
            elif document is not None:
                plans.append(InlinePlan(name, document))
        if sum(policy_size(plan.document) for plan in plans) > limit:
            self.problem(path, f"Maximum policy size of {limit} bytes exceeded for {owner}.", "LimitExceeded")
        return plans

    def attachments(self, record: dict, path: str, quota: str, service_linked: bool = False) -> list[PolicyRef]:
        """The policies attached to an entity; a service role policy only to its service-linked role."""
        where = f"{path}.AttachedManagedPolicies"
        attached = self.records(record.get("AttachedManagedPolicies"), where, ATTACHED, one_is_a_list=True)
        if len(attached) > MANAGED_POLICIES_PER_ENTITY:
            message = f"Cannot exceed quota for {quota}: {MANAGED_POLICIES_PER_ENTITY}."
            self.problem(where, message, "LimitExceeded")
        refs = []
        for item_path, item in attached:
            ref = self.policy_ref(item["PolicyArn"], f"{item_path}.PolicyArn")
            if _service_role_policy(ref) and not service_linked:
                arn = item["PolicyArn"]
                message = f"Policy {arn} is an AWS service role policy: only its service-linked role may use it."
                self.problem(f"{item_path}.PolicyArn", message, "PolicyNotAttachable")
            elif ref is not None and ref not in refs:
                refs.append(ref)
        return refs

    def boundary(self, record: dict, path: str) -> PolicyRef | None:
        if "PermissionsBoundary" not in record:
            return None
        where = f"{path}.PermissionsBoundary"
        boundary = self.record(record["PermissionsBoundary"], where, BOUNDARY)
        if boundary is None:
            return None
        if boundary.get("PermissionsBoundaryType", BOUNDARY_TYPE) != BOUNDARY_TYPE:
            self.problem(f"{where}.PermissionsBoundaryType", f"The only permissions boundary type is {BOUNDARY_TYPE}.")
        ref = self.policy_ref(boundary["PermissionsBoundaryArn"], f"{where}.PermissionsBoundaryArn")
        if _service_role_policy(ref):
            message = "An AWS service role policy cannot be a permissions boundary."
            self.problem(f"{where}.PermissionsBoundaryArn", message, "PolicyNotAttachable")
            return None
        return ref

    def tags(self, record: dict, path: str) -> list[dict[str, str]]:
        tags = [tag for _, tag in self.records(record.get("Tags"), f"{path}.Tags", TAG)]
        try:
            return tagging.validated(tags)
        except errors.AwsError as error:
            self.problem(f"{path}.Tags", error.message, error.code)
            return []

    def versions(self, record: dict, path: str, name: str) -> list[VersionPlan]:
        """A policy's versions: at most five, ids v1, v2..., exactly one of them the default."""
        where = f"{path}.PolicyVersionList"
        versions = self.records(record.get("PolicyVersionList"), where, VERSION)
        if not 1 <= len(versions) <= VERSIONS_PER_POLICY:
            found = f"Policy {name} has {len(versions)} versions"
            self.problem(where, f"{found}; a managed policy has 1 to {VERSIONS_PER_POLICY}.", "LimitExceeded")
        default_id = record.get("DefaultVersionId")
        plans = []
        for item_path, version in versions:
            version_id = version["VersionId"]
            number = _VERSION_ID.fullmatch(version_id) if isinstance(version_id, str) else None
            if number is None:
                self.problem(f"{item_path}.VersionId", f"A version id looks like v1, v2...; not {version_id!r}.")
                continue
            is_default = version.get("IsDefaultVersion", version_id == default_id)
            if default_id is not None and is_default != (version_id == default_id):
                self.problem(f"{item_path}.IsDefaultVersion", f"This contradicts DefaultVersionId {default_id}.")
            what = f"Policy {name}, version {version_id}"
            document = self.document(
                version["Document"], f"{item_path}.Document", PolicyType.IDENTITY, MANAGED_POLICY_SIZE, what
            )
            if document is not None:
                plans.append(VersionPlan(int(number[1]), document, is_default is True))
        if len({plan.number for plan in plans}) < len(plans):
            self.problem(where, f"Policy {name} has two versions with the same id.")
        if versions and sum(plan.is_default for plan in plans) != 1:
            self.problem(where, f"Policy {name} must have exactly one default version.")
        return plans

    def policy(self, path: str, record: dict) -> PolicyPlan:
        name, where = self.name_and_path(record, path, "PolicyName", "Policy", 128)
        description = self.text(record, "Description", path)
        if len(description) > POLICY_DESCRIPTION_LENGTH:
            self.problem(f"{path}.Description", f"A description is at most {POLICY_DESCRIPTION_LENGTH} characters.")
        policy_id = self.unique_id(record, "PolicyId", path, identifiers.POLICY_PREFIX)
        return PolicyPlan(name, where, policy_id, description, self.versions(record, path, name))

    def identity(
        self, path: str, record: dict, noun: str, longest: int, id_prefix: str, inline_limit: int
    ) -> IdentityPlan:
        """What a user, group or role is checked for alike: its name and path, its id, its inline and attached
        policies. A role whose path names a service is that service's linked role."""
        name, where = self.name_and_path(record, path, f"{noun}Name", noun, longest)
        linked = _linked_service(where) if noun == "Role" else ""
        inline = self.inline_policies(
            record.get(f"{noun}PolicyList"), f"{path}.{noun}PolicyList", f"{noun} {name}", inline_limit
        )
        return IdentityPlan(
            name,
            where,
            self.unique_id(record, f"{noun}Id", path, id_prefix),
            inline,
            self.attachments(record, path, f"PoliciesPer{noun}", service_linked=bool(linked)),
            service_linked=linked,
        )

    def group(self, path: str, record: dict) -> IdentityPlan:
        return self.identity(path, record, "Group", 128, identifiers.GROUP_PREFIX, GROUP_INLINE_SIZE)

    def memberships(self, record: dict, path: str) -> list[str]:
        """The user's groups, lowercased; each must be one of the dump's."""
        names: list[str] = []
        for item_path, name in self.items(record.get("GroupList"), f"{path}.GroupList"):
            if not isinstance(name, str) or name.lower() not in self.group_names:
                message = f"The group with name {name} cannot be found in GroupDetailList."
                self.problem(item_path, message, "NoSuchEntity")
            elif name.lower() not in names:
                names.append(name.lower())
        if len(names) > GROUPS_PER_USER:
            message = f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}."
            self.problem(f"{path}.GroupList", message, "LimitExceeded")
        return names

    def user(self, path: str, record: dict) -> IdentityPlan:
        plan = self.identity(path, record, "User", 64, identifiers.USER_PREFIX, USER_INLINE_SIZE)
        plan.boundary = self.boundary(record, path)
        plan.tags = self.tags(record, path)
        plan.group_names = self.memberships(record, path)
        return plan

    def instance_profile(self, path: str, record: dict) -> ProfilePlan:
        """One of a role's instance profiles; its Roles list repeats the role around it, so it is only
        checked for its shape."""
        name, where = self.name_and_path(record, path, "InstanceProfileName", "Instance profile", 128)
        self.records(record.get("Roles"), f"{path}.Roles", PROFILE_ROLE)
        self.tags(record, path)
        profile_id = self.unique_id(record, "InstanceProfileId", path, identifiers.INSTANCE_PROFILE_PREFIX)
        return ProfilePlan(name, where, profile_id)

    def role(self, path: str, record: dict) -> IdentityPlan:
        plan = self.identity(path, record, "Role", 64, identifiers.ROLE_PREFIX, ROLE_INLINE_SIZE)
        trust = self.document(
            record["AssumeRolePolicyDocument"],
            f"{path}.AssumeRolePolicyDocument",
            PolicyType.TRUST,
            TRUST_POLICY_SIZE,
            f"Role {plan.name}, trust policy",
        )
        plan.trust_policy = trust or ""
        plan.boundary = self.boundary(record, path)
        plan.tags = self.tags(record, path)
        if "RoleLastUsed" in record:
            self.record(record["RoleLastUsed"], f"{path}.RoleLastUsed", LAST_USED)
        profiles = self.records(record.get("InstanceProfileList"), f"{path}.InstanceProfileList", INSTANCE_PROFILE)
        plan.instance_profiles = [self.instance_profile(p, r) for p, r in profiles]
        return plan


def _service_role_policy(ref: PolicyRef | None) -> bool:
    return isinstance(ref, ManagedPolicy) and is_service_role_policy(ref)


def _linked_service(path: str) -> str:
    """A service-linked role's path names its service: /aws-service-role/<service principal>/."""
    if not path.startswith(SERVICE_ROLE_PATH):
        return ""
    return path.removeprefix(SERVICE_ROLE_PATH).strip("/")


def _aws_managed(record: dict) -> bool:
    return str(record.get("Arn", "")).startswith("arn:aws:iam::aws:")


def read_plan(data: Any, library: dict[tuple[str, str], ManagedPolicy]) -> Plan:
    """Check a whole dump and return what to create, or raise InvalidDump with every problem in it.

    ``library`` holds the sandbox's AWS managed policies by (path, lowercased name). The dump's AWS
    managed policies are not imported: the sandbox has its own, which attachments name by ARN.
    """
    reader = _PlanReader(library)
    root = reader.record(data, "$", ROOT) or {}
    policies = [
        (path, record)
        for path, record in reader.records(root.get("Policies"), "$.Policies", POLICY)
        if not _aws_managed(record)
    ]
    groups = reader.records(root.get("GroupDetailList"), "$.GroupDetailList", GROUP)
    users = reader.records(root.get("UserDetailList"), "$.UserDetailList", USER)
    roles = reader.records(root.get("RoleDetailList"), "$.RoleDetailList", ROLE)
    reader.customer = {(str(record.get("Path", "/")), str(record["PolicyName"]).lower()) for _, record in policies}
    reader.group_names = {str(record["GroupName"]).lower() for _, record in groups}

    plan = Plan(
        policies=[reader.policy(path, record) for path, record in policies],
        groups=[reader.group(path, record) for path, record in groups],
        users=[reader.user(path, record) for path, record in users],
        roles=[reader.role(path, record) for path, record in roles],
    )
    for kind, name_key, found, planned in (
        ("Policy", "PolicyName", policies, plan.policies),
        ("Group", "GroupName", groups, plan.groups),
        ("User", "UserName", users, plan.users),
        ("Role", "RoleName", roles, plan.roles),
    ):
        named = [(f"{path}.{name_key}", entity.name) for (path, _), entity in zip(found, planned, strict=True)]
        reader.unique_names(named, kind)
    profiles = [
        (f"{path}.InstanceProfileList", profile.name)
        for (path, _), role in zip(roles, plan.roles, strict=True)
        for profile in role.instance_profiles
    ]
    reader.unique_names(profiles, "Instance profile")
    if reader.problems:
        raise InvalidDump(reader.problems)
    return plan
