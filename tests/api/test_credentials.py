"""Credentials through the API: IAM API Reference, CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
DeleteLoginProfile, CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed,
UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, CreateAccountAlias, ListAccountAliases; IAM User Guide,
"Tasks that require root user credentials"."""

import pytest
from django.contrib.auth.hashers import check_password

from simulator.sandbox import operations
from simulator.sandbox.models import AccessKey, IamUser

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_a_login_profile_is_created_read_updated_and_deleted(api, url, alice):
    profile = url + "users/alice/login-profile/"
    assert_error(api.get(profile), 404, "NoSuchEntity", "Login Profile for User alice cannot be found.")
    created = api.post(profile, {"Password": "Correct-Horse-7", "PasswordResetRequired": True}, format="json")
    assert created.status_code == 201
    assert "Password" not in created.json()
    assert api.get(profile).json() == {"UserName": "alice", "PasswordResetRequired": True, "PasswordLastUsed": None}
    assert check_password("Correct-Horse-7", IamUser.objects.get().password)
    assert api.patch(profile, {"PasswordResetRequired": False}, format="json").json()["PasswordResetRequired"] is False
    assert api.delete(profile).status_code == 204
    assert IamUser.objects.get().password == ""


def test_a_weak_password_breaks_the_password_policy(api, url, alice):
    response = api.post(url + "users/alice/login-profile/", {"Password": "short"}, format="json")
    assert_error(response, 400, "PasswordPolicyViolation")


def test_an_access_keys_secret_is_shown_once(api, url, alice):
    created = api.post(url + "users/alice/access-keys/").json()
    key = AccessKey.objects.get()
    assert (created["AccessKeyId"], created["SecretAccessKey"], created["Status"]) == (
        key.access_key_id,
        key.secret,
        "Active",
    )
    (listed,) = api.get(url + "users/alice/access-keys/").json()["results"]
    assert "SecretAccessKey" not in listed
    assert listed["UserName"] == "alice"
    assert listed["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}


def test_an_access_key_is_deactivated_then_deleted(api, url, alice):
    key_id = api.post(url + "users/alice/access-keys/").json()["AccessKeyId"]
    key = url + f"users/alice/access-keys/{key_id}/"
    assert api.patch(key, {"Status": "Inactive"}, format="json").json()["Status"] == "Inactive"
    assert_error(api.patch(key, {"Status": "Paused"}, format="json"), 400, "ValidationError", "enum value set")
    assert api.delete(key).status_code == 204
    assert_error(api.delete(key), 404, "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")


def test_a_third_access_key_is_limit_exceeded(api, url, alice):
    api.post(url + "users/alice/access-keys/")
    api.post(url + "users/alice/access-keys/")
    assert_error(api.post(url + "users/alice/access-keys/"), 409, "LimitExceeded", "AccessKeysPerUser")


def test_only_the_root_user_manages_the_root_users_keys(api, url, root, alice):
    operations.attach_user_policy(root, "alice", "arn:aws:iam::aws:policy/AdministratorAccess")
    created = api.post(url + "root/access-keys/")
    assert created.status_code == 201 and created.json()["UserName"] is None
    as_alice = api.post(url + "root/access-keys/", headers={"X-Sandbox-Principal": "user/alice"})
    assert_error(as_alice, 403, "AccessDenied", "Only the root user can manage the root user's access keys")


def test_the_password_policy_is_set_read_and_deleted(api, url):
    assert_error(api.get(url + "password-policy/"), 404, "NoSuchEntity", "Password Policy")
    policy = api.put(
        url + "password-policy/", {"MinimumPasswordLength": 12, "MaxPasswordAge": 90}, format="json"
    ).json()
    assert (policy["MinimumPasswordLength"], policy["ExpirePasswords"], policy["RequireSymbols"]) == (12, True, False)
    assert api.get(url + "password-policy/").json() == policy
    assert api.delete(url + "password-policy/").status_code == 204


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"MinimumPasswordLength": 2}, "greater than or equal to 6"),
        ({"RequireSymbols": "yes"}, "Member must be true or false"),
        ({"Colour": "blue"}, "Unknown parameter 'Colour'"),
        (["MinimumPasswordLength"], "must be a JSON object"),
    ],
)
def test_the_password_policy_is_checked_as_aws_checks_it(api, url, body, message):
    assert_error(api.put(url + "password-policy/", body, format="json"), 400, "ValidationError", message)


def test_an_account_has_one_alias(api, url, account):
    assert api.get(url + "aliases/").json() == {"AccountAliases": []}
    created = api.post(url + "aliases/", {"AccountAlias": "data-team"}, format="json")
    assert created.json()["AccountAlias"] == "data-team"
    assert api.get(url + "aliases/").json() == {"AccountAliases": ["data-team"]}
    assert_error(api.post(url + "aliases/", {"AccountAlias": "other"}, format="json"), 409, "LimitExceeded")
    assert api.delete(url + "aliases/data-team/").status_code == 204


def test_the_root_users_email_and_mfa(api, url):
    assert api.put(url + "root/email/", {"EmailAddress": "me@example.com"}, format="json").json()["RootEmail"] == (
        "me@example.com"
    )
    codes = {"AuthenticationCode1": "123456", "AuthenticationCode2": "234567"}
    assert api.post(url + "root/mfa/", codes, format="json").json()["RootMfaEnabled"] is True
    assert_error(api.post(url + "root/mfa/", codes, format="json"), 409, "EntityAlreadyExists")
    assert api.delete(url + "root/mfa/").json()["RootMfaEnabled"] is False
