"""Credentials operations: the password policy, console passwords, access keys and the root user's settings.

Each group cites the AWS page its rules come from.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password

from simulator.sandbox import access_keys, clock, credentials, operations
from simulator.sandbox import password_policy as passwords
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import AccessKey, Account, DecisionRecord, IamUser, Sandbox

pytestmark = pytest.mark.django_db

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@pytest.fixture
def account(learner) -> Account:
    return Sandbox.objects.create_with_account(learner).accounts.get()


@pytest.fixture
def root(account) -> Actor:
    return Actor(account)


@pytest.fixture
def alice(root) -> IamUser:
    return operations.create_user(root, "alice")


@pytest.fixture
def admin(root) -> Actor:
    """An IAM user allowed every action: still not the root user."""
    user = operations.create_user(root, "admin")
    operations.put_user_policy(root, "admin", "everything", ALLOW_ALL)
    return Actor(root.account, user)


def fail(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args, **kwargs)
    return caught.value


def fresh(account: Account) -> Account:
    return Account.objects.get(pk=account.pk)


# --- UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, DeleteAccountPasswordPolicy (IAM API Reference) ---


def test_get_without_a_custom_policy_is_no_such_entity(account):
    error = fail(passwords.get_account_password_policy, account)
    assert (error.code, error.status) == ("NoSuchEntity", 404)
    assert error.message == f"The Password Policy with domain name {account.account_id} cannot be found."


def test_fields_left_out_take_their_defaults_and_unset_ones_are_not_reported(root):
    """UpdateAccountPasswordPolicy: a parameter not specified "reverts to its default value"."""
    passwords.update_account_password_policy(root, RequireNumbers=True, MaxPasswordAge=90)
    passwords.update_account_password_policy(root, RequireSymbols=True)
    assert passwords.get_account_password_policy(fresh(root.account)) == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": True,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }


def test_a_max_password_age_makes_passwords_expire(root):
    reported = passwords.update_account_password_policy(
        root, MaxPasswordAge=90, PasswordReusePrevention=5, HardExpiry=True
    )
    assert (reported["ExpirePasswords"], reported["MaxPasswordAge"]) == (True, 90)
    assert (reported["PasswordReusePrevention"], reported["HardExpiry"]) == (5, True)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("MinimumPasswordLength", 5, False),
        ("MinimumPasswordLength", 6, True),
        ("MinimumPasswordLength", 128, True),
        ("MinimumPasswordLength", 129, False),
        ("MaxPasswordAge", 0, False),
        ("MaxPasswordAge", 1, True),
        ("MaxPasswordAge", 1095, True),
        ("MaxPasswordAge", 1096, False),
        ("PasswordReusePrevention", 0, False),
        ("PasswordReusePrevention", 1, True),
        ("PasswordReusePrevention", 24, True),
        ("PasswordReusePrevention", 25, False),
        ("MinimumPasswordLength", "eight", False),
        ("MinimumPasswordLength", True, False),
        ("RequireSymbols", "yes", False),
        ("RequireSymbols", True, True),
        ("Colour", "blue", False),
    ],
)
def test_policy_fields_and_their_ranges(root, field, value, accepted):
    """UpdateAccountPasswordPolicy's parameters: length 6-128, age 1-1095 days, reuse 1-24 passwords."""
    if accepted:
        assert passwords.update_account_password_policy(root, **{field: value})[field] == value
    else:
        error = fail(passwords.update_account_password_policy, root, **{field: value})
        assert error.code == "ValidationError"
        assert error.message.startswith("1 validation error detected: ")
        assert fresh(root.account).password_policy is None


def test_every_bad_field_is_reported_at_once(root):
    error = fail(passwords.update_account_password_policy, root, MinimumPasswordLength=200, MaxPasswordAge=0)
    assert error.message.startswith("2 validation errors detected: ")
    assert "Value '200' at 'minimumPasswordLength' failed to satisfy constraint" in error.message
    assert "Value '0' at 'maxPasswordAge'" in error.message


def test_deleting_the_policy_brings_back_the_default(root):
    passwords.update_account_password_policy(root, MinimumPasswordLength=20)
    passwords.delete_account_password_policy(root)
    assert fresh(root.account).password_policy is None
    assert fail(passwords.delete_account_password_policy, root).code == "NoSuchEntity"


