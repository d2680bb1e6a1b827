"""SimulateCustomPolicy's request and response shapes (IAM API Reference: SimulateCustomPolicy,
EvaluationResult, ResourceSpecificResult, Statement, PermissionsBoundaryDecisionDetail)."""

import json

import pytest

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.simulate import SimulationInputError, simulate_custom_policy


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ_REPORTS = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"})
DENY_SECRET = doc({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/secret*"})


def test_one_result_per_action_with_the_most_restrictive_decision_across_resources():
    response = simulate_custom_policy(
        {
            "PolicyInputList": [READ_REPORTS, DENY_SECRET],
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ResourceArns": ["arn:aws:s3:::reports/q1.csv", "arn:aws:s3:::reports/secret.txt"],
        }
    )
    get, put = response["EvaluationResults"]
    assert (get["EvalActionName"], get["EvalDecision"]) == ("s3:GetObject", "explicitDeny")
    assert [(r["EvalResourceName"], r["EvalResourceDecision"]) for r in get["ResourceSpecificResults"]] == [
        ("arn:aws:s3:::reports/q1.csv", "allowed"),
        ("arn:aws:s3:::reports/secret.txt", "explicitDeny"),
    ]
    assert get["MatchedStatements"] == [
        {
            "SourcePolicyId": "PolicyInputList.2",
            "SourcePolicyType": "none",
            "StartPosition": {"Line": 1, "Column": 42},
            "EndPosition": {"Line": 1, "Column": 121},
        }
    ]
    assert put["EvalDecision"] == "explicitDeny"
    q1_put = put["ResourceSpecificResults"][0]
    assert (q1_put["EvalResourceDecision"], q1_put["MatchedStatements"]) == ("implicitDeny", [])
    assert "because no identity-based policy allows the s3:PutObject action" in q1_put["Explanation"]["sentence"]


def test_single_resource_names_it_and_default_resource_is_star():
    response = simulate_custom_policy({"PolicyInputList": [READ_REPORTS], "ActionNames": ["s3:GetObject"]})
    (result,) = response["EvaluationResults"]
    assert result["EvalResourceName"] == "*"
    assert "EvalDecisionDetails" not in result
    assert result["EvalDecision"] == "implicitDeny"


def test_context_entries_and_missing_context_values():
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}, "Bool": {"aws:SecureTransport": "true"}},
        }
    )
    base = {"PolicyInputList": [policy], "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::b/k"]}
    (missing,) = simulate_custom_policy(base)["EvaluationResults"]
    assert missing["EvalDecision"] == "implicitDeny"
    assert set(missing["MissingContextValues"]) == {"aws:SourceIp", "aws:SecureTransport"}
    entries = [
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["192.0.2.10"], "ContextKeyType": "ip"},
        {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"},
    ]
    (allowed,) = simulate_custom_policy({**base, "ContextEntries": entries})["EvaluationResults"]
    assert allowed["EvalDecision"] == "allowed" and allowed["MissingContextValues"] == []
    assert allowed["EvalDecisionDetails"] == {}


def test_permissions_boundary_decision_detail():
    boundary = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    response = simulate_custom_policy(
        {
            "PolicyInputList": [doc({"Effect": "Allow", "Action": "*", "Resource": "*"})],
            "PermissionsBoundaryPolicyInputList": [boundary],
            "ActionNames": ["s3:GetObject", "ec2:RunInstances"],
        }
    )
    s3, ec2 = response["EvaluationResults"]
    assert s3["EvalDecision"] == "implicitDeny"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert ec2["EvalDecision"] == "allowed"
    assert ec2["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert {m["SourcePolicyId"] for m in ec2["MatchedStatements"]} == {
        "PolicyInputList.1",
        "PermissionsBoundaryPolicyInputList.1",
    }


