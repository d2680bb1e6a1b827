"""AWS's documented condition semantics, one worked example or table row a line.

Sources (IAM User Guide): "IAM JSON policy elements: Condition operators";
"Conditions with multiple context keys or values"; "Single-valued vs.
multivalued context keys" with its "Multivalued context key examples" and
"Single-valued context key policy examples"; the earlier "Creating a condition
that tests multiple key values (set operations)". A deny example is evaluated
beside an allow-everything statement, so "Match" reads explicitDeny and
"No match" allowed; an allow example reads allowed / implicitDeny.
"""

import pytest

from tests.policy.documented import decide
from tests.policy.helpers import allow, deny, user

ALICE = user("alice", "123456789012")
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/file.txt"
EVERYTHING = allow("*")


def allowed_if(condition, context, action="s3:GetObject", resource=OBJECT):
    """The decision when an Allow statement carries ``condition``."""
    return decide(ALICE, action, resource, identity=[allow(action, resource, Condition=condition)], context=context)


def denied_if(condition, context, action="s3:GetObject", resource=OBJECT):
    """The decision when a Deny statement carries ``condition`` beside an allow-everything statement."""
    statements = [EVERYTHING, deny(action, resource, Condition=condition)]
    return decide(ALICE, action, resource, identity=statements, context=context)


JOB = {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}
PREFIX = {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}}


