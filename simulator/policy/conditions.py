"""Condition operators, from "IAM JSON policy elements: Condition operators".

Every operator is one entry in ``_OPERATORS``: a comparison of one request
value with one policy value. The rules that are the same for every operator
are applied once, around that comparison (``_holds``):

- several policy values for a key are OR'd; a negated operator (``StringNotEquals``,
  ``NotIpAddress``, ...) holds when *none* of them matches (a NOR);
- a key absent from the request makes an operator false, a negated one true,
  and ``...IfExists`` true ("Condition operators", the note on missing keys);
- ``ForAllValues`` holds when every request value passes (also when the key is
  absent or empty), ``ForAnyValue`` when at least one does (never when absent)
  ("Single-valued vs. multivalued context keys");
- without a set operator, a key holding several values is one opaque value that
  equals nothing: positive operators fail and negated ones hold (AWS documents
  only that such keys "require a condition set operator");
- a request value that cannot be read as the operator's type (a number, a date,
  an IP address, an ARN, ...) fails the comparison, negated or not; a policy
  value that cannot be read never matches.

Policy variables are substituted (Version 2012-10-17 only) in the string, ARN and
Bool operators, the ones "Condition operators" marks as supporting them; a value
whose variable has no value is dropped, so ``StringEquals`` no longer matches it
and ``StringNotEquals`` still holds, as "Policy variables with no value" says.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from . import model
from .variables import resolve, static_pieces
from .wildcards import Piece, glob_regex

PolicyValue = tuple[Piece, ...]
Context = Mapping[str, tuple[str, ...]]
Compare = Callable[[str, PolicyValue], bool]  # one request value against one policy value
Reader = Callable[[str], object | None]  # text to a typed value, None when it is not one


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """How one (operator, key) pair of a Condition block fared against a request."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    matched: bool
    missing: bool
    reason: str


# --- reading values (cached by the text, which mostly comes from the policy) ---

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EPOCH = re.compile(r"[+-]?\d+(?:\.\d+)?")
_YEAR_MONTH = re.compile(r"\d{4}-\d{2}")


@lru_cache(maxsize=4096)
def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text) else None


@lru_cache(maxsize=4096)
def _instant(text: str) -> float | None:
    """Seconds since the epoch for a W3C ISO 8601 date or an epoch number.

    Trap: a bare ``2024`` is read as epoch seconds, not as the year, because
    ``aws:EpochTime`` values look exactly like that.
    """
    if _EPOCH.fullmatch(text):
        return float(text)
    if _YEAR_MONTH.fullmatch(text):
        text += "-01"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR range; a single address is its own /32 (or /128) range."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _boolean(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _arn(text: str) -> str | None:
    return text if text.count(":") >= 5 else None


@lru_cache(maxsize=4096)
def _arn_segments(policy: PolicyValue) -> tuple[re.Pattern[str], ...] | None:
    """One regex per ARN segment; the sixth (the resource) keeps any further colons."""
    segments: list[list[Piece]] = [[]]
    for text, is_pattern in policy:
        for index, part in enumerate(text.split(":", 6 - len(segments))):
            if index:
                segments.append([])
            segments[-1].append((part, is_pattern))
    if len(segments) != 6:
        return None
    return tuple(glob_regex(segment) for segment in segments)


# --- comparing one request value with one policy value ---


def _text(policy: PolicyValue) -> str:
    if len(policy) == 1:
        return policy[0][0]
    return "".join(text for text, _ in policy)


def _string_equals(value: str, policy: PolicyValue) -> bool:
    return value == _text(policy)


def _string_equals_ignore_case(value: str, policy: PolicyValue) -> bool:
    return value.lower() == _text(policy).lower()


def _string_like(value: str, policy: PolicyValue) -> bool:
    return glob_regex(policy).fullmatch(value) is not None


def _arn_like(value: str, policy: PolicyValue) -> bool:
    """ARN segments are matched one by one, so a wildcard never spans a ``:``
    before the resource segment (unlike ``StringLike``)."""
    segments = _arn_segments(policy)
    parts = value.split(":", 5)
    if segments is None or len(parts) != 6:
        return False
    return all(segment.fullmatch(part) for segment, part in zip(segments, parts, strict=True))


def _reading(read: Reader, test: Callable[[object, object], bool]) -> Compare:
    """A comparison of typed values; false when either side cannot be read."""

    def compare(value: str, policy: PolicyValue) -> bool:
        wanted, got = read(_text(policy)), read(value)
        return wanted is not None and got is not None and test(got, wanted)

    return compare


def _in_network(value: str, policy: PolicyValue) -> bool:
    network, address = _network(_text(policy)), _address(value)
    # ``in`` is simply false across IPv4 and IPv6.
    return network is not None and address is not None and address in network


