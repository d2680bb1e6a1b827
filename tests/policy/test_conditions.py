"""Condition operators and the rules around them, from the IAM User Guide.

Every case runs through both ``conditions_match`` (the fast path) and
``evaluate_condition`` (the explained one), which must agree.
"""

from __future__ import annotations

import pytest

from simulator.policy.conditions import conditions_match, evaluate_condition, evaluate_conditions
from simulator.policy.model import Condition
from simulator.policy.request import normalise_context


def condition(operator: str, key: str, values: str | tuple[str, ...]) -> Condition:
    set_operator, _, rest = operator.rpartition(":")
    base = rest.removesuffix("IfExists")
    values = (values,) if isinstance(values, str) else values
    return Condition(operator, set_operator, base, base != rest, key, values)


def holds(operator: str, key: str, values, context, variables: bool = True) -> bool:
    built, normalised = condition(operator, key, values), normalise_context(context)
    fast = conditions_match((built,), normalised, variables)
    assert evaluate_condition(built, normalised, variables).matched is fast
    return fast


ARN_A = "arn:aws:sns:us-west-2:123456789012:TOPIC-ID"
TAG = "aws:PrincipalTag/dept"


# "IAM JSON policy elements: Condition operators" — String condition operators.
@pytest.mark.parametrize(
    ("operator", "key", "values", "context", "expected"),
    [
        ("StringEquals", "aws:username", "alice", {"aws:username": "alice"}, True),
        ("StringEquals", "aws:username", "alice", {"aws:username": "Alice"}, False),
        ("StringEquals", "AWS:UserName", "alice", {"aws:username": "alice"}, True),
        ("StringEquals", "aws:username", ("bob", "alice"), {"aws:username": "alice"}, True),
        ("StringEquals", "aws:username", "ali*", {"aws:username": "alice"}, False),
        ("StringEquals", "aws:username", "", {"aws:username": ""}, True),
        ("StringNotEquals", "aws:username", "alice", {"aws:username": "bob"}, True),
        ("StringNotEquals", "aws:username", "alice", {"aws:username": "alice"}, False),
        ("StringNotEquals", "aws:username", ("alice", "bob"), {"aws:username": "carol"}, True),
        ("StringNotEquals", "aws:username", ("alice", "bob"), {"aws:username": "bob"}, False),
        ("StringEqualsIgnoreCase", TAG, "Finance", {TAG: "FINANCE"}, True),
        ("StringEqualsIgnoreCase", TAG, "Finance", {TAG: "HR"}, False),
        ("StringNotEqualsIgnoreCase", TAG, "Finance", {TAG: "fInAnCe"}, False),
        ("StringNotEqualsIgnoreCase", TAG, "Finance", {TAG: "hr"}, True),
        ("StringLike", "s3:prefix", "home/*", {"s3:prefix": "home/alice/x"}, True),
        ("StringLike", "s3:prefix", "home/*", {"s3:prefix": "Home/alice"}, False),
        ("StringLike", "s3:prefix", "", {"s3:prefix": ""}, True),
        ("StringLike", "ec2:InstanceType", "t?.micro", {"ec2:InstanceType": "t2.micro"}, True),
        ("StringLike", "ec2:InstanceType", "t?.micro", {"ec2:InstanceType": "t23.micro"}, False),
        ("StringLike", "ec2:InstanceType", ("t1.*", "t2.*", "m3.*"), {"ec2:InstanceType": "m3.large"}, True),
        ("StringLike", "aws:SourceArn", "arn:aws:x:*:1:f/*", {"aws:SourceArn": "arn:aws:x:r:2:s/a:1:f/d"}, True),
        ("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "public/x"}, True),
        ("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "home/x"}, False),
        ("StringNotLike", "s3:prefix", ("home/*", "public/*"), {"s3:prefix": "public/x"}, False),
    ],
)
def test_string_operators(operator, key, values, context, expected):
    assert holds(operator, key, values, context) is expected


# "Condition operators" — Numeric condition operators.
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("NumericEquals", "10", "10", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericEquals", "-1.5", "-1.50", True),
        ("NumericEquals", "10", "11", False),
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericNotEquals", ("10", "11"), "12", True),
        ("NumericNotEquals", ("10", "11"), "11", False),
        ("NumericLessThan", "10", "9.5", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericLessThanEquals", "10", "11", False),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("NumericEquals", "10", "ten", False),
        ("NumericNotEquals", "10", "ten", False),
        ("NumericEquals", "ten", "10", False),
        ("NumericLessThan", ("ten", "20"), "15", True),
        ("NumericEquals", "nan", "nan", False),
    ],
)
def test_numeric_operators(operator, values, request_value, expected):
    assert holds(operator, "s3:max-keys", values, {"s3:max-keys": request_value}) is expected


NEW_YEAR = "2024-01-01T00:00:00Z"


# "Condition operators" — Date condition operators (W3C ISO 8601 dates or epoch seconds).
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-06-01T12:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:01Z", "2019-12-31T23:59:59Z", False),
        ("DateGreaterThan", NEW_YEAR, NEW_YEAR, False),
        ("DateGreaterThanEquals", NEW_YEAR, NEW_YEAR, True),
        ("DateGreaterThanEquals", NEW_YEAR, "2023-12-31T23:59:59Z", False),
        ("DateLessThan", NEW_YEAR, "2023-12-31T23:59:59Z", True),
        ("DateLessThan", NEW_YEAR, NEW_YEAR, False),
        ("DateLessThanEquals", NEW_YEAR, NEW_YEAR, True),
        ("DateLessThanEquals", NEW_YEAR, "2024-01-01T00:00:01Z", False),
        ("DateEquals", NEW_YEAR, "2024-01-01T01:00:00+01:00", True),
        ("DateEquals", NEW_YEAR, "2024-01-02T00:00:00Z", False),
        ("DateNotEquals", NEW_YEAR, "2024-01-02T00:00:00Z", True),
        ("DateNotEquals", NEW_YEAR, NEW_YEAR, False),
        ("DateEquals", "1704067200", "1704067200", True),
        ("DateEquals", "1704067200", NEW_YEAR, True),
        ("DateGreaterThan", NEW_YEAR, "1704067201", True),
        ("DateLessThan", "1704067200", "1704067199", True),
        ("DateEquals", "2024-01-01", NEW_YEAR, True),
        ("DateEquals", "2024-01", NEW_YEAR, True),
        ("DateLessThan", "2024-01-01T10:30+02:00", "2024-01-01T08:29:59Z", True),
        ("DateEquals", "2024-01-01T00:00:00.500Z", "2024-01-01T00:00:00.5Z", True),
        ("DateEquals", "2024-01-01T00:00:00", NEW_YEAR, True),
        ("DateLessThan", NEW_YEAR, "not-a-date", False),
        ("DateNotEquals", NEW_YEAR, "yesterday", False),
        ("DateLessThan", "tomorrow", "2020-01-01T00:00:00Z", False),
    ],
)
def test_date_operators(operator, values, request_value, expected):
    assert holds(operator, "aws:CurrentTime", values, {"aws:CurrentTime": request_value}) is expected