def test_an_iam_user_needs_permission_to_change_the_policy(root, alice, admin):
    alice_acting = Actor(root.account, alice)
    with pytest.raises(AccessDenied):
        passwords.update_account_password_policy(alice_acting, MinimumPasswordLength=10)
    passwords.update_account_password_policy(admin, MinimumPasswordLength=10)
    assert DecisionRecord.objects.filter(action="iam:UpdateAccountPasswordPolicy", resource="*").count() == 2


# --- The default and custom password policies ("Set an account password policy for IAM users") ---


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("Abcdef1!", []),
        ("Abcdefg1", []),
        ("abcdef1!", []),
        ("ABCDEF1!", []),
        ("abcdefgh", ["three of these kinds"]),
        ("abcdef12", ["three of these kinds"]),
        ("abcdefg.", ["three of these kinds"]),
        ("Ab1!", ["minimum length of 8"]),
        ("ab1", ["minimum length of 8", "three of these kinds"]),
        ("Ops-Team1@example.com", ["identical to the account name or email address"]),
        ("ops-team1@EXAMPLE.com", ["identical to the account name or email address"]),
        ("my-company-1", ["identical to the account name or email address"]),
    ],
)
def test_the_default_policy(account, password, broken):
    """No custom policy: at least 8 characters, three of four kinds of character, not the account name or email."""
    account.root_email, account.alias = "Ops-Team1@example.com", "my-company-1"
    found = passwords.violations(password, account)
    assert len(found) == len(broken)
    for rule, expected in zip(found, broken, strict=True):
        assert expected in rule


@pytest.mark.parametrize(
    ("policy", "password", "broken"),
    [
        ({"MinimumPasswordLength": 6}, "abcdef", []),
        ({"MinimumPasswordLength": 12}, "Abcdef1!", ["Password should have a minimum length of 12"]),
        ({"RequireUppercaseCharacters": True}, "abcdef", ["Password should have at least one uppercase letter"]),
        ({"RequireLowercaseCharacters": True}, "ABCDEF", ["Password should have at least one lowercase letter"]),
        ({"RequireNumbers": True}, "abcdef", ["Password should have at least one number"]),
        ({"RequireSymbols": True}, "abcdef.", ["Password should have at least one symbol"]),
        ({"RequireSymbols": True}, "abcdef'", []),
        (
            {"RequireNumbers": True, "RequireSymbols": True, "MinimumPasswordLength": 10},
            "abc",
            [
                "Password should have a minimum length of 10",
                "Password should have at least one number",
                "Password should have at least one symbol",
            ],
        ),
    ],
)
def test_a_custom_policy_replaces_the_default(root, policy, password, broken):
    """UpdateAccountPasswordPolicy: symbols are ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' only."""
    passwords.update_account_password_policy(root, **policy)
    assert passwords.violations(password, fresh(root.account)) == broken


# --- CreateLoginProfile, UpdateLoginProfile, DeleteLoginProfile (IAM API Reference) ---


def test_a_console_password_is_stored_hashed(root, alice):
    passwords.create_login_profile(root, "alice", "Correct-Horse-9", password_reset_required=True)
    alice.refresh_from_db()
    assert alice.password != "Correct-Horse-9"
    assert check_password("Correct-Horse-9", alice.password)
    assert alice.password_reset_required


def test_a_second_login_profile_already_exists(root, alice):
    passwords.create_login_profile(root, "alice", "Correct-Horse-9")
    error = fail(passwords.create_login_profile, root, "alice", "Other-Horse-9")
    assert (error.code, error.status, error.message) == (
        "EntityAlreadyExists",
        409,
        "Login Profile for user alice already exists.",
    )


def test_a_password_breaking_the_policy_is_refused_with_every_rule_broken(root, alice):
    error = fail(passwords.create_login_profile, root, "alice", "short")
    assert (error.code, error.status) == ("PasswordPolicyViolation", 400)
    assert len(error.rules) == 2
    assert "Password should have a minimum length of 8." in error.message
    alice.refresh_from_db()
    assert alice.password == ""


