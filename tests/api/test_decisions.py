"""The decision log and simulation through the API. Simulation follows SimulatePrincipalPolicy (IAM API
Reference: PolicySourceArn, ActionNames, ResourceArns, ContextEntries; EvaluationResult's EvalDecision values)
and "Policy evaluation logic"; the explanation follows AWS's enhanced AccessDenied messages."""

import pytest

from simulator.sandbox import buckets, operations
from simulator.sandbox.models import DecisionRecord

from .conftest import EC2_TRUST, assert_error, document

pytestmark = pytest.mark.django_db

READ_ANY = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})


def simulate(api, url, **body):
    return api.post(url + "simulate/", body, format="json")


def test_each_action_on_each_resource_is_decided_explained_and_logged(api, url, root, alice):
    operations.put_user_policy(root, "alice", "Read", READ_ANY)
    response = simulate(
        api,
        url,
        PolicySourceArn=alice.arn,
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::reports/a", "arn:aws:s3:::reports/b"],
    )
    body = response.json()
    assert body["PolicySourceArn"] == alice.arn
    decided = [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in body["EvaluationResults"]]
    assert decided == [
        ("s3:GetObject", "arn:aws:s3:::reports/a", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::reports/b", "allowed"),
        ("s3:PutObject", "arn:aws:s3:::reports/a", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::reports/b", "implicitDeny"),
    ]
    denied = body["EvaluationResults"][2]
    assert denied["Sentence"].endswith("because no identity-based policy allows the s3:PutObject action")
    assert denied["Explanation"]["stage"] == "identity-based-policies"
    record = DecisionRecord.objects.get(pk=denied["DecisionId"])
    assert (record.source, record.action, record.principal_arn) == ("api-simulate", "s3:PutObject", alice.arn)
    assert api.get(denied["DecisionUrl"]).json()["Sentence"] == denied["Sentence"]


def test_a_request_simulated_twice_links_each_result_to_its_own_record(api, url, alice):
    results = simulate(api, url, PolicySourceArn=alice.arn, ActionNames=["s3:GetObject", "s3:GetObject"]).json()
    first, second = (result["DecisionId"] for result in results["EvaluationResults"])
    assert first < second
    assert set(DecisionRecord.objects.filter(action="s3:GetObject").values_list("id", flat=True)) == {first, second}


def test_an_explicit_deny_overrides_the_allow(api, url, root, alice):
    operations.put_user_policy(root, "alice", "Read", READ_ANY)
    operations.put_user_policy(
        root, "alice", "NoSecrets", document({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secrets/*"})
    )
    results = simulate(
        api, url, PolicySourceArn=alice.arn, ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::secrets/x"]
    ).json()["EvaluationResults"]
    assert results[0]["EvalDecision"] == "explicitDeny"
    assert "with an explicit deny in an identity-based policy: alice/NoSecrets" in results[0]["Sentence"]


def test_context_entries_meet_conditions(api, url, root, alice):
    from_office = document(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        }
    )
    operations.put_user_policy(root, "alice", "Office", from_office)

    def decided(ip: str) -> str:
        entry = {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": [ip], "ContextKeyType": "ip"}
        results = simulate(
            api, url, PolicySourceArn=alice.arn, ActionNames=["s3:GetObject"], ContextEntries=[entry]
        ).json()["EvaluationResults"]
        return results[0]["EvalDecision"]

    assert decided("203.0.113.9") == "allowed"
    assert decided("198.51.100.1") == "implicitDeny"


def test_without_a_principal_it_simulates_the_acting_identity(api, url, account):
    results = simulate(api, url, ActionNames=["iam:CreateUser"]).json()
    assert results["PolicySourceArn"] == account.root_arn
    assert results["EvaluationResults"][0]["EvalResourceName"] == "*"
    assert results["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_a_role_is_simulated_as_its_session(api, url, root, account):
    operations.create_role(root, "app", EC2_TRUST)
    role_arn = f"arn:aws:iam::{account.account_id}:role/app"
    assert simulate(api, url, PolicySourceArn=role_arn, ActionNames=["s3:GetObject"]).json()["PolicySourceArn"] == (
        f"arn:aws:sts::{account.account_id}:assumed-role/app/api"
    )
    session = f"arn:aws:sts::{account.account_id}:assumed-role/app/nightly"
    assert (
        simulate(api, url, PolicySourceArn=session, ActionNames=["s3:GetObject"]).json()["PolicySourceArn"] == session
    )


def test_a_bucket_policy_takes_part(api, url, root, alice):
    buckets.create_bucket(root, "reports")
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": alice.arn},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*",
    }
    buckets.put_bucket_policy(root, "reports", document(grant))
    results = simulate(
        api, url, PolicySourceArn=alice.arn, ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::reports/q1"]
    ).json()["EvaluationResults"]
    assert results[0]["EvalDecision"] == "allowed"
    assert "resource-based policy" in results[0]["Sentence"]


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({"ActionNames": []}, 400, "ValidationError", "ActionNames: Ensure this field has at least 1 elements."),
        ({"ActionNames": ["s3:GetObject"] * 21}, 400, "ValidationError", "no more than 20"),
        ({"ActionNames": ["s3:GetObject"], "PolicySourceArn": "alice"}, 400, "InvalidInput", "not a principal's ARN"),
        (
            {"ActionNames": ["s3:GetObject"], "PolicySourceArn": "arn:aws:iam::123456789012:user/alice"},
            404,
            "NoSuchEntity",
            "names no principal",
        ),
    ],
)
def test_simulation_input_errors(api, url, alice, body, status, code, message):
    assert_error(simulate(api, url, **body), status, code, message)


def test_the_decision_log_is_filtered_and_newest_first(api, url, root, alice):
    operations.create_user(root, "bob")
    simulate(api, url, PolicySourceArn=alice.arn, ActionNames=["s3:GetObject", "s3:PutObject"])
    listed = api.get(url + "decisions/").json()["results"]
    assert [d["Action"] for d in listed] == ["s3:PutObject", "s3:GetObject", "iam:CreateUser", "iam:CreateUser"]
    assert "Trace" not in listed[0]
    denied = api.get(url + "decisions/?EvalDecision=implicitDeny").json()["results"]
    assert {d["Action"] for d in denied} == {"s3:PutObject", "s3:GetObject"}
    by_alice = api.get(url + f"decisions/?PrincipalArn={alice.arn}&Action=put").json()["results"]
    assert [d["Action"] for d in by_alice] == ["s3:PutObject"]
    assert_error(api.get(url + "decisions/?EvalDecision=maybe"), 400, "ValidationError", "EvalDecision")


def test_an_action_taken_through_the_api_is_logged_as_coming_from_it(api, url):
    """The decision log says which front door each decision came through: console, API, tester, simulation."""
    assert api.post(url + "users/", {"UserName": "dave"}, format="json").status_code == 201
    record = DecisionRecord.objects.get(action="iam:CreateUser")
    assert (record.source, record.result) == ("api", "allowed")
