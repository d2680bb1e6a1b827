"""STS over the API: AssumeRole, GetSessionToken, GetCallerIdentity and the account's live sessions.

AWS STS API Reference, "AssumeRole", "GetSessionToken", "GetCallerIdentity"; IAM User Guide, "Session
policies", "Passing session tags in AWS STS", "Monitor and control actions taken with assumed roles".
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from simulator.sandbox import clock, operations
from simulator.sandbox.models import TemporaryCredential

from . import roles_at_work
from .conftest import assert_error
from .roles_at_work import ALICE_ASSUMES_READER, AS_ALICE, PUBLIC_ONLY, with_credentials

pytestmark = pytest.mark.django_db
# The shared fixtures this module uses.
reader = roles_at_work.reader


@pytest.fixture
def sts_url(url) -> str:
    return url + "sts/"


def assume(api, sts_url, role, headers=AS_ALICE, **body):
    return api.post(
        sts_url + "assume-role/", {"RoleArn": role.arn, "RoleSessionName": "s1", **body}, format="json", **headers
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class TestAssumeRole:
    """AWS STS API Reference, "AssumeRole": the response's Credentials, AssumedRoleUser, PackedPolicySize and
    SourceIdentity."""

    def test_it_answers_in_aws_shape(self, api, sts_url, reader, sandbox):
        response = assume(api, sts_url, reader)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"Credentials", "AssumedRoleUser"}
        credentials = body["Credentials"]
        assert set(credentials) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
        assert credentials["AccessKeyId"].startswith("ASIA")
        issued = TemporaryCredential.objects.get()
        assert _time(credentials["Expiration"]) == issued.issued_at + timedelta(hours=1)
        assert body["AssumedRoleUser"] == {
            "AssumedRoleId": f"{reader.unique_id}:s1",
            "Arn": f"arn:aws:sts::{reader.account.account_id}:assumed-role/reader/s1",
        }

    def test_session_policies_tags_and_source_identity_are_reported(self, api, sts_url, reader):
        response = assume(
            api,
            sts_url,
            reader,
            Policy=PUBLIC_ONLY,
            PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
            Tags=[{"Key": "team", "Value": "data"}],
            TransitiveTagKeys=["team"],
            SourceIdentity="alice",
            DurationSeconds=900,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["SourceIdentity"] == "alice"
        assert 0 < body["PackedPolicySize"] <= 100
        issued = TemporaryCredential.objects.get()
        assert [policy["Id"] for policy in issued.session_policies] == [
            "inline",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ]
        assert (issued.tags, issued.transitive_tag_keys) == ([{"Key": "team", "Value": "data"}], ["team"])
        assert issued.expires_at - issued.issued_at == timedelta(seconds=900)

    @pytest.mark.parametrize(
        ("body", "code", "message"),
        [
            ({"DurationSeconds": 899}, "ValidationError", "greater than or equal to 900"),
            ({"DurationSeconds": 7200}, "ValidationError", "MaxSessionDuration"),
            ({"RoleSessionName": "a b"}, "ValidationError", "roleSessionName"),
            ({"RoleSessionName": ""}, "ValidationError", "RoleSessionName"),
            ({"ExternalId": "x"}, "ValidationError", "externalId"),
            ({"Policy": "{"}, "MalformedPolicyDocument", ""),
            ({"TransitiveTagKeys": ["team"]}, "InvalidParameterValue", "transitive tag key"),
            ({"PolicyArns": [{"arn": "arn:aws:iam::aws:policy/Nope"}]}, "NoSuchEntity", ""),
        ],
    )
    def test_bad_input_is_refused_in_aws_terms_and_issues_nothing(self, api, sts_url, reader, body, code, message):
        response = assume(api, sts_url, reader, **body)
        assert_error(response, 404 if code == "NoSuchEntity" else 400, code, message)
        assert not TemporaryCredential.objects.exists()

    def test_a_caller_without_permission_is_denied_with_the_decision(self, api, sts_url, reader, root):
        operations.delete_user_policy(root, "alice", "AssumeReader")
        error = assert_error(assume(api, sts_url, reader), 403, "AccessDenied", "sts:AssumeRole")
        assert error["Decision"]["EvalDecision"] == "implicitDeny"
        assert not TemporaryCredential.objects.exists()

    def test_the_root_user_cannot_assume_a_role(self, api, sts_url, reader):
        response = assume(api, sts_url, reader, headers={})
        assert_error(response, 403, "AccessDenied", "Roles may not be assumed by root accounts")

    def test_a_role_that_does_not_exist_is_access_denied(self, api, sts_url, reader, account):
        body = {"RoleArn": f"arn:aws:iam::{account.account_id}:role/nobody", "RoleSessionName": "s1"}
        response = api.post(sts_url + "assume-role/", body, format="json", **AS_ALICE)
        assert_error(response, 403, "AccessDenied", "not authorized to perform: sts:AssumeRole")

    def test_chaining_from_a_role_session_is_limited_to_an_hour(self, api, sts_url, reader, root):
        """IAM User Guide, "Role chaining": at most one hour; the session's own role must allow it."""
        operations.put_role_policy(root, "reader", "Chain", ALICE_ASSUMES_READER)
        first = assume(api, sts_url, reader).json()["Credentials"]
        response = assume(api, sts_url, reader, headers=with_credentials(first), DurationSeconds=3601)
        assert_error(response, 400, "ValidationError", "1 hour session limit")
        chained = assume(api, sts_url, reader, headers=with_credentials(first))
        assert chained.status_code == 200, chained.content
        assert TemporaryCredential.objects.filter(chained=True).count() == 1


