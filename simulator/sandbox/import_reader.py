"""Reading a JSON dump the way IAM reads a request: every problem collected, each at its JSON path.

A learner fixes a dump in one go when they see everything wrong with it at once
("$.UserDetailList[1].UserName: ValidationError: ..."). The shapes are the response types of
GetAccountAuthorizationDetails in the IAM API Reference (UserDetail, GroupDetail, RoleDetail,
ManagedPolicyDetail, PolicyVersion, InstanceProfile, Role, PolicyDetail, AttachedPolicy,
AttachedPermissionsBoundary, Tag, RoleLastUsed). AWS marks every member optional; ``required``
here lists what the sandbox needs to rebuild an entity.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy

from . import errors, identifiers
from .checks import check_name, check_path, policy_size

_UNIQUE_ID_TAIL_LENGTH = 17
_UNIQUE_ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dump: where (a JSON path), AWS's error code, and what."""

    path: str
    code: str
    message: str


class InvalidDump(Exception):
    """A dump that cannot be imported, with every problem found in it; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(f"{p.path}: {p.code}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Shape:
    """A response type's members: those the sandbox needs, and the others it accepts."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


_ENTITY = ("Path", "Arn", "CreateDate")
ROOT = Shape(
    "GetAccountAuthorizationDetails response",
    (),
    ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies", "IsTruncated", "Marker"),
)
USER = Shape(
    "UserDetail",
    ("UserName",),
    (*_ENTITY, "UserId", "UserPolicyList", "GroupList", "AttachedManagedPolicies", "PermissionsBoundary", "Tags"),
)
GROUP = Shape("GroupDetail", ("GroupName",), (*_ENTITY, "GroupId", "GroupPolicyList", "AttachedManagedPolicies"))
ROLE = Shape(
    "RoleDetail",
    ("RoleName", "AssumeRolePolicyDocument"),
    (*_ENTITY, "RoleId", "InstanceProfileList", "RolePolicyList", "AttachedManagedPolicies")
    + ("PermissionsBoundary", "Tags", "RoleLastUsed"),
)
# The Role type, as an instance profile lists its role.
PROFILE_ROLE = Shape(
    "Role",
    ("RoleName",),
    (*_ENTITY, "RoleId", "AssumeRolePolicyDocument", "Description", "MaxSessionDuration")
    + ("PermissionsBoundary", "Tags", "RoleLastUsed"),
)
INSTANCE_PROFILE = Shape("InstanceProfile", ("InstanceProfileName",), (*_ENTITY, "InstanceProfileId", "Roles", "Tags"))
POLICY = Shape(
    "ManagedPolicyDetail",
    ("PolicyName",),
    (*_ENTITY, "PolicyId", "DefaultVersionId", "AttachmentCount", "PermissionsBoundaryUsageCount")
    + ("IsAttachable", "Description", "UpdateDate", "PolicyVersionList"),
)
VERSION = Shape("PolicyVersion", ("Document", "VersionId"), ("IsDefaultVersion", "CreateDate"))
INLINE = Shape("PolicyDetail", ("PolicyName", "PolicyDocument"))
ATTACHED = Shape("AttachedPolicy", ("PolicyArn",), ("PolicyName",))
BOUNDARY = Shape("AttachedPermissionsBoundary", ("PermissionsBoundaryArn",), ("PermissionsBoundaryType",))
TAG = Shape("Tag", ("Key",), ("Value",))
LAST_USED = Shape("RoleLastUsed", (), ("LastUsedDate", "Region"))


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false"}.get(type(value), "a number")


def document_text(value: dict | str) -> str:
    """A policy document as stored: the CLI prints an object, the raw API a URL-encoded string."""
    if isinstance(value, dict):
        return json.dumps(value, indent=4)
    return value if value.lstrip().startswith("{") else unquote(value)


def _well_formed_id(value: str, prefix: str) -> bool:
    tail = value.removeprefix(prefix)
    return value.startswith(prefix) and len(tail) == _UNIQUE_ID_TAIL_LENGTH and set(tail) <= _UNIQUE_ID_ALPHABET


