"""`python manage.py simulate_custom_policy --cli-input-json FILE`, from the outside.

Input is shaped like `aws iam simulate-custom-policy --generate-cli-skeleton` (AWS CLI Command Reference:
simulate-custom-policy); the output is AWS's response (IAM API Reference: SimulateCustomPolicy,
EvaluationResult, ResourceSpecificResult, Statement, Position, PermissionsBoundaryDecisionDetail,
ContextEntry) plus the sandbox's own `Explanation`, whose sentence follows the IAM User Guide's
"Troubleshoot access denied error messages". Exit codes: 0 answered; 1 a policy IAM would refuse, printed
as the IAM API's error response ({"Error": {"Code": "MalformedPolicyDocument", "Message": ...}}); 2 input
the command cannot use, explained on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob"
Q1 = "arn:aws:s3:::reports/q1.csv"
SECRET = "arn:aws:s3:::reports/secret/plan.txt"

# IAM API Reference: the valid values of PolicyEvaluationDecisionType and PolicySourceType, and each type's fields.
DECISIONS = {"allowed", "explicitDeny", "implicitDeny"}
SOURCE_TYPES = {"user", "group", "role", "aws-managed", "user-managed", "resource", "none"}
EVALUATION_RESULT_FIELDS = {
    "EvalActionName",
    "EvalResourceName",
    "EvalDecision",
    "MatchedStatements",
    "MissingContextValues",
    "OrganizationsDecisionDetail",
    "PermissionsBoundaryDecisionDetail",
    "EvalDecisionDetails",
    "ResourceSpecificResults",
}
RESOURCE_SPECIFIC_RESULT_FIELDS = {
    "EvalResourceName",
    "EvalResourceDecision",
    "MatchedStatements",
    "MissingContextValues",
    "EvalDecisionDetails",
    "PermissionsBoundaryDecisionDetail",
}
EXPLANATION_FIELDS = {
    "sentence",
    "decision",
    "stage",
    "stages",
    "matchedStatements",
    "statements",
    "closest",
    "missingContextValues",
}

READ_REPORTS_FROM_OFFICE = {
    "Sid": "ReadWriteReportsFromTheOffice",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:PutObject"],
    "Resource": "arn:aws:s3:::reports/*",
    "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
}
DENY_SECRETS = {
    "Sid": "NoSecrets",
    "Effect": "Deny",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::reports/secret/*",
}
BOUNDARY = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
BUCKET_LETS_ALICE_DELETE = {
    "Sid": "AliceCleansUp",
    "Effect": "Allow",
    "Principal": {"AWS": ALICE},
    "Action": "s3:DeleteObject",
    "Resource": "arn:aws:s3:::reports/*",
}


def document(*statements: dict) -> str:
    """A policy as a learner pastes it: indented, so statements span several lines."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


OFFICE_IP = {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["192.0.2.10"], "ContextKeyType": "ip"}
HOME_IP = {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["198.51.100.7"], "ContextKeyType": "ip"}
MFA = {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}
NO_MFA = {**MFA, "ContextKeyValues": ["false"]}

