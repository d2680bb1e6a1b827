"""Policy documents for people: pretty-printed for the editor, highlighted for reading."""

from __future__ import annotations

import json
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from simulator.policy.jsontext import Node, parse_json

INDENT = "    "
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
)
_COLON_NEXT = re.compile(r"\s*:")


def pretty(text: str) -> str:
    """The document re-indented; raises jsontext.JSONSyntaxError when it is not JSON.

    Not json.loads/json.dumps: that would silently drop a duplicated key (which IAM refuses,
    so formatting would hide the error) and rewrite numbers such as 1.50 that conditions compare as written.
    """
    return _pretty(parse_json(text), 0)


def _pretty(node: Node, depth: int) -> str:
    if node.kind not in ("object", "array"):
        return node.raw
    if not node.value:
        return "{}" if node.kind == "object" else "[]"
    inner = INDENT * (depth + 1)
    if node.kind == "object":
        items = [f"{json.dumps(m.key, ensure_ascii=False)}: {_pretty(m.value, depth + 1)}" for m in node.value]
        opener, closer = "{", "}"
    else:
        items = [_pretty(item, depth + 1) for item in node.value]
        opener, closer = "[", "]"
    body = ",\n".join(inner + item for item in items)
    return f"{opener}\n{body}\n{INDENT * depth}{closer}"


def highlight(text: str) -> SafeString:
    """The text with its keys, strings, numbers and literals marked; text that is not JSON passes through escaped."""
    parts: list[str] = []
    end = 0
    for token in _TOKEN.finditer(text):
        parts.append(escape(text[end : token.start()]))
        kind = token.lastgroup
        if kind == "string" and _COLON_NEXT.match(text, token.end()):
            kind = "key"
        parts.append(f'<span class="json-{kind}">{escape(token.group())}</span>')
        end = token.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # every piece of the text went through escape()
