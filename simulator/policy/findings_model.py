"""What a finding is, and where in the text each part of a parsed policy came from.

The check modules (``findings_*.py``) build :class:`Finding` values with
:func:`finding` and locate them with :class:`Where`; :mod:`.findings` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .jsontext import Node
from .model import Condition, Policy, Span, Statement
from .reader import items_of


class FindingType(str, Enum):
    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


@dataclass(frozen=True, slots=True)
class Finding:
    finding_type: FindingType
    issue_code: str
    message: str
    learn_more: str
    locations: tuple[Span, ...]


_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_CHECKS_PAGE = _GUIDE + "access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-"
_ANCHOR_TYPE = {
    FindingType.ERROR: "error",
    FindingType.SECURITY_WARNING: "security-warning",
    FindingType.WARNING: "general-warning",
    FindingType.SUGGESTION: "suggestion",
}
# Codes Access Analyzer has no check for link to the page that explains the rule instead.
_OWN_CODES = {
    "MALFORMED_POLICY_DOCUMENT": _GUIDE + "reference_policies_grammar.html",
    "RESOURCE_MISMATCH": _GUIDE + "reference_policies_elements_resource.html",
    "FULL_ADMIN_ACCESS": _GUIDE + "best-practices.html#grant-least-privilege",
    "ALLOW_WITH_NOT_ACTION": _GUIDE + "reference_policies_elements_notaction.html",
    "ALLOW_WITH_NOT_RESOURCE": _GUIDE + "reference_policies_elements_notresource.html",
    "ALLOW_OVERRIDDEN_BY_DENY": _GUIDE + "reference_policies_evaluation-logic.html",
    "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS": _GUIDE + "reference_policies_elements_condition.html",
}


def finding(kind: FindingType, code: str, message: str, *locations: Span, link: str | None = None) -> Finding:
    """A finding linked to its entry in the policy check reference, or to ``link``."""
    default = _OWN_CODES.get(code) or _CHECKS_PAGE + f"{_ANCHOR_TYPE[kind]}-{code.lower().replace('_', '-')}"
    return Finding(kind, code, message, link or default, locations)


def did_you_mean(guess: str | None) -> str:
    return f" Did you mean {guess}?" if guess else ""


class Where:
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
        return items_of(self.nodes[statement.index].member(element).value)[index].span  # type: ignore[union-attr]

    def condition(self, statement: Statement, condition: Condition) -> Span:
        block = self.nodes[statement.index].member("Condition").value.member(condition.operator)  # type: ignore
        return block.value.member(condition.key).key_span  # type: ignore[union-attr]
