"""Parse a policy document into :mod:`.model` values, validating it the way IAM does.

Validation collects every problem rather than stopping at the first, so a
learner sees them all at once; each :class:`.errors.PolicyError` names the
statement and the element and keeps IAM's own answer in ``aws_message``.
Sources, all in the IAM User Guide unless said otherwise: "Grammar of the IAM
JSON policy language", "IAM JSON policy element reference" (Version, Sid,
Effect, Principal, NotPrincipal, Action, Resource, Condition), "IAM JSON
policy elements: Condition operators", and in the AWS Organizations User
Guide "SCP syntax" and "RCP syntax".
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable

from .errors import GENERIC_AWS_MESSAGE, MalformedPolicyDocument, PolicyError
from .jsontext import JSONSyntaxError, Member, Node, parse_json
from .model import Condition, Policy, PolicyType, Position, PrincipalEntry, Statement

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
SET_OPERATORS = ("ForAnyValue", "ForAllValues")
BASE_OPERATORS = frozenset({
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
})
_ALL_OPERATORS = sorted(
    f"{prefix}{base}{suffix}"
    for prefix in ("", "ForAnyValue:", "ForAllValues:")
    for base in BASE_OPERATORS
    for suffix in ("", "IfExists")
    if not (base == "Null" and suffix)
)

_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR = re.compile(r"[A-Za-z0-9-]+")
_ACTION_NAME = re.compile(r"[A-Za-z0-9_*?-]+")
_PARTITION = r"arn:aws[a-z-]*"
_AWS_PRINCIPAL = re.compile(
    rf"\*|\d{{12}}|A(?:IDA|ROA)[A-Z0-9]{{12,}}"
    rf"|{_PARTITION}:iam::(?:\d{{12}}|cloudfront):(?:root|user/.+|role/.+)"
    rf"|{_PARTITION}:sts::\d{{12}}:(?:assumed-role/[^/]+/.+|federated-user/.+)"
)
_GROUP_ARN = re.compile(rf"{_PARTITION}:iam::\d{{12}}:group/")
_DNS_NAME = r"[a-z0-9-]+(?:\.[a-z0-9-]+)+"
_PRINCIPAL_FORMS = {
    "AWS": _AWS_PRINCIPAL,
    "Service": re.compile(_DNS_NAME),
    "Federated": re.compile(rf"{_DNS_NAME}|{_PARTITION}:iam::\d{{12}}:(?:saml-provider|oidc-provider)/.+"),
    "CanonicalUser": re.compile(r"[0-9a-fA-F]{64}"),
}
_PRINCIPAL_PROBLEMS = {
    "AWS": 'is not an account ID, an account, user or role ARN, a role session or federated user ARN, or "*".',
    "Service": 'is not a service principal such as "ec2.amazonaws.com".',
    "Federated": 'is not an identity provider: give a SAML or OIDC provider ARN, or a web identity provider '
                 'such as "accounts.google.com".',
    "CanonicalUser": "is not a canonical user ID (64 hexadecimal digits).",
}

_KINDS = {"object": "an object", "array": "a list", "string": "a string", "number": "a number",
          "bool": "true/false", "null": "null"}
_POLICY_NAMES = {
    PolicyType.IDENTITY: "An identity-based policy",
    PolicyType.RESOURCE: "A resource-based policy",
    PolicyType.TRUST: "A role trust policy",
    PolicyType.PERMISSIONS_BOUNDARY: "A permissions boundary",
    PolicyType.SESSION: "A session policy",
    PolicyType.SERVICE_CONTROL: "A service control policy (SCP)",
    PolicyType.RESOURCE_CONTROL: "A resource control policy (RCP)",
}
_ORGANIZATIONS_TYPES = (PolicyType.SERVICE_CONTROL, PolicyType.RESOURCE_CONTROL)

AWS_PROHIBITED_PRINCIPAL = "Policy document should not specify a principal."
AWS_NEEDS_ACTIONS = "Policy statement must contain actions."
AWS_NEEDS_RESOURCES = "Policy statement must contain resources."
AWS_NEEDS_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."


def parse_policy(
    text: str, policy_type: PolicyType = PolicyType.IDENTITY, *, policy_id: str = "", source_type: str = "none"
) -> Policy:
    """Parse and validate a policy document of the given type.

    Raises :class:`MalformedPolicyDocument` listing every problem found.
    Policy variables (``${aws:username}``) stay as written here; whether they
    are substituted depends on :attr:`Policy.allows_variables`.
    """
    return _PolicyParser(text, policy_type).policy(policy_id, source_type)


def split_operator(name: str) -> tuple[str, str, bool] | None:
    """``"ForAnyValue:StringLikeIfExists"`` -> ``("ForAnyValue", "StringLike", True)``; None if not an operator.

    Names are matched exactly as the Condition operators page spells them.
    """
    set_operator, colon, rest = name.partition(":")
    if not colon:
        set_operator, rest = "", name
    elif set_operator not in SET_OPERATORS:
        return None
    base = rest.removesuffix("IfExists")
    if_exists = base != rest
    if base not in BASE_OPERATORS or (if_exists and base == "Null"):
        return None
    return set_operator, base, if_exists


def _describe(node: Node) -> str:
    """How a message shows a value: strings as written, other values by kind."""
    shown = node.raw if len(node.raw) <= 40 else node.raw[:37] + "..."
    if node.kind == "string":
        return shown
    if node.kind == "object" and not node.value:
        return "an empty map"
    return _KINDS[node.kind] if node.kind in ("object", "array", "null") else f"{_KINDS[node.kind]} ({shown})"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _suggest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean' hint: element names are case-sensitive, which trips people up most."""
    for candidate in known:
        if candidate.lower() == name.lower():
            return f' (names are case-sensitive: write "{candidate}")'
    close = difflib.get_close_matches(name, known, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _document_order(error: PolicyError) -> tuple[int, int]:
    return (error.position.line, error.position.column) if error.position else (0, 0)


class _PolicyParser:
    """One parse of one document.

    ``index`` and ``label`` name the statement being read, so every error
    raised while reading it is attributed to it without passing them around.
    """

    def __init__(self, text: str, policy_type: PolicyType) -> None:
        self.text = text
        self.type = policy_type
        self.errors: list[PolicyError] = []
        self.index: int | None = None
        self.label = ""
        self.sids: set[str] = set()

    def error(self, element: str | None, detail: str, at: Position | None, aws: str = GENERIC_AWS_MESSAGE) -> None:
        message = f"{self.label}: {detail}" if self.label else detail
        self.errors.append(PolicyError(message, at, self.index, element, aws))

    def members(self, node: Node) -> dict[str, Member]:
        """An object's members by key; a repeated key is reported, and its first value used."""
        found: dict[str, Member] = {}
        for member in node.value:  # type: ignore[attr-defined]
            if member.key in found:
                self.error(member.key, f'"{member.key}" appears more than once; a name may appear only once in '
                           "the same block.", member.key_span.start)
            else:
                found[member.key] = member
        return found

    def policy(self, policy_id: str, source_type: str) -> Policy:
        try:
            root = parse_json(self.text)
        except JSONSyntaxError as error:
            self.error(None, f"The policy is not valid JSON: {error}.", Position(error.line, error.column))
            raise MalformedPolicyDocument(self.errors) from None
        if root.kind != "object":
            self.error(None, f"A policy document must be a JSON object ({{...}}), not {_describe(root)}.",
                       root.span.start)
            raise MalformedPolicyDocument(self.errors)
        members = self.members(root)
        for key, member in members.items():
            if key not in TOP_LEVEL_ELEMENTS:
                self.error(key, f'Unknown element "{key}"{_suggest(key, TOP_LEVEL_ELEMENTS)}; a policy holds '
                           'only "Version", "Id" and "Statement".', member.key_span.start)
        version = self.version(members.get("Version"), root)
        id_member = members.get("Id")
        if id_member and id_member.value.kind != "string":
            self.error("Id", f"Id must be a string, not {_describe(id_member.value)}.", id_member.value.span.start)
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
                self.error("Version", f'Missing required field Version: {_POLICY_NAMES[self.type]} must say '
                           '"Version": "2012-10-17".', root.span.start)
            return None
        node = member.value
        organizations = self.type in _ORGANIZATIONS_TYPES
        if node.kind == "string" and node.value in (("2012-10-17",) if organizations else VERSIONS):
            return node.value  # type: ignore[return-value]
        if organizations and node.value in VERSIONS:
            detail = f'{_POLICY_NAMES[self.type]} must use "Version": "2012-10-17", not {node.raw}.'
        else:
            older = "" if organizations else '; the older "2008-10-17" is still accepted'
            detail = (f'Version {node.raw} is not a version of the policy language: write "2012-10-17" (it names '
                      f"the language, not the date you wrote the policy){older}.")
        self.error("Version", detail, node.span.start)
        return None

    def statements(self, member: Member | None, root: Node) -> tuple[Statement, ...]:
        if member is None:
            self.error("Statement", "Missing required field Statement: a policy needs at least one statement.",
                       root.span.start)
            return ()
        node = member.value
        if node.kind == "object":
            items: tuple[Node, ...] = (node,)
        elif node.kind == "array" and node.value:
            items = node.value  # type: ignore[assignment]
        else:
            detail = "an empty list" if node.kind == "array" else _describe(node)
            self.error("Statement", f"Statement must be a statement object or a list of them, not {detail}.",
                       node.span.start)
            return ()
        parsed = [self.statement(index, item) for index, item in enumerate(items)]
        self.index, self.label = None, ""
        return tuple(statement for statement in parsed if statement is not None)

    def statement(self, index: int, node: Node) -> Statement | None:
        self.index, self.label = index, f"Statement {index + 1}"
        if node.kind != "object":
            self.error("Statement", f"A statement must be an object, not {_describe(node)}.", node.span.start)
            return None
        members = self.members(node)
        sid = self.sid(members.get("Sid"))
        for key, member in members.items():
            if key not in STATEMENT_ELEMENTS:
                self.error(key, f'Unknown element "{key}"{_suggest(key, STATEMENT_ELEMENTS)}.', member.key_span.start)
        effect = self.effect(members.get("Effect"), node)
        principals, not_principals = self.principal_elements(members, effect, node)
        actions, not_actions = self.pair(members, "Action", "NotAction", node)
        resources, not_resources = self.pair(members, "Resource", "NotResource", node)
        condition = members.get("Condition")
        conditions = self.conditions(condition) if condition else ()
        return Statement(
            index=index, sid=sid, effect=effect or "", actions=actions, not_actions=not_actions,
            resources=resources, not_resources=not_resources, principals=principals,
            not_principals=not_principals, conditions=conditions, span=node.span,
        )

    def sid(self, member: Member | None) -> str | None:
        if member is None:
            return None
        node = member.value
        if node.kind != "string":
            self.error("Sid", f"Sid must be a string, not {_describe(node)}.", node.span.start)
            return None
        sid: str = node.value  # type: ignore[assignment]
        if sid:
            self.label += f" (Sid {_quote(sid)})"
        iam_rules = self.type != PolicyType.RESOURCE  # other services set their own Sid rules
        if iam_rules and not _SID.fullmatch(sid):
            self.error("Sid", "Statement IDs (SID) must be alpha-numeric: IAM accepts only the letters A-Z, a-z "
                       "and the digits 0-9, no spaces, hyphens or underscores.", node.span.start,
                       "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
                       "expression [0-9A-Za-z]*")
        if iam_rules and sid in self.sids:
            self.error("Sid", "Statement IDs (SID) in a single policy must be unique; another statement already "
                       f"uses {_quote(sid)}.", node.span.start,
                       "Statement IDs (SID) in a single policy must be unique.")
        self.sids.add(sid)
        return sid or None

    def effect(self, member: Member | None, statement: Node) -> str | None:
        if member is None:
            self.error("Effect", 'Missing required field Effect: every statement must say "Effect": "Allow" or '
                       '"Deny".', statement.span.start, "Missing required field Effect")
            return None
        node = member.value
        if node.kind == "string" and node.value in ("Allow", "Deny"):
            return node.value  # type: ignore[return-value]
        hint = _suggest(node.value, ("Allow", "Deny")) if node.kind == "string" else ""  # type: ignore[arg-type]
        self.error("Effect", f'Effect must be "Allow" or "Deny", not {_describe(node)}{hint}.', node.span.start)
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
                    self.error(present.key, f"Has prohibited field {present.key}: a role trust policy controls who "
                               "may assume the role, which is itself the resource, so it names no resource.",
                               present.key_span.start, f"Has prohibited field {present.key}")
            return None, None
        if self.type == PolicyType.RESOURCE_CONTROL and not_member and not is_resource:
            self.error(not_name, f"{_POLICY_NAMES[self.type]} does not support NotAction; list the actions to "
                       "restrict in Action.", not_member.key_span.start)
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

    def strings(
        self, member: Member, empty_aws: str = GENERIC_AWS_MESSAGE, element: str | None = None
    ) -> list[tuple[str, Node]]:
        """A string or a list of strings; ``element`` names the enclosing element (Principal for "AWS")."""
        node = member.value
        name = f"{element} {member.key}" if element else member.key
        items: tuple[Node, ...] = node.value if node.kind == "array" else (node,)  # type: ignore[assignment]
        if not items:
            self.error(element or member.key, f"{name} must not be an empty list.", node.span.start, empty_aws)
        strings = []
        for item in items:
            if item.kind == "string":
                strings.append((item.value, item))
            else:
                self.error(element or member.key, f"{name} must be a string or a list of strings; found "
                           f"{_describe(item)}.", item.span.start)
        return strings  # type: ignore[return-value]

    def action(self, action: str, node: Node, element: str) -> None:
        if action == "*":
            return
        vendor, colon, name = action.partition(":")
        if not colon or not vendor:
            self.error(element, f'{_quote(action)} is not an action: write "service:ActionName" such as '
                       '"s3:GetObject", or "*" for every action.', node.span.start, AWS_NEEDS_VENDOR)
        elif ":" in name:
            self.error(element, f"{_quote(action)} has more than one colon: an action is \"service:ActionName\".",
                       node.span.start, "Actions/Condition can contain only one colon.")
        elif not _VENDOR.fullmatch(vendor):
            wildcard = "*" in vendor or "?" in vendor
            detail = "may not contain wildcards" if wildcard else "may hold only letters, digits and hyphens"
            self.error(element, f"In {_quote(action)} the service prefix {detail}.", node.span.start,
                       "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards" if wildcard
                       else GENERIC_AWS_MESSAGE)
        elif not _ACTION_NAME.fullmatch(name):
            self.error(element, f"{_quote(action)} does not name an action after the colon (letters, digits and "
                       "the wildcards * and ? only).", node.span.start)

    def resource(self, resource: str, node: Node, element: str) -> None:
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 5):
            self.error(element, f'{_quote(resource)} is not a resource: write an ARN such as '
                       '"arn:aws:s3:::bucket/*", or "*".', node.span.start,
                       f'Resource {resource} must be in ARN format or "*".')

    def principal_elements(
        self, members: dict[str, Member], effect: str | None, statement: Node
    ) -> tuple[tuple[PrincipalEntry, ...] | None, tuple[PrincipalEntry, ...] | None]:
        member, not_member = members.get("Principal"), members.get("NotPrincipal")
        if not self.type.takes_principal:
            for present in (member, not_member):
                if present:
                    self.error(present.key, f"{AWS_PROHIBITED_PRINCIPAL} {_POLICY_NAMES[self.type]} applies to "
                               "whoever it is attached to, so it names no principal; only resource-based policies "
                               "(a bucket policy, a role trust policy) have a Principal.", present.key_span.start,
                               AWS_PROHIBITED_PRINCIPAL)
            return None, None
        if member and not_member:
            self.error("NotPrincipal", "A statement may have Principal or NotPrincipal, not both.",
                       not_member.key_span.start)
        elif not member and not not_member:
            self.error("Principal", f'Missing required field Principal: {_POLICY_NAMES[self.type]} must say who '
                       'it applies to, for example "Principal": {"AWS": "arn:aws:iam::111122223333:root"}.',
                       statement.span.start, "Missing required field Principal")
        if not_member:
            if self.type != PolicyType.RESOURCE:
                self.error("NotPrincipal", f"Has prohibited field NotPrincipal: {_POLICY_NAMES[self.type]} cannot "
                           "use NotPrincipal; only some resource-based policies support it.",
                           not_member.key_span.start, "Has prohibited field NotPrincipal")
            elif effect == "Allow":
                self.error("NotPrincipal", 'NotPrincipal may only be used with "Effect": "Deny"; an Allow for '
                           "everyone except some principals is not supported.", not_member.key_span.start)
        principals = self.principal(member) if member else None
        if self.type == PolicyType.RESOURCE_CONTROL and member and principals != (PrincipalEntry("*", "*"),):
            self.error("Principal", f'{_POLICY_NAMES[self.type]} must use "Principal": "*"; narrow it down '
                       'with a Condition on a key such as aws:PrincipalArn.', member.value.span.start)
        return principals, self.principal(not_member) if not_member else None

    def principal(self, member: Member) -> tuple[PrincipalEntry, ...]:
        node = member.value
        if node.kind == "string" and node.value == "*":
            return (PrincipalEntry("*", "*"),)
        if node.kind != "object" or not node.value:
            self.error(member.key, f'{member.key} must be "*" or a map such as {{"AWS": "arn:aws:iam::'
                       f'111122223333:root"}}, not {_describe(node)}.', node.span.start)
            return ()
        entries = []
        for kind, entry in self.members(node).items():
            if kind not in PRINCIPAL_TYPES:
                self.error(member.key, f'Unknown principal type "{kind}"{_suggest(kind, PRINCIPAL_TYPES)}: use '
                           '"AWS", "Service", "Federated" or "CanonicalUser".', entry.key_span.start)
                continue
            for value, value_node in self.strings(entry, element=member.key):
                if self.principal_value(kind, value, value_node, member.key):
                    entries.append(PrincipalEntry(kind, value))
        return tuple(entries)

    def principal_value(self, kind: str, value: str, node: Node, element: str) -> bool:
        """Check one principal; a group gets its own explanation because the mistake is so common."""
        if kind == "AWS" and _GROUP_ARN.match(value):
            problem = ("names an IAM group, and groups are not principals: a group cannot sign in or make "
                       "requests, it only hands its permissions to its users. Name the users or a role instead.")
        elif value != "*" and ("*" in value or "?" in value):
            problem = 'uses a wildcard; "*" can stand only for everyone, never for part of a name or ARN.'
        elif _PRINCIPAL_FORMS[kind].fullmatch(value):
            return True
        else:
            problem = _PRINCIPAL_PROBLEMS[kind]
        self.error(element, f"{element} {kind} {_quote(value)} {problem}", node.span.start,
                   f"Invalid principal in policy: {_quote(kind)}:{_quote(value)}")
        return False

    def conditions(self, member: Member) -> tuple[Condition, ...]:
        node = member.value
        if node.kind != "object":
            self.error("Condition", 'Condition must be a map of operator to {"key": value}, such as {"Bool": '
                       f'{{"aws:SecureTransport": "true"}}}}, not {_describe(node)}.', node.span.start)
            return ()
        conditions = []
        for operator, block in self.members(node).items():
            split = split_operator(operator)
            if split is None:
                hint = _suggest(operator, _ALL_OPERATORS)
                self.error("Condition", f'Unknown condition operator "{operator}"{hint}.', block.key_span.start)
                continue
            if block.value.kind != "object" or not block.value.value:
                self.error("Condition", f'{operator} must map condition keys to values, such as {{"aws:username": '
                           f'"alice"}}, not {_describe(block.value)}.', block.value.span.start)
                continue
            for key, values in self.members(block.value).items():
                vendor, colon, _ = key.partition(":")
                if not colon or not _VENDOR.fullmatch(vendor):
                    self.error("Condition", f'Condition key "{key}" needs a service prefix, such as '
                               '"aws:SourceIp" or "s3:prefix".', values.key_span.start, AWS_NEEDS_VENDOR)
                conditions.append(Condition(operator, *split, key, self.condition_values(operator, key, values)))
        return tuple(conditions)

    def condition_values(self, operator: str, key: str, member: Member) -> tuple[str, ...]:
        """Strings, numbers and booleans, compared as text: true -> "true", numbers as written."""
        node = member.value
        items: tuple[Node, ...] = node.value if node.kind == "array" else (node,)  # type: ignore[assignment]
        values = []
        for item in items:
            if item.kind == "string":
                values.append(item.value)
            elif item.kind in ("number", "bool"):
                values.append(item.raw)
            else:
                self.error("Condition", f'{operator} "{key}" values must be strings, numbers or true/false; '
                           f"found {_describe(item)}.", item.span.start)
        return tuple(values)  # type: ignore[arg-type]