BINARY = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="


# "Condition operators" — Boolean and Binary condition operators.
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("Bool", "false", "false", True),
        ("Bool", "false", "true", False),
        ("Bool", "true", "TRUE", True),
        ("Bool", "True", "true", True),
        ("Bool", ("true", "false"), "false", True),
        ("Bool", "yes", "true", False),
        ("Bool", "true", "1", False),
        ("BinaryEquals", BINARY, BINARY, True),
        ("BinaryEquals", BINARY, "ASIAIOSFODNN7EXAMPLE", False),
        ("BinaryEquals", "not base64!", "not base64!", False),
    ],
)
def test_bool_and_binary_operators(operator, values, request_value, expected):
    assert holds(operator, "aws:SecureTransport", values, {"aws:SecureTransport": request_value}) is expected


# "Condition operators" — IP address condition operators (IPv4 and IPv6 CIDRs; an address alone is a /32).
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("IpAddress", "203.0.113.0/24", "203.0.113.1", True),
        ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
        ("IpAddress", "203.0.113.5", "203.0.113.5", True),
        ("IpAddress", "203.0.113.5", "203.0.113.6", False),
        ("IpAddress", "203.0.113.7/24", "203.0.113.200", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::abcd", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
        ("IpAddress", ("203.0.113.0/24", "2001:DB8:1234:5678::/64"), "2001:db8:1234:5678:1::1", True),
        ("IpAddress", "0.0.0.0/0", "2001:db8::1", False),
        ("IpAddress", "::/0", "2001:db8::1", True),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.9", False),
        ("NotIpAddress", ("203.0.113.0/24", "198.51.100.0/24"), "198.51.100.7", False),
        ("NotIpAddress", "2001:db8::/32", "203.0.113.9", True),
        ("IpAddress", "203.0.113.0/24", "not-an-ip", False),
        ("NotIpAddress", "203.0.113.0/24", "not-an-ip", False),
        ("IpAddress", "300.0.0.0/8", "203.0.113.1", False),
    ],
)
def test_ip_address_operators(operator, values, request_value, expected):
    assert holds(operator, "aws:SourceIp", values, {"aws:SourceIp": request_value}) is expected