# "Condition operators", string operators: exact and case-sensitive unless IgnoreCase; StringLike needs a
# wildcard for a partial match; a key absent from the request makes the condition false, and a negated
# operator true; policy variables work with string operators (the s3:prefix "home directory" example).
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        (JOB, {"aws:PrincipalTag/job-category": "iamuser-admin"}, "allowed"),
        (JOB, {"aws:PrincipalTag/job-category": "developer"}, "implicitDeny"),
        (JOB, {}, "implicitDeny"),
        (JOB, {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}, "implicitDeny"),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
         {"aws:PrincipalTag/job-category": "IAMUser-Admin"}, "allowed"),
        ({"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {}, "allowed"),
        ({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
         {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}, "implicitDeny"),
        ({"StringNotLike": {"aws:PrincipalTag/job-category": "iamuser-*"}}, {}, "allowed"),
        ({"StringLike": {"s3:prefix": "home"}}, {"s3:prefix": "home/alice/"}, "implicitDeny"),
        ({"StringLike": {"s3:prefix": "home*"}}, {"s3:prefix": "home/alice/"}, "allowed"),
        ({"StringLike": {"s3:prefix": "home/?lice/"}}, {"s3:prefix": "home/alice/"}, "allowed"),
        ({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/"}, "implicitDeny"),
        ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "HOME/alice/"}, "implicitDeny"),
        ({"StringNotEqualsIfExists": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {}, "allowed"),
        (PREFIX, {"s3:prefix": "", "aws:username": "alice"}, "allowed"),
        (PREFIX, {"s3:prefix": "home/", "aws:username": "alice"}, "allowed"),
        (PREFIX, {"s3:prefix": "home/alice/", "aws:username": "alice"}, "allowed"),
        (PREFIX, {"s3:prefix": "home/bob/", "aws:username": "alice"}, "implicitDeny"),
        ({"StringEquals": {"AWS:PrincipalTag/Job-Category": "iamuser-admin"}},
         {"aws:principaltag/job-category": "iamuser-admin"}, "allowed"),
    ],
)
def test_string_condition_operators(condition, context, expected):
    assert allowed_if(condition, context, "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket") == expected


MAX_KEYS = {"NumericLessThanEquals": {"s3:max-keys": "10"}}
ISSUED_2020 = {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
NEW_YEAR = "2020-01-01T00:00:00Z"


# "Condition operators", numeric and date operators: s3:max-keys "up to 10"; credentials issued after
# 2020-01-01T00:00:01Z; dates in W3C ISO 8601 form or epoch time, never wildcards; a missing key does not match.
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        (MAX_KEYS, {"s3:max-keys": "10"}, "allowed"),
        (MAX_KEYS, {"s3:max-keys": "8"}, "allowed"),
        (MAX_KEYS, {"s3:max-keys": "11"}, "implicitDeny"),
        (MAX_KEYS, {}, "implicitDeny"),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, "allowed"),
        ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, "implicitDeny"),
        ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, "implicitDeny"),
        ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, "allowed"),
        ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, "implicitDeny"),
        (ISSUED_2020, {"aws:TokenIssueTime": "2020-06-30T12:00:00Z"}, "allowed"),
        (ISSUED_2020, {"aws:TokenIssueTime": "2019-12-31T23:59:59Z"}, "implicitDeny"),
        (ISSUED_2020, {}, "implicitDeny"),
        ({"DateEquals": {"aws:CurrentTime": "2020-*"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, "implicitDeny"),
        ({"DateLessThan": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": "2019-06-01T00:00:00Z"}, "allowed"),
        ({"DateGreaterThan": {"aws:EpochTime": "1577836801"}}, {"aws:EpochTime": "1600000000"}, "allowed"),
        ({"DateEquals": {"aws:CurrentTime": NEW_YEAR}}, {"aws:CurrentTime": NEW_YEAR}, "allowed"),
        ({"DateNotEquals": {"aws:CurrentTime": NEW_YEAR}}, {}, "allowed"),
    ],
)
def test_numeric_and_date_condition_operators(condition, context, expected):
    assert allowed_if(condition, context, "s3:ListBucket", "arn:aws:s3:::example_bucket") == expected


SSL_ONLY = {"Bool": {"aws:SecureTransport": "false"}}
BINARY = {"BinaryEquals": {"custom:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}


# "Condition operators", Boolean and binary operators: the BooleanExample denies S3 over plain HTTP (a
# deny-only policy, here beside an allow-everything statement); BinaryEquals compares base-64 values.
@pytest.mark.parametrize(
    "effect, condition, context, expected",
    [
        (denied_if, SSL_ONLY, {"aws:SecureTransport": "false"}, "explicitDeny"),
        (denied_if, SSL_ONLY, {"aws:SecureTransport": "true"}, "allowed"),
        (denied_if, SSL_ONLY, {}, "allowed"),
        (allowed_if, BINARY, {"custom:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, "allowed"),
        (allowed_if, BINARY, {"custom:key": "T3RoZXJWYWx1ZQ=="}, "implicitDeny"),
        (allowed_if, BINARY, {}, "implicitDeny"),
    ],
)
def test_boolean_and_binary_condition_operators(effect, condition, context, expected):
    assert effect(condition, context) == expected


SOURCE_IP = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
OUTSIDE_RANGE = {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
MIXED_IP = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}


# "Condition operators", IP address operators: CIDR ranges of IPv4 and IPv6; an address without a prefix
# means /32; aws:SourceIp is absent behind a VPC endpoint, so IpAddress is false and NotIpAddress true.
@pytest.mark.parametrize(
    "effect, condition, context, expected",
    [
        (allowed_if, SOURCE_IP, {"aws:SourceIp": "203.0.113.7"}, "allowed"),
        (allowed_if, SOURCE_IP, {"aws:SourceIp": "198.51.100.7"}, "implicitDeny"),
        (allowed_if, SOURCE_IP, {}, "implicitDeny"),
        (allowed_if, MIXED_IP, {"aws:SourceIp": "2001:db8:1234:5678::1"}, "allowed"),
        (allowed_if, MIXED_IP, {"aws:SourceIp": "2001:db8:1234:5679::1"}, "implicitDeny"),
        (allowed_if, {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"}, "allowed"),
        (allowed_if, {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.6"}, "implicitDeny"),
        (denied_if, OUTSIDE_RANGE, {"aws:SourceIp": "198.51.100.7"}, "explicitDeny"),
        (denied_if, OUTSIDE_RANGE, {"aws:SourceIp": "203.0.113.7"}, "allowed"),
        (denied_if, OUTSIDE_RANGE, {}, "explicitDeny"),
    ],
)
def test_ip_address_condition_operators(effect, condition, context, expected):
    assert effect(condition, context) == expected


FINANCE = "arn:aws:someservice:*:111122223333:finance/*"
ODD_ARN = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
TOPIC = "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"
FROM_TOPIC = {"ArnEquals": {"aws:SourceArn": TOPIC}}


# "Condition operators", ARN operators: each of the six colon-separated parts is matched separately, so
# the documented StringLike / ArnLike pair differ; ArnEquals and ArnLike behave identically and are
# case-sensitive; aws:SourceArn is absent when a user calls directly, so the condition is false.
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        ({"StringLike": {"aws:SourceArn": FINANCE}}, {"aws:SourceArn": ODD_ARN}, "allowed"),
        ({"ArnLike": {"aws:SourceArn": FINANCE}}, {"aws:SourceArn": ODD_ARN}, "implicitDeny"),
        (FROM_TOPIC, {"aws:SourceArn": TOPIC}, "allowed"),
        (FROM_TOPIC, {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:OTHER-TOPIC"}, "implicitDeny"),
        (FROM_TOPIC, {}, "implicitDeny"),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": TOPIC}, "allowed"),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": TOPIC}, "allowed"),
        ({"ArnLike": {"aws:SourceArn": TOPIC.lower()}}, {"aws:SourceArn": TOPIC}, "implicitDeny"),
        ({"ArnNotEquals": {"aws:SourceArn": TOPIC}}, {}, "allowed"),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": TOPIC}, "implicitDeny"),
    ],
)
def test_arn_condition_operators(condition, context, expected):
    assert allowed_if(condition, context, "sqs:SendMessage", "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID") == expected


INSTANCE_TYPES = ["t1.*", "t2.*", "m3.*"]
IF_TYPE_EXISTS = {"StringLikeIfExists": {"ec2:InstanceType": INSTANCE_TYPES}}
TOKEN = {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}
TEAM_UNLESS_ADMINS = {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "admins"}}


# "Condition operators", ...IfExists and Null: IfExists treats a missing key as true ("If the key is not
# present, evaluate the condition element as true"), so a Deny with StringNotEqualsIfExists still denies
# when the tag is missing; Null true means the key is absent, false that it is present.
@pytest.mark.parametrize(
    "effect, condition, context, expected",
    [
        (allowed_if, IF_TYPE_EXISTS, {"ec2:InstanceType": "t2.micro"}, "allowed"),
        (allowed_if, IF_TYPE_EXISTS, {"ec2:InstanceType": "m4.large"}, "implicitDeny"),
        (allowed_if, IF_TYPE_EXISTS, {}, "allowed"),
        (allowed_if, {"StringLike": {"ec2:InstanceType": INSTANCE_TYPES}}, {}, "implicitDeny"),
        (allowed_if, {"NumericLessThanEqualsIfExists": {"s3:max-keys": "10"}}, {}, "allowed"),
        (allowed_if, {"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.7"},
         "implicitDeny"),
        (denied_if, TEAM_UNLESS_ADMINS, {}, "explicitDeny"),
        (denied_if, TEAM_UNLESS_ADMINS, {"aws:PrincipalTag/team": "admins"}, "allowed"),
        (denied_if, TEAM_UNLESS_ADMINS, {"aws:PrincipalTag/team": "dev"}, "explicitDeny"),
        (allowed_if, {"Null": {"aws:TokenIssueTime": "true"}}, {}, "allowed"),
        (allowed_if, {"Null": {"aws:TokenIssueTime": "true"}}, TOKEN, "implicitDeny"),
        (allowed_if, {"Null": {"aws:TokenIssueTime": "false"}}, TOKEN, "allowed"),
        (allowed_if, {"Null": {"aws:TokenIssueTime": "false"}}, {}, "implicitDeny"),
    ],
)
def test_if_exists_and_null(effect, condition, context, expected):
    assert effect(condition, context, "ec2:RunInstances", "*") == expected


TAGS = {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]}
PEOPLE = ["arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]
BOTH = {"StringEquals": TAGS, "ArnLike": {"aws:PrincipalArn": PEOPLE}}
NEGATED = {"StringEquals": TAGS, "ArnNotLike": {"aws:PrincipalArn": PEOPLE}}
MARY, NIKKI = "arn:aws:iam::222222222222:user/Mary", "arn:aws:iam::222222222222:user/Nikki"


def ctx(department=None, role=None, arn=None):
    keys = {"aws:PrincipalTag/department": department, "aws:PrincipalTag/role": role, "aws:PrincipalArn": arn}
    return {key: value for key, value in keys.items() if value is not None}


# "Conditions with multiple context keys or values": operators and keys are AND'd, the values of one key
# OR'd, and the values of a negated operator NOR'd. Both documented tables, row by row, for the bucket
# policy that names account 222222222222 (here evaluated for a request from that account).
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        (BOTH, ctx("legal", "audit", MARY), "allowed"),
        (BOTH, ctx("hr", "audit", NIKKI), "implicitDeny"),
        (BOTH, ctx("hr", "payroll", MARY), "implicitDeny"),
        (BOTH, ctx("hr", None, MARY), "implicitDeny"),
        (BOTH, ctx(None, None, MARY), "implicitDeny"),
        (NEGATED, ctx("legal", "audit", NIKKI), "allowed"),
        (NEGATED, ctx("hr", "audit", MARY), "implicitDeny"),
        (NEGATED, ctx("hr", "payroll", NIKKI), "implicitDeny"),
        (NEGATED, ctx("hr", None, NIKKI), "implicitDeny"),
        (NEGATED, ctx(None, None, NIKKI), "implicitDeny"),
        ({"StringNotEquals": {"aws:PrincipalTag/role": ["audit", "security"]}}, ctx(role="audit"), "implicitDeny"),
        ({"StringNotEquals": {"aws:PrincipalTag/role": ["audit", "security"]}}, ctx(role="security"), "implicitDeny"),
        ({"StringNotEquals": {"aws:PrincipalTag/role": ["audit", "security"]}}, ctx(role="payroll"), "allowed"),
    ],
)
def test_multiple_context_keys_or_values(condition, context, expected):
    bucket_policy = [
        allow("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", Sid="ExamplePolicy",
              Principal={"AWS": "arn:aws:iam::222222222222:root"}, Condition=condition)
    ]
    principal = user(context.get("aws:PrincipalArn", NIKKI).rsplit("/", 1)[1], "222222222222")
    result = decide(
        principal, "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", identity=[allow("s3:ListBucket")],
        resource_policy=bucket_policy, context=context, resource_account="111111111111",
    )
    assert result == expected


KEY1 = {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}
KEY1_OR_2 = {"ForAllValues:StringNotLike": {"aws:TagKeys": ["key1*", "key2*"]}}
WEBSERVER = {"ForAnyValue:StringEquals": {"aws:TagKeys": "webserver"}}


# "Multivalued context key examples": the three deny policies and every row of their tables ("For a Deny
# statement, Match is Denied and No match is Not denied"); ForAllValues matches when the key is missing,
# ForAnyValue does not.
@pytest.mark.parametrize(
    "condition, action, tag_keys, expected",
    [
        (KEY1, "iam:TagUser", ["key1:legal"], "allowed"),
        (KEY1, "iam:TagUser", ["key1:hr", "key1:personnel"], "allowed"),
        (KEY1, "iam:TagUser", ["key2:audit"], "explicitDeny"),
        (KEY1, "iam:TagUser", None, "explicitDeny"),
        (KEY1_OR_2, "iam:UntagRole", ["key1:legal"], "allowed"),
        (KEY1_OR_2, "iam:UntagRole", ["key1:hr", "key1:personnel"], "allowed"),
        (KEY1_OR_2, "iam:UntagRole", ["key1:hr", "key2:audit"], "allowed"),
        (KEY1_OR_2, "iam:UntagRole", ["key3:legal"], "explicitDeny"),
        (KEY1_OR_2, "iam:UntagRole", None, "explicitDeny"),
        (WEBSERVER, "ec2:CreateSnapshot", ["webserver"], "explicitDeny"),
        (WEBSERVER, "ec2:CreateSnapshots", ["environment", "webserver", "test"], "explicitDeny"),
        (WEBSERVER, "ec2:CreateSnapshot", ["environment", "test"], "allowed"),
        (WEBSERVER, "ec2:CreateSnapshot", None, "allowed"),
    ],
)
def test_multivalued_context_key_examples(condition, action, tag_keys, expected):
    if action.startswith("ec2"):
        statement = deny(["ec2:CreateSnapshot", "ec2:CreateSnapshots"], "arn:aws:ec2:us-west-2::snapshot/*",
                         Condition=condition)
        resource = "arn:aws:ec2:us-west-2::snapshot/snap-0123"
    else:
        statement = deny(["iam:Tag*", "iam:UnTag*"], ["*"], Sid="DenyRestrictedTags", Condition=condition)
        resource = "arn:aws:iam::123456789012:user/bob"
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert decide(ALICE, action, resource, identity=[EVERYTHING, statement], context=context) == expected


THREAD = "arn:aws:dynamodb:us-east-1:123456789012:table/Thread"
ONLY_THESE = {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}}
NOT_THESE = {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}}
GUARDED = {**ONLY_THESE, "Null": {"dynamodb:requestedAttributes": "false"}}


# "Creating a condition that tests multiple key values (set operations)" (the DynamoDB Thread table) and
# "Single-valued vs. multivalued context keys": ForAllValues needs every requested value in the policy and is
# true for an empty or missing set, ForAnyValue needs one and is false for them; a Null check "false" stops
# a missing key from satisfying ForAllValues. ForAllValues "also returns true if ... the key values resolve to
# a null data set, such as an empty string".
@pytest.mark.parametrize(
    "effect, action, condition, attributes, expected",
    [
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, ["PostDateTime", "Message"], "allowed"),
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, ["PostDateTime", "UserName"], "implicitDeny"),
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, ["ID", "Message"], "implicitDeny"),
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, [], "allowed"),
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, None, "allowed"),
        (allowed_if, "dynamodb:GetItem", GUARDED, None, "implicitDeny"),
        (allowed_if, "dynamodb:GetItem", GUARDED, ["Tags"], "allowed"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, ["PostDateTime", "Message"], "explicitDeny"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, ["UserName"], "allowed"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, ["UserName", "Message", "PostDateTime"], "explicitDeny"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, [], "allowed"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, None, "allowed"),
        (allowed_if, "dynamodb:GetItem", ONLY_THESE, "", "allowed"),
        (denied_if, "dynamodb:PutItem", NOT_THESE, "", "allowed"),
    ],
)
def test_set_operators(effect, action, condition, attributes, expected):
    context = {} if attributes is None else {"dynamodb:requestedAttributes": attributes}
    assert effect(condition, context, action, THREAD) == expected


CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/"
ECS = {
    "StringEquals": {"aws:RequestTag/environment": ["production", "prod-backup"]},
    "ArnEquals": {"ecs:cluster": [f"{CLUSTER}default1", f"{CLUSTER}default2"]},
}


# "Single-valued context key policy examples": one condition block with several single-valued keys and
# values (the ECS table, row by row).
@pytest.mark.parametrize(
    "context, expected",
    [
        ({"aws:RequestTag/environment": "production", "ecs:cluster": f"{CLUSTER}default1"}, "allowed"),
        ({"aws:RequestTag/environment": "prod-backup", "ecs:cluster": f"{CLUSTER}default2"}, "allowed"),
        ({"aws:RequestTag/webserver": "production", "ecs:cluster": f"{CLUSTER}default2"}, "implicitDeny"),
        ({"ecs:cluster": f"{CLUSTER}default2"}, "implicitDeny"),
    ],
)
def test_single_valued_keys_in_one_block(context, expected):
    statement = allow(["ecs:RunTask", "ecs:StartTask"], ["*"], Condition=ECS)
    assert decide(ALICE, "ecs:RunTask", identity=[statement], context=context) == expected


VOLUMES = [
    allow("ec2:CreateVolume"),
    allow("ec2:CreateTags", "arn:aws:ec2:us-east-1:123456789012:volume/*",
          Condition={"StringLike": {"aws:RequestTag/project": "*"}}),
    allow("ec2:CreateTags", "arn:aws:ec2:us-east-1:123456789012:*/*",
          Condition={"StringNotEquals": {"aws:ResourceTag/environment": "production"}}),
]


# "Single-valued context key policy examples": multiple condition blocks; the documented volume with
# project Feature3 and environment QA is created and tagged.
@pytest.mark.parametrize(
    "action, context, expected",
    [
        ("ec2:CreateVolume", {}, "allowed"),
        ("ec2:CreateTags", {"aws:RequestTag/project": "Feature3", "aws:ResourceTag/environment": "QA"}, "allowed"),
        ("ec2:CreateTags", {"aws:ResourceTag/environment": "production"}, "implicitDeny"),
    ],
)
def test_single_valued_keys_in_several_blocks(action, context, expected):
    volume = "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123"
    assert decide(ALICE, action, volume, identity=VOLUMES, context=context) == expected
