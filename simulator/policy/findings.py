"""Policy findings in the manner of IAM Access Analyzer's ValidatePolicy.

Each finding has a type, an issue code, a message, a link and the places
in the text it is about. Issue codes are Access Analyzer's own (IAM User
Guide, "IAM policy validation check reference") except the few in
``_OWN_CODES``, which it has no check for; those link to the page that
explains the rule instead.

A document the parser refuses yields its errors and nothing else: the
other checks need a policy that means something.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from . import catalog
from .errors import MalformedPolicyDocument
from .jsontext import Node, parse_json
from .model import Condition, Policy, PolicyType, Position, Span, Statement
from .parse import parse_policy
from .wildcards import has_wildcard, pattern_regex


class FindingType(str, Enum):
    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


_SEVERITY = (FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING, FindingType.SUGGESTION)


@dataclass(frozen=True, slots=True)
class Finding:
    finding_type: FindingType
    issue_code: str
    message: str
    learn_more: str
    locations: tuple[Span, ...]


_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_CHECKS_PAGE = _GUIDE + "access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-"
_ANCHOR_TYPE = {FindingType.ERROR: "error", FindingType.SECURITY_WARNING: "security-warning",
                FindingType.WARNING: "general-warning", FindingType.SUGGESTION: "suggestion"}
_OWN_CODES = {
    "MALFORMED_POLICY_DOCUMENT": _GUIDE + "reference_policies_grammar.html",
    "RESOURCE_MISMATCH": _GUIDE + "reference_policies_elements_resource.html",
    "FULL_ADMIN_ACCESS": _GUIDE + "best-practices.html#grant-least-privilege",
    "ALLOW_WITH_NOT_ACTION": _GUIDE + "reference_policies_elements_notaction.html",
    "ALLOW_WITH_NOT_RESOURCE": _GUIDE + "reference_policies_elements_notresource.html",
    "ALLOW_OVERRIDDEN_BY_DENY": _GUIDE + "reference_policies_evaluation-logic.html",
    "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS": _GUIDE + "reference_policies_elements_condition.html",
}


def _finding(kind: FindingType, code: str, message: str, *locations: Span, link: str | None = None) -> Finding:
    default = _OWN_CODES.get(code) or _CHECKS_PAGE + f"{_ANCHOR_TYPE[kind]}-{code.lower().replace('_', '-')}"
    return Finding(kind, code, message, link or default, locations)


def validate(text: str, policy_type: PolicyType) -> tuple[Finding, ...]:
    """Check a policy document; findings come in document order."""
    try:
        policy = parse_policy(text, policy_type)
    except MalformedPolicyDocument as malformed:
        return tuple(_malformed(error.message, error.position, error.element) for error in malformed.errors)
    where = _Where(policy, parse_json(text))
    found = [finding for check in _CHECKS for finding in check(where)]
    return tuple(sorted(found, key=lambda f: (_first(f), _SEVERITY.index(f.finding_type), f.issue_code)))


def _malformed(message: str, position: Position | None, element: str | None) -> Finding:
    code = "JSON_SYNTAX_ERROR" if element is None else "MALFORMED_POLICY_DOCUMENT"
    return _finding(FindingType.ERROR, code, message, *([Span(position, position)] if position else []))


def _first(finding: Finding) -> tuple[int, int]:
    return (finding.locations[0].start.line, finding.locations[0].start.column) if finding.locations else (0, 0)


class _Where:
    """The policy and, for each of its parts, the span of text it came from."""

    def __init__(self, policy: Policy, root: Node) -> None:
        self.policy = policy
        self.root = root
        statements = root.member("Statement").value  # type: ignore[union-attr]
        self.nodes = statements.value if statements.kind == "array" else (statements,)

    def key(self, statement: Statement, element: str) -> Span:
        member = self.nodes[statement.index].member(element)
        return member.key_span if member else statement.span

    def item(self, statement: Statement, element: str, index: int) -> Span:
        """The ``index``-th string of an element (the parser keeps them in order, one per string)."""
        node = self.nodes[statement.index].member(element).value  # type: ignore[union-attr]
        return (node.value[index] if node.kind == "array" else node).span

    def condition(self, statement: Statement, condition: Condition) -> Span:
        block = self.nodes[statement.index].member("Condition").value.member(condition.operator)  # type: ignore
        return block.value.member(condition.key).key_span  # type: ignore[union-attr]


_FIELDS = {"Action": "actions", "NotAction": "not_actions", "Resource": "resources", "NotResource": "not_resources"}


def _values(statement: Statement, element: str) -> tuple[str, ...]:
    return getattr(statement, _FIELDS[element]) or ()


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]


def _known_actions(statement: Statement) -> tuple[catalog.Action, ...]:
    found = {a: None for pattern in statement.actions or () for a in catalog.actions_matching(pattern)}
    return tuple(found)


def _formats(actions: Sequence[catalog.Action], limit: int = 3) -> str:
    formats = list(dict.fromkeys(rt.arn_format for a in actions for rt in catalog.resource_types_for(a)))
    shown = " or ".join(formats[:limit])
    return shown + (f" (or {len(formats) - limit} other formats)" if len(formats) > limit else "")


# Actions ---------------------------------------------------------------------------------------

def _unknown_actions(where: _Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        for element in ("Action", "NotAction"):
            for index, pattern in enumerate(_values(s, element)):
                if pattern == "*" or catalog.actions_matching(pattern):
                    continue
                at = where.item(s, element, index)
                prefix = pattern.partition(":")[0]
                if catalog.service(prefix) is None:
                    guess = (None if has_wildcard(pattern) else catalog.suggest_action(pattern)) or \
                        catalog.suggest_service(prefix)
                    hint = f" Did you mean {guess}?" if guess else ""
                    yield _finding(FindingType.ERROR, "INVALID_SERVICE_IN_ACTION",
                                   f"The service {prefix} in {pattern} does not exist.{hint}", at)
                elif has_wildcard(pattern):
                    yield _finding(FindingType.ERROR, "INVALID_ACTION",
                                   f"The action pattern {pattern} matches no action of {prefix}.", at)
                else:
                    guess = catalog.suggest_action(pattern)
                    yield _finding(FindingType.ERROR, "INVALID_ACTION", f"The action {pattern} does not exist."
                                   + (f" Did you mean {guess}?" if guess else ""), at)


def _covers(general: str, specific: str, ignore_case: bool) -> bool:
    """Whether every string ``specific`` matches also matches ``general`` (answered only when it is plain)."""
    fold = str.casefold if ignore_case else str
    if general == "*" or fold(general) == fold(specific):
        return True
    if not has_wildcard(specific):
        return pattern_regex(general, ignore_case).fullmatch(specific) is not None
    stems = general[:-1], specific[:-1]
    trailing_stars_only = all(p.endswith("*") and not has_wildcard(p[:-1]) for p in (general, specific))
    return trailing_stars_only and fold(stems[1]).startswith(fold(stems[0]))


def _redundant_entries(where: _Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        for element, code in (("Action", "REDUNDANT_ACTION"), ("NotAction", "REDUNDANT_ACTION"),
                              ("Resource", "REDUNDANT_RESOURCE"), ("NotResource", "REDUNDANT_RESOURCE")):
            values = _values(s, element)
            ignore_case = "Action" in element
            for i, value in enumerate(values):
                cover = next((other for j, other in enumerate(values) if j != i and _covers(other, value, ignore_case)
                              and (j < i or not _covers(value, other, ignore_case))), None)
                if cover is not None:
                    yield _finding(FindingType.SUGGESTION, code, f"{value} is redundant: {cover} in the same "
                                   f"{element} already covers it.", where.item(s, element, i))


# Resources -------------------------------------------------------------------------------------

def _resource_mismatch(where: _Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        actions = _known_actions(s)
        if not actions or not s.resources or "*" in s.resources:
            continue
        fitting = {r: catalog.resource_types_fitting(r, actions) for r in s.resources}
        link = catalog.service(actions[0].service).authorization_url  # type: ignore[union-attr]
        for index, resource in enumerate(s.resources):
            if fitting[resource]:
                continue
            if len(actions) == 1 and not catalog.resource_types_for(actions[0]):
                message = f'{actions[0].full_name} supports only "Resource": "*"; it cannot be limited to {resource}.'
            elif len(actions) == 1:
                message = (f"{resource} cannot name a resource that {actions[0].full_name} acts on: it expects "
                           f"{_formats(actions)}.")
            else:
                field = resource.split(":")[2]
                same = [a for a in actions if a.service == field]
                message = (f"{resource} cannot name a resource that any action of this statement acts on, such as "
                           f"{_formats(same)}." if same else
                           f"{resource} is a {field} resource, and no action of this statement acts on one.")
            yield _finding(FindingType.WARNING, "RESOURCE_MISMATCH", message, where.item(s, "Resource", index),
                           link=link)
        if not any(fitting.values()):
            continue  # every resource is already reported
        for index, pattern in enumerate(s.actions or ()):
            found = catalog.action(pattern)
            if found is None or any(rt in fitting[r] for r in s.resources for rt in catalog.resource_types_for(found)):
                continue
            expects = _formats([found])
            message = (f"None of this statement's resources is one {found.full_name} acts on, so it grants "
                       f"{found.full_name} on nothing; add "
                       + (f"a resource such as {expects}." if expects else 'a statement with "Resource": "*".'))
            yield _finding(FindingType.WARNING, "RESOURCE_MISMATCH", message, where.item(s, "Action", index),
                           link=catalog.service(found.service).authorization_url)  # type: ignore[union-attr]


# Overly broad allows ----------------------------------------------------------------------------

def _broad_allows(where: _Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        if s.effect != "Allow":
            continue
        any_resource = s.resources is not None and "*" in s.resources
        if s.actions and "*" in s.actions and any_resource:
            yield _finding(FindingType.SECURITY_WARNING, "FULL_ADMIN_ACCESS", 'Allow with "Action": "*" and '
                           '"Resource": "*" grants every action on every resource: full administrator access. '
                           "Grant only the actions and resources the task needs.",
                           where.item(s, "Action", s.actions.index("*")),
                           where.item(s, "Resource", s.resources.index("*")))  # type: ignore[union-attr]
        if s.not_actions is not None:
            broad = any_resource or s.not_resources is not None
            yield _finding(FindingType.SECURITY_WARNING if broad else FindingType.WARNING, "ALLOW_WITH_NOT_ACTION",
                           "Allow with NotAction grants every action it does not list, in every service, including "
                           "actions AWS adds later. List the actions to allow in Action instead, or use NotAction "
                           "with Deny.", where.key(s, "NotAction"))
        if s.not_resources is not None:
            yield _finding(FindingType.WARNING, "ALLOW_WITH_NOT_RESOURCE", "Allow with NotResource grants the "
                           "actions on every resource it does not list, including resources created later. List the "
                           "resources to allow in Resource instead.", where.key(s, "NotResource"))


@dataclass(frozen=True, slots=True)
class _RiskyAction:
    action: str
    code_prefix: str
    finding_type: FindingType
    narrowing_key: str
    risk: str


_RISKY_ACTIONS = (
    _RiskyAction("iam:PassRole", "PASS_ROLE", FindingType.SECURITY_WARNING, "iam:PassedToService",
                 "whoever holds it can hand any of those roles, with all their permissions, to an AWS service"),
    _RiskyAction("iam:CreateServiceLinkedRole", "CREATE_SLR", FindingType.WARNING, "iam:AWSServiceName",
                 "whoever holds it can create service-linked roles for services you did not intend"),
)
_RISK_CODES = {
    ("action", "star"): "WITH_STAR_IN_RESOURCE", ("star", "star"): "WITH_STAR_IN_ACTION_AND_RESOURCE",
    ("not", "star"): "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", ("action", "not"): "WITH_NOT_RESOURCE",
    ("star", "not"): "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", ("not", "not"): "WITH_NOT_ACTION_AND_NOT_RESOURCE",
}


def _names(pattern: str, action: str) -> bool:
    return pattern_regex(pattern, ignore_case=True).fullmatch(action) is not None


def _risky_actions(where: _Where) -> Iterator[Finding]:
    """Access Analyzer's iam:PassRole and iam:CreateServiceLinkedRole checks."""
    for s in where.policy.statements:
        for risky in _RISKY_ACTIONS if s.effect == "Allow" else ():
            hits = [i for i, p in enumerate(s.actions or ()) if _names(p, risky.action)]
            if hits:
                index = next((i for i in hits if not has_wildcard(s.actions[i])), hits[0])  # type: ignore[index]
                action_side, action_at = ("star" if has_wildcard(s.actions[index]) else "action",  # type: ignore
                                          where.item(s, "Action", index))
            elif s.not_actions is not None and not any(_names(p, risky.action) for p in s.not_actions):
                action_side, action_at = "not", where.key(s, "NotAction")
            else:
                continue
            target = catalog.action(risky.action)
            stars = [i for i, r in enumerate(s.resources or ()) if "*" in r
                     and catalog.resource_types_fitting(r, [target] if target else [])]
            narrowed = any(c.key.lower() == risky.narrowing_key.lower() for c in s.conditions)
            if stars and not narrowed:
                resource_side, resource_at = "star", where.item(s, "Resource", stars[0])
                advice = f"Name the roles in Resource, or add a condition on {risky.narrowing_key}."
            elif s.not_resources is not None:
                resource_side, resource_at = "not", where.key(s, "NotResource")
                advice = "Name the roles in Resource instead."
            else:
                continue
            code = f"{risky.code_prefix}_{_RISK_CODES[(action_side, resource_side)]}"
            yield _finding(risky.finding_type, code, f"This statement allows {risky.action} on roles named by "
                           f"wildcards or by exclusion: {risky.risk}. {advice}", action_at, resource_at)