@pytest.mark.parametrize("password", ["", "x" * 129, "Tab-ok-but-emoji-🙂-1"])
def test_passwords_outside_awss_password_type_are_malformed(root, alice, password):
    """CreateLoginProfile's Password: 1 to 128 characters from tab, newline and Latin-1."""
    error = fail(passwords.create_login_profile, root, "alice", password)
    assert error.code == "ValidationError"
    assert "Value '*****' at 'password'" in error.message


@pytest.mark.parametrize("call", [passwords.update_login_profile, passwords.delete_login_profile])
def test_changing_a_missing_login_profile_is_no_such_entity(root, alice, call):
    error = fail(call, root, "alice")
    assert (error.code, error.message) == ("NoSuchEntity", "Login Profile for User alice cannot be found.")


def test_login_profiles_of_unknown_users_are_no_such_entity(root):
    assert fail(passwords.create_login_profile, root, "nobody", "Correct-Horse-9").code == "NoSuchEntity"


def test_update_changes_the_password_or_only_the_reset_flag(root, alice):
    passwords.create_login_profile(root, "alice", "Correct-Horse-9")
    passwords.update_login_profile(root, "alice", password_reset_required=True)
    alice.refresh_from_db()
    assert alice.password_reset_required and check_password("Correct-Horse-9", alice.password)
    passwords.update_login_profile(root, "alice", "Battery-Staple-7", False)
    alice.refresh_from_db()
    assert not alice.password_reset_required and check_password("Battery-Staple-7", alice.password)


def test_reuse_prevention_refuses_the_current_password(root, alice):
    passwords.update_account_password_policy(root, PasswordReusePrevention=3)
    passwords.create_login_profile(root, "alice", "Correct-Horse-9")
    error = fail(passwords.update_login_profile, root, "alice", "Correct-Horse-9")
    assert error.rules == ["Password should not be one of the last 3 passwords used"]


def test_delete_takes_console_access_away_and_keeps_access_keys(root, alice):
    passwords.create_login_profile(root, "alice", "Correct-Horse-9", True)
    access_keys.create_access_key(root, "alice")
    passwords.delete_login_profile(root, "alice")
    alice.refresh_from_db()
    assert (alice.password, alice.password_reset_required) == ("", False)
    assert alice.access_keys.count() == 1


def test_an_iam_user_without_permission_cannot_set_passwords(root, alice):
    with pytest.raises(AccessDenied) as caught:
        passwords.create_login_profile(Actor(root.account, alice), "alice", "Correct-Horse-9")
    assert "iam:CreateLoginProfile" in caught.value.message


# --- Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys; "IAM and AWS STS quotas" ---


def test_a_new_key_is_active_and_carries_its_secret_once(root, alice):
    key = access_keys.create_access_key(root, "alice")
    assert key.access_key_id.startswith("AKIA") and len(key.access_key_id) == 20
    assert len(key.secret) == 40 and key.status == "Active"
    listed = access_keys.list_access_keys(root, "alice")
    assert [k.access_key_id for k in listed] == [key.access_key_id]
    assert "secret" in listed[0].get_deferred_fields()


@pytest.mark.parametrize("owner", ["alice", None])
def test_at_most_two_access_keys_even_inactive_ones(root, alice, owner):
    """Quota AccessKeysPerUser: 2, the root user included ("Create access keys for the root user")."""
    first = access_keys.create_access_key(root, owner)
    access_keys.create_access_key(root, owner)
    access_keys.update_access_key(root, owner, first.access_key_id, "Inactive")
    error = fail(access_keys.create_access_key, root, owner)
    assert (error.code, error.status, error.message) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for AccessKeysPerUser: 2",
    )
    assert AccessKey.objects.count() == 2


def test_root_and_each_user_have_their_own_quota(root, alice):
    for owner in (None, None, "alice", "alice"):
        access_keys.create_access_key(root, owner)
    assert AccessKey.objects.filter(user=None).count() == AccessKey.objects.filter(user=alice).count() == 2