# Every field --generate-cli-skeleton lists, filled in the way a learner would.
SKELETON = {
    "PolicyInputList": [document(READ_REPORTS_FROM_OFFICE), document(DENY_SECRETS)],
    "PermissionsBoundaryPolicyInputList": [document(BOUNDARY)],
    "ActionNames": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    "ResourceArns": [Q1, SECRET],
    "ResourcePolicy": document(BUCKET_LETS_ALICE_DELETE),
    "ResourceOwner": f"arn:aws:iam::{ACCOUNT}:root",
    "CallerArn": ALICE,
    "ContextEntries": [OFFICE_IP, MFA],
    "ResourceHandlingOption": "EC2-VPC-EBS",
    "MaxItems": 100,
    "Marker": "",
}
# The statements MatchedStatements can point at, by SourcePolicyId.
SOURCES = {
    "PolicyInputList.1": READ_REPORTS_FROM_OFFICE,
    "PolicyInputList.2": DENY_SECRETS,
    "PermissionsBoundaryPolicyInputList.1": BOUNDARY,
    "ResourcePolicy": BUCKET_LETS_ALICE_DELETE,
}
TEXTS = {
    "PolicyInputList.1": SKELETON["PolicyInputList"][0],
    "PolicyInputList.2": SKELETON["PolicyInputList"][1],
    "PermissionsBoundaryPolicyInputList.1": SKELETON["PermissionsBoundaryPolicyInputList"][0],
    "ResourcePolicy": SKELETON["ResourcePolicy"],
}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    """The command in a fresh interpreter, as a learner runs it from the repository root."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "simulate_custom_policy", *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=REPO,
        env=env,
        check=False,
        timeout=60,
    )


def simulate(tmp_path: Path, data: dict, prefix: str = "") -> dict:
    """The command in this process (call_command): the fast way to look at answers."""
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()
    call_command("simulate_custom_policy", cli_input_json=f"{prefix}{path}", stdout=out)
    return json.loads(out.getvalue())


def results_by_action(response: dict) -> dict[str, dict]:
    return {result["EvalActionName"]: result for result in response["EvaluationResults"]}


def by_resource(result: dict) -> dict[str, dict]:
    return {r["EvalResourceName"]: r for r in result["ResourceSpecificResults"]}


def statement_text(text: str, statement: dict) -> str:
    """The statement's text: AWS's positions are 1-based and each stands just past its brace."""
    lines = text.splitlines(keepends=True)

    def offset(position: dict) -> int:
        return sum(len(line) for line in lines[: position["Line"] - 1]) + position["Column"] - 1

    return text[offset(statement["StartPosition"]) - 1 : offset(statement["EndPosition"])]


def assert_statement_shape(statement: dict) -> None:
    """IAM API Reference, Statement and Position."""
    assert set(statement) == {"SourcePolicyId", "SourcePolicyType", "StartPosition", "EndPosition"}
    assert isinstance(statement["SourcePolicyId"], str) and statement["SourcePolicyType"] in SOURCE_TYPES
    for position in (statement["StartPosition"], statement["EndPosition"]):
        assert set(position) == {"Line", "Column"}
        assert all(isinstance(n, int) and n >= 1 for n in position.values())
    start, end = statement["StartPosition"], statement["EndPosition"]
    assert (start["Line"], start["Column"]) < (end["Line"], end["Column"])


def assert_common_shape(result: dict, decision_field: str) -> None:
    assert result[decision_field] in DECISIONS
    assert isinstance(result["EvalResourceName"], str) and result["EvalResourceName"]
    for statement in result["MatchedStatements"]:
        assert_statement_shape(statement)
    assert all(isinstance(key, str) for key in result["MissingContextValues"])
    details = result.get("EvalDecisionDetails", {})
    assert all(3 <= len(key) <= 256 and value in DECISIONS for key, value in details.items())
    if "PermissionsBoundaryDecisionDetail" in result:
        detail = result["PermissionsBoundaryDecisionDetail"]
        assert list(detail) == ["AllowedByPermissionsBoundary"] and isinstance(*detail.values(), bool)
    explanation = result["Explanation"]
    assert set(explanation) == EXPLANATION_FIELDS
    assert explanation["sentence"] and explanation["decision"] == result[decision_field]


def assert_aws_shape(response: dict) -> None:
    """Every field of the response, as the IAM API Reference defines it, plus Explanation."""
    assert set(response) == {"EvaluationResults"}
    for result in response["EvaluationResults"]:
        assert {"EvalActionName", "EvalDecision", "Explanation"} <= set(result)
        assert set(result) <= EVALUATION_RESULT_FIELDS | {"Explanation"}
        assert 3 <= len(result["EvalActionName"]) <= 128
        assert_common_shape(result, "EvalDecision")
        for specific in result["ResourceSpecificResults"]:
            assert {"EvalResourceName", "EvalResourceDecision", "Explanation"} <= set(specific)
            assert set(specific) <= RESOURCE_SPECIFIC_RESULT_FIELDS | {"Explanation"}
            assert_common_shape(specific, "EvalResourceDecision")


# --- Exit codes, from a real process -------------------------------------------------------------------------


def test_valid_input_from_a_file_answers_in_aws_shape_and_exits_0(tmp_path):
    path = tmp_path / "skeleton.json"
    path.write_text(json.dumps(SKELETON, indent=4), encoding="utf-8")
    result = run("--cli-input-json", str(path))
    assert (result.returncode, result.stderr) == (0, b"")
    response = json.loads(result.stdout)
    assert_aws_shape(response)
    assert [r["EvalActionName"] for r in response["EvaluationResults"]] == SKELETON["ActionNames"]


def test_dash_reads_the_input_from_stdin():
    data = {"PolicyInputList": [document(BOUNDARY)], "ActionNames": ["s3:ListBucket"]}
    result = run("--cli-input-json", "-", stdin=json.dumps(data))
    assert result.returncode == 0, result.stderr
    (answer,) = json.loads(result.stdout)["EvaluationResults"]
    assert [answer[field] for field in ("EvalActionName", "EvalResourceName", "EvalDecision")] == [
        "s3:ListBucket",
        "*",
        "allowed",
    ]


def test_a_malformed_policy_prints_aws_error_and_exits_1():
    data = {**SKELETON, "PolicyInputList": [document({"Action": "s3:GetObject", "Resource": "*"})]}
    result = run("--cli-input-json", "-", stdin=json.dumps(data))
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert set(error) == {"Error"} and set(error["Error"]) == {"Code", "Message"}
    assert error["Error"]["Code"] == "MalformedPolicyDocument"
    assert "Missing required field Effect" in error["Error"]["Message"]
    assert b"Traceback" not in result.stderr


def shaped(**fields) -> str:
    """A small valid input with some fields replaced."""
    return json.dumps({"PolicyInputList": [document(BOUNDARY)], "ActionNames": ["s3:GetObject"], **fields})


STDIN = ["--cli-input-json", "-"]


# Each case: the arguments, what goes to stdin, and what stderr must say. Nothing may go to stdout.
@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (STDIN, '{"PolicyInputList": [', "- is not JSON: Expecting value at line 1, column 22"),
        (STDIN, "[]", "invalid input: the input must be a JSON object"),
        (STDIN, shaped(ActionNames="s3:GetObject"), "invalid input: ActionNames must be a JSON list"),
        (STDIN, shaped(PolicyInputLists=[]), "invalid input: unknown parameter(s): PolicyInputLists"),
        (["--cli-input-json", "/no/such/input.json"], "", "cannot read /no/such/input.json: No such file or directory"),
        (["--cli-input-json", "file:///no/such/input.json"], "", "cannot read file:///no/such/input.json: No such"),
        ([], "", "the following arguments are required: --cli-input-json"),
    ],
)
def test_input_the_command_cannot_use_exits_2_with_a_message(args, stdin, message):
    result = run(*args, stdin=stdin)
    assert (result.returncode, result.stdout) == (2, b"")
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


# The same refusal (a CommandError whose returncode is 2) for every other field AWS would call InvalidInput.
@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is not JSON: Expecting value at line 1, column 1"),
        (shaped(MaxItems="10"), "MaxItems must be a JSON integer"),
        (shaped(MaxItems=True), "MaxItems must be a JSON integer"),
        (shaped(ResourcePolicy={"Version": "2012-10-17"}), "ResourcePolicy must be a JSON string"),
        (shaped(PolicyInputList=[]), "PolicyInputList is required and must not be empty"),
        (shaped(ActionNames=[]), "ActionNames is required and must not be empty"),
        (shaped(ResourceArns=[Q1, 7]), "ResourceArns must be a list of strings"),
        (shaped(ContextEntries=[{**MFA, "ContextKeyType": "bool"}]), "ContextEntries[1].ContextKeyType must be one of"),
        (shaped(ContextEntries=[OFFICE_IP, "aws:SourceIp"]), "ContextEntries[2] must be an object"),
        (shaped(ContextEntries=[{**MFA, "ContextKeyValue": ["true"]}]), "unknown field(s): ContextKeyValue"),
        (shaped(ContextEntries=[{**MFA, "ContextKeyValues": "true"}]), "ContextKeyValues must be a list of strings"),
        (shaped(ContextEntries=[{**MFA, "ContextKeyValues": ["true", "false"]}]), "use booleanList for several"),
        (shaped(ResourceOwner="111122223333:root"), "is not an account ARN"),
        (shaped(CallerArn=f"arn:aws:iam::{ACCOUNT}:role/Dev"), "must be an IAM user ARN"),
        (shaped(ResourcePolicy=document(BUCKET_LETS_ALICE_DELETE)), "CallerArn is required when ResourcePolicy"),
    ],
)
def test_every_invalid_field_is_refused_with_returncode_2(tmp_path, text, message):
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("simulate_custom_policy", cli_input_json=str(path), stdout=StringIO())
    assert refused.value.returncode == 2
    assert message in str(refused.value)


def test_a_file_that_is_not_utf8_exits_2_with_a_message(tmp_path):
    path = tmp_path / "utf16.json"
    path.write_text(json.dumps(SKELETON), encoding="utf-16")
    result = run("--cli-input-json", str(path))
    assert (result.returncode, result.stdout) == (2, b"")
    assert b"Traceback" not in result.stderr


# --- The answer, field by field (call_command) ---------------------------------------------------------------


def test_file_urls_are_read_like_the_aws_cli_reads_them(tmp_path):
    assert simulate(tmp_path, SKELETON, prefix="file://") == simulate(tmp_path, SKELETON)


def test_one_result_per_action_with_the_most_restrictive_decision_over_its_resources(tmp_path):
    """EvaluationResult: one per action; EvalDecision is the most restrictive of ResourceSpecificResults'."""
    results = results_by_action(simulate(tmp_path, SKELETON))
    decisions = {
        action: (result["EvalDecision"], [r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]])
        for action, result in results.items()
    }
    assert decisions == {
        "s3:GetObject": ("explicitDeny", ["allowed", "explicitDeny"]),
        "s3:PutObject": ("implicitDeny", ["implicitDeny", "implicitDeny"]),
        "s3:DeleteObject": ("allowed", ["allowed", "allowed"]),
    }
    assert all(
        [r["EvalResourceName"] for r in result["ResourceSpecificResults"]] == [Q1, SECRET]
        for result in results.values()
    )


