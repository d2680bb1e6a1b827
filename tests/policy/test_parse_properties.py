"""Whatever text a learner types, the parser answers with a Policy or MalformedPolicyDocument.

The sandbox parses on every edit, so nothing may escape as a crash: not
RecursionError, KeyError, TypeError or a JSON library error. Element names and
values come from the "IAM JSON policy element reference" and "IAM JSON policy
elements: Condition operators" pages.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy

FAST = settings(max_examples=300, deadline=None, database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
# Wrong-typed element values only need to be small to reach every type check.
odd_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=5), children, max_size=2),
    max_leaves=4,
)
policy_types = st.sampled_from(PolicyType)

principal_values = st.sampled_from([
    "*", "111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:group/Dev",
    "arn:aws:iam::111122223333:user/*", "ec2.amazonaws.com", "accounts.google.com", "",
])
strings_or_lists = lambda values: values | st.lists(values, max_size=3)  # noqa: E731
element_values = {
    "Sid": st.sampled_from(["", "ReadOnly", "Read Only", "1"]) | odd_values,
    "Effect": st.sampled_from(["Allow", "Deny", "allow", ""]) | odd_values,
    "Action": strings_or_lists(st.sampled_from(["*", "s3:GetObject", "s3:*", "s3GetObject", "s3:a:b", "*:x", ""])),
    "NotAction": strings_or_lists(st.sampled_from(["iam:*", "s3:Get*"])) | odd_values,
    "Resource": strings_or_lists(st.sampled_from(["*", "arn:aws:s3:::bucket/*", "bucket", ""])) | odd_values,
    "NotResource": strings_or_lists(st.sampled_from(["arn:aws:s3:::logs/*", "*"])),
    "Principal": st.sampled_from(["*"]) | st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "aws", "User"]),
        strings_or_lists(principal_values), max_size=3) | odd_values,
    "NotPrincipal": st.dictionaries(st.sampled_from(["AWS", "Service"]), strings_or_lists(principal_values)),
    "Condition": st.dictionaries(
        st.sampled_from(["StringEquals", "ForAnyValue:StringLike", "NullIfExists", "Bool", "BoolIfExists", "Nope"]),
        st.dictionaries(st.sampled_from(["aws:username", "s3:prefix", "username", ""]),
                        odd_values, max_size=2) | odd_values,
        max_size=3) | odd_values,
    "Unknown": odd_values,
}
statements = st.fixed_dictionaries({}, optional=element_values)
policies = st.fixed_dictionaries(
    {"Statement": st.lists(statements, max_size=3) | statements | odd_values},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2012-10-18"]) | odd_values,
              "Id": odd_values},
)


def parses_or_is_malformed(text: str, policy_type: PolicyType) -> None:
    try:
        result = parse_policy(text, policy_type)
    except MalformedPolicyDocument as error:
        assert error.errors and all(e.message for e in error.errors)
        assert str(error) and error.message
    else:
        assert isinstance(result, Policy)
        assert result.text == text


@FAST
@given(st.text(), policy_types)
def test_arbitrary_text_never_crashes(text, policy_type):
    parses_or_is_malformed(text, policy_type)


@FAST
@given(json_values, policy_types)
def test_arbitrary_json_never_crashes(value, policy_type):
    parses_or_is_malformed(json.dumps(value), policy_type)


@FAST
@given(policies, policy_types, st.sampled_from([None, 2]))
def test_policy_shaped_documents_never_crash(document, policy_type, indent):
    parses_or_is_malformed(json.dumps(document, indent=indent), policy_type)


@FAST
@given(policies, st.integers(min_value=0, max_value=400))
def test_truncated_documents_never_crash(document, cut):
    parses_or_is_malformed(json.dumps(document, indent=2)[:cut], PolicyType.RESOURCE)
