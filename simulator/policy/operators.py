"""The names of condition operators, from "IAM JSON policy elements: Condition operators".

An operator name is an optional set operator (``ForAnyValue:`` or
``ForAllValues:``), a base operator, and an optional ``IfExists`` suffix,
which every base operator but ``Null`` takes. Names are case-sensitive.
What each base operator does is :mod:`.conditions`' business.
"""

from __future__ import annotations

SET_OPERATORS = ("ForAnyValue", "ForAllValues")
BASE_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)
# Every full name, for "did you mean" hints.
ALL_OPERATORS = tuple(
    sorted(
        f"{prefix}{base}{suffix}"
        for prefix in ("", "ForAnyValue:", "ForAllValues:")
        for base in BASE_OPERATORS
        for suffix in ("", "IfExists")
        if not (base == "Null" and suffix)
    )
)

# The kind of value a base operator compares, by the start of its name; Binary and Null have none.
_FAMILIES = {
    "String": "String",
    "Numeric": "Numeric",
    "Date": "Date",
    "Bool": "Bool",
    "IpAddress": "IpAddress",
    "NotIpAddress": "IpAddress",
    "Arn": "Arn",
}


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


def operator_family(base_operator: str) -> str | None:
    """``"String"``, ``"Numeric"``, ``"Date"``, ``"Bool"``, ``"IpAddress"`` or ``"Arn"``; None for Binary and Null."""
    return next((family for start, family in _FAMILIES.items() if base_operator.startswith(start)), None)
