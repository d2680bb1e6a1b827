"""Requests signed with credentials: X-Sandbox-Access-Key-Id and X-Sandbox-Secret-Access-Key (and
X-Sandbox-Session-Token for temporary credentials) make the request act as the key's identity.

AWS STS API Reference and IAM API Reference, "Common Errors": InvalidClientTokenId (403) for a key AWS does not
know, SignatureDoesNotMatch (403) for a wrong secret, ExpiredToken for expired temporary credentials (the STS
module answers it with 403, as "Common Errors" lists ExpiredTokenException). IAM User Guide, "Session policies":
a session policy narrows what the role's policies allow.
"""

import pytest
from rest_framework.test import APIClient

from simulator.sandbox import access_keys, clock, lifecycle, operations
from simulator.sandbox.models import AccessKey, DecisionRecord, Sandbox

from . import roles_at_work
from .conftest import assert_error
from .roles_at_work import AS_ALICE, PUBLIC_ONLY, signed, with_credentials

pytestmark = pytest.mark.django_db
# The shared fixtures this module uses.
reader = roles_at_work.reader


@pytest.fixture
def alice_key(root, alice) -> AccessKey:
    return access_keys.create_access_key(root, "alice")


@pytest.fixture
def session(api, url, reader) -> dict[str, str]:
    """A session of the role reader narrowed by a session policy to reports/public/*: its Credentials."""
    body = {"RoleArn": reader.arn, "RoleSessionName": "narrow", "Policy": PUBLIC_ONLY}
    response = api.post(url + "sts/assume-role/", body, format="json", **AS_ALICE)
    assert response.status_code == 200, response.content
    return response.json()["Credentials"]


def caller(api, url, headers) -> dict:
    return api.get(url + "sts/get-caller-identity/", **headers)


class TestValidCredentials:
    def test_a_users_long_term_key_acts_as_the_user_and_is_stamped_used(self, api, url, alice, alice_key):
        response = caller(api, url, signed(alice_key.access_key_id, alice_key.secret))
        assert response.status_code == 200, response.content
        assert response.json()["Arn"] == alice.arn
        alice_key.refresh_from_db()
        assert alice_key.last_used_at is not None and alice_key.last_used_service == "sts"
        logged = DecisionRecord.objects.filter(action="sts:GetCallerIdentity").get()
        assert (logged.credentials, logged.access_key_id) == ("long-term", alice_key.access_key_id)

    @pytest.mark.parametrize(
        ("route", "service"), [("buckets/", "s3"), ("instances/", "ec2"), ("users/", "iam"), ("sts/sessions/", "sts")]
    )
    def test_the_keys_last_use_names_the_service_called(self, api, url, alice_key, route, service):
        """IAM User Guide, "Manage access keys for IAM users": AccessKeyLastUsed's ServiceName."""
        api.get(url + route, **signed(alice_key.access_key_id, alice_key.secret))
        alice_key.refresh_from_db()
        assert alice_key.last_used_service == service

    def test_session_token_credentials_without_mfa_cannot_call_iam(self, api, url, alice, alice_key):
        """AWS STS API Reference, "GetSessionToken": without MFA they cannot call IAM API operations."""
        headers = signed(alice_key.access_key_id, alice_key.secret)
        credentials = api.post(url + "sts/get-session-token/", {}, format="json", **headers).json()["Credentials"]
        response = api.post(url + "users/", {"UserName": "mallory"}, format="json", **with_credentials(credentials))
        assert_error(response, 403, "InvalidClientTokenId")
        assert not alice.account.users.filter(name="mallory").exists()

    def test_the_root_users_key_acts_as_the_root_user(self, api, url, root, account):
        key = access_keys.create_access_key(root, None)
        assert caller(api, url, signed(key.access_key_id, key.secret)).json()["Arn"] == account.root_arn

    def test_a_signed_write_is_decided_as_the_keys_user(self, api, url, alice, alice_key):
        """alice has no iam:CreateUser: the request is hers, not the root user's (the default identity)."""
        headers = signed(alice_key.access_key_id, alice_key.secret)
        response = api.post(url + "users/", {"UserName": "mallory"}, format="json", **headers)
        error = assert_error(response, 403, "AccessDenied", "iam:CreateUser")
        record = DecisionRecord.objects.get(pk=error["Decision"]["Id"])
        assert (record.principal_arn, record.credentials) == (alice.arn, "long-term")

    def test_temporary_credentials_act_with_their_session_policy(self, api, url, session, account):
        headers = with_credentials(session)
        assert caller(api, url, headers).json()["Arn"].endswith(":assumed-role/reader/narrow")
        public = api.get(url + "buckets/reports/objects/public/notes.txt", **headers)
        assert public.status_code == 200, public.content
        # The role may read the whole bucket; the session policy lets through only public/*.
        private = api.get(url + "buckets/reports/objects/q1/summary.txt", **headers)
        error = assert_error(private, 403, "AccessDenied", "s3:GetObject")
        record = DecisionRecord.objects.get(pk=error["Decision"]["Id"])
        assert (record.credentials, record.access_key_id) == ("temporary", session["AccessKeyId"])


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (lambda key, _: signed(key.access_key_id, "wrong" + key.secret[5:]), 403, "SignatureDoesNotMatch"),
        (lambda key, _: signed("AKIAIOSFODNN7EXAMPLE", key.secret), 403, "InvalidClientTokenId"),
        (lambda key, other: signed(other.access_key_id, other.secret), 403, "InvalidClientTokenId"),
        (lambda key, _: {"HTTP_X_SANDBOX_ACCESS_KEY_ID": key.access_key_id}, 400, "IncompleteSignature"),
        (lambda key, _: {"HTTP_X_SANDBOX_SECRET_ACCESS_KEY": key.secret}, 400, "IncompleteSignature"),
        (lambda key, _: {**signed(key.access_key_id, key.secret), **AS_ALICE}, 400, "InvalidParameterCombination"),
        (lambda key, _: signed(key.access_key_id, key.secret, "a-token"), 403, "InvalidClientTokenId"),
    ],
    ids=[
        "wrong secret",
        "unknown key",
        "another sandbox's key",
        "no secret",
        "no key id",
        "a principal named as well",
        "a session token with a long-term key",
    ],
)
def test_refused_credentials_answer_in_aws_terms(api, url, alice_key, other_learner, headers, status, code):
    other_sandbox = Sandbox.objects.create_with_account(other_learner)
    other_account = other_sandbox.accounts.get()
    other_key = AccessKey.objects.create(account=other_account, user=None)
    before = DecisionRecord.objects.count()
    assert_error(caller(api, url, headers(alice_key, other_key)), status, code)
    assert DecisionRecord.objects.count() == before


