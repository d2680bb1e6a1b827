"""The context keys policies use, as IAM's GetContextKeysForPrincipalPolicy lists them.

IAM API Reference, "GetContextKeysForPrincipalPolicy" and "GetContextKeysForCustomPolicy": the keys are
those "referenced in" the policies, so a caller knows which values to supply to the simulator. Both kinds
count. The AWS CLI Command Reference's example for get-context-keys-for-custom-policy (and the same output
for get-context-keys-for-principal-policy) lists ``["aws:username", "aws:CurrentTime"]`` for a statement
whose Resource holds the policy variable ``${aws:username}`` and whose Condition tests ``aws:CurrentTime``:
policy variables first where they come first in the statement, each key spelled as written.

GetContextKeysForPrincipalPolicy reads the principal's identity-based policies (its own, and for a user
its groups'), not service control policies; which policies to pass is the caller's choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import Policy, Statement

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"(?P<key>[^,']*?)\s*,\s*'[^']*'", re.DOTALL)
# ${*}, ${?} and ${$} stand for literal characters, not for context keys ("IAM policy elements: Variables and tags").
_ESCAPES = frozenset("*?$")


def variable_keys(text: str) -> tuple[str, ...]:
    """The context keys ``text`` uses as policy variables, as written (``${aws:username, 'x'}`` uses aws:username)."""
    keys = []
    for written in _VARIABLE.findall(text):
        inner = written.strip()
        if inner in _ESCAPES:
            continue
        defaulted = _WITH_DEFAULT.fullmatch(inner)
        key = defaulted["key"].strip() if defaulted else inner
        if key:
            keys.append(key)
    return tuple(keys)


def _statement_keys(statement: Statement, substitutes: bool) -> Iterable[str]:
    """In the order a statement is written: Resource (or NotResource), then each condition's key and values.

    Only Version 2012-10-17 substitutes variables; elsewhere ``${...}`` is literal text and uses no key.
    """
    if substitutes:
        for resource in (*(statement.resources or ()), *(statement.not_resources or ())):
            yield from variable_keys(resource)
    for condition in statement.conditions:
        yield condition.key
        if substitutes:
            for value in condition.values:
                yield from variable_keys(value)


def context_keys(policies: Iterable[Policy]) -> tuple[str, ...]:
    """Every context key the policies use in conditions or as policy variables, once each.

    Keys compare case-insensitively, as IAM compares them; each keeps the spelling it was first written with.
    """
    seen: dict[str, str] = {}
    for policy in policies:
        for statement in policy.statements:
            for key in _statement_keys(statement, policy.allows_variables):
                seen.setdefault(key.lower(), key)
    return tuple(seen.values())