@pytest.mark.parametrize("call", ["create", "update", "delete", "list"])
def test_only_the_root_user_manages_root_access_keys(root, admin, call):
    """CreateAccessKey without a user name acts on the caller's own keys: no IAM identity can reach root's."""
    key = access_keys.create_access_key(root, None)
    calls = {
        "create": lambda: access_keys.create_access_key(admin, None),
        "update": lambda: access_keys.update_access_key(admin, None, key.access_key_id, "Inactive"),
        "delete": lambda: access_keys.delete_access_key(admin, None, key.access_key_id),
        "list": lambda: access_keys.list_access_keys(admin, None),
    }
    error = fail(calls[call])
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert "Only the root user can" in error.message
    key.refresh_from_db()
    assert key.status == "Active" and AccessKey.objects.count() == 1


def test_an_iam_user_with_permission_manages_other_users_keys(admin, alice):
    key = access_keys.create_access_key(admin, "alice")
    access_keys.delete_access_key(admin, "alice", key.access_key_id)
    assert not AccessKey.objects.exists()


def test_status_must_be_active_or_inactive(root, alice):
    key = access_keys.create_access_key(root, "alice")
    error = fail(access_keys.update_access_key, root, "alice", key.access_key_id, "Disabled")
    assert error.code == "ValidationError"
    assert "Member must satisfy enum value set: [Active, Inactive]" in error.message


def test_a_key_of_someone_else_cannot_be_found(root, alice):
    operations.create_user(root, "bob")
    bobs = access_keys.create_access_key(root, "bob")
    for call in (
        lambda: access_keys.update_access_key(root, "alice", bobs.access_key_id, "Inactive"),
        lambda: access_keys.delete_access_key(root, "alice", bobs.access_key_id),
    ):
        error = fail(call)
        assert (error.code, error.message) == (
            "NoSuchEntity",
            f"The Access Key with id {bobs.access_key_id} cannot be found.",
        )
    assert AccessKey.objects.get().status == "Active"


def test_last_use_is_na_until_a_request_is_signed_with_the_key(root, alice):
    """The key's last use is stamped with the sandbox clock's time."""
    """GetAccessKeyLastUsed: ServiceName and Region "N/A" and no LastUsedDate for a key never used."""
    key = access_keys.create_access_key(root, "alice")
    assert access_keys.last_used(key) == {"ServiceName": "N/A", "Region": "N/A"}
    clock.set_rate(alice.account.sandbox, 0)
    used_at = clock.account_now(alice.account)
    access_keys.record_access_key_use(alice.account.sandbox, key.access_key_id, "s3")
    key.refresh_from_db()
    assert access_keys.last_used(key) == {"LastUsedDate": used_at, "ServiceName": "s3"}


def test_an_inactive_or_unknown_key_signs_nothing(root, alice):
    key = access_keys.create_access_key(root, "alice")
    access_keys.update_access_key(root, "alice", key.access_key_id, "Inactive")
    for access_key_id in (key.access_key_id, "AKIANOTAREALKEY00000"):
        error = fail(access_keys.record_access_key_use, alice.account.sandbox, access_key_id, "s3")
        assert (error.code, error.status) == ("InvalidClientTokenId", 403)
    key.refresh_from_db()
    assert key.last_used_at is None


def test_key_actions_are_logged_under_awss_names(root, alice):
    key = access_keys.create_access_key(root, "alice")
    access_keys.update_access_key(root, "alice", key.access_key_id, "Inactive")
    access_keys.delete_access_key(root, "alice", key.access_key_id)
    logged = list(DecisionRecord.objects.order_by("id").values_list("action", "resource"))
    assert logged[-3:] == [(f"iam:{name}AccessKey", alice.arn) for name in ("Create", "Update", "Delete")]
    assert not DecisionRecord.objects.filter(trace__icontains=key.secret).exists()


# --- The root user: "Tasks that require root user credentials"; EnableMFADevice; CreateAccountAlias ---


def test_the_root_user_changes_its_email(root):
    credentials.set_root_email(root, "ops@example.com")
    assert fresh(root.account).root_email == "ops@example.com"
    assert fail(credentials.set_root_email, root, "not an email").code == "ValidationError"


def test_no_iam_identity_changes_the_root_users_email_or_mfa(root, admin):
    for call in (
        lambda: credentials.set_root_email(admin, "evil@example.com"),
        lambda: credentials.enable_root_mfa(admin, "123456", "654321"),
        lambda: credentials.disable_root_mfa(admin),
    ):
        assert fail(call).code == "AccessDenied"
    account = fresh(root.account)
    assert (account.root_email, account.root_mfa_enabled) == ("", False)