# Which statements decided: for a deny only the Deny (EvaluationResult, MatchedStatements); an allow lists
# every policy that had to allow; an implicit deny lists none.
@pytest.mark.parametrize(
    "action, resource, sources",
    [
        ("s3:GetObject", Q1, [("PermissionsBoundaryPolicyInputList.1", "none"), ("PolicyInputList.1", "none")]),
        ("s3:GetObject", SECRET, [("PolicyInputList.2", "none")]),
        ("s3:PutObject", Q1, []),
        ("s3:DeleteObject", Q1, [("ResourcePolicy", "resource")]),
    ],
)
def test_matched_statements_name_the_deciding_statements(tmp_path, action, resource, sources):
    specific = by_resource(results_by_action(simulate(tmp_path, SKELETON))[action])[resource]
    assert sorted((s["SourcePolicyId"], s["SourcePolicyType"]) for s in specific["MatchedStatements"]) == sources


def test_start_and_end_positions_enclose_the_statement_in_its_policy_text(tmp_path):
    """Statement.StartPosition/EndPosition: where the statement begins and ends in the document (Position)."""
    seen = set()
    for result in simulate(tmp_path, SKELETON)["EvaluationResults"]:
        for specific in result["ResourceSpecificResults"]:
            for statement in specific["MatchedStatements"]:
                source = statement["SourcePolicyId"]
                assert json.loads(statement_text(TEXTS[source], statement)) == SOURCES[source]
                seen.add(source)
    assert seen == set(SOURCES)


