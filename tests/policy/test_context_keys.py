"""The context keys policies use. IAM API Reference, "GetContextKeysForPrincipalPolicy" and
"GetContextKeysForCustomPolicy" (with the AWS CLI Command Reference's examples for both); policy variables
from the IAM User Guide, "IAM policy elements: Variables and tags"."""

from __future__ import annotations

import pytest

from simulator.policy.context_keys import context_keys, variable_keys
from simulator.policy.model import PolicyType

from .helpers import allow, deny, policy

AFTER_AUGUST = {"DateGreaterThan": {"aws:CurrentTime": "2015-08-16T12:00:00Z"}}
OWN_TABLE = "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}"


def test_the_documented_example_lists_the_variable_then_the_condition_key():
    """The CLI reference's get-context-keys-for-custom-policy example, output as AWS prints it."""
    found = context_keys([policy(allow("dynamodb:*", OWN_TABLE, Condition=AFTER_AUGUST))])
    assert found == ("aws:username", "aws:CurrentTime")


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([allow()], ()),
        ([allow(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})], ("aws:RequestedRegion",)),
        ([allow(Condition={"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}})], ("aws:TagKeys",)),
        (
            [
                allow(
                    Condition={
                        "Bool": {"aws:MultiFactorAuthPresent": "true"},
                        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    }
                )
            ],
            ("aws:MultiFactorAuthPresent", "aws:SourceIp"),
        ),
        (
            [allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}})],
            ("s3:prefix", "aws:username"),
        ),
        (
            [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::${aws:PrincipalTag/team}"}],
            ("aws:PrincipalTag/team",),
        ),
        ([allow(resource="arn:aws:s3:::b/${aws:userid, 'nobody'}")], ("aws:userid",)),
        ([allow(resource="arn:aws:s3:::b/${*}${?}${$}")], ()),
        (
            [
                deny(Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}),
                allow(Condition={"StringEquals": {"AWS:REQUESTEDREGION": "eu-west-1"}}),
            ],
            ("aws:RequestedRegion",),
        ),
    ],
)
def test_condition_keys_and_policy_variables_are_listed_once_in_written_order(statements, expected):
    assert context_keys([policy(*statements)]) == expected


def test_a_2008_policy_substitutes_no_variables_so_uses_no_variable_keys():
    """ "IAM policy elements: Version": variables are literal text under 2008-10-17."""
    old = policy(allow(resource=OWN_TABLE, Condition=AFTER_AUGUST), version="2008-10-17")
    assert context_keys([old]) == ("aws:CurrentTime",)


def test_keys_of_every_policy_given_are_listed_once_across_policies():
    """GetContextKeysForPrincipalPolicy: a user's own policies and its groups' policies together."""
    own = policy(allow(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    groups = policy(allow(resource=OWN_TABLE), allow(Condition={"StringEquals": {"aws:requestedregion": "x"}}))
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "42"}},
        },
        kind=PolicyType.TRUST,
    )
    assert context_keys([own, groups, trust]) == ("aws:RequestedRegion", "aws:username", "sts:ExternalId")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", ()),
        ("${aws:username}", ("aws:username",)),
        ("${ aws:username }/${aws:PrincipalTag/team}", ("aws:username", "aws:PrincipalTag/team")),
        ("${aws:username,'anon'}", ("aws:username",)),
        ("${}", ()),
    ],
)
def test_variable_keys(text, expected):
    assert variable_keys(text) == expected
