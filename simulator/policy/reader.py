"""What every part of one policy parse shares: the problems found so far and how messages show values.

:class:`Reader` collects :class:`.errors.PolicyError` values rather than
raising at the first, and attributes each to the statement being read.
"""

from __future__ import annotations

import difflib
import json

from .errors import GENERIC_AWS_MESSAGE, PolicyError
from .jsontext import Member, Node
from .model import PolicyType, Position

_KINDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "bool": "true/false",
    "null": "null",
}
POLICY_NAMES = {
    PolicyType.IDENTITY: "An identity-based policy",
    PolicyType.RESOURCE: "A resource-based policy",
    PolicyType.TRUST: "A role trust policy",
    PolicyType.PERMISSIONS_BOUNDARY: "A permissions boundary",
    PolicyType.SESSION: "A session policy",
    PolicyType.SERVICE_CONTROL: "A service control policy (SCP)",
    PolicyType.RESOURCE_CONTROL: "A resource control policy (RCP)",
}


def describe(node: Node) -> str:
    """How a message shows a value: strings as written, other values by kind."""
    shown = node.raw if len(node.raw) <= 40 else node.raw[:37] + "..."
    if node.kind == "string":
        return shown
    if node.kind == "object" and not node.value:
        return "an empty map"
    return _KINDS[node.kind] if node.kind in ("object", "array", "null") else f"{_KINDS[node.kind]} ({shown})"


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def suggest(name: str, known: tuple[str, ...]) -> str:
    """A 'did you mean' hint: element names are case-sensitive, which trips people up most."""
    for candidate in known:
        if candidate.lower() == name.lower():
            return f' (names are case-sensitive: write "{candidate}")'
    close = difflib.get_close_matches(name, known, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def items_of(node: Node) -> tuple[Node, ...]:
    """The values of "a value or a list of them", the shape most elements take."""
    return node.value if node.kind == "array" else (node,)  # type: ignore[return-value]


class Reader:
    """One read of one document of type ``type``.

    ``index`` and ``label`` name the statement being read, so every error
    raised while reading it is attributed to it without passing them around.
    """

    def __init__(self, policy_type: PolicyType) -> None:
        self.type = policy_type
        self.errors: list[PolicyError] = []
        self.index: int | None = None
        self.label = ""

    def error(self, element: str | None, detail: str, at: Position | None, aws: str = GENERIC_AWS_MESSAGE) -> None:
        message = f"{self.label}: {detail}" if self.label else detail
        self.errors.append(PolicyError(message, at, self.index, element, aws))

    def members(self, node: Node) -> dict[str, Member]:
        """An object's members by key; a repeated key is reported, and its first value used."""
        found: dict[str, Member] = {}
        for member in node.value:  # type: ignore[attr-defined]
            if member.key in found:
                self.error(
                    member.key,
                    f'"{member.key}" appears more than once; a name may appear only once in the same block.',
                    member.key_span.start,
                )
            else:
                found[member.key] = member
        return found

    def strings(
        self, member: Member, empty_aws: str = GENERIC_AWS_MESSAGE, element: str | None = None
    ) -> list[tuple[str, Node]]:
        """A string or a list of strings; ``element`` names the enclosing element (Principal for "AWS")."""
        node = member.value
        name = f"{element} {member.key}" if element else member.key
        items = items_of(node)
        if not items:
            self.error(element or member.key, f"{name} must not be an empty list.", node.span.start, empty_aws)
        strings = []
        for item in items:
            if item.kind == "string":
                strings.append((item.value, item))
            else:
                self.error(
                    element or member.key,
                    f"{name} must be a string or a list of strings; found {describe(item)}.",
                    item.span.start,
                )
        return strings  # type: ignore[return-value]
