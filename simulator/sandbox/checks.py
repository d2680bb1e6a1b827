"""The checks IAM makes on a request before it writes anything: names, paths, aliases and policy documents,
and the two refusals that depend on what an entity is, whoever asks.

Every IAM action and the dump importer use these, so a name IAM would refuse is refused the same way
everywhere. Sources: "IAM and AWS STS quotas" (name and path lengths and characters, policy sizes), the
IAM API Reference of CreateUser, CreateAccountAlias, AttachUserPolicy, and "Using service-linked roles".
"""

from __future__ import annotations

import re

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy

from . import errors
from .models import Group, IamUser, ManagedPolicy, Role
from .service_linked import SERVICE_ROLE_PATH

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
# CreateAccountAlias: lowercase letters, digits and single hyphens, neither first nor last, 3 to 63 long.
_ACCOUNT_ALIAS_PATTERN = r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
_ACCOUNT_ALIAS = re.compile(_ACCOUNT_ALIAS_PATTERN)
# STS API Reference, AssumeRole: RoleSessionName is 2 to 64 characters matching this pattern.
SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_SESSION_NAME = re.compile(SESSION_NAME_PATTERN, re.ASCII)


def check_name(kind: str, name: str, longest: int) -> None:
    """An entity or policy name: 1 to ``longest`` letters, digits and ``+=,.@_-``."""
    if not (1 <= len(name) <= longest) or not _NAME.fullmatch(name):
        raise errors.validation_error(
            f"{kind} name {name!r} is invalid: use 1 to {longest} letters, digits and + = , . @ _ -"
        )


def check_path(path: str) -> None:
    if len(path) > 512 or not _PATH.fullmatch(path):
        raise errors.validation_error(f"Path {path!r} is invalid: it must begin and end with / (for example /dev/)")


def check_account_alias(alias: str) -> None:
    if not _ACCOUNT_ALIAS.fullmatch(alias):
        rule = f"Member must satisfy regular expression pattern: {_ACCOUNT_ALIAS_PATTERN}"
        raise errors.validation_failed([errors.constraint(alias, "accountAlias", rule)])


def policy_size(document: str) -> int:
    """IAM counts a policy's characters without its whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def check_document(document: str, policy_type: PolicyType, limit: int) -> None:
    """A policy document the engine parses as ``policy_type``, of at most ``limit`` characters."""
    try:
        parse_policy(document, policy_type)
    except MalformedPolicyDocument as error:
        raise errors.AwsError("MalformedPolicyDocument", str(error)) from None
    if policy_size(document) > limit:
        raise errors.limit_exceeded(f"Cannot exceed quota for PolicySize: {limit}.")


def check_modifiable(entity: IamUser | Group | Role) -> None:
    """A service-linked role belongs to its service: only that service may change it ("Using service-linked
    roles"); IAM answers UnmodifiableEntity whoever asks, even the root user."""
    if isinstance(entity, Role) and entity.service_linked:
        raise errors.AwsError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{entity.name}' - this role is only modifiable by AWS",
        )


def attachable(policy: ManagedPolicy) -> ManagedPolicy:
    """A service-linked role's policy serves only that role: IAM refuses to attach it to anything else,
    or to make it a boundary (AttachUserPolicy, PutUserPermissionsBoundary: PolicyNotAttachable)."""
    if is_service_role_policy(policy):
        raise errors.AwsError(
            "PolicyNotAttachable",
            f"Policy {policy.arn} is an AWS service role policy: only its service-linked role may use it.",
        )
    return policy


def is_service_role_policy(policy: ManagedPolicy) -> bool:
    return policy.aws_managed and policy.path.startswith(SERVICE_ROLE_PATH)


def session_name_problems(name: str) -> list[str]:
    """Every RoleSessionName constraint ``name`` breaks, as STS words them; empty when it is a valid name."""
    broken = []
    if len(name) < 2:
        broken.append("Member must have length greater than or equal to 2")
    if len(name) > 64:
        broken.append("Member must have length less than or equal to 64")
    if not _SESSION_NAME.fullmatch(name):
        broken.append(f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}")
    return broken