FINANCE = "arn:aws:someservice:*:111122223333:finance/*"
PRINCIPALS = ("arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary")


# "Condition operators" — ARN condition operators: each of the six colon-separated
# segments is matched on its own, so unlike StringLike a wildcard stops at ':'.
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("ArnEquals", ARN_A, ARN_A, True),
        ("ArnEquals", ARN_A, "arn:aws:sns:us-west-2:777788889999:TOPIC-ID", False),
        ("ArnLike", ARN_A, ARN_A.lower(), False),
        ("ArnLike", FINANCE, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/d.txt", False),
        ("ArnLike", FINANCE, "arn:aws:someservice:us-east-2:111122223333:finance/d.txt", True),
        ("ArnEquals", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:eu-west-1:123456789012:topic", True),
        ("ArnLike", "arn:aws:logs:*:*:log-group:app*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:x", True),
        ("ArnLike", "arn:aws:s?s:*:*:*", "arn:aws:sns:us-east-1:1:t", True),
        ("ArnLike", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket", True),
        ("ArnLike", "arn:*:*:*:*:*", "arn:aws:s3:::b", True),
        ("ArnLike", "arn:aws:iam::*", "arn:aws:iam::123:user/x", False),
        ("ArnLike", "arn:aws:s3:::b", "not-an-arn", False),
        ("ArnNotLike", PRINCIPALS, "arn:aws:iam::222222222222:user/Nikki", True),
        ("ArnNotLike", PRINCIPALS, "arn:aws:iam::222222222222:user/Mary", False),
        ("ArnNotEquals", "arn:aws:sns:*:123:*", "arn:aws:sns:us-east-1:456:t", True),
        ("ArnNotEquals", "arn:aws:sns:*:123:*", "arn:aws:sns:us-east-1:123:t", False),
        ("ArnNotLike", "arn:aws:s3:::b", "not-an-arn", False),
    ],
)
def test_arn_operators(operator, values, request_value, expected):
    assert holds(operator, "aws:SourceArn", values, {"aws:SourceArn": request_value}) is expected


# "Condition operators", the note on missing keys: an absent key makes an operator false,
# and a negated one ("the key is not matched") true. That includes NotIpAddress.
@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("StringEqualsIgnoreCase", False),
        ("StringNotEqualsIgnoreCase", True),
        ("StringLike", False),
        ("StringNotLike", True),
        ("NumericEquals", False),
        ("NumericNotEquals", True),
        ("NumericLessThan", False),
        ("NumericLessThanEquals", False),
        ("NumericGreaterThan", False),
        ("NumericGreaterThanEquals", False),
        ("DateEquals", False),
        ("DateNotEquals", True),
        ("DateLessThan", False),
        ("DateLessThanEquals", False),
        ("DateGreaterThan", False),
        ("DateGreaterThanEquals", False),
        ("Bool", False),
        ("BinaryEquals", False),
        ("IpAddress", False),
        ("NotIpAddress", True),
        ("ArnEquals", False),
        ("ArnLike", False),
        ("ArnNotEquals", True),
        ("ArnNotLike", True),
    ],
)
def test_missing_key(operator, expected):
    assert holds(operator, "aws:Absent", "1", {"aws:other": "1"}) is expected