@pytest.mark.parametrize(
    ("code1", "code2", "accepted"),
    [
        ("123456", "654321", True),
        ("000000", "000001", True),
        ("12345", "654321", False),
        ("1234567", "654321", False),
        ("12345a", "654321", False),
        ("123456", "", False),
        ("", "", False),
    ],
)
def test_enabling_root_mfa_takes_two_six_digit_codes(root, code1, code2, accepted):
    """Enable a virtual MFA device for the root user: two consecutive codes (any, here: the device is simulated)."""
    if accepted:
        credentials.enable_root_mfa(root, code1, code2)
    else:
        assert fail(credentials.enable_root_mfa, root, code1, code2).code == "ValidationError"
    assert fresh(root.account).root_mfa_enabled is accepted


def test_root_mfa_is_enabled_once_and_disabled_once(root):
    credentials.enable_root_mfa(root, "123456", "654321")
    assert fail(credentials.enable_root_mfa, root, "123456", "654321").code == "EntityAlreadyExists"
    credentials.disable_root_mfa(root)
    assert fail(credentials.disable_root_mfa, root).code == "NoSuchEntity"
    assert DecisionRecord.objects.filter(action="iam:EnableMFADevice", resource=root.account.root_arn).exists()


@pytest.mark.parametrize(
    ("alias", "accepted"),
    [
        ("my-company", True),
        ("abc", True),
        ("a" * 63, True),
        ("123456789", True),
        ("ab", False),
        ("a" * 64, False),
        ("-company", False),
        ("company-", False),
        ("my--company", False),
        ("My-Company", False),
        ("my_company", False),
        ("my.company", False),
    ],
)
def test_account_alias_rules(root, alias, accepted):
    """CreateAccountAlias: 3-63 lowercase letters, digits and dashes, no dash first, last, or twice in a row."""
    if accepted:
        credentials.create_account_alias(root, alias)
    else:
        assert fail(credentials.create_account_alias, root, alias).code == "ValidationError"
    assert fresh(root.account).alias == (alias if accepted else "")


def test_an_account_has_one_alias(root):
    """IAM and AWS STS quotas: one alias per account."""
    credentials.create_account_alias(root, "first")
    credentials.create_account_alias(root, "first")
    error = fail(credentials.create_account_alias, root, "second")
    assert (error.code, error.message) == ("LimitExceeded", "Cannot exceed quota for AccountAliasesPerAccount: 1.")
    assert fail(credentials.delete_account_alias, root, "second").code == "NoSuchEntity"
    credentials.delete_account_alias(root, "first")
    credentials.create_account_alias(root, "second")
    assert fresh(root.account).alias == "second"


def test_aliases_are_unique_across_the_sandboxs_accounts(root):
    other = Actor(Account.objects.create(sandbox=root.account.sandbox))
    credentials.create_account_alias(root, "taken")
    error = fail(credentials.create_account_alias, other, "taken")
    assert (error.code, error.status) == ("EntityAlreadyExists", 409)


def test_an_iam_user_needs_permission_for_the_alias(root, alice, admin):
    with pytest.raises(AccessDenied):
        credentials.create_account_alias(Actor(root.account, alice), "mine")
    credentials.create_account_alias(admin, "mine")
    assert fresh(root.account).alias == "mine"


# --- Password age, reuse and ChangePassword ("Set an account password policy for IAM users"; PasswordPolicy,
# ChangePassword and UpdateLoginProfile in the IAM API Reference) ---

DENY_CHANGE = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:ChangePassword", "Resource": "*"}]}
)
ALLOW_OWN_CHANGE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"}
        ],
    }
)
HISTORY = [f"Earlier-Pass-{number}" for number in range(1, 5)]


def reload(user: IamUser) -> IamUser:
    return IamUser.objects.select_related("account").get(pk=user.pk)


