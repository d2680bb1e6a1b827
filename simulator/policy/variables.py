"""Policy variables: ``${aws:username}`` and friends, replaced by values from the request context.

From "IAM policy elements: Variables and tags":

- ``${key}`` takes the value of that context key; key names compare
  case-insensitively (the context's keys are already lower-cased).
- ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$``.
- ``${key, 'default'}`` uses ``default`` when the key has no value.
- A key that is absent, or that holds several values (a multivalued key
  cannot be a variable), has no value. With no default the text cannot be
  resolved and the caller treats it as matching nothing.

Only Version 2012-10-17 policies substitute variables; the caller decides
that. Substituted text is literal: a ``*`` in a user name is not a wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .wildcards import Piece

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# The documented form is "key, 'default'" (a comma and one space); we also
# accept other spacing around the comma rather than silently reading the
# whole thing as a key name that never exists.
_WITH_DEFAULT = re.compile(r"(?P<key>[^,']*?)\s*,\s*'(?P<default>[^']*)'", re.DOTALL)
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class _Reference:
    key: str
    default: str | None
    written: str


_Part = Piece | _Reference


@dataclass(frozen=True, slots=True)
class _Template:
    parts: tuple[_Part, ...]
    static: tuple[Piece, ...] | None  # the pieces when no part needs the context


def _reference_or_literal(inner: str) -> _Part:
    if inner in _SPECIAL:
        return (_SPECIAL[inner], False)
    defaulted = _WITH_DEFAULT.fullmatch(inner.strip())
    if defaulted:
        key = defaulted["key"].strip()
        return _Reference(key.lower(), defaulted["default"], key)
    return _Reference(inner.strip().lower(), None, inner.strip())


@lru_cache(maxsize=16384)
def _template(text: str) -> _Template:
    if "${" not in text:
        pieces = ((text, True),)
        return _Template(pieces, pieces)
    parts: list[_Part] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            parts.append((text[position : found.start()], True))
        parts.append(_reference_or_literal(found[1]))
        position = found.end()
    if position < len(text):
        parts.append((text[position:], True))
    if any(isinstance(part, _Reference) for part in parts):
        return _Template(tuple(parts), None)
    static = tuple(part for part in parts if isinstance(part, tuple))
    return _Template(static, static)


def _value(reference: _Reference, context: Mapping[str, tuple[str, ...]]) -> str | None:
    values = context.get(reference.key)
    if values is not None and len(values) == 1:
        return values[0]
    return reference.default


def resolve(text: str, context: Mapping[str, tuple[str, ...]]) -> tuple[Piece, ...] | None:
    """``text`` as wildcard pieces with every variable replaced, or ``None`` if one has no value.

    Text written in the policy becomes a pattern piece; a substituted value
    (including a default and the ``${*}``-style escapes) a literal one.
    """
    template = _template(text)
    if template.static is not None:
        return template.static
    pieces: list[Piece] = []
    for part in template.parts:
        if isinstance(part, _Reference):
            value = _value(part, context)
            if value is None:
                return None
            pieces.append((value, False))
        else:
            pieces.append(part)
    return tuple(pieces)


def static_pieces(text: str) -> tuple[Piece, ...] | None:
    """``text`` as pieces when it needs nothing from the context (so callers may cache it), else ``None``."""
    return _template(text).static


def resolve_text(text: str, context: Mapping[str, tuple[str, ...]]) -> str | None:
    """``text`` with every variable replaced, or ``None`` if one has no value."""
    pieces = resolve(text, context)
    if pieces is None:
        return None
    return "".join(piece for piece, _ in pieces)


@lru_cache(maxsize=4096)
def referenced_keys(text: str) -> tuple[str, ...]:
    """The lower-cased context keys that ``text`` uses as variables, each once, in order."""
    keys = (part.key for part in _template(text).parts if isinstance(part, _Reference))
    return tuple(dict.fromkeys(keys))


def unresolved(text: str, context: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The context keys, as written, whose missing value leaves ``text`` unresolved (no default to fall back on).

    AWS's simulator lists them among a decision's missing context values.
    """
    parts = _template(text).parts
    return tuple(p.written for p in parts if isinstance(p, _Reference) and _value(p, context) is None)