class TestGetSessionToken:
    """AWS STS API Reference, "GetSessionToken": 900 to 129,600 seconds, 43,200 by default; not from a role."""

    def test_it_answers_credentials_lasting_12_hours_by_default(self, api, sts_url, alice):
        response = api.post(sts_url + "get-session-token/", {}, format="json", **AS_ALICE)
        assert response.status_code == 200, response.content
        credentials = response.json()["Credentials"]
        issued = TemporaryCredential.objects.get(access_key_id=credentials["AccessKeyId"])
        assert issued.user == alice and not issued.mfa_authenticated
        assert issued.expires_at - issued.issued_at == timedelta(hours=12)

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"DurationSeconds": 600}, "greater than or equal to 900"),
            ({"DurationSeconds": 129601}, "less than or equal to 129600"),
            ({"TokenCode": "12"}, "tokenCode"),
        ],
    )
    def test_bad_input_is_a_validation_error(self, api, sts_url, alice, body, message):
        response = api.post(sts_url + "get-session-token/", body, format="json", **AS_ALICE)
        assert_error(response, 400, "ValidationError", message)
        assert not TemporaryCredential.objects.exists()

    def test_a_role_session_cannot_call_it(self, api, sts_url, reader):
        response = api.post(sts_url + "get-session-token/", {}, format="json", HTTP_X_SANDBOX_PRINCIPAL="role/reader")
        assert_error(response, 403, "AccessDenied", "session credentials")

    def test_a_wrong_mfa_device_is_access_denied(self, api, sts_url, alice, account):
        body = {"SerialNumber": f"arn:aws:iam::{account.account_id}:mfa/alice", "TokenCode": "123456"}
        response = api.post(sts_url + "get-session-token/", body, format="json", **AS_ALICE)
        assert_error(response, 403, "AccessDenied", "MultiFactorAuthentication failed")


