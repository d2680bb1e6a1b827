"""The rules IAM applies to the tags of users and roles ("Tagging IAM resources"; the IAM API's Tag type).

Keys are 1 to 128 characters and values 0 to 256, letters, digits, spaces and ``_ . : / = + - @``;
``aws:`` is reserved; an entity holds at most 50 tags. IAM compares keys without regard to case:
a request naming ``CostCenter`` and ``costcenter`` is refused, and tagging ``costcenter`` where
``CostCenter`` exists replaces that tag (keeping the new spelling).
"""

from __future__ import annotations

import unicodedata

from . import errors

TAGS_PER_ENTITY = 50
_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def _constraint(value: str, where: str, rule: str) -> errors.AwsError:
    return errors.validation_failed([errors.constraint(value, where, rule)])


def _allowed(ch: str) -> bool:
    """AWS's pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]: letters, separators (spaces) and numbers of any script."""
    return unicodedata.category(ch)[0] in "LZN" or ch in _TAG_PUNCTUATION


def _check_text(value: object, where: str, shortest: int, longest: int) -> str:
    if not isinstance(value, str):
        raise _constraint(str(value), where, "Member must not be null")
    if len(value) < shortest:
        raise _constraint(value, where, f"Member must have length greater than or equal to {shortest}")
    if len(value) > longest:
        raise _constraint(value, where, f"Member must have length less than or equal to {longest}")
    if not all(_allowed(ch) for ch in value):
        repeat = "+" if shortest else "*"
        raise _constraint(
            value, where, rf"Member must satisfy regular expression pattern: [\p{{L}}\p{{Z}}\p{{N}}_.:/=+\-@]{repeat}"
        )
    return value


def validated(tags: list[dict]) -> list[dict[str, str]]:
    """The tags of one TagUser/TagRole request, checked as IAM checks them, as clean {"Key", "Value"} dicts."""
    if len(tags) > TAGS_PER_ENTITY:
        raise _constraint(
            f"{len(tags)} tags", "tags", f"Member must have length less than or equal to {TAGS_PER_ENTITY}"
        )
    clean = []
    for number, tag in enumerate(tags, start=1):
        key = _check_text(tag.get("Key"), f"tags.{number}.member.key", 1, 128)
        value = _check_text(tag.get("Value", ""), f"tags.{number}.member.value", 0, 256)
        if key.lower().startswith("aws:"):
            raise errors.AwsError("InvalidInput", f"Tag key {key!r} is invalid: keys beginning with aws: are reserved.")
        clean.append({"Key": key, "Value": value})
    if len({tag["Key"].lower() for tag in clean}) < len(clean):
        raise errors.AwsError(
            "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    return clean


def merged(current: list[dict], new: list[dict[str, str]], kind: str) -> list[dict]:
    """``current`` with ``new`` added, a key present in any case replaced; LimitExceeded past the quota."""
    replaced = {tag["Key"].lower() for tag in new}
    result = [tag for tag in current if tag["Key"].lower() not in replaced] + new
    if len(result) > TAGS_PER_ENTITY:
        raise errors.limit_exceeded(
            f"The number of tags has reached the maximum limit: a {kind} can have at most {TAGS_PER_ENTITY} tags."
        )
    return result


def without(current: list[dict], keys: list[str]) -> list[dict]:
    """``current`` less the tags whose keys are named, in any case; keys not present are ignored, as in IAM."""
    removed = {key.lower() for key in keys}
    return [tag for tag in current if tag["Key"].lower() not in removed]