class DumpReader:
    """Reads the parts of a dump, noting a :class:`Problem` for each thing wrong and carrying on."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, code: str = "ValidationError") -> None:
        self.problems.append(Problem(path, code, message))

    def record(self, value: Any, path: str, shape: Shape) -> dict | None:
        """``value`` if it is an object with the shape's members and no others, else None."""
        if not isinstance(value, dict):
            self.problem(path, f"Expected a {shape.name} object, found {_type_name(value)}.")
            return None
        fine = True
        for key in sorted(value.keys() - {*shape.required, *shape.optional}):
            self.problem(f"{path}.{key}", f"Unknown field {key} in a {shape.name}.")
            fine = False
        for key in shape.required:
            if key not in value:
                self.problem(f"{path}.{key}", f"Missing field {key}, which a {shape.name} needs here.")
                fine = False
        return value if fine else None

    def items(self, value: Any, path: str, one_is_a_list: bool = False) -> list[tuple[str, Any]]:
        """The members of a list, each with its path; a missing list is an empty one."""
        if value is None:
            return []
        if one_is_a_list and isinstance(value, dict):
            return [(path, value)]
        if not isinstance(value, list):
            self.problem(path, f"Expected a list, found {_type_name(value)}.")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def records(self, value: Any, path: str, shape: Shape, one_is_a_list: bool = False) -> list[tuple[str, dict]]:
        """The well-formed objects of a list, each with its path."""
        found = []
        for item_path, item in self.items(value, path, one_is_a_list):
            record = self.record(item, item_path, shape)
            if record is not None:
                found.append((item_path, record))
        return found

    def text(self, record: dict, key: str, path: str, default: str = "") -> str:
        value = record.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"Expected a string, found {_type_name(value)}.")
            return default
        return value

    def checked(self, check: Callable[..., None], path: str, *args: Any) -> bool:
        """Run one of the IAM actions' own checks, its AwsError becoming a problem at ``path``."""
        try:
            check(*args)
        except errors.AwsError as error:
            self.problem(path, error.message, error.code)
            return False
        return True

    def name_and_path(self, record: dict, path: str, name_key: str, kind: str, longest: int) -> tuple[str, str]:
        """An entity's name and path, checked as the action creating it checks them."""
        name = self.text(record, name_key, path)
        where = self.text(record, "Path", path, "/")
        self.checked(check_name, f"{path}.{name_key}", kind, name, longest)
        self.checked(check_path, f"{path}.Path", where)
        return name, where

    def unique_id(self, record: dict, key: str, path: str, prefix: str) -> str:
        """The dump's id when IAM could have given it (its prefix names the kind), else a new one."""
        given = record.get(key)
        if given is not None and not isinstance(given, str):
            self.problem(f"{path}.{key}", f"Expected a string, found {_type_name(given)}.")
        elif given is not None and _well_formed_id(given, prefix):
            return given
        return identifiers.new_unique_id(prefix)

    def document(self, value: Any, path: str, policy_type: PolicyType, limit: int, what: str) -> str | None:
        """A policy document as text, parsed and sized as IAM would; ``what`` names its policy in messages."""
        if not isinstance(value, dict | str):
            found = _type_name(value)
            self.problem(path, f"{what}: expected a policy document (a JSON object or a string), found {found}.")
            return None
        text = document_text(value)
        try:
            parse_policy(text, policy_type)
        except MalformedPolicyDocument as error:
            self.problem(path, f"{what}: {error}", "MalformedPolicyDocument")
            return None
        if policy_size(text) > limit:
            self.problem(path, f"{what}: Cannot exceed quota for PolicySize: {limit}.", "LimitExceeded")
        return text

    def unique_names(self, named: list[tuple[str, str]], kind: str) -> None:
        """IAM names are unique in an account regardless of case."""
        seen: set[str] = set()
        for path, name in named:
            if name.lower() in seen:
                self.problem(path, f"{kind} with name {name} already exists.", "EntityAlreadyExists")
            seen.add(name.lower())
