"""The Principal and NotPrincipal elements: who a resource-based policy applies to.

Sources (IAM User Guide): "AWS JSON policy elements: Principal" (section
"Specifying a principal"), "AWS JSON policy elements: NotPrincipal", the
grammar's principal_map, and in the AWS Organizations User Guide "RCP syntax".
"""

from __future__ import annotations

import re

from .jsontext import Member, Node
from .model import PolicyType, PrincipalEntry
from .reader import POLICY_NAMES, Reader, describe, quote, suggest

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
AWS_PROHIBITED_PRINCIPAL = "Policy document should not specify a principal."

_PARTITION = r"arn:aws[a-z-]*"
_AWS_PRINCIPAL = re.compile(
    rf"\*|\d{{12}}|A(?:IDA|ROA)[A-Z0-9]{{12,}}"
    rf"|{_PARTITION}:iam::(?:\d{{12}}|cloudfront):(?:root|user/.+|role/.+)"
    rf"|{_PARTITION}:sts::\d{{12}}:(?:assumed-role/[^/]+/.+|federated-user/.+)"
)
_GROUP_ARN = re.compile(rf"{_PARTITION}:iam::\d{{12}}:group/")
_DNS_NAME = r"[a-z0-9-]+(?:\.[a-z0-9-]+)+"
_FORMS = {
    "AWS": _AWS_PRINCIPAL,
    "Service": re.compile(_DNS_NAME),
    "Federated": re.compile(rf"{_DNS_NAME}|{_PARTITION}:iam::\d{{12}}:(?:saml-provider|oidc-provider)/.+"),
    "CanonicalUser": re.compile(r"[0-9a-fA-F]{64}"),
}
_PROBLEMS = {
    "AWS": 'is not an account ID, an account, user or role ARN, a role session or federated user ARN, or "*".',
    "Service": 'is not a service principal such as "ec2.amazonaws.com".',
    "Federated": "is not an identity provider: give a SAML or OIDC provider ARN, or a web identity provider "
    'such as "accounts.google.com".',
    "CanonicalUser": "is not a canonical user ID (64 hexadecimal digits).",
}
# How condition keys name a web identity (OIDC) provider: its URL without "https://", path included
# ("IAM and AWS STS condition context keys", "Available keys for AWS web identity federation").
_IDENTITY_PROVIDER = re.compile(rf"{_DNS_NAME}(?:/[^/\s]+)*/?", re.IGNORECASE)


def is_identity_provider(name: str) -> bool:
    """Whether ``name`` names a web identity provider, as the prefix of its condition keys does.

    ``accounts.google.com`` in ``accounts.google.com:aud``, or
    ``oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE`` in ``...EXAMPLE:sub``.
    """
    return _IDENTITY_PROVIDER.fullmatch(name) is not None


def read_principals(
    reader: Reader, members: dict[str, Member], effect: str | None, statement: Node
) -> tuple[tuple[PrincipalEntry, ...] | None, tuple[PrincipalEntry, ...] | None]:
    """A statement's Principal and NotPrincipal, checked against the policy type and the effect."""
    member, not_member = members.get("Principal"), members.get("NotPrincipal")
    kind = POLICY_NAMES[reader.type]
    if not reader.type.takes_principal:
        for present in (member, not_member):
            if present:
                reader.error(
                    present.key,
                    f"{AWS_PROHIBITED_PRINCIPAL} {kind} applies to whoever it is attached "
                    "to, so it names no principal; only resource-based policies (a bucket policy, a role "
                    "trust policy) have a Principal.",
                    present.key_span.start,
                    AWS_PROHIBITED_PRINCIPAL,
                )
        return None, None
    if member and not_member:
        reader.error(
            "NotPrincipal", "A statement may have Principal or NotPrincipal, not both.", not_member.key_span.start
        )
    elif not member and not not_member:
        reader.error(
            "Principal",
            f"Missing required field Principal: {kind} must say who it applies to, for "
            'example "Principal": {"AWS": "arn:aws:iam::111122223333:root"}.',
            statement.span.start,
            "Missing required field Principal",
        )
    if not_member:
        if reader.type != PolicyType.RESOURCE:
            reader.error(
                "NotPrincipal",
                f"Has prohibited field NotPrincipal: {kind} cannot use NotPrincipal; "
                "only some resource-based policies support it.",
                not_member.key_span.start,
                "Has prohibited field NotPrincipal",
            )
        elif effect == "Allow":
            reader.error(
                "NotPrincipal",
                'NotPrincipal may only be used with "Effect": "Deny"; an Allow for '
                "everyone except some principals is not supported.",
                not_member.key_span.start,
            )
    principals = _principal(reader, member) if member else None
    if reader.type == PolicyType.RESOURCE_CONTROL and member and principals != (PrincipalEntry("*", "*"),):
        reader.error(
            "Principal",
            f'{kind} must use "Principal": "*"; narrow it down with a Condition on a key such as aws:PrincipalArn.',
            member.value.span.start,
        )
    return principals, _principal(reader, not_member) if not_member else None


def _principal(reader: Reader, member: Member) -> tuple[PrincipalEntry, ...]:
    node = member.value
    if node.kind == "string" and node.value == "*":
        return (PrincipalEntry("*", "*"),)
    if node.kind != "object" or not node.value:
        reader.error(
            member.key,
            f'{member.key} must be "*" or a map such as {{"AWS": "arn:aws:iam::'
            f'111122223333:root"}}, not {describe(node)}.',
            node.span.start,
        )
        return ()
    entries = []
    for kind, entry in reader.members(node).items():
        if kind not in PRINCIPAL_TYPES:
            reader.error(
                member.key,
                f'Unknown principal type "{kind}"{suggest(kind, PRINCIPAL_TYPES)}: use '
                '"AWS", "Service", "Federated" or "CanonicalUser".',
                entry.key_span.start,
            )
            continue
        for value, value_node in reader.strings(entry, element=member.key):
            problem = _problem(kind, value)
            if problem is None:
                entries.append(PrincipalEntry(kind, value))
            else:
                reader.error(
                    member.key,
                    f"{member.key} {kind} {quote(value)} {problem}",
                    value_node.span.start,
                    f"Invalid principal in policy: {quote(kind)}:{quote(value)}",
                )
    return tuple(entries)


def _problem(kind: str, value: str) -> str | None:
    """What is wrong with one principal; a group gets its own explanation because the mistake is so common."""
    if kind == "AWS" and _GROUP_ARN.match(value):
        return (
            "names an IAM group, and groups are not principals: a group cannot sign in or make requests, it "
            "only hands its permissions to its users. Name the users or a role instead."
        )
    if value != "*" and ("*" in value or "?" in value):
        return 'uses a wildcard; "*" can stand only for everyone, never for part of a name or ARN.'
    return None if _FORMS[kind].fullmatch(value) else _PROBLEMS[kind]
