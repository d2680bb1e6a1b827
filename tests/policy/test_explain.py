"""Decisions explain themselves.

Sentences follow AWS's enhanced AccessDenied messages (IAM User Guide,
"Troubleshoot access denied error messages"); statement positions follow
the IAM API Reference's Statement/Position types.
"""

import json

import pytest

from simulator.policy import explain
from simulator.policy.evaluate import evaluate
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import make_request
from tests.policy.helpers import allow, deny, policy, role_session, root, user

OBJECT = "arn:aws:s3:::reports/q1.csv"
ALICE = "arn:aws:iam::123456789012:user/alice"


def decide(principal, action, resource=OBJECT, context=None, **policies):
    return evaluate(make_request(principal, action, resource, context or {}), PolicySet(**policies))


@pytest.mark.parametrize(
    "policies, expected",
    [
        (
            {"identity": [policy(allow("ec2:*"))]},
            f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
            "because no identity-based policy allows the s3:GetObject action",
        ),
        (
            {
                "identity": [
                    policy(allow("s3:*"), deny("s3:GetObject"), policy_id="arn:aws:iam::123456789012:policy/NoGet")
                ]
            },
            f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
            "with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoGet",
        ),
        (
            {
                "identity": [policy(allow("s3:*"))],
                "permissions_boundary": [policy(allow("ec2:*"), kind=PolicyType.PERMISSIONS_BOUNDARY)],
            },
            f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
            "because no permissions boundary allows the s3:GetObject action",
        ),
        (
            {
                "identity": [policy(allow("s3:*"))],
                "service_control": [[policy(allow("ec2:*"), kind=PolicyType.SERVICE_CONTROL)]],
            },
            f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
            "because no service control policy allows the s3:GetObject action",
        ),
        (
            {"identity": [policy({"Sid": "ReadReports", **allow("s3:GetObject")}, policy_id="Reports")]},
            f"User: {ALICE} is allowed to perform: s3:GetObject on resource: {OBJECT} "
            'because an identity-based policy allows it (statement 1 "ReadReports" of Reports)',
        ),
    ],
)
def test_sentence_in_the_style_of_enhanced_access_denied_messages(policies, expected):
    decision = decide(user(account="123456789012"), "s3:GetObject", **policies)
    assert explain.sentence(decision) == expected