@dataclass(frozen=True, slots=True)
class _Operator:
    compare: Compare
    verbs: tuple[str, str]  # how a reason says the comparison passed / failed
    negated: bool = False
    variables: bool = False
    reads: tuple[str, Reader] | None = None  # (what a request value must be, reader)
    presence: bool = False  # Null: compares "is the key absent" with true/false


def _family(
    compare: Compare,
    verbs: tuple[str, str],
    names: tuple[str, str],
    variables: bool = False,
    reads: tuple[str, Reader] | None = None,
) -> dict[str, _Operator]:
    """An operator and its negated twin, which holds when the comparison fails for every policy value."""
    positive, negative = names
    return {
        positive: _Operator(compare, verbs, False, variables, reads),
        negative: _Operator(compare, verbs, True, variables, reads),
    }


_NUMBER_READER = ("a number", _number)
_DATE_READER = ("a date", _instant)
_BOOL_READER = ("true or false", _boolean)
_ARN_READER = ("an ARN", _arn)
_EQUALS = ("equals", "does not equal")
_MATCHES = ("matches", "does not match")
_IS = ("is", "is not")


def _numeric(test: Callable[[object, object], bool], verbs: tuple[str, str]) -> _Operator:
    return _Operator(_reading(_number, test), verbs, reads=_NUMBER_READER)


def _date(test: Callable[[object, object], bool], verbs: tuple[str, str]) -> _Operator:
    return _Operator(_reading(_instant, test), verbs, reads=_DATE_READER)


_OPERATORS: dict[str, _Operator] = {
    **_family(_string_equals, _EQUALS, ("StringEquals", "StringNotEquals"), variables=True),
    **_family(
        _string_equals_ignore_case,
        ("equals (ignoring case)", "does not equal (ignoring case)"),
        ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
        variables=True,
    ),
    **_family(_string_like, _MATCHES, ("StringLike", "StringNotLike"), variables=True),
    **_family(_reading(_number, operator.eq), _EQUALS, ("NumericEquals", "NumericNotEquals"), reads=_NUMBER_READER),
    "NumericLessThan": _numeric(operator.lt, ("is less than", "is not less than")),
    "NumericLessThanEquals": _numeric(operator.le, ("is at most", "is more than")),
    "NumericGreaterThan": _numeric(operator.gt, ("is more than", "is not more than")),
    "NumericGreaterThanEquals": _numeric(operator.ge, ("is at least", "is less than")),
    **_family(_reading(_instant, operator.eq), _IS, ("DateEquals", "DateNotEquals"), reads=_DATE_READER),
    "DateLessThan": _date(operator.lt, ("is before", "is not before")),
    "DateLessThanEquals": _date(operator.le, ("is at or before", "is after")),
    "DateGreaterThan": _date(operator.gt, ("is after", "is not after")),
    "DateGreaterThanEquals": _date(operator.ge, ("is at or after", "is before")),
    "Bool": _Operator(_reading(_boolean, operator.eq), _IS, variables=True, reads=_BOOL_READER),
    "BinaryEquals": _Operator(_reading(_bytes, operator.eq), _EQUALS, reads=("base64", _bytes)),
    **_family(_in_network, ("is in", "is not in"), ("IpAddress", "NotIpAddress"), reads=("an IP address", _address)),
    # "ArnEquals and ArnLike behave identically": both take wildcards.
    **_family(_arn_like, _MATCHES, ("ArnLike", "ArnNotLike"), variables=True, reads=_ARN_READER),
    **_family(_arn_like, _MATCHES, ("ArnEquals", "ArnNotEquals"), variables=True, reads=_ARN_READER),
    "Null": _Operator(_reading(_boolean, operator.eq), _IS, presence=True),
}
_BY_LOWER_NAME = {name.lower(): op for name, op in _OPERATORS.items()}


def _operator(name: str) -> _Operator | None:
    return _OPERATORS.get(name) or _BY_LOWER_NAME.get(name.lower())


# --- the rules shared by every operator ---


@lru_cache(maxsize=8192)
def _static_values(values: tuple[str, ...], substitute: bool) -> tuple[PolicyValue, ...] | None:
    """The policy values as pieces when they need nothing from the request, else ``None``."""
    if not substitute:
        return tuple(((value, True),) for value in values)
    pieces = tuple(static_pieces(value) for value in values)
    return None if None in pieces else pieces


def _policy_values(
    condition: model.Condition, op: _Operator, context: Context, substitute: bool
) -> tuple[PolicyValue, ...]:
    static = _static_values(condition.values, substitute and op.variables)
    if static is not None:
        return static
    resolved = (resolve(value, context) for value in condition.values)
    return tuple(pieces for pieces in resolved if pieces is not None)


