"""Policy findings in the manner of IAM Access Analyzer's ValidatePolicy.

Each finding has a type, an issue code, a message, a link and the places
in the text it is about. Issue codes are Access Analyzer's own (IAM User
Guide, "IAM policy validation check reference") except the few in
``findings_model._OWN_CODES``, which it has no check for; those link to the
page that explains the rule instead. The checks live in ``findings_actions``
(one statement's actions and resources), ``findings_statements`` (statements
against each other) and ``findings_conditions`` (Condition blocks).

A document the parser refuses yields its errors and nothing else: the
other checks need a policy that means something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import findings_actions, findings_conditions, findings_statements
from .errors import MalformedPolicyDocument
from .findings_model import Finding, FindingType, Where, finding
from .jsontext import parse_json
from .model import PolicyType, Position, Span
from .parse import parse_policy

__all__ = ["Finding", "FindingType", "validate"]

_SEVERITY = (FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING, FindingType.SUGGESTION)


def validate(text: str, policy_type: PolicyType) -> tuple[Finding, ...]:
    """Check a policy document; findings come in document order."""
    try:
        policy = parse_policy(text, policy_type)
    except MalformedPolicyDocument as malformed:
        return tuple(_malformed(error.message, error.position, error.element) for error in malformed.errors)
    where = Where(policy, parse_json(text))
    found = [f for check in _CHECKS for f in check(where)]
    return tuple(sorted(found, key=lambda f: (_first(f), _SEVERITY.index(f.finding_type), f.issue_code)))


def _malformed(message: str, position: Position | None, element: str | None) -> Finding:
    code = "JSON_SYNTAX_ERROR" if element is None else "MALFORMED_POLICY_DOCUMENT"
    return finding(FindingType.ERROR, code, message, *([Span(position, position)] if position else []))


def _first(found: Finding) -> tuple[int, int]:
    return (found.locations[0].start.line, found.locations[0].start.column) if found.locations else (0, 0)


def _missing_version(where: Where) -> Iterator[Finding]:
    if where.policy.version is None:
        start = where.root.span.start
        yield finding(
            FindingType.WARNING,
            "MISSING_VERSION",
            "The policy has no Version, so policy variables such "
            'as ${aws:username} are plain text. Add "Version": "2012-10-17".',
            Span(start, start),
        )


_CHECKS: tuple[Callable[[Where], Iterator[Finding]], ...] = (
    _missing_version,
    findings_actions.unknown_actions,
    findings_actions.redundant_entries,
    findings_actions.resource_mismatch,
    findings_actions.broad_allows,
    findings_actions.risky_actions,
    findings_statements.redundant_statements,
    findings_statements.allow_overridden,
    findings_conditions.condition_keys,
    findings_conditions.condition_types,
)