# "Condition operators" — ...IfExists: an absent key satisfies the condition; a present one is checked.
@pytest.mark.parametrize(
    ("operator", "values", "context", "expected"),
    [
        ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), {"k": "t1.micro"}, True),
        ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), {"k": "m2.micro"}, False),
        ("StringLikeIfExists", ("t1.*", "t2.*", "m3.*"), {}, True),
        ("StringNotEqualsIfExists", "red", {}, True),
        ("StringNotEqualsIfExists", "red", {"k": "red"}, False),
        ("NumericLessThanIfExists", "10", {}, True),
        ("NumericLessThanIfExists", "10", {"k": "20"}, False),
        ("DateGreaterThanIfExists", NEW_YEAR, {}, True),
        ("BoolIfExists", "true", {}, True),
        ("BoolIfExists", "true", {"k": "false"}, False),
        ("IpAddressIfExists", "10.0.0.0/8", {}, True),
        ("ArnLikeIfExists", ARN_A, {}, True),
        ("ForAnyValue:StringEqualsIfExists", "a", {}, True),
    ],
)
def test_if_exists(operator, values, context, expected):
    assert holds(operator, "k", values, context) is expected


# "Condition operators" — Condition operator to check existence of condition keys (Null).
@pytest.mark.parametrize(
    ("values", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:TokenIssueTime": NEW_YEAR}, False),
        ("false", {"aws:TokenIssueTime": NEW_YEAR}, True),
        ("false", {}, False),
        ("TRUE", {}, True),
        ("maybe", {}, False),
        (("false", "true"), {}, True),
        ("true", {"aws:TokenIssueTime": []}, True),
    ],
)
def test_null(values, context, expected):
    assert holds("Null", "aws:TokenIssueTime", values, context) is expected


TAG_KEYS = ("environment", "cost-center")
LOG_ARNS = ("arn:aws:cloudfront::123456789012:distribution/*",)
DIST = "arn:aws:cloudfront::123456789012:distribution/"


# "Single-valued vs. multivalued context keys" — set operators. ForAllValues holds when the key
# is absent or empty, ForAnyValue does not; with a negated operator ForAllValues means "no request
# value matches any policy value" and ForAnyValue "some request value matches none of them".
@pytest.mark.parametrize(
    ("operator", "values", "request_values", "expected"),
    [
        ("ForAllValues:StringEquals", TAG_KEYS, ["environment"], True),
        ("ForAllValues:StringEquals", TAG_KEYS, ["environment", "cost-center"], True),
        ("ForAllValues:StringEquals", TAG_KEYS, ["environment", "dept"], False),
        ("ForAllValues:StringEquals", TAG_KEYS, None, True),
        ("ForAllValues:StringEquals", TAG_KEYS, [], True),
        ("ForAnyValue:StringEquals", TAG_KEYS, ["environment", "dept"], True),
        ("ForAnyValue:StringEquals", TAG_KEYS, ["dept"], False),
        ("ForAnyValue:StringEquals", TAG_KEYS, ["Environment"], False),
        ("ForAnyValue:StringEquals", TAG_KEYS, None, False),
        ("ForAnyValue:StringEquals", TAG_KEYS, [], False),
        ("ForAnyValue:StringEqualsIgnoreCase", TAG_KEYS, ["Environment"], True),
        ("ForAllValues:StringNotLike", "key1*", ["key1:legal"], False),
        ("ForAllValues:StringNotLike", "key1*", ["key2:audit"], True),
        ("ForAllValues:StringNotLike", "key1*", ["key1:hr", "key2:x"], False),
        ("ForAllValues:StringNotLike", "key1*", None, True),
        ("ForAnyValue:StringNotLike", "key1*", ["key1:hr", "key2:x"], True),
        ("ForAnyValue:StringNotLike", "key1*", ["key1:hr"], False),
        ("ForAnyValue:StringNotLike", "key1*", None, False),
        ("ForAllValues:StringNotEquals", ("a", "b"), ["c", "d"], True),
        ("ForAllValues:StringNotEquals", ("a", "b"), ["a", "c"], False),
        ("ForAnyValue:StringNotEquals", ("a", "b"), ["a", "c"], True),
        ("ForAnyValue:StringNotEquals", ("a", "b"), ["a", "b"], False),
        ("ForAllValues:StringLike", "Created*", ["CreatedBy", "CreatedAt"], True),
        ("ForAllValues:ArnLike", LOG_ARNS, [DIST + "A", DIST + "support2025"], True),
        ("ForAllValues:ArnLike", LOG_ARNS, [DIST + "A", "arn:aws:cloudfront::777788889999:distribution/B"], False),
        ("ForAllValues:ArnLike", LOG_ARNS, None, True),
        ("ForAnyValue:ArnLike", LOG_ARNS, ["arn:aws:cloudfront::777788889999:distribution/B", DIST + "A"], True),
        ("ForAllValues:Bool", "true", ["true", "true"], True),
        ("ForAllValues:Bool", "true", ["true", "false"], False),
        ("ForAnyValue:Bool", "true", ["false", "true"], True),
        ("ForAllValues:NumericLessThan", "5", ["1", "4"], True),
        ("ForAnyValue:IpAddress", "10.0.0.0/8", ["192.0.2.1", "10.9.9.9"], True),
    ],
)
def test_set_operators(operator, values, request_values, expected):
    context = {} if request_values is None else {"aws:TagKeys": request_values}
    assert holds(operator, "aws:TagKeys", values, context) is expected


