"""The position-keeping JSON parser.

Policies are JSON as RFC 8259 defines it ("Grammar of the IAM JSON policy
language", section "The policy language and JSON", points to the JSON RFC for
the basic data types), so the parser is strict and reports line and column.
"""

from __future__ import annotations

import json
import timeit

import pytest

from simulator.policy.jsontext import MAX_NESTING, JSONSyntaxError, parse_json, position_of
from simulator.policy.model import Position, Span


def span(start_line: int, start_column: int, end_line: int, end_column: int) -> Span:
    return Span(Position(start_line, start_column), Position(end_line, end_column))


@pytest.mark.parametrize(
    ("text", "kind", "value", "raw"),
    [
        ('"s3:GetObject"', "string", "s3:GetObject", '"s3:GetObject"'),
        ('"caf\\u00e9 \\"q\\""', "string", 'café "q"', '"caf\\u00e9 \\"q\\""'),
        ("42", "number", 42, "42"),
        ("-0", "number", 0, "-0"),
        ("1.50", "number", 1.5, "1.50"),
        ("1e3", "number", 1000.0, "1e3"),
        ("9" * 5000, "number", float("9" * 5000), "9" * 5000),
        ("true", "bool", True, "true"),
        ("false", "bool", False, "false"),
        ("null", "null", None, "null"),
        ("  \n\t 7 \r\n", "number", 7, "7"),
    ],
)
def test_scalars_keep_their_value_and_written_form(text, kind, value, raw):
    node = parse_json(text)
    assert (node.kind, node.value, node.raw) == (kind, value, raw)


@pytest.mark.parametrize(
    ("text", "expected_span"),
    [
        ('"abc"', span(1, 1, 1, 5)),
        ("  12", span(1, 3, 1, 4)),
        ("{}", span(1, 1, 1, 2)),
        ('[\n  1,\n  2\n]', span(1, 1, 4, 1)),
        ('\n\n  {"a": 1}', span(3, 3, 3, 10)),
    ],
)
def test_spans_run_from_first_to_last_character(text, expected_span):
    assert parse_json(text).span == expected_span


def test_members_keep_document_order_duplicates_and_key_spans():
    node = parse_json('{\n  "b": 1,\n  "a": [true, null],\n  "b": "again"\n}')
    assert [member.key for member in node.value] == ["b", "a", "b"]
    first_b, a, _ = node.value
    assert first_b.key_span == span(2, 3, 2, 5)
    assert a.value.span == span(3, 8, 3, 19)
    assert [item.kind for item in a.value.value] == ["bool", "null"]
    assert node.member("b") is first_b
    assert node.member("missing") is None
    assert a.value.member("a") is None


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "Expecting value but the document ended", 1, 1),
        ("   ", "Expecting value but the document ended", 1, 4),
        ('{"a": 1,}', "Trailing comma before '}' is not allowed in JSON", 1, 9),
        ("[1, 2,\n]", "Trailing comma before ']' is not allowed in JSON", 2, 1),
        ('{"a" 1}', "Expecting ':' delimiter", 1, 6),
        ('{"a": 1 "b": 2}', "Expecting ',' delimiter", 1, 9),
        ('{\n  "a": 1\n  "b": 2\n}', "Expecting ',' delimiter", 3, 3),
        ('{"a": 1', "Expecting ',' delimiter but the document ended", 1, 8),
        ("{a: 1}", "Expecting property name enclosed in double quotes", 1, 2),
        ("{'a': 1}", "Strings must use double quotes, not single quotes", 1, 2),
        ('{"a": "x', "Unterminated string", 1, 7),
        ('{"a": "x\ny"}', "Invalid control character in string (write newlines and tabs as \\n and \\t)", 1, 9),
        ('"\\q"', "Invalid \\escape", 1, 2),
        ('{"a": NaN}', "NaN and Infinity are not JSON numbers", 1, 7),
        ("[-Infinity]", "NaN and Infinity are not JSON numbers", 1, 2),
        ("// note\n{}", "Comments are not allowed in JSON", 1, 1),
        ('{"a": 1 /* note */}', "Comments are not allowed in JSON", 1, 9),
        ('{"a": 1} {"b": 2}', "Extra data after the end of the JSON value", 1, 10),
        ("01", "Extra data after the end of the JSON value", 1, 2),
        ("[tru]", "Expecting value", 1, 2),
        ("[" * (MAX_NESTING + 1), f"Nesting deeper than {MAX_NESTING} levels", 1, MAX_NESTING + 1),
    ],
)
def test_syntax_errors_say_what_and_where(text, message, line, column):
    with pytest.raises(JSONSyntaxError) as raised:
        parse_json(text)
    error = raised.value
    assert (error.message, error.line, error.column) == (message, line, column)
    assert str(error) == f"{message} at line {line}, column {column}"
    assert isinstance(error, ValueError)


def test_deep_nesting_is_a_syntax_error_not_a_recursion_error():
    with pytest.raises(JSONSyntaxError):
        parse_json("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 0, Position(1, 1)),
        ("abc", 2, Position(1, 3)),
        ("ab\ncd", 3, Position(2, 1)),
        ("ab\r\ncd\nef", 8, Position(3, 2)),
        ("abc", 10, Position(1, 4)),
    ],
)
def test_position_of_counts_lines_and_columns_from_one(text, offset, expected):
    assert position_of(text, offset) == expected


def test_a_ten_kilobyte_policy_parses_in_milliseconds():
    statement = {
        "Sid": "ReadObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::example-bucket/*"],
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    }
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 40}, indent=2)
    assert len(text) > 10_000
    # About 3 ms on a laptop; the bound leaves room for a busy test machine.
    assert min(timeit.repeat(lambda: parse_json(text), number=1, repeat=3)) < 0.05