# Statements against each other -----------------------------------------------------------------

def _covers_all(general: Sequence[str] | None, specific: Sequence[str] | None, ignore_case: bool) -> bool:
    return general is not None and specific is not None and all(
        any(_covers(g, s, ignore_case) for g in general) for s in specific)


def _actions_cover(big: Statement, small: Statement) -> bool:
    if _covers_all(big.actions, small.actions, True) or _covers_all(small.not_actions, big.not_actions, True):
        return True
    if big.not_actions is None or small.actions is None:
        return False
    # NotAction against Action: none of small's actions (as the catalog knows them) is excluded by big.
    expanded = [catalog.actions_matching(pattern) for pattern in small.actions]
    return all(expanded) and not any(
        _names(excluded, a.full_name) for group in expanded for a in group for excluded in big.not_actions)


def _statement_covers(big: Statement, small: Statement) -> bool:
    """Whether ``big`` applies to every action and resource ``small`` applies to (ignoring conditions)."""
    actions = _actions_cover(big, small)
    if big.resources is None and big.not_resources is None:
        resources = small.resources is None and small.not_resources is None
    else:
        resources = (_covers_all(big.resources, small.resources, False)
                     or _covers_all(small.not_resources, big.not_resources, False))
    return actions and resources


def _conditions(statement: Statement) -> frozenset:
    return frozenset((c.operator, c.key.lower(), frozenset(c.values)) for c in statement.conditions)