def test_resource_policy_and_cross_account_caller():
    bucket_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::222222222222:user/bob"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::shared/*",
        }
    )
    base = {
        "PolicyInputList": [doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})],
        "ResourcePolicy": bucket_policy,
        "CallerArn": "arn:aws:iam::222222222222:user/bob",
        "ResourceOwner": "arn:aws:iam::111111111111:root",
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::shared/report.csv"],
    }
    (result,) = simulate_custom_policy(base)["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert {m["SourcePolicyType"] for m in result["MatchedStatements"]} == {"none", "resource"}
    (denied,) = simulate_custom_policy({**base, "CallerArn": "arn:aws:iam::222222222222:user/eve"})["EvaluationResults"]
    assert denied["EvalDecision"] == "implicitDeny"
    assert denied["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}


def test_policy_variables_use_the_caller():
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    response = simulate_custom_policy(
        {
            "PolicyInputList": [policy],
            "CallerArn": "arn:aws:iam::111111111111:user/alice",
            "ActionNames": ["s3:GetObject"],
            "ResourceArns": ["arn:aws:s3:::home/alice/a.txt", "arn:aws:s3:::home/bob/b.txt"],
        }
    )
    (result,) = response["EvaluationResults"]
    assert [r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]] == ["allowed", "implicitDeny"]


def test_malformed_policy_raises_with_the_policy_and_statement_named():
    with pytest.raises(MalformedPolicyDocument) as caught:
        simulate_custom_policy(
            {"PolicyInputList": [doc({"Action": "s3:*", "Resource": "*"})], "ActionNames": ["s3:GetObject"]}
        )
    assert "Effect" in str(caught.value) and "Statement 1" in str(caught.value)


@pytest.mark.parametrize(
    "data, words",
    [
        ([], "JSON object"),
        ({"ActionNames": ["s3:GetObject"]}, "PolicyInputList is required"),
        ({"PolicyInputList": [READ_REPORTS], "ActionNames": ["s3:GetObject"], "Foo": 1}, "unknown parameter(s): Foo"),
        ({"PolicyInputList": READ_REPORTS, "ActionNames": ["s3:GetObject"]}, "PolicyInputList must be a JSON list"),
        ({"PolicyInputList": [1], "ActionNames": ["s3:GetObject"]}, "list of strings"),
        (
            {
                "PolicyInputList": [READ_REPORTS],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [
                    {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["1.2.3.4"], "ContextKeyType": "ipv4"}
                ],
            },
            "ContextKeyType must be one of",
        ),
        (
            {"PolicyInputList": [READ_REPORTS], "ActionNames": ["s3:GetObject"], "ResourcePolicy": READ_REPORTS},
            "CallerArn is required",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data, words):
    with pytest.raises(SimulationInputError) as caught:
        simulate_custom_policy(data)
    assert words in str(caught.value)


def test_max_items_must_be_within_aws_bounds():
    """IAM API Reference, SimulateCustomPolicy: MaxItems is 1 to 1000."""
    with pytest.raises(SimulationInputError, match="between 1 and 1000"):
        simulate_custom_policy({"PolicyInputList": [READ_REPORTS], "ActionNames": ["s3:GetObject"], "MaxItems": 0})


def test_context_key_type_may_be_left_out():
    """IAM API Reference, ContextEntry: every member is optional; a value list without a type reads as strings."""
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}},
        }
    )
    entry = {"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": ["data"]}
    response = simulate_custom_policy(
        {"PolicyInputList": [policy], "ActionNames": ["s3:GetObject"], "ContextEntries": [entry]}
    )
    assert response["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_without_a_caller_arn_aws_username_is_a_missing_context_value():
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    response = simulate_custom_policy(
        {"PolicyInputList": [policy], "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::home/alice/a"]}
    )
    (result,) = response["EvaluationResults"]
    assert (result["EvalDecision"], result["MissingContextValues"]) == ("implicitDeny", ["aws:username"])


