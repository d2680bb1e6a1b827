"""Policy variables, from the IAM User Guide page "IAM policy elements: Variables and tags"."""

from __future__ import annotations

import pytest

from simulator.policy.request import normalise_context
from simulator.policy.variables import referenced_keys, resolve, resolve_text, static_pieces
from simulator.policy.wildcards import glob_regex

ALICE = {"aws:username": "alice"}


# "Using variables in policies", "Tags as policy variables", "Special characters",
# "Specifying default values" and "Policy variables with no value".
@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("arn:aws:s3:::bucket/*", {}, (("arn:aws:s3:::bucket/*", True),)),
        ("home/${aws:username}/*", ALICE, (("home/", True), ("alice", False), ("/*", True))),
        ("${aws:username}", ALICE, (("alice", False),)),
        ("${AWS:UserName}", ALICE, (("alice", False),)),
        ("${aws:PrincipalTag/Team}", {"aws:PrincipalTag/team": "red"}, (("red", False),)),
        ("${aws:username}", {}, None),
        ("prefix-${aws:username}", {"aws:userid": "AIDA"}, None),
        ("${aws:TagKeys}", {"aws:TagKeys": ["a", "b"]}, None),
        ("${aws:TagKeys}", {"aws:TagKeys": ["a"]}, (("a", False),)),
        ("${aws:username}", {"aws:username": []}, None),
        ("${aws:username}", {"aws:username": ""}, (("", False),)),
        ("${aws:username}", {"aws:username": "a*b?"}, (("a*b?", False),)),
        ("${aws:PrincipalTag/team, 'company-wide'}", {}, (("company-wide", False),)),
        ("b-${aws:PrincipalTag/t, 'company-wide'}", {"aws:PrincipalTag/t": "red"}, (("b-", True), ("red", False))),
        ("${aws:TagKeys, 'none'}", {"aws:TagKeys": ["a", "b"]}, (("none", False),)),
        ("${aws:userid,'anonymous'}", {}, (("anonymous", False),)),
        ("${aws:userid ,  'anonymous'}", {}, (("anonymous", False),)),
        ("${aws:userid, ''}", {}, (("", False),)),
        ("${aws:userid, anonymous}", {}, None),
        ("${ aws:username }", ALICE, (("alice", False),)),
        ("${*}", {}, (("*", False),)),
        ("${?}", {}, (("?", False),)),
        ("${$}", {}, (("$", False),)),
        ("a${*}b", {}, (("a", True), ("*", False), ("b", True))),
        ("${aws:username}-${aws:userid}", {**ALICE, "aws:userid": "7"}, (("alice", False), ("-", True), ("7", False))),
        ("${aws:username}-${aws:userid}", ALICE, None),
        ("${aws:username", ALICE, (("${aws:username", True),)),
        ("${}", {}, None),
    ],
)
def test_resolve(text, context, expected):
    assert resolve(text, normalise_context(context)) == expected


# "Special characters": a substituted value is literal, the text around it a pattern.
@pytest.mark.parametrize(
    ("text", "context", "candidate", "matches"),
    [
        ("home/${aws:username}/*", ALICE, "home/alice/notes.txt", True),
        ("home/${aws:username}/*", ALICE, "home/bob/notes.txt", False),
        ("home/${aws:username}/*", {"aws:username": "a*"}, "home/a*/x", True),
        ("home/${aws:username}/*", {"aws:username": "a*"}, "home/abc/x", False),
        ("file${?}", {}, "file?", True),
        ("file${?}", {}, "file1", False),
        ("${*}", {}, "*", True),
        ("${*}", {}, "anything", False),
    ],
)
def test_substituted_text_is_literal(text, context, candidate, matches):
    pieces = resolve(text, normalise_context(context))
    assert (glob_regex(pieces).fullmatch(candidate) is not None) is matches


# "Using variables in policies".
@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("home/${aws:username}/", ALICE, "home/alice/"),
        ("home/${aws:username}/", {}, None),
        ("no variables *", {}, "no variables *"),
        ("${*}${?}${$}", {}, "*?$"),
        ("${aws:PrincipalTag/team, 'company-wide'}", {}, "company-wide"),
    ],
)
def test_resolve_text(text, context, expected):
    assert resolve_text(text, normalise_context(context)) == expected


# "Request information that you can use for policy variables": which keys a text reads.
@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("arn:aws:s3:::bucket/*", ()),
        ("home/${aws:username}/*", ("aws:username",)),
        ("${aws:PrincipalTag/Team, 'x'}/${AWS:UserName}/${aws:username}", ("aws:principaltag/team", "aws:username")),
        ("${*}${?}${$}", ()),
    ],
)
def test_referenced_keys(text, keys):
    assert referenced_keys(text) == keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", (("plain", True),)),
        ("a${*}", (("a", True), ("*", False))),
        ("${aws:username}", None),
        ("${aws:username, 'x'}", None),
    ],
)
def test_static_pieces_only_for_text_that_needs_no_context(text, expected):
    assert static_pieces(text) == expected