def test_the_top_level_matched_statements_aggregate_the_deciding_resources(tmp_path):
    """EvaluationResult: top-level fields are the aggregate; for explicitDeny, the Deny statement."""
    results = results_by_action(simulate(tmp_path, SKELETON))
    assert [s["SourcePolicyId"] for s in results["s3:GetObject"]["MatchedStatements"]] == ["PolicyInputList.2"]
    assert results["s3:PutObject"]["MatchedStatements"] == []


def test_a_statement_that_decided_for_several_resources_is_listed_once(tmp_path):
    results = results_by_action(simulate(tmp_path, SKELETON))
    assert [s["SourcePolicyId"] for s in results["s3:DeleteObject"]["MatchedStatements"]] == ["ResourcePolicy"]


def boundary_allowed(result: dict) -> bool:
    return result["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]


def test_permissions_boundary_decision_detail_says_whether_the_boundary_allowed(tmp_path):
    """PermissionsBoundaryDecisionDetail; a same-account resource-based policy naming the user is not capped by
    the boundary (IAM User Guide, "Permissions boundaries for IAM entities")."""
    results = results_by_action(simulate(tmp_path, SKELETON))
    allowed_by_boundary = {
        action: [boundary_allowed(r) for r in result["ResourceSpecificResults"]] for action, result in results.items()
    }
    assert allowed_by_boundary == {
        "s3:GetObject": [True, True],
        "s3:PutObject": [False, False],
        "s3:DeleteObject": [False, False],
    }
    assert [boundary_allowed(result) for result in results.values()] == [True, False, False]
    no_boundary = {key: value for key, value in SKELETON.items() if key != "PermissionsBoundaryPolicyInputList"}
    for result in simulate(tmp_path, no_boundary)["EvaluationResults"]:
        assert "PermissionsBoundaryDecisionDetail" not in result
        assert all("PermissionsBoundaryDecisionDetail" not in r for r in result["ResourceSpecificResults"])


# ContextEntries feed the conditions; keys a condition needs but the input lacks come back in
# MissingContextValues, per resource and for the action (EvaluationResult, ResourceSpecificResult).
@pytest.mark.parametrize(
    "entries, decision, missing",
    [
        ([OFFICE_IP, MFA], "allowed", []),
        ([], "implicitDeny", ["aws:MultiFactorAuthPresent", "aws:SourceIp"]),
        ([OFFICE_IP], "implicitDeny", ["aws:MultiFactorAuthPresent"]),
        ([HOME_IP, MFA], "implicitDeny", []),
        ([OFFICE_IP, NO_MFA], "implicitDeny", []),
    ],
)
def test_context_entries_and_missing_context_values(tmp_path, entries, decision, missing):
    data = {**SKELETON, "ActionNames": ["s3:GetObject"], "ResourceArns": [Q1], "ContextEntries": entries}
    (result,) = simulate(tmp_path, data)["EvaluationResults"]
    (specific,) = result["ResourceSpecificResults"]
    assert (specific["EvalResourceDecision"], sorted(specific["MissingContextValues"])) == (decision, sorted(missing))
    assert (result["EvalDecision"], sorted(result["MissingContextValues"])) == (decision, sorted(missing))


# EvalDecisionDetails (EvaluationResult): filled in only across accounts; present but empty for a named
# resource in the caller's own account; absent when the resource is "*".
@pytest.mark.parametrize(
    "caller, resources, details",
    [
        (ALICE, [Q1], {}),
        (ALICE, ["*"], None),
        (BOB, [Q1], {"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}),
    ],
)
def test_eval_decision_details(tmp_path, caller, resources, details):
    data = {**SKELETON, "ActionNames": ["s3:GetObject"], "ResourceArns": resources, "CallerArn": caller}
    (result,) = simulate(tmp_path, data)["EvaluationResults"]
    (specific,) = result["ResourceSpecificResults"]
    assert result.get("EvalDecisionDetails") == details
    assert specific.get("EvalDecisionDetails") == details


def test_a_cross_account_caller_needs_both_accounts_to_allow(tmp_path):
    """IAM User Guide, "Cross-account policy evaluation logic"."""
    bucket = document({**BUCKET_LETS_ALICE_DELETE, "Principal": {"AWS": BOB}, "Action": "s3:GetObject"})
    data = {key: value for key, value in SKELETON.items() if key != "PermissionsBoundaryPolicyInputList"}
    data.update(ActionNames=["s3:GetObject"], ResourceArns=[Q1], CallerArn=BOB, ResourcePolicy=bucket)
    (result,) = simulate(tmp_path, data)["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert {s["SourcePolicyType"] for s in result["MatchedStatements"]} == {"none", "resource"}


def test_without_resource_arns_the_resource_is_star(tmp_path):
    data = {key: value for key, value in SKELETON.items() if key != "ResourceArns"}
    for result in simulate(tmp_path, data)["EvaluationResults"]:
        assert result["EvalResourceName"] == "*"
        assert [r["EvalResourceName"] for r in result["ResourceSpecificResults"]] == ["*"]


def test_ec2_run_instances_with_a_resource_handling_option(tmp_path):
    """ResourceHandlingOption names the EC2 scenario; every resource it touches must be allowed."""
    region = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    resources = [f"{region}:instance/*", "arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890", f"{region}:volume/*"]
    policy = document({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": [resources[0], resources[2]]})
    data = {
        "PolicyInputList": [policy],
        "ActionNames": ["ec2:RunInstances"],
        "ResourceArns": resources,
        "ResourceHandlingOption": "EC2-VPC-EBS",
        "CallerArn": ALICE,
    }
    (result,) = simulate(tmp_path, data)["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    decisions = [r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]]
    assert decisions == ["allowed", "implicitDeny", "allowed"]


def test_max_items_and_marker_are_accepted_and_every_result_comes_back(tmp_path):
    """The AWS CLI follows Marker itself and prints every page as one (AWS CLI User Guide, "Using the AWS CLI
    pagination options"), so the output has no IsTruncated or Marker."""
    response = simulate(tmp_path, {**SKELETON, "MaxItems": 1, "Marker": "opaque"})
    assert set(response) == {"EvaluationResults"}
    assert len(response["EvaluationResults"]) == len(SKELETON["ActionNames"])


ALLOWED = "is allowed to perform"
DENIED = "is not authorized to perform"
DENY, BOUNDARY_STAGE = "explicit-deny", "permissions-boundary"


# Explanation: the sandbox's addition, one per EvaluationResult and per ResourceSpecificResult.
@pytest.mark.parametrize(
    "action, resource, verdict, reason, stage",
    [
        ("s3:GetObject", Q1, ALLOWED, "because an identity-based policy allows it", BOUNDARY_STAGE),
        ("s3:GetObject", SECRET, DENIED, "with an explicit deny in an identity-based policy: PolicyInputList.2", DENY),
        ("s3:PutObject", Q1, DENIED, "because no permissions boundary allows the s3:PutObject action", BOUNDARY_STAGE),
        ("s3:DeleteObject", Q1, ALLOWED, "because a resource-based policy allows it", "resource-based-policies"),
    ],
)
def test_each_result_explains_itself(tmp_path, action, resource, verdict, reason, stage):
    specific = by_resource(results_by_action(simulate(tmp_path, SKELETON))[action])[resource]
    explanation = specific["Explanation"]
    assert explanation["sentence"].startswith(f"User: {ALICE} {verdict}: {action} on resource: {resource} {reason}")
    assert (explanation["decision"], explanation["stage"]) == (specific["EvalResourceDecision"], stage)
    assert [s["stage"] for s in explanation["stages"]] == [
        "explicit-deny",
        "resource-control-policies",
        "service-control-policies",
        "resource-based-policies",
        "identity-based-policies",
        "permissions-boundary",
        "session-policies",
    ]
    named = {(s["policyId"], s["statement"]) for s in explanation["statements"]}
    assert named == {(source, 1) for source in SOURCES}
    traced = [(m["policyId"], m["StartPosition"], m["EndPosition"]) for m in explanation["matchedStatements"]]
    answered = [(m["SourcePolicyId"], m["StartPosition"], m["EndPosition"]) for m in specific["MatchedStatements"]]
    assert traced == answered


def test_the_action_level_explanation_is_the_deciding_resources(tmp_path):
    result = results_by_action(simulate(tmp_path, SKELETON))["s3:GetObject"]
    assert result["Explanation"] == by_resource(result)[SECRET]["Explanation"]
