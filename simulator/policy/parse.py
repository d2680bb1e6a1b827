"""Parse a policy document into :mod:`.model` values, validating it the way IAM does.

Validation collects every problem rather than stopping at the first, so a
learner sees them all at once; each :class:`.errors.PolicyError` names the
statement and the element and keeps IAM's own answer in ``aws_message``.
Sources, all in the IAM User Guide unless said otherwise: "Grammar of the IAM
JSON policy language", "IAM JSON policy element reference" (Version, Sid,
Effect, Action, Resource, Condition), "IAM JSON policy elements: Condition
operators", "IAM and AWS STS condition context keys", and in the AWS
Organizations User Guide "SCP syntax" and "RCP syntax", and for what a role
trust policy may name, "IAM role trust policies". Principal and NotPrincipal
are read by :mod:`.principals`, operator names come from :mod:`.operators`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import GENERIC_AWS_MESSAGE, MalformedPolicyDocument, PolicyError
from .jsontext import JSONSyntaxError, Member, Node, parse_json
from .model import Condition, Policy, PolicyType, Position, Statement
from .operators import ALL_OPERATORS, BASE_OPERATORS, SET_OPERATORS, split_operator
from .principals import AWS_PROHIBITED_PRINCIPAL, PRINCIPAL_TYPES, is_identity_provider, read_principals
from .reader import POLICY_NAMES, Reader, describe, items_of, quote, suggest
from .wildcards import pattern_regex

__all__ = [
    "AWS_NEEDS_ACTIONS",
    "AWS_NEEDS_RESOURCES",
    "AWS_NEEDS_VENDOR",
    "AWS_PROHIBITED_PRINCIPAL",
    "AWS_TRUST_ACTIONS_ONLY",
    "BASE_OPERATORS",
    "PRINCIPAL_TYPES",
    "SET_OPERATORS",
    "STATEMENT_ELEMENTS",
    "TOP_LEVEL_ELEMENTS",
    "TRUST_POLICY_ACTIONS",
    "VERSIONS",
    "parse_policy",
    "split_operator",
]

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)

_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR = re.compile(r"[A-Za-z0-9-]+")
_ACTION_NAME = re.compile(r"[A-Za-z0-9_*?-]+")
_ORGANIZATIONS_TYPES = (PolicyType.SERVICE_CONTROL, PolicyType.RESOURCE_CONTROL)
# The actions a role trust policy governs: assuming the role, and what the caller may set on the session.
TRUST_POLICY_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
)

AWS_NEEDS_ACTIONS = "Policy statement must contain actions."
AWS_NEEDS_RESOURCES = "Policy statement must contain resources."
AWS_NEEDS_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
AWS_TRUST_ACTIONS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."


def parse_policy(
    text: str, policy_type: PolicyType = PolicyType.IDENTITY, *, policy_id: str = "", source_type: str = "none"
) -> Policy:
    """Parse and validate a policy document of the given type.

    Raises :class:`MalformedPolicyDocument` listing every problem found.
    Policy variables (``${aws:username}``) stay as written here; whether they
    are substituted depends on :attr:`Policy.allows_variables`.
    """
    return _PolicyParser(text, policy_type).policy(policy_id, source_type)


def _has_key_prefix(key: str) -> bool:
    """``service:name``, or with web identity federation ``provider:claim`` (``accounts.google.com:aud``)."""
    prefix, colon, _ = key.partition(":")
    return bool(colon) and (_VENDOR.fullmatch(prefix) is not None or is_identity_provider(prefix))


def _covers_a_trust_action(action: str) -> bool:
    """Whether ``action``, wildcards and all, names one of :data:`TRUST_POLICY_ACTIONS` (``sts:Assume*`` does)."""
    pattern = pattern_regex(action, ignore_case=True)
    return any(pattern.fullmatch(name) for name in TRUST_POLICY_ACTIONS)


def _document_order(error: PolicyError) -> tuple[int, int]:
    return (error.position.line, error.position.column) if error.position else (0, 0)


class _PolicyParser(Reader):
    """One parse of one document."""

    def __init__(self, text: str, policy_type: PolicyType) -> None:
        super().__init__(policy_type)
        self.text = text
        self.sids: set[str] = set()

    def policy(self, policy_id: str, source_type: str) -> Policy:
        try:
            root = parse_json(self.text)
        except JSONSyntaxError as error:
            self.error(None, f"The policy is not valid JSON: {error}.", Position(error.line, error.column))
            raise MalformedPolicyDocument(self.errors) from None
        if root.kind != "object":
            self.error(
                None, f"A policy document must be a JSON object ({{...}}), not {describe(root)}.", root.span.start
            )
            raise MalformedPolicyDocument(self.errors)
        members = self.members(root)
        for key, member in members.items():
            if key not in TOP_LEVEL_ELEMENTS:
                self.error(
                    key,
                    f'Unknown element "{key}"{suggest(key, TOP_LEVEL_ELEMENTS)}; a policy holds '
                    'only "Version", "Id" and "Statement".',
                    member.key_span.start,
                )
        version = self.version(members.get("Version"), root)
        id_member = members.get("Id")
        if id_member and id_member.value.kind != "string":
            self.error("Id", f"Id must be a string, not {describe(id_member.value)}.", id_member.value.span.start)
        statements = self.statements(members.get("Statement"), root)
        if self.errors:
            raise MalformedPolicyDocument(sorted(self.errors, key=_document_order))
        return Policy(
            policy_type=self.type,
            version=version,
            id=id_member.value.value if id_member else None,  # type: ignore[arg-type]
            statements=statements,
            text=self.text,
            policy_id=policy_id,
            source_type=source_type,
        )

    def version(self, member: Member | None, root: Node) -> str | None:
        if member is None:
            if self.type in _ORGANIZATIONS_TYPES:
                self.error(
                    "Version",
                    f'Missing required field Version: {POLICY_NAMES[self.type]} must say "Version": "2012-10-17".',
                    root.span.start,
                )
            return None
        node = member.value
        organizations = self.type in _ORGANIZATIONS_TYPES
        if node.kind == "string" and node.value in (("2012-10-17",) if organizations else VERSIONS):
            return node.value  # type: ignore[return-value]
        if organizations and node.value in VERSIONS:
            detail = f'{POLICY_NAMES[self.type]} must use "Version": "2012-10-17", not {node.raw}.'
        else:
            older = "" if organizations else '; the older "2008-10-17" is still accepted'
            detail = (
                f'Version {node.raw} is not a version of the policy language: write "2012-10-17" (it names '
                f"the language, not the date you wrote the policy){older}."
            )
        self.error("Version", detail, node.span.start)
        return None

    def statements(self, member: Member | None, root: Node) -> tuple[Statement, ...]:
        if member is None:
            self.error(
                "Statement", "Missing required field Statement: a policy needs at least one statement.", root.span.start
            )
            return ()
        node = member.value
        if node.kind == "object":
            items: tuple[Node, ...] = (node,)
        elif node.kind == "array" and node.value:
            items = node.value  # type: ignore[assignment]
        else:
            detail = "an empty list" if node.kind == "array" else describe(node)
            self.error(
                "Statement", f"Statement must be a statement object or a list of them, not {detail}.", node.span.start
            )
            return ()
        parsed = [self.statement(index, item) for index, item in enumerate(items)]
        self.index, self.label = None, ""
        return tuple(statement for statement in parsed if statement is not None)

    def statement(self, index: int, node: Node) -> Statement | None:
        self.index, self.label = index, f"Statement {index + 1}"
        if node.kind != "object":
            self.error("Statement", f"A statement must be an object, not {describe(node)}.", node.span.start)
            return None
        members = self.members(node)
        sid = self.sid(members.get("Sid"))
        for key, member in members.items():
            if key not in STATEMENT_ELEMENTS:
                self.error(key, f'Unknown element "{key}"{suggest(key, STATEMENT_ELEMENTS)}.', member.key_span.start)
        effect = self.effect(members.get("Effect"), node)
        principals, not_principals = read_principals(self, members, effect, node)
        actions, not_actions = self.pair(members, "Action", "NotAction", node)
        resources, not_resources = self.pair(members, "Resource", "NotResource", node)
        condition = members.get("Condition")
        conditions = self.conditions(condition) if condition else ()
        return Statement(
            index=index,
            sid=sid,
            effect=effect or "",
            actions=actions,
            not_actions=not_actions,
            resources=resources,
            not_resources=not_resources,
            principals=principals,
            not_principals=not_principals,
            conditions=conditions,
            span=node.span,
        )

    def sid(self, member: Member | None) -> str | None:
        if member is None:
            return None
        node = member.value
        if node.kind != "string":
            self.error("Sid", f"Sid must be a string, not {describe(node)}.", node.span.start)
            return None
        sid: str = node.value  # type: ignore[assignment]
        if sid:
            self.label += f" (Sid {quote(sid)})"
        iam_rules = self.type != PolicyType.RESOURCE  # other services set their own Sid rules
        if iam_rules and not _SID.fullmatch(sid):
            self.error(
                "Sid",
                "Statement IDs (SID) must be alpha-numeric: IAM accepts only the letters A-Z, a-z "
                "and the digits 0-9, no spaces, hyphens or underscores.",
                node.span.start,
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
                "expression [0-9A-Za-z]*",
            )
        if iam_rules and sid in self.sids:
            self.error(
                "Sid",
                f"Statement IDs (SID) in a single policy must be unique; another statement already uses {quote(sid)}.",
                node.span.start,
                "Statement IDs (SID) in a single policy must be unique.",
            )
        self.sids.add(sid)
        return sid or None

    def effect(self, member: Member | None, statement: Node) -> str | None:
        if member is None:
            self.error(
                "Effect",
                'Missing required field Effect: every statement must say "Effect": "Allow" or "Deny".',
                statement.span.start,
                "Missing required field Effect",
            )
            return None
        node = member.value
        if node.kind == "string" and node.value in ("Allow", "Deny"):
            return node.value  # type: ignore[return-value]
        hint = suggest(node.value, ("Allow", "Deny")) if node.kind == "string" else ""  # type: ignore[arg-type]
        self.error("Effect", f'Effect must be "Allow" or "Deny", not {describe(node)}{hint}.', node.span.start)
        return None

    def pair(
        self, members: dict[str, Member], name: str, not_name: str, statement: Node
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """Action/NotAction or Resource/NotResource: exactly one of the two (Resource: none in trust policies)."""
        member, not_member = members.get(name), members.get(not_name)
        is_resource = name == "Resource"
        if is_resource and self.type == PolicyType.TRUST:
            for present in (member, not_member):
                if present:
                    self.error(
                        present.key,
                        f"Has prohibited field {present.key}: a role trust policy controls who "
                        "may assume the role, which is itself the resource, so it names no resource.",
                        present.key_span.start,
                        f"Has prohibited field {present.key}",
                    )
            return None, None
        if self.type == PolicyType.RESOURCE_CONTROL and not_member and not is_resource:
            self.error(
                not_name,
                f"{POLICY_NAMES[self.type]} does not support NotAction; list the actions to restrict in Action.",
                not_member.key_span.start,
            )
        required = AWS_NEEDS_RESOURCES if is_resource else AWS_NEEDS_ACTIONS
        if member and not_member:
            self.error(not_name, f"A statement may have {name} or {not_name}, not both.", not_member.key_span.start)
        elif not member and not not_member:
            self.error(name, f'{required[:-1]}: add "{name}" (or "{not_name}").', statement.span.start, required)
        check = self.resource if is_resource else self.action
        return self.values(member, check, required), self.values(not_member, check, required)

    def values(
        self, member: Member | None, check: Callable[[str, Node, str], None], empty_aws: str
    ) -> tuple[str, ...] | None:
        """A string or a non-empty list of strings, each passed to ``check(value, node, element)``."""
        if member is None:
            return None
        strings = self.strings(member, empty_aws)
        for value, node in strings:
            check(value, node, member.key)
        return tuple(value for value, _ in strings)

    def action(self, action: str, node: Node, element: str) -> None:
        if action == "*":
            return
        vendor, colon, name = action.partition(":")
        if not colon or not vendor:
            self.error(
                element,
                f'{quote(action)} is not an action: write "service:ActionName" such as '
                '"s3:GetObject", or "*" for every action.',
                node.span.start,
                AWS_NEEDS_VENDOR,
            )
        elif ":" in name:
            self.error(
                element,
                f'{quote(action)} has more than one colon: an action is "service:ActionName".',
                node.span.start,
                "Actions/Condition can contain only one colon.",
            )
        elif not _VENDOR.fullmatch(vendor):
            wildcard = "*" in vendor or "?" in vendor
            detail = "may not contain wildcards" if wildcard else "may hold only letters, digits and hyphens"
            self.error(
                element,
                f"In {quote(action)} the service prefix {detail}.",
                node.span.start,
                "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards" if wildcard else GENERIC_AWS_MESSAGE,
            )
        elif not _ACTION_NAME.fullmatch(name):
            self.error(
                element,
                f"{quote(action)} does not name an action after the colon (letters, digits and "
                "the wildcards * and ? only).",
                node.span.start,
            )
        elif self.type == PolicyType.TRUST and not _covers_a_trust_action(action):
            self.error(
                element,
                f"{quote(action)} cannot be in a role trust policy, which says only who may assume the role: "
                f"name {', '.join(TRUST_POLICY_ACTIONS)}. What the role may do once assumed belongs in its "
                "permissions policies.",
                node.span.start,
                AWS_TRUST_ACTIONS_ONLY,
            )

    def resource(self, resource: str, node: Node, element: str) -> None:
        # API Gateway resource policies may write "execute-api:/stage/GET/path", which API Gateway expands
        # to the API's ARN when it saves the policy ("API Gateway resource policy examples").
        if self.type == PolicyType.RESOURCE and resource.startswith("execute-api:/"):
            return
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 5):
            self.error(
                element,
                f'{quote(resource)} is not a resource: write an ARN such as "arn:aws:s3:::bucket/*", or "*".',
                node.span.start,
                f'Resource {resource} must be in ARN format or "*".',
            )

    def conditions(self, member: Member) -> tuple[Condition, ...]:
        node = member.value
        if node.kind != "object":
            self.error(
                "Condition",
                'Condition must be a map of operator to {"key": value}, such as {"Bool": '
                f'{{"aws:SecureTransport": "true"}}}}, not {describe(node)}.',
                node.span.start,
            )
            return ()
        conditions = []
        for operator, block in self.members(node).items():
            split = split_operator(operator)
            if split is None:
                hint = suggest(operator, ALL_OPERATORS)
                self.error("Condition", f'Unknown condition operator "{operator}"{hint}.', block.key_span.start)
                continue
            if block.value.kind != "object" or not block.value.value:
                self.error(
                    "Condition",
                    f'{operator} must map condition keys to values, such as {{"aws:username": '
                    f'"alice"}}, not {describe(block.value)}.',
                    block.value.span.start,
                )
                continue
            for key, values in self.members(block.value).items():
                if not _has_key_prefix(key):
                    self.error(
                        "Condition",
                        f'Condition key "{key}" needs a service prefix, such as '
                        '"aws:SourceIp" or "s3:prefix", or for web identity federation the identity '
                        'provider\'s, such as "accounts.google.com:aud".',
                        values.key_span.start,
                        AWS_NEEDS_VENDOR,
                    )
                conditions.append(Condition(operator, *split, key, self.condition_values(operator, key, values)))
        return tuple(conditions)

    def condition_values(self, operator: str, key: str, member: Member) -> tuple[str, ...]:
        """Strings, numbers and booleans, compared as text: true -> "true", numbers as written."""
        values = []
        for item in items_of(member.value):
            if item.kind == "string":
                values.append(item.value)
            elif item.kind in ("number", "bool"):
                values.append(item.raw)
            else:
                self.error(
                    "Condition",
                    f'{operator} "{key}" values must be strings, numbers or true/false; found {describe(item)}.',
                    item.span.start,
                )
        return tuple(values)  # type: ignore[arg-type]
