"""Checks of statements against each other: one that adds nothing, or an allow a deny always beats.

Access Analyzer's redundant statement check, and the module's own check
for an allow that an unconditional deny overrides ("Policy evaluation logic").
Conditions are compared only as written: a statement with fewer conditions
applies at least whenever one with more does, because conditions are ANDed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from . import catalog
from .findings_actions import covers, names_action
from .findings_model import Finding, FindingType, Where, finding
from .model import Statement


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]


def _covers_all(general: Sequence[str] | None, specific: Sequence[str] | None, ignore_case: bool) -> bool:
    return (
        general is not None
        and specific is not None
        and all(any(covers(g, s, ignore_case) for g in general) for s in specific)
    )


def _actions_cover(big: Statement, small: Statement) -> bool:
    if _covers_all(big.actions, small.actions, True) or _covers_all(small.not_actions, big.not_actions, True):
        return True
    if big.not_actions is None or small.actions is None:
        return False
    # NotAction against Action: none of small's actions (as the catalog knows them) is excluded by big.
    expanded = [catalog.actions_matching(pattern) for pattern in small.actions]
    return all(expanded) and not any(
        names_action(excluded, a.full_name) for group in expanded for a in group for excluded in big.not_actions
    )


def _statement_covers(big: Statement, small: Statement) -> bool:
    """Whether ``big`` applies to every action and resource ``small`` applies to (ignoring conditions)."""
    actions = _actions_cover(big, small)
    if big.resources is None and big.not_resources is None:
        resources = small.resources is None and small.not_resources is None
    else:
        resources = _covers_all(big.resources, small.resources, False) or _covers_all(
            small.not_resources, big.not_resources, False
        )
    return actions and resources


def _conditions(statement: Statement) -> frozenset:
    return frozenset((c.operator, c.key.lower(), frozenset(c.values)) for c in statement.conditions)


def _widens(big: Statement, small: Statement) -> bool:
    """Same effect and principals, and ``big`` has no condition ``small`` lacks: conditions are
    ANDed, so whenever ``small``'s conditions hold, ``big``'s do."""
    return (
        big.effect == small.effect
        and _conditions(big) <= _conditions(small)
        and set(big.principals or ()) == set(small.principals or ())
        and set(big.not_principals or ()) == set(small.not_principals or ())
    )


def redundant_statements(where: Where) -> Iterator[Finding]:
    statements = where.policy.statements
    for a in statements:
        for b in statements:
            if a is b or not _widens(b, a) or not _statement_covers(b, a):
                continue
            if _widens(a, b) and _statement_covers(a, b) and a.index < b.index:
                continue  # two equivalent statements: report only the later one
            yield finding(
                FindingType.SUGGESTION,
                "REDUNDANT_STATEMENT",
                f"{_cap(a.label)} adds nothing to "
                f"{b.label}: it has the same effect and principal, {b.label} has no condition it lacks, "
                f"and {b.label} covers all its actions and resources. Remove it.",
                a.span,
                b.span,
            )
            break


def _principals_covered(deny: Statement, allow: Statement) -> bool:
    if deny.not_principals is not None:
        return False
    if deny.principals is None or any(p.kind == "*" or p.value == "*" for p in deny.principals):
        return True
    return allow.principals is not None and set(allow.principals) <= set(deny.principals)


def allow_overridden(where: Where) -> Iterator[Finding]:
    statements = where.policy.statements
    for allow in (s for s in statements if s.effect == "Allow"):
        deny = next(
            (
                d
                for d in statements
                if d.effect == "Deny"
                and not d.conditions
                and _principals_covered(d, allow)
                and _statement_covers(d, allow)
            ),
            None,
        )
        if deny is not None:
            yield finding(
                FindingType.WARNING,
                "ALLOW_OVERRIDDEN_BY_DENY",
                f"{_cap(allow.label)} never "
                f"allows anything: {deny.label} denies all of its actions and resources without a "
                "condition, and an explicit deny always wins.",
                allow.span,
                deny.span,
            )