def test_an_inactive_key_is_invalid(api, url, root, alice_key):
    access_keys.update_access_key(root, "alice", alice_key.access_key_id, "Inactive")
    response = caller(api, url, signed(alice_key.access_key_id, alice_key.secret))
    assert_error(response, 403, "InvalidClientTokenId", "security token included in the request is invalid")


def test_temporary_credentials_need_their_session_token(api, url, session):
    response = caller(api, url, signed(session["AccessKeyId"], session["SecretAccessKey"]))
    assert_error(response, 403, "InvalidClientTokenId")
    response = caller(
        api, url, signed(session["AccessKeyId"], session["SecretAccessKey"], "x" + session["SessionToken"])
    )
    assert_error(response, 403, "InvalidClientTokenId")


def test_temporary_credentials_expire_on_the_sandbox_clock(api, url, session, sandbox):
    """Valid one second before their Expiration, ExpiredToken from it on."""
    clock.advance(sandbox, 3599)
    assert caller(api, url, with_credentials(session)).status_code == 200
    clock.advance(sandbox, 1)
    assert_error(caller(api, url, with_credentials(session)), 403, "ExpiredToken", "expired")


def test_a_key_of_another_account_in_the_sandbox_must_use_that_accounts_url(api, url, sandbox):
    second = lifecycle.add_account(sandbox, "second-account")
    key = AccessKey.objects.create(account=second, user=None)
    response = caller(api, url, signed(key.access_key_id, key.secret))
    assert_error(response, 400, "ValidationError", f"belongs to account {second.account_id}")
    second_url = url.replace(url.split("/")[-2], second.account_id)
    assert caller(api, second_url, signed(key.access_key_id, key.secret)).json()["Arn"] == second.root_arn


def test_the_learners_own_authentication_is_still_required(url, alice_key):
    """Credentials choose who acts inside the learner's sandbox; they do not sign the learner in."""
    response = caller(APIClient(), url, signed(alice_key.access_key_id, alice_key.secret))
    assert_error(response, 401, "MissingAuthenticationToken")


def test_a_deleted_users_key_stops_working(api, url, root, alice_key):
    """IAM User Guide, "Manage access keys for IAM users": a deleted key can sign nothing."""
    access_keys.delete_access_key(root, "alice", alice_key.access_key_id)
    operations.delete_user(root, "alice")
    assert_error(caller(api, url, signed(alice_key.access_key_id, alice_key.secret)), 403, "InvalidClientTokenId")
