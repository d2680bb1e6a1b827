"""The checks STS makes on the parameters of AssumeRole and GetSessionToken before anything is decided.

Sources: STS API Reference (AssumeRole, GetSessionToken: each parameter's length and pattern); IAM User Guide
"Passing session tags in AWS STS" (at most 50 tags, IAM's tag rules, transitive keys, the packed size),
"Monitor and control actions taken with assumed roles" (source identity: 2 to 64 of [\\w+=,.@-]).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from . import errors, tagging
from .checks import policy_size, session_name_problems
from .models import TemporaryCredential

SHORTEST_SESSION = 900
LONGEST_ROLE_SESSION = 43200
LONGEST_SESSION_TOKEN = 129600
SESSION_POLICY_ARNS = 10
SESSION_POLICY_LENGTH = 2048
# STS packs session policies and tags into the token with a limit of its own and reports how full it is
# ("PackedPolicyTooLarge"); its packing is not published, so the sandbox counts characters against this.
PACKED_SIZE_LIMIT = 4096
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]*", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*", re.ASCII)
_TOKEN_CODE = re.compile(r"\d{6}")


def mfa_problems(serial_number: str | None, token_code: str | None) -> list[str]:
    problems = []
    if serial_number is not None and not 9 <= len(serial_number) <= 256:
        problems.append(errors.constraint(serial_number, "serialNumber", "Member must have length between 9 and 256"))
    if token_code is not None and not _TOKEN_CODE.fullmatch(token_code):
        problems.append(
            errors.constraint(token_code, "tokenCode", "Member must satisfy regular expression pattern: [\\d]{6}")
        )
    return problems


def duration_problem(value: int, shortest: int, longest: int) -> str | None:
    if value < shortest:
        return errors.constraint(
            value, "durationSeconds", f"Member must have value greater than or equal to {shortest}"
        )
    if value > longest:
        return errors.constraint(value, "durationSeconds", f"Member must have value less than or equal to {longest}")
    return None


def session_token_problems(duration: int, serial_number: str | None, token_code: str | None) -> list[str]:
    """Every constraint of GetSessionToken's parameters the request breaks."""
    problem = duration_problem(duration, SHORTEST_SESSION, LONGEST_SESSION_TOKEN)
    return ([problem] if problem else []) + mfa_problems(serial_number, token_code)


def assume_role_problems(
    role_arn: str,
    session_name: str,
    duration: int,
    external_id: str | None,
    policy: str | None,
    policy_arns: Sequence[str],
    transitive_tag_keys: Sequence[str],
    source_identity: str | None,
) -> list[str]:
    """Every constraint of AssumeRole's parameters the request breaks, as STS words them."""
    problems = []
    if not 20 <= len(role_arn) <= 2048:
        problems.append(errors.constraint(role_arn, "roleArn", "Member must have length between 20 and 2048"))
    problems += [
        errors.constraint(session_name, "roleSessionName", rule) for rule in session_name_problems(session_name)
    ]
    if problem := duration_problem(duration, SHORTEST_SESSION, LONGEST_ROLE_SESSION):
        problems.append(problem)
    if external_id is not None and (not 2 <= len(external_id) <= 1224 or not _EXTERNAL_ID.fullmatch(external_id)):
        rule = "Member must have length between 2 and 1224 and satisfy regular expression pattern: [\\w+=,.@:\\/-]*"
        problems.append(errors.constraint(external_id, "externalId", rule))
    if policy is not None and not 1 <= len(policy) <= SESSION_POLICY_LENGTH:
        rule = f"Member must have length less than or equal to {SESSION_POLICY_LENGTH}"
        problems.append(errors.constraint(f"{len(policy)} characters", "policy", rule))
    if len(policy_arns) > SESSION_POLICY_ARNS:
        rule = f"Member must have length less than or equal to {SESSION_POLICY_ARNS}"
        problems.append(errors.constraint(f"{len(policy_arns)} policy ARNs", "policyArns", rule))
    if len(transitive_tag_keys) > tagging.TAGS_PER_ENTITY:
        rule = f"Member must have length less than or equal to {tagging.TAGS_PER_ENTITY}"
        problems.append(errors.constraint(f"{len(transitive_tag_keys)} keys", "transitiveTagKeys", rule))
    if source_identity is not None and (
        not 2 <= len(source_identity) <= 64 or not _SOURCE_IDENTITY.fullmatch(source_identity)
    ):
        rule = "Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*"
        problems.append(errors.constraint(source_identity, "sourceIdentity", rule))
    return problems


def session_tags(
    calling: TemporaryCredential | None, tags: Iterable[Mapping[str, str]], transitive_tag_keys: Sequence[str]
) -> tuple[list[dict[str, str]], list[str]]:
    """The new session's tags and transitive keys: those passed, and the transitive ones inherited from the
    ``calling`` session in a role chain, which may not be passed again ("Chaining roles with session tags")."""
    passed = tagging.validated([dict(tag) for tag in tags])
    passed_keys = {tag["Key"].lower() for tag in passed}
    if not {key.lower() for key in transitive_tag_keys} <= passed_keys:
        raise errors.AwsError(
            "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags."
        )
    inherited_keys = list(calling.transitive_tag_keys) if calling is not None else []
    inherited_lower = {key.lower() for key in inherited_keys}
    if inherited_lower & passed_keys:
        raise errors.AwsError(
            "InvalidParameterValue",
            "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key "
            "from the calling session.",
        )
    inherited = [tag for tag in calling.tags if tag["Key"].lower() in inherited_lower] if calling is not None else []
    return inherited + passed, inherited_keys + list(transitive_tag_keys)


def check_packed_size(policy: str | None, policy_arns: Sequence[str], tags: list[dict[str, str]]) -> None:
    """PackedPolicyTooLarge, worded as STS words it, when the session policies and tags overflow the token."""
    tag_size = sum(len(tag["Key"]) + len(tag["Value"]) for tag in tags)
    if tag_size > PACKED_SIZE_LIMIT:
        percent = tag_size * 100 // PACKED_SIZE_LIMIT
        raise errors.AwsError(
            "PackedPolicyTooLarge", f"Packed size of session tags consumes {percent}% of allotted space."
        )
    total = tag_size + (policy_size(policy) if policy else 0) + sum(len(arn) for arn in policy_arns)
    if total > PACKED_SIZE_LIMIT:
        percent = total * 100 // PACKED_SIZE_LIMIT
        raise errors.AwsError(
            "PackedPolicyTooLarge", f"Packed policy consumes {percent}% of allotted space, please use smaller policy."
        )