# IAM API Reference, SimulateCustomPolicy: CallerArn takes "only the ARN of an IAM user", never an assumed
# role, a federated user or a service principal; ResourceHandlingOption names one of the listed scenarios.
@pytest.mark.parametrize(
    "field, value, words",
    [
        ("CallerArn", "arn:aws:sts::111111111111:assumed-role/Dev/alice", "must be an IAM user ARN"),
        ("CallerArn", "arn:aws:sts::111111111111:federated-user/alice", "must be an IAM user ARN"),
        ("CallerArn", "arn:aws:iam::111111111111:role/Dev", "must be an IAM user ARN"),
        ("CallerArn", "arn:aws:iam::111111111111:root", "must be an IAM user ARN"),
        ("CallerArn", "ec2.amazonaws.com", "is not an IAM ARN"),
        ("ResourceHandlingOption", "EC2-VPC", "is not a simulation scenario"),
    ],
)
def test_caller_and_scenario_must_be_what_the_api_reference_lists(field, value, words):
    with pytest.raises(SimulationInputError) as caught:
        simulate_custom_policy({"PolicyInputList": [READ_REPORTS], "ActionNames": ["s3:GetObject"], field: value})
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "option", ["EC2-VPC-InstanceStore", "EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS", "EC2-VPC-EBS-Subnet"]
)
def test_every_documented_resource_handling_option_is_accepted(option):
    data = {"PolicyInputList": [READ_REPORTS], "ActionNames": ["ec2:RunInstances"], "ResourceHandlingOption": option}
    assert simulate_custom_policy(data)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


# IAM API Reference, SimulateCustomPolicy, ResourceOwner: the owner "of any simulated resource that does not
# identify its owner in the resource ARN" (an S3 bucket or object); a resource whose ARN names its account
# belongs to that account whatever ResourceOwner says.
@pytest.mark.parametrize(
    "resource, cross_account",
    [
        ("arn:aws:s3:::shared/report.csv", True),
        ("arn:aws:sqs:us-east-1:222222222222:jobs", False),
        ("arn:aws:sqs:us-east-1:111111111111:jobs", True),
    ],
)
def test_resource_owner_applies_only_to_arns_without_an_account(resource, cross_account):
    data = {
        "PolicyInputList": [doc({"Effect": "Allow", "Action": "*", "Resource": "*"})],
        "CallerArn": "arn:aws:iam::222222222222:user/bob",
        "ResourceOwner": "arn:aws:iam::111111111111:root",
        "ActionNames": ["sqs:SendMessage"],
        "ResourceArns": [resource],
    }
    (result,) = simulate_custom_policy(data)["EvaluationResults"]
    assert result["EvalDecision"] == ("implicitDeny" if cross_account else "allowed")
    assert ("IAM Policy" in result["EvalDecisionDetails"]) is cross_account


# AWS CLI Command Reference, simulate-custom-policy, examples 1 and 2: a DynamoDB policy that allows
# dynamodb:* only after 2018-08-16T12:00:00Z, with aws:CurrentTime given as a date context entry.
@pytest.mark.parametrize(
    "now, decision, matched",
    [("2019-04-25T11:00:00Z", "allowed", ["PolicyInputList.1"]), ("2014-04-25T11:00:00Z", "implicitDeny", [])],
)
def test_cli_reference_examples(now, decision, matched):
    policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    )
    entry = {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [now], "ContextKeyType": "date"}
    data = {"PolicyInputList": [policy], "ActionNames": ["dynamodb:CreateBackup"], "ContextEntries": [entry]}
    (result,) = simulate_custom_policy(data)["EvaluationResults"]
    assert (result["EvalActionName"], result["EvalResourceName"]) == ("dynamodb:CreateBackup", "*")
    assert (result["EvalDecision"], result["MissingContextValues"]) == (decision, [])
    assert [s["SourcePolicyId"] for s in result["MatchedStatements"]] == matched
    if matched:
        (statement,) = result["MatchedStatements"]
        assert (statement["StartPosition"], statement["EndPosition"]) == (
            {"Line": 1, "Column": 38},
            {"Line": 1, "Column": 167},
        )
