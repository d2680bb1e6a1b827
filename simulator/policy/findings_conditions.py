"""Checks of Condition blocks: keys AWS defines, and operators that fit the key's type.

Access Analyzer's invalid global condition key, invalid service condition
key, invalid service, type mismatch, ForAllValues with a single-valued key
and wildcard without a like operator, and the module's own check for a key
that no action of the statement supports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import catalog
from .findings_actions import known_actions
from .findings_model import Finding, FindingType, Where, did_you_mean, finding
from .operators import operator_family
from .principals import is_identity_provider
from .wildcards import has_wildcard

_FAMILIES_FOR_TYPE = {
    "String": {"String"},
    "ARN": {"Arn", "String"},
    "Numeric": {"Numeric"},
    "Date": {"Date"},
    "Bool": {"Bool"},
    "IPAddress": {"IpAddress"},
}
_EXCEPTIONS = {"aws:epochtime": {"Date", "Numeric"}}  # "AWS global condition context keys": aws:EpochTime
_EXACT_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "ArnEquals",
    "ArnNotEquals",
)


def _without_scheme(key: str) -> str | None:
    """The key meant by one written with its provider's full URL (``https://accounts.google.com:aud``).

    Trap: IAM accepts such a key as written, a key of a service "https" that
    no request carries, so the condition never matches.
    """
    scheme, separator, rest = key.partition("://")
    provider = rest.partition(":")[0]
    return rest if separator and scheme.lower() in ("https", "http") and is_identity_provider(provider) else None


def condition_keys(where: Where) -> Iterator[Finding]:
    for s in where.policy.statements:
        # Every documented key goes with some action, so "Action": "*" needs no look-up.
        actions = known_actions(s) if s.actions is not None and "*" not in s.actions else ()
        for c in s.conditions:
            at, prefix = where.condition(s, c), c.key.partition(":")[0].lower()
            if prefix == "aws":
                if not catalog.is_global_condition_key(c.key):
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_GLOBAL_CONDITION_KEY",
                        f"The condition key {c.key} "
                        f"is not a global condition key.{did_you_mean(catalog.suggest_condition_key(c.key))}",
                        at,
                    )
            elif is_identity_provider(prefix):
                # A claim of a web identity provider's token (accounts.google.com:aud,
                # token.actions.githubusercontent.com:sub): each provider has its own, so none is unknown,
                # and the role's session carries them too, so no action lacks them.
                continue
            elif catalog.condition_key(c.key) is None:
                if catalog.service(prefix) or prefix in catalog.known_key_prefixes():
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_SERVICE_CONDITION_KEY",
                        f"The condition key {c.key} "
                        f"does not exist in the service {prefix}."
                        f"{did_you_mean(catalog.suggest_condition_key(c.key))}",
                        at,
                    )
                else:
                    guess = _without_scheme(c.key) or catalog.suggest_service(prefix)
                    yield finding(
                        FindingType.ERROR,
                        "INVALID_SERVICE",
                        f"The service {prefix} in the condition key {c.key} does not exist.{did_you_mean(guess)}",
                        at,
                    )
            elif (
                actions
                and not catalog.is_global_condition_key(c.key)
                and not any(catalog.supports_condition_key(a, c.key) for a in actions)
            ):
                named = ", ".join(a.full_name for a in actions[:3]) + (", ..." if len(actions) > 3 else "")
                yield finding(
                    FindingType.WARNING,
                    "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
                    f"No action in this "
                    f"statement ({named}) supports the condition key {c.key}, so their requests never "
                    "carry it. Check the actions' condition keys in the Service Authorization Reference.",
                    at,
                )


def condition_types(where: Where) -> Iterator[Finding]:
    """Access Analyzer's TYPE_MISMATCH, FORALLVALUES_WITH_SINGLE_VALUED_KEY and WILDCARD_WITHOUT_LIKE_OPERATOR."""
    for s in where.policy.statements:
        for c in s.conditions:
            at, key = where.condition(s, c), catalog.condition_key(c.key)
            family = operator_family(c.base_operator)
            if key is not None and family is not None:
                allowed = _EXCEPTIONS.get(c.key.lower()) or _FAMILIES_FOR_TYPE.get(key.type.removeprefix("ArrayOf"))
                if allowed and family not in allowed:
                    yield finding(
                        FindingType.WARNING,
                        "TYPE_MISMATCH",
                        f"The condition key {c.key} holds "
                        f"{key.type} values: use a {' or '.join(sorted(allowed))} operator instead of "
                        f"{c.operator}.",
                        at,
                    )
            if c.set_operator == "ForAllValues" and key is not None and not key.type.startswith("ArrayOf"):
                yield finding(
                    FindingType.SECURITY_WARNING,
                    "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                    f"{c.key} is "
                    "single-valued, and ForAllValues is also true when the key is missing, which can "
                    "allow more than intended. Remove ForAllValues:.",
                    at,
                )
            if c.base_operator in _EXACT_OPERATORS and any(
                has_wildcard(re.sub(r"\$\{[^}]*\}", "", v)) for v in c.values
            ):
                yield finding(
                    FindingType.WARNING,
                    "WILDCARD_WITHOUT_LIKE_OPERATOR",
                    f"A value of {c.key} holds * "
                    f"or ?, which {c.base_operator} compares literally. To use them as wildcards, use "
                    f"{c.base_operator.replace('Equals', 'Like').replace('IgnoreCase', '')}.",
                    at,
                )