def test_setting_a_password_dates_it_and_keeps_the_replaced_hash(root, alice):
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    first = reload(alice)
    assert first.password_changed_at is not None and first.password_history == []
    passwords.update_login_profile(root, "alice", "Second-Pass-2")
    second = reload(alice)
    assert second.password_history == [first.password]
    assert second.password_changed_at >= first.password_changed_at
    passwords.update_login_profile(root, "alice", password_reset_required=True)
    assert reload(alice).password_history == [first.password], "only a new password joins the history"


def test_the_history_keeps_24_hashes_and_deleting_the_login_profile_clears_it(root, alice):
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    IamUser.objects.filter(pk=alice.pk).update(password_history=[f"old{number}" for number in range(24)])
    passwords.update_login_profile(root, "alice", "Second-Pass-2")
    history = reload(alice).password_history
    assert len(history) == 24 and history[1] == "old0"
    passwords.delete_login_profile(root, "alice")
    gone = reload(alice)
    assert (gone.password_changed_at, gone.password_history) == (None, [])


@pytest.mark.parametrize(
    ("reuse", "candidate", "refused"),
    [
        (1, "Earlier-Pass-4", True),  # N counts the current password...
        (1, "Earlier-Pass-3", False),
        (2, "Earlier-Pass-3", True),  # ...and the N-1 before it
        (2, "Earlier-Pass-2", False),
        (4, "Earlier-Pass-1", True),
        (24, "Earlier-Pass-1", True),
        (None, "Earlier-Pass-4", False),  # no reuse prevention: even the current password may be set again
    ],
)
def test_reuse_prevention_counts_the_current_password(root, alice, reuse, candidate, refused):
    """PasswordReusePrevention N: the new password may not be any of the user's last N, the current included."""
    passwords.create_login_profile(root, "alice", HISTORY[0])
    for password in HISTORY[1:]:
        passwords.update_login_profile(root, "alice", password)
    passwords.update_account_password_policy(root, **({"PasswordReusePrevention": reuse} if reuse else {}))
    if refused:
        error = fail(passwords.update_login_profile, root, "alice", candidate)
        assert error.code == "PasswordPolicyViolation"
        assert error.rules == [f"Password should not be one of the last {reuse} passwords used"]
    else:
        passwords.update_login_profile(root, "alice", candidate)


@pytest.mark.parametrize(
    ("policy", "age_days", "expired"),
    [
        ({}, 5000, False),  # without MaxPasswordAge a password never expires
        ({"MaxPasswordAge": 90}, 90, False),
        ({"MaxPasswordAge": 90}, 91, True),
        ({"MaxPasswordAge": 1}, 0, False),
        ({"MaxPasswordAge": 1, "HardExpiry": True}, 2, True),
    ],
)
def test_a_password_older_than_max_password_age_has_expired(root, alice, policy, age_days, expired):
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(root, **policy)
    set_at = passwords.now(alice.account) - timedelta(days=age_days, minutes=1)
    IamUser.objects.filter(pk=alice.pk).update(password_changed_at=set_at)
    state = passwords.expiry(reload(alice))
    assert (state.age_days, state.expired, state.hard_expiry) == (age_days, expired, policy.get("HardExpiry", False))


def test_expiry_reads_the_sandbox_clock_and_needs_a_dated_password(root, alice):
    assert passwords.expiry(alice) is None, "no console password"
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(root, MaxPasswordAge=30)
    assert not passwords.expiry(reload(alice)).expired
    clock.advance(alice.account.sandbox, timedelta(days=31).total_seconds())
    assert passwords.expiry(reload(alice)).expired
    IamUser.objects.filter(pk=alice.pk).update(password_changed_at=None)
    assert passwords.expiry(reload(alice)) is None, "set before ages were recorded: unknown, not expired"


def as_alice(root, alice, via: str = "console") -> Actor:
    """Alice acting, as a request would see her: her account's password policy as it is now."""
    return Actor(fresh(root.account), reload(alice), via=via)


