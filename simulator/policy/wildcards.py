"""IAM's two wildcards, ``*`` (any run of characters) and ``?`` (any one character).

Unlike shell globs they cross every separator: ``arn:aws:s3:::a*`` matches
``arn:aws:s3:::a/b/c`` and a ``*`` happily spans ``:``.

A pattern arrives as pieces: ``(text, is_pattern)``. Text written in the
policy is a pattern; text that a policy variable produced (including
``${*}``, ``${?}`` and ``${$}``) is literal, so a ``*`` inside a user name
never acts as a wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

Piece = tuple[str, bool]


def _translate(text: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)


@lru_cache(maxsize=65536)
def _compile(pieces: tuple[Piece, ...], ignore_case: bool) -> re.Pattern[str]:
    body = "".join(_translate(text) if is_pattern else re.escape(text) for text, is_pattern in pieces)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_regex(pieces: Sequence[Piece], ignore_case: bool = False) -> re.Pattern[str]:
    """A compiled regex matching the whole of a string against ``pieces`` (use ``fullmatch``)."""
    return _compile(tuple(pieces), ignore_case)


def pattern_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The regex for a pattern written in a policy with no variables in it."""
    return _compile(((pattern, True),), ignore_case)


@lru_cache(maxsize=16384)
def alternation_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching a string against any of several patterns written in a policy."""
    return re.compile("|".join(f"(?:{_translate(p)})" for p in patterns), re.DOTALL)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text