# "Single-valued vs. multivalued context keys": multivalued keys "require a condition set
# operator". Without one the values are compared as one opaque value that equals nothing.
@pytest.mark.parametrize(
    ("operator", "values", "request_values", "expected"),
    [
        ("StringEquals", "a", ["a", "b"], False),
        ("StringEquals", ("a", "b"), ["a", "b"], False),
        ("StringLike", "*", ["a", "b"], False),
        ("StringNotEquals", "c", ["a", "b"], True),
        ("StringEquals", "a", ["a"], True),
        ("ForAnyValue:StringEquals", "a", ["a"], True),
    ],
)
def test_single_valued_operator_on_several_values(operator, values, request_values, expected):
    assert holds(operator, "aws:TagKeys", values, {"aws:TagKeys": request_values}) is expected


USER = "arn:aws:iam::222222222222:user/"
DEPT, ROLE = "aws:PrincipalTag/department", "aws:PrincipalTag/role"
DEPARTMENTS = condition("StringEquals", DEPT, ("finance", "hr", "legal"))
ROLES = condition("StringEquals", ROLE, ("audit", "security"))
ARN_LIKE = condition("ArnLike", "aws:PrincipalArn", PRINCIPALS)
ARN_NOT_LIKE = condition("ArnNotLike", "aws:PrincipalArn", PRINCIPALS)
ENV = "aws:RequestTag/environment"
ENVIRONMENT = condition("StringEqualsIgnoreCase", ENV, ("preprod", "storage"))
HAS_ENVIRONMENT = condition("ForAnyValue:StringEquals", "aws:TagKeys", "environment")


def person(department: str | None, role: str | None, user: str) -> dict[str, str]:
    tags = {DEPT: department, ROLE: role, "aws:PrincipalArn": USER + user}
    return {key: value for key, value in tags.items() if value is not None}


# "Conditions with multiple context keys or values": operators and keys are AND'd.
# The last group is the ForAnyValue example from "Condition operators".
@pytest.mark.parametrize(
    ("conditions", "context", "expected"),
    [
        ((DEPARTMENTS, ROLES, ARN_LIKE), person("legal", "audit", "Mary"), True),
        ((DEPARTMENTS, ROLES, ARN_LIKE), person("hr", "audit", "Nikki"), False),
        ((DEPARTMENTS, ROLES, ARN_LIKE), person("hr", "payroll", "Mary"), False),
        ((DEPARTMENTS, ROLES, ARN_LIKE), person("hr", None, "Mary"), False),
        ((DEPARTMENTS, ROLES, ARN_LIKE), person(None, None, "Mary"), False),
        ((DEPARTMENTS, ROLES, ARN_NOT_LIKE), person("legal", "audit", "Nikki"), True),
        ((DEPARTMENTS, ROLES, ARN_NOT_LIKE), person("hr", "audit", "Mary"), False),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {"aws:TagKeys": ["environment"], ENV: "preprod"}, True),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {"aws:TagKeys": ["environment", "costcenter"], ENV: "PreProd"}, True),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {"aws:TagKeys": ["Environment"], ENV.title(): "preprod"}, False),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {"aws:TagKeys": ["costcenter"], ENV: "preprod"}, False),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {ENV: "storage"}, False),
        ((ENVIRONMENT, HAS_ENVIRONMENT), {"aws:TagKeys": ["environment"]}, False),
        ((), {}, True),
    ],
)
def test_several_conditions_must_all_hold(conditions, context, expected):
    normalised = normalise_context(context)
    matched, results = evaluate_conditions(conditions, normalised, True)
    assert conditions_match(conditions, normalised, True) is matched is expected
    assert len(results) == len(conditions)