def _widens(big: Statement, small: Statement) -> bool:
    """Same effect and principals, and ``big`` has no condition ``small`` lacks: conditions are
    ANDed, so whenever ``small``'s conditions hold, ``big``'s do."""
    return (big.effect == small.effect and _conditions(big) <= _conditions(small)
            and set(big.principals or ()) == set(small.principals or ())
            and set(big.not_principals or ()) == set(small.not_principals or ()))


def _redundant_statements(where: _Where) -> Iterator[Finding]:
    statements = where.policy.statements
    for a in statements:
        for b in statements:
            if a is b or not _widens(b, a) or not _statement_covers(b, a):
                continue
            if _widens(a, b) and _statement_covers(a, b) and a.index < b.index:
                continue  # two equivalent statements: report only the later one
            yield _finding(FindingType.SUGGESTION, "REDUNDANT_STATEMENT", f"{_cap(a.label)} adds nothing to "
                           f"{b.label}: it has the same effect and principal, {b.label} has no condition it lacks, "
                           f"and {b.label} covers all its actions and resources. Remove it.", a.span, b.span)
            break


def _principals_covered(deny: Statement, allow: Statement) -> bool:
    if deny.not_principals is not None:
        return False
    if deny.principals is None or any(p.kind == "*" or p.value == "*" for p in deny.principals):
        return True
    return allow.principals is not None and set(allow.principals) <= set(deny.principals)


