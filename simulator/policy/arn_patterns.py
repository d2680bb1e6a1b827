"""Whether a Resource pattern can name a resource of a given ARN format.

The formats are the Service Authorization Reference's, such as
``arn:${Partition}:s3:::${BucketName}/${ObjectName}``; the question is
whether the two patterns share at least one string.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ANY = "<any>"  # a run of any characters
_SEGMENT = "<segment>"  # a run of characters without ":"
_WILD = (_ANY, _SEGMENT)
_ONE = "<one>"  # one character other than ":"


def _tokens(text: str, placeholder: tuple[str, ...]) -> list[str]:
    """One token a character; ``*`` becomes _ANY and each ``${...}`` the placeholder's tokens."""
    tokens: list[str] = []
    for piece in re.split(r"(\$\{[^}]*\})", text):
        if piece.startswith("${") and piece.endswith("}"):
            tokens += placeholder
        else:
            tokens += [_ANY if ch == "*" else ch for ch in piece]
    return tokens


def _could_meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two wildcard patterns share at least one string.

    A search over pairs of positions (i in ``a``, j in ``b``): a wildcard
    either stops or swallows the other side's next character.
    """
    seen, todo = set(), [(0, 0)]
    while todo:
        i, j = state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        if i == len(a) and j == len(b):
            return True
        here, there = (a[i] if i < len(a) else None), (b[j] if j < len(b) else None)
        if here in _WILD:
            todo.append((i + 1, j))
            if there is not None and there not in _WILD and _swallows(here, there):
                todo.append((i, j + 1))
        if there in _WILD:
            todo.append((i, j + 1))
            if here is not None and here not in _WILD and _swallows(there, here):
                todo.append((i + 1, j))
        both_characters = here is not None and there is not None and here not in _WILD and there not in _WILD
        if both_characters and _same_character(here, there):
            todo.append((i + 1, j + 1))
    return False


def _same_character(x: str, y: str) -> bool:
    if x == y or "?" in (x, y):
        return True
    return _ONE in (x, y) and ":" not in (x, y)


def _swallows(wildcard: str, token: str) -> bool:
    return wildcard == _ANY or token != ":"


@lru_cache(maxsize=8192)
def _format_tokens(arn_format: str) -> tuple[str, ...]:
    """A placeholder for partition, service, Region or account fills its field (at least one
    character, no ``:``); one in the resource part may be any text, ``/`` and ``:`` included."""
    fields = arn_format.split(":", 5)
    if len(fields) < 6:
        return tuple(_tokens(arn_format, (_ANY,)))
    return tuple(_tokens(":".join(fields[:5]) + ":", (_ONE, _SEGMENT)) + _tokens(fields[5], (_ANY,)))


def could_name(resource: str, arn_format: str) -> bool:
    """Whether a Resource entry can name a resource of this ARN format.

    Generous on purpose: a wildcard or policy variable in ``resource``
    and every ``${Placeholder}`` in the ARN format may stand for any text,
    including ``/`` and ``:``, so only a clash of literal text rules a
    format out (``arn:aws:s3:::bucket`` lacks the ``/`` an object ARN has).
    """
    return _could_meet(tuple(_tokens(resource, (_ANY,))), _format_tokens(arn_format))