OWNER = {"k": "alice", "aws:PrincipalTag/owner": "alice"}
HOME = "home/${aws:username}/*"
TOPIC = "arn:aws:sns:*:*:${aws:username}-t"


# "IAM policy elements: Variables and tags" — variables in the Condition element, values
# with no value ("Policy variables with no value"), defaults and special characters.
@pytest.mark.parametrize(
    ("operator", "values", "context", "expected"),
    [
        ("StringEquals", "${aws:PrincipalTag/owner}", OWNER, True),
        ("StringEquals", "${aws:PrincipalTag/owner}", {**OWNER, "aws:PrincipalTag/owner": "bob"}, False),
        ("StringEquals", "${aws:PrincipalTag/OWNER}", OWNER, True),
        ("StringEquals", "${aws:PrincipalTag/owner}", {"k": "alice"}, False),
        ("StringNotEquals", "${aws:PrincipalTag/owner}", {"k": "alice"}, True),
        ("StringNotEquals", "${aws:PrincipalTag/owner}", OWNER, False),
        ("StringEquals", ("${aws:PrincipalTag/x}", "alice"), OWNER, True),
        ("StringEquals", "${aws:PrincipalTag/owner, 'nobody'}", {"k": "nobody"}, True),
        ("StringEquals", "${aws:PrincipalTag/owner, 'nobody'}", OWNER, True),
        ("StringEquals", "${aws:PrincipalTag/owner, 'nobody'}", {**OWNER, "k": "nobody"}, False),
        ("StringEquals", "${aws:TagKeys}", {"k": "a", "aws:TagKeys": ["a", "b"]}, False),
        ("StringEquals", "${*}", {"k": "*"}, True),
        ("StringLike", "${*}", {"k": "anything"}, False),
        ("StringLike", "a${?}", {"k": "a?"}, True),
        ("StringLike", "a${?}", {"k": "ab"}, False),
        ("StringEquals", "cost${$}", {"k": "cost$"}, True),
        ("StringLike", HOME, {"k": "home/alice/docs", "aws:username": "alice"}, True),
        ("StringLike", HOME, {"k": "home/bob/docs", "aws:username": "alice"}, False),
        ("StringLike", HOME, {"k": "home/abc/x", "aws:username": "a*"}, False),
        ("StringLike", HOME, {"k": "home/a*/x", "aws:username": "a*"}, True),
        ("StringLike", HOME, {"k": "home/alice/docs"}, False),
        ("ArnLike", TOPIC, {"k": "arn:aws:sns:r:1:alice-t", "aws:username": "alice"}, True),
        ("ArnEquals", "${aws:PrincipalArn}", {"k": USER + "Ana", "aws:PrincipalArn": USER + "Ana"}, True),
        ("Bool", "${aws:MultiFactorAuthPresent}", {"k": "true", "aws:MultiFactorAuthPresent": "true"}, True),
        ("NumericEquals", "${aws:username}", {"k": "5", "aws:username": "5"}, False),
        ("IpAddress", "${aws:username}", {"k": "10.0.0.1", "aws:username": "10.0.0.1"}, False),
    ],
)
def test_policy_variables_in_conditions(operator, values, context, expected):
    assert holds(operator, "k", values, context) is expected


# "Variables and tags": before Version 2012-10-17, "${...}" is ordinary text.
@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    [
        ("StringEquals", "${aws:username}", "alice", False),
        ("StringEquals", "${aws:username}", "${aws:username}", True),
        ("StringLike", "${*}", "${anything}", True),
    ],
)
def test_variables_are_text_in_old_policies(operator, values, request_value, expected):
    context = {"aws:username": "alice", "k": request_value}
    assert holds(operator, "k", values, context, variables=False) is expected