class TestGetCallerIdentity:
    """AWS STS API Reference, "GetCallerIdentity": UserId, Account and Arn; no permission needed."""

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_names_the_root_user_by_default(self, api, sts_url, account, method):
        response = getattr(api, method)(sts_url + "get-caller-identity/")
        assert response.status_code == 200, response.content
        assert response.json() == {"UserId": account.account_id, "Account": account.account_id, "Arn": account.root_arn}

    def test_it_names_a_user(self, api, sts_url, alice, account):
        body = api.get(sts_url + "get-caller-identity/", **AS_ALICE).json()
        assert body == {"UserId": alice.unique_id, "Account": account.account_id, "Arn": alice.arn}

    def test_it_names_the_session_temporary_credentials_act_as(self, api, sts_url, reader, account):
        credentials = assume(api, sts_url, reader).json()["Credentials"]
        body = api.get(sts_url + "get-caller-identity/", **with_credentials(credentials)).json()
        assert body["Arn"] == f"arn:aws:sts::{account.account_id}:assumed-role/reader/s1"
        assert body["UserId"] == f"{reader.unique_id}:s1"

    def test_no_policy_can_deny_it(self, api, sts_url, alice, root):
        deny = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'
        operations.put_user_policy(root, "alice", "DenyAll", deny)
        assert api.get(sts_url + "get-caller-identity/", **AS_ALICE).status_code == 200


class TestSessions:
    """The account's live temporary credentials: never their secrets; gone once expired on the sandbox clock."""

    def test_it_lists_live_sessions_without_secrets(self, api, sts_url, reader, account):
        assume(api, sts_url, reader, Tags=[{"Key": "team", "Value": "data"}])
        api.post(sts_url + "get-session-token/", {}, format="json", **AS_ALICE)
        listed = api.get(sts_url + "sessions/").json()["results"]
        assert [session["Operation"] for session in listed] == ["GetSessionToken", "AssumeRole"]
        role_session = listed[1]
        assert role_session["Arn"] == f"arn:aws:sts::{account.account_id}:assumed-role/reader/s1"
        assert role_session["RoleArn"] == reader.arn
        assert role_session["IssuedTo"].endswith(":user/engineering/alice")
        assert role_session["Tags"] == [{"Key": "team", "Value": "data"}]
        assert 3590 <= role_session["SecondsLeft"] <= 3600
        text = str(listed)
        for credential in TemporaryCredential.objects.all():
            assert credential.secret not in text and credential.session_token not in text

    def test_expired_sessions_drop_off_the_list(self, api, sts_url, reader, sandbox):
        assume(api, sts_url, reader, DurationSeconds=900)
        clock.advance(sandbox, 901)
        assert api.get(sts_url + "sessions/").json()["results"] == []


def test_the_sessions_list_costs_the_same_for_10_as_for_300(api, sts_url, reader, alice, account):
    def issue(start: int, stop: int) -> None:
        now = clock.account_now(account)
        TemporaryCredential.objects.bulk_create(
            TemporaryCredential(
                account=account,
                operation=TemporaryCredential.Operation.ASSUME_ROLE if n % 2 else "GetSessionToken",
                role=reader if n % 2 else None,
                user=None if n % 2 else alice,
                session_name=f"s{n}",
                issued_to=alice.arn,
                issued_at=now,
                expires_at=now + timedelta(hours=1),
            )
            for n in range(start, stop)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(sts_url + "sessions/?limit=1000").status_code == 200
        return len(captured)

    issue(0, 10)
    with_10 = queries()
    issue(10, 300)
    assert queries() == with_10


@pytest.mark.parametrize(
    ("method", "route"),
    [("post", "assume-role/"), ("post", "get-session-token/"), ("get", "get-caller-identity/"), ("get", "sessions/")],
)
def test_another_learner_finds_nothing(other_api, sts_url, reader, method, route):
    response = getattr(other_api, method)(sts_url + route, {"RoleArn": reader.arn, "RoleSessionName": "x"})
    assert_error(response, 404, "NoSuchEntity", "cannot be found")
    assert not TemporaryCredential.objects.exists()


def test_a_session_needs_the_csrf_token_to_assume_a_role(learner, sts_url, reader):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    assert_error(assume(client, sts_url, reader), 403, "AccessDenied", "CSRF")
    assert not TemporaryCredential.objects.exists()