def _allow_overridden(where: _Where) -> Iterator[Finding]:
    statements = where.policy.statements
    for allow in (s for s in statements if s.effect == "Allow"):
        deny = next((d for d in statements if d.effect == "Deny" and not d.conditions
                     and _principals_covered(d, allow) and _statement_covers(d, allow)), None)
        if deny is not None:
            yield _finding(FindingType.WARNING, "ALLOW_OVERRIDDEN_BY_DENY", f"{_cap(allow.label)} never "
                           f"allows anything: {deny.label} denies all of its actions and resources without a "
                           "condition, and an explicit deny always wins.", allow.span, deny.span)


# Conditions ------------------------------------------------------------------------------------

def _condition_keys(where: _Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        # Every documented key goes with some action, so "Action": "*" needs no look-up.
        actions = _known_actions(s) if s.actions is not None and "*" not in s.actions else ()
        for c in s.conditions:
            at, prefix = where.condition(s, c), c.key.partition(":")[0].lower()
            guess = catalog.suggest_condition_key(c.key)
            hint = f" Did you mean {guess}?" if guess else ""
            if prefix == "aws":
                if not catalog.is_global_condition_key(c.key):
                    yield _finding(FindingType.ERROR, "INVALID_GLOBAL_CONDITION_KEY",
                                   f"The condition key {c.key} is not a global condition key.{hint}", at)
            elif "." in prefix or "/" in prefix:
                continue  # an identity provider's claim, such as accounts.google.com:aud
            elif catalog.condition_key(c.key) is None:
                if catalog.service(prefix) or prefix in catalog.known_key_prefixes():
                    yield _finding(FindingType.ERROR, "INVALID_SERVICE_CONDITION_KEY",
                                   f"The condition key {c.key} does not exist in the service {prefix}.{hint}", at)
                else:
                    service_guess = catalog.suggest_service(prefix)
                    yield _finding(FindingType.ERROR, "INVALID_SERVICE", f"The service {prefix} in the condition "
                                   f"key {c.key} does not exist." + (f" Did you mean {service_guess}?"
                                                                     if service_guess else ""), at)
            elif actions and not catalog.is_global_condition_key(c.key) and not any(
                    catalog.supports_condition_key(a, c.key) for a in actions):
                named = ", ".join(a.full_name for a in actions[:3]) + (", ..." if len(actions) > 3 else "")
                yield _finding(FindingType.WARNING, "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS", f"No action in this "
                               f"statement ({named}) supports the condition key {c.key}, so their requests never "
                               "carry it. Check the actions' condition keys in the Service Authorization Reference.",
                               at)


_OPERATOR_FAMILIES = {"String": "String", "Numeric": "Numeric", "Date": "Date", "Bool": "Bool",
                      "IpAddress": "IpAddress", "NotIpAddress": "IpAddress", "Arn": "Arn"}
_FAMILIES_FOR_TYPE = {"String": {"String"}, "ARN": {"Arn", "String"}, "Numeric": {"Numeric"}, "Date": {"Date"},
                      "Bool": {"Bool"}, "IPAddress": {"IpAddress"}}
_EXCEPTIONS = {"aws:epochtime": {"Date", "Numeric"}}  # "AWS global condition context keys": aws:EpochTime


def _family(condition: Condition) -> str | None:
    return next((f for prefix, f in _OPERATOR_FAMILIES.items() if condition.base_operator.startswith(prefix)), None)


def _condition_types(where: _Where) -> Iterator[Finding]:
    """Access Analyzer's TYPE_MISMATCH, FORALLVALUES_WITH_SINGLE_VALUED_KEY and WILDCARD_WITHOUT_LIKE_OPERATOR."""
    for s in where.policy.statements:
        for c in s.conditions:
            at, key = where.condition(s, c), catalog.condition_key(c.key)
            family = _family(c)
            if key is not None and family is not None:
                allowed = _EXCEPTIONS.get(c.key.lower()) or _FAMILIES_FOR_TYPE.get(key.type.removeprefix("ArrayOf"))
                if allowed and family not in allowed:
                    yield _finding(FindingType.WARNING, "TYPE_MISMATCH", f"The condition key {c.key} holds "
                                   f"{key.type} values: use a {' or '.join(sorted(allowed))} operator instead of "
                                   f"{c.operator}.", at)
            if c.set_operator == "ForAllValues" and key is not None and not key.type.startswith("ArrayOf"):
                yield _finding(FindingType.SECURITY_WARNING, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", f"{c.key} is "
                               "single-valued, and ForAllValues is also true when the key is missing, which can "
                               "allow more than intended. Remove ForAllValues:.", at)
            exact = c.base_operator in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                                        "StringNotEqualsIgnoreCase", "ArnEquals", "ArnNotEquals")
            if exact and any(has_wildcard(re.sub(r"\$\{[^}]*\}", "", v)) for v in c.values):
                yield _finding(FindingType.WARNING, "WILDCARD_WITHOUT_LIKE_OPERATOR", f"A value of {c.key} holds * "
                               f"or ?, which {c.base_operator} compares literally. To use them as wildcards, use "
                               f"{c.base_operator.replace('Equals', 'Like').replace('IgnoreCase', '')}.", at)


# The document ----------------------------------------------------------------------------------

def _missing_version(where: _Where) -> Iterator[Finding]:
    if where.policy.version is None:
        start = where.root.span.start
        yield _finding(FindingType.WARNING, "MISSING_VERSION", 'The policy has no Version, so policy variables such '
                       'as ${aws:username} are plain text. Add "Version": "2012-10-17".', Span(start, start))


_CHECKS: tuple[Callable[[_Where], Iterator[Finding]], ...] = (
    _missing_version,
    _unknown_actions,
    _redundant_entries,
    _resource_mismatch,
    _broad_allows,
    _risky_actions,
    _redundant_statements,
    _allow_overridden,
    _condition_keys,
    _condition_types,
)