# What a ConditionResult reports: the reason in English, using the wording of "Condition operators".
@pytest.mark.parametrize(
    ("operator", "values", "request_values", "reason"),
    [
        ("IpAddress", "192.0.2.0/24", "10.1.2.3", "k 10.1.2.3 is not in 192.0.2.0/24"),
        ("IpAddress", ("192.0.2.0/24", "10.0.0.0/8"), "10.1.2.3", "k 10.1.2.3 is in 10.0.0.0/8"),
        ("StringNotEquals", ("a", "b", "c"), "d", "k d does not equal a, b or c"),
        ("StringNotEquals", "a", "a", "k a equals a"),
        ("NumericLessThan", "10", "ten", "k ten is not a number"),
        ("DateLessThan", NEW_YEAR, "2025-01-01T00:00:00Z", f"k 2025-01-01T00:00:00Z is not before {NEW_YEAR}"),
        ("StringEquals", "a", None, "k is not in the request, so StringEquals does not hold"),
        ("StringEqualsIfExists", "a", None, "k is not in the request, so StringEqualsIfExists holds"),
        ("Null", "true", None, "k is absent from the request, so Null true holds"),
        ("ForAllValues:StringEquals", ("a", "b"), ["a", "c"], "k c does not equal a or b"),
        ("ForAllValues:StringLike", "a*", ["a1", "a2"], "all values of k (a1, a2) satisfy ForAllValues:StringLike a*"),
        ("ForAnyValue:StringNotLike", "x*", ["x1", "y"], "k y does not match x*"),
        ("ForAnyValue:StringEquals", "a", ["b", "c"], "no value of k (b, c) satisfies ForAnyValue:StringEquals a"),
        ("StringEquals", "${aws:username}", "a", "k a does not equal any value (their policy variables are unset)"),
        ("StringLike", "*", ["a", "b"], "k has several values (a, b) and no set operator, so StringLike does not hold"),
        ("StringEquel", "a", "a", "StringEquel is not a condition operator, so it never matches"),
    ],
)
def test_reason(operator, values, request_values, reason):
    context = normalise_context({} if request_values is None else {"k": request_values})
    assert evaluate_condition(condition(operator, "k", values), context, True).reason == reason


# "Condition operators", the note on missing keys: the key counted unless IfExists or Null handled it.
@pytest.mark.parametrize(
    ("operator", "context", "request_values", "missing"),
    [
        ("StringEquals", {}, None, True),
        ("StringNotEquals", {}, None, True),
        ("ForAllValues:StringEquals", {}, None, True),
        ("StringEqualsIfExists", {}, None, False),
        ("Null", {}, None, False),
        ("StringEquals", {"k": "a"}, ("a",), False),
        ("ForAnyValue:StringEquals", {"k": []}, (), True),
    ],
)
def test_missing_is_reported_when_the_absent_key_counted(operator, context, request_values, missing):
    result = evaluate_condition(condition(operator, "k", "a"), normalise_context(context), True)
    assert (result.request_values, result.missing) == (request_values, missing)


# "Variables and tags": the values compared are the substituted ones; a value with an unset variable drops out.
@pytest.mark.parametrize(
    ("values", "variables", "policy_values"),
    [
        (("home/${aws:username}/*",), True, ("home/alice/*",)),
        (("home/${aws:username}/*",), False, ("home/${aws:username}/*",)),
        (("${aws:PrincipalTag/none}", "x", "${*}"), True, ("x", "*")),
    ],
)
def test_policy_values_are_reported_after_substitution(values, variables, policy_values):
    context = normalise_context({"aws:username": "alice", "k": "x"})
    result = evaluate_condition(condition("StringLike", "K", values), context, variables)
    assert (result.operator, result.key, result.policy_values) == ("StringLike", "K", policy_values)


def test_evaluate_conditions_reports_every_condition_even_after_one_fails():
    conditions = (condition("StringEquals", "a", "1"), condition("StringEquals", "b", "2"))
    matched, results = evaluate_conditions(conditions, normalise_context({"b": "2"}), True)
    assert matched is False
    assert [result.matched for result in results] == [False, True]