def _value_holds(op: _Operator, value: str, policy_values: tuple[PolicyValue, ...]) -> bool:
    if op.reads is not None and op.reads[1](value) is None:
        return False
    compare = op.compare
    for policy in policy_values:
        if compare(value, policy):
            return not op.negated
    return op.negated


def _holds(
    op: _Operator, condition: model.Condition, found: tuple[str, ...] | None, policy_values: tuple[PolicyValue, ...]
) -> bool:
    if op.presence:
        return _value_holds(op, "false" if found else "true", policy_values)
    if condition.set_operator and found == ("",):
        # "Set operators for multivalued context keys": values that resolve to a
        # null data set, such as an empty string, count as an empty set.
        found = ()
    if not found:
        if condition.if_exists or condition.set_operator == "ForAllValues":
            return True
        return op.negated and condition.set_operator != "ForAnyValue"
    if condition.set_operator == "ForAllValues":
        return all(_value_holds(op, value, policy_values) for value in found)
    if condition.set_operator == "ForAnyValue":
        return any(_value_holds(op, value, policy_values) for value in found)
    if len(found) > 1:
        return op.negated
    return _value_holds(op, found[0], policy_values)


def conditions_match(conditions: tuple[model.Condition, ...], context: Context, variables: bool) -> bool:
    """Whether every condition holds; stops at the first that does not. The hot path."""
    for condition in conditions:
        op = _operator(condition.base_operator)
        if op is None:
            return False
        policy_values = _policy_values(condition, op, context, variables)
        if not _holds(op, condition, context.get(condition.key.lower()), policy_values):
            return False
    return True


def evaluate_condition(condition: model.Condition, context: Context, variables: bool) -> ConditionResult:
    """One condition with the values it compared and a short reason in English.

    ``variables`` says whether policy variables are substituted (Version 2012-10-17).
    """
    found = context.get(condition.key.lower())
    op = _operator(condition.base_operator)
    if op is None:
        reason = f"{condition.operator} is not a condition operator, so it never matches"
        return ConditionResult(condition.operator, condition.key, condition.values, found, False, False, reason)
    policy_values = _policy_values(condition, op, context, variables)
    matched = _holds(op, condition, found, policy_values)
    texts = tuple(_text(policy) for policy in policy_values)
    missing = not found and not condition.if_exists and not op.presence
    reason = _reason(op, condition, found, policy_values, texts, matched)
    return ConditionResult(condition.operator, condition.key, texts, found, matched, missing, reason)


def evaluate_conditions(
    conditions: tuple[model.Condition, ...], context: Context, variables: bool
) -> tuple[bool, tuple[ConditionResult, ...]]:
    """Every condition evaluated (none skipped, so a trace shows them all) and whether all held."""
    results = tuple(evaluate_condition(condition, context, variables) for condition in conditions)
    return all(result.matched for result in results), results


# --- reasons ---


def _listed(texts: tuple[str, ...]) -> str:
    if not texts:
        return "any value (their policy variables are unset)"
    if len(texts) == 1:
        return texts[0]
    return f"{', '.join(texts[:-1])} or {texts[-1]}"


def _fact(op: _Operator, key: str, value: str, policy_values: tuple[PolicyValue, ...], texts: tuple[str, ...]) -> str:
    if op.reads is not None and op.reads[1](value) is None:
        return f"{key} {value} is not {op.reads[0]}"
    for policy, text in zip(policy_values, texts, strict=True):
        if op.compare(value, policy):
            return f"{key} {value} {op.verbs[0]} {text}"
    return f"{key} {value} {op.verbs[1]} {_listed(texts)}"


def _reason(
    op: _Operator,
    condition: model.Condition,
    found: tuple[str, ...] | None,
    policy_values: tuple[PolicyValue, ...],
    texts: tuple[str, ...],
    matched: bool,
) -> str:
    key, name, verdict = condition.key, condition.operator, "holds" if matched else "does not hold"
    if op.presence:
        where = "present in" if found else "absent from"
        return f"{key} is {where} the request, so Null {_listed(texts)} {verdict}"
    if not found:
        return f"{key} is not in the request, so {name} {verdict}"
    listing = ", ".join(found)
    facts = [_fact(op, key, value, policy_values, texts) for value in found]
    passing = [fact for value, fact in zip(found, facts, strict=True) if _value_holds(op, value, policy_values)]
    failing = [fact for value, fact in zip(found, facts, strict=True) if not _value_holds(op, value, policy_values)]
    if condition.set_operator == "ForAllValues":
        return failing[0] if failing else f"all values of {key} ({listing}) satisfy {name} {_listed(texts)}"
    if condition.set_operator == "ForAnyValue":
        return passing[0] if passing else f"no value of {key} ({listing}) satisfies {name} {_listed(texts)}"
    if len(found) > 1:
        return f"{key} has several values ({listing}) and no set operator, so {name} {verdict}"
    return facts[0]