@pytest.mark.parametrize(
    ("allow_users", "user_policy", "allowed"),
    [
        (False, None, False),
        (True, None, True),  # the account-level grant needs no policy
        (False, ALLOW_OWN_CHANGE, True),
        (True, DENY_CHANGE, False),  # an explicit Deny still wins over the account-level grant
    ],
)
def test_who_may_change_their_own_password(root, alice, allow_users, user_policy, allowed):
    """AllowUsersToChangePassword "gives IAM users permissions to iam:ChangePassword for only their user ...
    applied at the account-level for all users by IAM" (PasswordPolicy); otherwise a policy must allow it."""
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(root, AllowUsersToChangePassword=allow_users)
    if user_policy:
        operations.put_user_policy(root, "alice", "change", user_policy)
    if allowed:
        passwords.change_password(as_alice(root, alice), "First-Pass-1", "Second-Pass-2")
        assert check_password("Second-Pass-2", reload(alice).password)
    else:
        with pytest.raises(AccessDenied):
            passwords.change_password(as_alice(root, alice), "First-Pass-1", "Second-Pass-2")
    assert DecisionRecord.objects.filter(action="iam:ChangePassword", resource=alice.arn).exists()


def test_the_account_level_grant_is_what_the_decision_log_shows_allowing_the_change(root, alice):
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(root, AllowUsersToChangePassword=True)
    passwords.change_password(as_alice(root, alice), "First-Pass-1", "Second-Pass-2")
    record = DecisionRecord.objects.get(action="iam:ChangePassword")
    assert record.result == "allowed"
    assert [m["policyId"] for m in record.trace["matchedStatements"]] == [passwords.ACCOUNT_GRANT]


def test_the_root_user_cannot_call_change_password(root):
    error = fail(passwords.change_password, root, "Old-Pass-1", "New-Pass-2")
    assert (error.code, error.status) == ("InvalidUserType", 400)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("Wrong-Pass-9", "Second-Pass-2", "InvalidUserType"),
        ("First-Pass-1", "short", "PasswordPolicyViolation"),
        ("First-Pass-1", "First-Pass-1", "PasswordPolicyViolation"),  # reuse of the current password
        ("First-Pass-1", "", "ValidationError"),
    ],
)
def test_change_password_needs_the_old_password_and_a_good_new_one(root, alice, old, new, code):
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(root, AllowUsersToChangePassword=True, PasswordReusePrevention=1)
    assert fail(passwords.change_password, as_alice(root, alice), old, new).code == code
    assert check_password("First-Pass-1", reload(alice).password)


def test_change_password_without_a_console_password_is_no_such_entity(root, alice):
    passwords.update_account_password_policy(root, AllowUsersToChangePassword=True)
    assert fail(passwords.change_password, as_alice(root, alice), "Old-Pass-1", "New-Pass-2").code == "NoSuchEntity"


def test_changing_the_password_meets_the_reset_requirement(root, alice):
    passwords.create_login_profile(root, "alice", "First-Pass-1", password_reset_required=True)
    passwords.update_account_password_policy(root, AllowUsersToChangePassword=True)
    passwords.change_password(as_alice(root, alice), "First-Pass-1", "Second-Pass-2")
    changed = reload(alice)
    assert not changed.password_reset_required and len(changed.password_history) == 1


@pytest.mark.parametrize(
    ("hard_expiry", "via", "changed"),
    [(False, "console", True), (True, "console", False), (True, "api", True)],
)
def test_a_hard_expired_password_is_reset_by_an_administrator_in_the_console(root, alice, hard_expiry, via, changed):
    """HardExpiry: users cannot set a new password in the console once theirs expired, "until an administrator
    resets the password"; users with iam:ChangePassword can still change it through the API (PasswordPolicy)."""
    passwords.create_login_profile(root, "alice", "First-Pass-1")
    passwords.update_account_password_policy(
        root, AllowUsersToChangePassword=True, MaxPasswordAge=30, HardExpiry=hard_expiry
    )
    IamUser.objects.filter(pk=alice.pk).update(password_changed_at=passwords.now(alice.account) - timedelta(days=31))
    if changed:
        passwords.change_password(as_alice(root, alice, via), "First-Pass-1", "Second-Pass-2")
        assert not passwords.expiry(reload(alice)).expired
    else:
        error = fail(passwords.change_password, as_alice(root, alice, via), "First-Pass-1", "Second-Pass-2")
        assert error.code == "EntityTemporarilyUnmodifiable"
        passwords.update_login_profile(root, "alice", "Admin-Reset-3")
        assert not passwords.expiry(reload(alice)).expired