def test_an_allowed_cross_account_request_names_both_sides():
    """Across accounts the identity-based policy and the resource-based policy must both allow ("Cross-account
    policy evaluation logic"), so the sentence names both Allows."""
    bucket_policy = policy(
        {"Sid": "Partner", **allow("s3:GetObject", OBJECT), "Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        kind=PolicyType.RESOURCE,
        policy_id="reports",
    )
    request = make_request(user(account="123456789012"), "s3:GetObject", OBJECT, {}, "999988887777")
    identity = [policy(allow("s3:GetObject"), policy_id="Reports")]
    decision = evaluate(request, PolicySet(identity, resource=bucket_policy))
    assert explain.sentence(decision) == (
        f"User: {ALICE} is allowed to perform: s3:GetObject on resource: {OBJECT} because an identity-based policy "
        'allows it (statement 1 of Reports) and a resource-based policy allows it too (statement 1 "Partner" of '
        "reports), as access across accounts needs both"
    )


def test_root_user_sentence_says_why_it_is_allowed():
    decision = decide(root("123456789012"), "s3:GetObject")
    assert explain.sentence(decision).endswith("because the root user has complete access to its own account")


def test_assumed_role_sessions_are_named_by_their_session_arn():
    decision = decide(role_session(account="123456789012"), "s3:GetObject")
    assert explain.sentence(decision).startswith(
        "User: arn:aws:sts::123456789012:assumed-role/Dev/s1 is not authorized"
    )


def test_implicit_deny_names_the_closest_statements_and_what_stopped_each():
    identity = [
        policy(
            {"Sid": "OtherService", **allow("ec2:DescribeInstances")},
            {"Sid": "WrongBucket", **allow("s3:GetObject", "arn:aws:s3:::archive/*")},
            {
                "Sid": "NeedsTag",
                **allow("s3:GetObject", OBJECT, Condition={"StringEquals": {"aws:PrincipalTag/team": "data"}}),
            },
            policy_id="Team",
        )
    ]
    decision = decide(user(), "s3:GetObject", identity=identity, context={"aws:PrincipalTag/team": "web"})
    assert decision.result == "implicitDeny"
    assert [e.sid for e in decision.closest] == ["NeedsTag", "WrongBucket", "OtherService"]
    assert [e.stopped_by for e in decision.closest] == ["condition", "resource", "action"]
    words = explain.trace(decision)["closest"]
    assert "web" in words[0] and "data" in words[0]
    assert "arn:aws:s3:::archive/*" in words[1]
    assert "s3:GetObject is not in Action (ec2:DescribeInstances)" in words[2]


def test_missing_context_keys_are_reported():
    condition = {"StringEquals": {"aws:PrincipalTag/team": "data"}, "Bool": {"aws:SecureTransport": "true"}}
    identity = [policy(allow("s3:GetObject", OBJECT, Condition=condition))]
    decision = decide(user(), "s3:GetObject", identity=identity)
    assert decision.result == "implicitDeny"
    assert "aws:PrincipalTag/team" in decision.missing_context_values


def test_matched_statement_positions_point_at_the_statement_text():
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}\n  ]\n}'
    )
    identity = [parse_policy(text, PolicyType.IDENTITY, policy_id="p")]
    decision = decide(user(), "s3:GetObject", identity=identity)
    (matched,) = decision.matched
    assert (matched.span.start.line, matched.span.start.column) == (4, 5)
    assert (matched.span.end.line, matched.span.end.column) == (4, 58)
    lines = text.splitlines()
    assert lines[3][matched.span.start.column - 1] == "{" and lines[3][matched.span.end.column - 1] == "}"


def test_trace_lists_every_statement_and_every_stage_and_is_json():
    identity = [policy(allow("s3:GetObject"), allow("ec2:*"), deny("iam:*"))]
    decision = decide(user(), "s3:GetObject", identity=identity)
    trace = explain.trace(decision)
    json.dumps(trace)
    assert len(trace["statements"]) == 3
    assert [s["stage"] for s in trace["stages"]][:2] == ["explicit-deny", "resource-control-policies"]
    assert trace["decision"] == "allowed"
    assert {s["applies"] for s in trace["statements"]} == {True, False}


def test_condition_results_carry_operator_values_and_outcome():
    identity = [
        policy(allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}))
    ]
    decision = decide(user(), "s3:GetObject", identity=identity, context={"aws:SourceIp": "198.51.100.1"})
    (evaluation,) = decision.evaluations
    (result,) = evaluation.conditions
    assert (result.operator, result.key, result.matched) == ("IpAddress", "aws:SourceIp", False)
    assert result.policy_values == ("192.0.2.0/24", "203.0.113.0/24")
    assert result.request_values == ("198.51.100.1",)


@pytest.mark.parametrize(
    "resource_pattern, context, missing",
    [
        ("arn:aws:s3:::home/${aws:username}/*", {}, ("aws:username",)),
        ("arn:aws:s3:::home/${aws:username}/*", {"aws:username": "alice"}, ()),
        ("arn:aws:s3:::t/${aws:PrincipalTag/team, 'none'}/*", {}, ()),
    ],
)
def test_policy_variables_without_a_value_are_missing_context_values(resource_pattern, context, missing):
    """IAM API Reference, EvaluationResult: MissingContextValues lists keys the policies need and the request
    lacks; "Policy variables" — a variable with no value (and no default) leaves its statement unmatched."""
    identity = [policy(allow("s3:GetObject", resource_pattern))]
    decision = decide(user(), "s3:GetObject", "arn:aws:s3:::home/alice/a.txt", context=context, identity=identity)
    assert decision.missing_context_values == missing
