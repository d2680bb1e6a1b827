"""A strict JSON parser (RFC 8259) that remembers where every value is.

Decisions report the position of the statements that decided them and
validation reports the position of the element at fault, so the policy
parser needs more than :func:`json.loads` gives: the span of every value,
object members in document order with duplicates kept (AWS rejects a
duplicated element, ``json.loads`` silently keeps the last), and numbers in
their written form (a condition compares ``1.50`` as written).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from .model import Position, Span

# Deeper than any policy needs, and far from Python's recursion limit even
# when the caller is already deep in a web request (two frames per level).
MAX_NESTING = 100

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", "bool", True), ("false", "bool", False), ("null", "null", None))


class JSONSyntaxError(ValueError):
    """The text is not JSON; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Member:
    """One ``"key": value`` pair of an object; ``key_span`` covers the quoted key."""

    key: str
    key_span: Span
    value: Node


@dataclass(frozen=True, slots=True)
class Node:
    """One JSON value with its place in the text.

    ``value`` is a tuple of :class:`Member` for an object (document order,
    duplicates kept), a tuple of :class:`Node` for an array, else the Python
    value (``str``, ``int``/``float``, ``bool``, ``None``). ``span`` runs from
    the first to the last character of the value, both included; ``raw`` is
    the exact source text.
    """

    kind: str
    value: object
    span: Span
    raw: str

    def member(self, name: str) -> Member | None:
        """The first member with exactly this key, or None (also for non-objects)."""
        if self.kind != "object":
            return None
        return next((m for m in self.value if m.key == name), None)  # type: ignore[attr-defined]


def position_of(text: str, offset: int) -> Position:
    """The line and column (from 1) of the character at ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def parse_json(text: str) -> Node:
    """Parse one JSON document; raises :class:`JSONSyntaxError` with its line and column.

    Strict: no comments, trailing commas, single quotes, NaN/Infinity, or
    control characters inside strings.
    """
    return _Parser(text).document()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset)
        return Position(line, offset - self.line_starts[line - 1] + 1)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end - 1))

    def fail(self, message: str, offset: int) -> JSONSyntaxError:
        if offset >= len(self.text):
            message += " but the document ended"
        position = self.position(offset)
        return JSONSyntaxError(message, position.line, position.column)

    def skip(self, offset: int) -> int:
        return _WHITESPACE.match(self.text, offset).end()  # type: ignore[union-attr]

    def document(self) -> Node:
        node, end = self.value(self.skip(0), 0)
        end = self.skip(end)
        if end < len(self.text):
            raise self.fail("Extra data after the end of the JSON value", end)
        return node

    def value(self, offset: int, depth: int) -> tuple[Node, int]:
        char = self.text[offset : offset + 1]
        if char == "{":
            return self.container(offset, depth, "object", "}")
        if char == "[":
            return self.container(offset, depth, "array", "]")
        if char == '"':
            string, end = self.string(offset)
            return Node("string", string, self.span(offset, end), self.text[offset:end]), end
        number = _NUMBER.match(self.text, offset)
        if number:
            return self.number(number), number.end()
        for literal, kind, python_value in _LITERALS:
            if self.text.startswith(literal, offset):
                end = offset + len(literal)
                return Node(kind, python_value, self.span(offset, end), literal), end
        raise self.fail(self.unexpected(offset, "Expecting value"), offset)

    def container(self, start: int, depth: int, kind: str, closer: str) -> tuple[Node, int]:
        if depth >= MAX_NESTING:
            raise self.fail(f"Nesting deeper than {MAX_NESTING} levels", start)
        items: list[Member | Node] = []
        offset = self.skip(start + 1)
        if self.text.startswith(closer, offset):
            end = offset + 1
            return Node(kind, (), self.span(start, end), self.text[start:end]), end
        while True:
            if kind == "object":
                member, offset = self.member(offset, depth)
                items.append(member)
            else:
                node, offset = self.value(offset, depth + 1)
                items.append(node)
            offset = self.skip(offset)
            char = self.text[offset : offset + 1]
            if char == closer:
                end = offset + 1
                return Node(kind, tuple(items), self.span(start, end), self.text[start:end]), end
            if char != ",":
                raise self.fail(self.unexpected(offset, "Expecting ',' delimiter"), offset)
            offset = self.skip(offset + 1)
            if self.text.startswith(closer, offset):
                raise self.fail(f"Trailing comma before '{closer}' is not allowed in JSON", offset)

    def member(self, offset: int, depth: int) -> tuple[Member, int]:
        if not self.text.startswith('"', offset):
            raise self.fail(self.unexpected(offset, "Expecting property name enclosed in double quotes"), offset)
        key, key_end = self.string(offset)
        key_span = self.span(offset, key_end)
        colon = self.skip(key_end)
        if not self.text.startswith(":", colon):
            raise self.fail(self.unexpected(colon, "Expecting ':' delimiter"), colon)
        value, end = self.value(self.skip(colon + 1), depth + 1)
        return Member(key, key_span, value), end

    def string(self, offset: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, offset + 1, True)  # type: ignore[attr-defined]
        except json.JSONDecodeError as error:
            message = error.msg.removesuffix(" starting at").removesuffix(" at")
            if message == "Invalid control character":
                message = "Invalid control character in string (write newlines and tabs as \\n and \\t)"
            raise self.fail(message, error.pos) from None

    def number(self, match: re.Match[str]) -> Node:
        raw = match.group()
        value: int | float
        if match.group(1) or match.group(2):
            value = float(raw)
        else:
            try:
                value = int(raw)
            except ValueError:  # more digits than int() converts by default
                value = float(raw)
        return Node("number", value, self.span(match.start(), match.end()), raw)

    def unexpected(self, offset: int, expecting: str) -> str:
        """Name the usual culprits where plain JSON parsers only say what they expected."""
        if self.text.startswith(("//", "/*"), offset):
            return "Comments are not allowed in JSON"
        if self.text.startswith("'", offset):
            return "Strings must use double quotes, not single quotes"
        if self.text.startswith(("NaN", "Infinity", "-Infinity"), offset):
            return "NaN and Infinity are not JSON numbers"
        return expecting
