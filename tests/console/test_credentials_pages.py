"""A user's Security credentials page and the Account tab.

Behaviour: "Set an account password policy for IAM users", "Update access keys", "Create access keys for
the root user", "Enable a virtual MFA device for your AWS account root user", "Security best practices in
IAM"; error codes from the IAM API Reference of each action.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.console.acting import SESSION_KEY
from simulator.sandbox import access_keys, operations, password_policy
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import AccessKey, Account, IamUser, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db

USER_ROUTES = ["console:user_credentials", "console:user_password", "console:user_access_keys"]
POSTS = [
    ("console:user_password", {"operation": "create", "password": "Correct-Horse-9"}),
    (
        "console:user_password",
        {"operation": "change", "old_password": "x", "new_password": "N-9", "new_password_again": "N-9"},
    ),
    ("console:user_access_keys", {"operation": "create"}),
    ("console:account_alias", {"operation": "create", "alias": "mallory"}),
    ("console:root_email", {"email": "mallory@example.com"}),
    ("console:root_mfa", {"operation": "enable", "code1": "123456", "code2": "654321"}),
    ("console:root_access_keys", {"operation": "create"}),
    ("console:password_policy", {"operation": "update", "MinimumPasswordLength": "6"}),
]


def url(name: str, sandbox, user=None) -> str:
    return reverse(name, args=[sandbox.id, user.id] if name in USER_ROUTES else [sandbox.id])


def act_as(client: Client, sandbox, user_name: str) -> None:
    session = client.session
    session[SESSION_KEY] = {str(sandbox.pk): {"account": sandbox.accounts.get().account_id, "user": user_name}}
    session.save()


def account_of(sandbox) -> Account:
    return sandbox.accounts.get()


# --- Who may use the pages ---


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [("console:user_credentials", "get", {}), ("console:account", "get", {})]
    + [(name, "post", data) for name, data in POSTS],
)
def test_another_learner_gets_404(other_client, sandbox, alice, name, method, data):
    """Pages answer GET and their forms POST; the other method is a 405 whoever asks (the walk in
    tests/simulator/test_every_route_is_private.py checks both methods on every route)."""
    response = getattr(other_client, method)(url(name, sandbox, alice), data)
    assert response.status_code == 404
    alice.refresh_from_db()
    assert (alice.password, AccessKey.objects.count(), account_of(sandbox).alias) == ("", 0, "")


@pytest.mark.parametrize("operation", ["deactivate", "delete", "use"])
def test_another_learner_cannot_touch_a_key(other_client, sandbox, root, alice, operation):
    key = access_keys.create_access_key(root, "alice")
    data = {"operation": operation, "access_key_id": key.access_key_id}
    assert other_client.post(url("console:user_access_keys", sandbox, alice), data).status_code == 404
    key.refresh_from_db()
    assert (key.status, key.last_used_at) == ("Active", None)


def test_a_user_of_another_learners_sandbox_is_404_in_my_sandbox(learner_client, sandbox, other_learner):
    their_account = Sandbox.objects.create_with_account(other_learner).accounts.get()
    theirs = operations.create_user(Actor(their_account), "eve")
    response = learner_client.get(reverse("console:user_credentials", args=[sandbox.id, theirs.id]))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_an_htmx_post_without_the_csrf_token_is_refused(learner, sandbox, alice, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(url(name, sandbox, alice), data, headers=HTMX).status_code == 403
    alice.refresh_from_db()
    assert (alice.password, AccessKey.objects.count(), account_of(sandbox).root_mfa_enabled) == ("", 0, False)


def test_a_key_of_another_user_is_404_on_this_users_page(learner_client, sandbox, root, alice):
    operations.create_user(root, "bob")
    bobs = access_keys.create_access_key(root, "bob")
    data = {"operation": "delete", "access_key_id": bobs.access_key_id}
    assert learner_client.post(url("console:user_access_keys", sandbox, alice), data).status_code == 404
    assert learner_client.post(url("console:root_access_keys", sandbox), data).status_code == 404
    assert AccessKey.objects.count() == 1


def test_an_unknown_operation_is_a_bad_request(learner_client, sandbox, alice):
    assert learner_client.post(url("console:user_password", sandbox, alice), {"operation": "x"}).status_code == 400


# --- Console password ---


def test_the_page_shows_the_default_policy_and_no_console_access(learner_client, sandbox, alice):
    response = learner_client.get(url("console:user_credentials", sandbox, alice))
    assertContains(response, "alice: security credentials")
    assertContains(response, "Not enabled")
    assertContains(response, "AWS's default: no custom policy is set")
    assertContains(response, "At least 8 characters (and at most 128)")
    assertContains(response, 'value="create"')
    assert response["Vary"].count("HX-Request") == 1


def test_enabling_console_access_without_js_redirects(learner_client, sandbox, alice):
    data = {"operation": "create", "password": "Correct-Horse-9", "password_reset_required": "on"}
    response = learner_client.post(url("console:user_password", sandbox, alice), data)
    assertRedirects(response, url("console:user_credentials", sandbox, alice))
    alice.refresh_from_db()
    assert alice.password.startswith(("pbkdf2", "md5", "argon2")) and alice.password_reset_required
    page = learner_client.get(response["Location"])
    assertContains(page, "Required")
    assertNotContains(page, "Correct-Horse-9")


@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HTMX, 200)])
def test_a_password_breaking_the_policy_lists_the_rules_broken_in_place(
    learner_client, sandbox, alice, headers, status
):
    data = {"operation": "create", "password": "weakpw"}
    response = learner_client.post(url("console:user_password", sandbox, alice), data, headers=headers)
    assert response.status_code == status
    assertContains(
        response, '<code class="aws-error-code">PasswordPolicyViolation</code>', html=True, status_code=status
    )
    assertContains(response, "breaks 2 rules", status_code=status)
    assertContains(response, "<li>Password should have a minimum length of 8</li>", html=True, status_code=status)
    assertNotContains(response, "weakpw", status_code=status)


def test_htmx_answers_with_the_region_only(learner_client, sandbox, alice):
    data = {"operation": "create", "password": "Correct-Horse-9"}
    response = learner_client.post(url("console:user_password", sandbox, alice), data, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="credentials-region"')
    assert "<html" not in content
    assertContains(response, "Change password")


def test_changing_the_reset_flag_only_and_removing_the_password(learner_client, sandbox, root, alice):
    password_policy.create_login_profile(root, "alice", "Correct-Horse-9")
    page = url("console:user_password", sandbox, alice)
    learner_client.post(page, {"operation": "update", "password": "", "password_reset_required": "on"})
    alice.refresh_from_db()
    assert alice.password_reset_required and alice.password
    learner_client.post(page, {"operation": "delete"})
    alice.refresh_from_db()
    assert alice.password == ""


# --- Access keys: the secret is shown once ---


def test_a_new_keys_secret_is_shown_once_with_htmx(learner_client, sandbox, alice):
    response = learner_client.post(
        url("console:user_access_keys", sandbox, alice), {"operation": "create"}, headers=HTMX
    )
    key = AccessKey.objects.get()
    assertContains(response, key.secret)
    assertContains(response, "This is the only time the secret access key can be viewed")
    for later in (
        url("console:user_credentials", sandbox, alice),
        url("console:account", sandbox),
        reverse("console:decision_log", args=[sandbox.id]),
    ):
        assertNotContains(learner_client.get(later), key.secret)


def test_a_new_keys_secret_is_shown_once_after_the_no_js_redirect(learner_client, sandbox, alice):
    response = learner_client.post(url("console:user_access_keys", sandbox, alice), {"operation": "create"})
    # Following the redirect here would be the one page view that shows the secret.
    assertRedirects(response, url("console:user_credentials", sandbox, alice), fetch_redirect_response=False)
    secret = AccessKey.objects.get().secret
    assert secret not in str(dict(learner_client.session))
    assertContains(learner_client.get(response["Location"]), secret)
    assertNotContains(learner_client.get(response["Location"]), secret)


def test_the_keys_table_shows_status_created_and_last_used(learner_client, sandbox, root, alice):
    used, unused = access_keys.create_access_key(root, "alice"), access_keys.create_access_key(root, "alice")
    access_keys.record_access_key_use(sandbox, used.access_key_id, "s3")
    access_keys.update_access_key(root, "alice", unused.access_key_id, "Inactive")
    response = learner_client.get(url("console:user_credentials", sandbox, alice))
    assertContains(response, "with s3")
    assertContains(response, "N/A (never used)")
    assertContains(response, '<span class="key-status key-status-inactive">Inactive</span>', html=True)
    assertContains(response, f'aria-label="Activate {unused.access_key_id}"')
    assertContains(response, "A user can have at most 2 access keys")
    for secret in (used.secret, unused.secret):
        assertNotContains(response, secret)


def test_acting_as_a_user_without_permission_shows_access_denied(learner_client, sandbox, alice):
    act_as(learner_client, sandbox, "alice")
    response = learner_client.post(
        url("console:user_access_keys", sandbox, alice), {"operation": "create"}, headers=HTMX
    )
    assertContains(response, '<code class="aws-error-code">AccessDenied</code>', html=True)
    assertContains(response, "iam:CreateAccessKey")
    assert not AccessKey.objects.exists()


# --- Updating access keys without downtime, as a guided flow ---


def current_step(response) -> int:
    found = re.search(
        r'rotation-step-current" aria-current="step">\s*<span class="step-marker" aria-hidden="true">(\d)',
        response.content.decode(),
    )
    return int(found.group(1)) if found else 0


def enabled_step_buttons(response) -> list[str]:
    """The rotation panel's buttons that can be pressed, by their label."""
    panel = response.content.decode().split('class="rotation-steps"')[1]
    buttons = re.findall(r"<button([^>]*)>([^<]+)</button>", panel)
    return [label for attributes, label in buttons if "disabled" not in attributes]


def test_the_guided_flow_follows_the_keys_real_state(learner_client, sandbox, root, alice):
    """ "Update access keys": create a second key, switch applications, deactivate the old key, then delete it."""
    page, keys_url = url("console:user_credentials", sandbox, alice), url("console:user_access_keys", sandbox, alice)
    response = learner_client.get(page)
    assert current_step(response) == 0 and enabled_step_buttons(response) == []

    old = access_keys.create_access_key(root, "alice")
    response = learner_client.get(page)
    assert (current_step(response), enabled_step_buttons(response)) == (1, ["Create second access key"])

    response = learner_client.post(keys_url, {"operation": "create"}, headers=HTMX)
    new = AccessKey.objects.exclude(pk=old.pk).get()
    assert (current_step(response), enabled_step_buttons(response)) == (2, ["Simulate a call with the new key"])
    assertContains(response, new.secret)

    response = learner_client.post(keys_url, {"operation": "use", "access_key_id": new.access_key_id}, headers=HTMX)
    assert (current_step(response), enabled_step_buttons(response)) == (3, ["Deactivate old key"])
    assertContains(response, "with sts")

    response = learner_client.post(
        keys_url, {"operation": "deactivate", "access_key_id": old.access_key_id}, headers=HTMX
    )
    assert (current_step(response), enabled_step_buttons(response)) == (4, ["Delete old key", "Reactivate old key"])
    assertContains(
        response, '<progress id="rotation-progress" max="4" value="3">3 of 4 steps done</progress>', html=True
    )

    response = learner_client.post(keys_url, {"operation": "delete", "access_key_id": old.access_key_id}, headers=HTMX)
    assertContains(response, "Update complete.")
    assert list(AccessKey.objects.values_list("access_key_id", flat=True)) == [new.access_key_id]
    assert current_step(response) == 1


def test_the_finished_update_is_announced_without_js_too(learner_client, sandbox, root, alice):
    old = access_keys.create_access_key(root, "alice")
    access_keys.create_access_key(root, "alice")
    access_keys.update_access_key(root, "alice", old.access_key_id, "Inactive")
    response = learner_client.post(
        url("console:user_access_keys", sandbox, alice), {"operation": "delete", "access_key_id": old.access_key_id}
    )
    assertContains(learner_client.get(response["Location"]), "Update complete.")
    assertNotContains(learner_client.get(response["Location"]), "Update complete.")


# --- The Account tab ---


def test_the_account_page_shows_the_account_and_the_root_checklist(learner_client, sandbox):
    response = learner_client.get(url("console:account", sandbox))
    account = account_of(sandbox)
    assertContains(response, f"<code>{account.account_id}</code>", html=True)
    assertContains(response, f"https://{account.account_id}.signin.aws.amazon.com/console")
    assertContains(response, "1 of 3 done")
    assertContains(response, "no IAM policy can limit what they do")
    assertContains(response, "AWS default")
    assertContains(response, ">Account</a>")
    assertContains(response, 'aria-current="page">Account</a>')


def test_root_keys_undo_a_checklist_item_and_are_flagged(learner_client, sandbox, root):
    operations.create_user(root, "alice")
    credentials_url = url("console:root_access_keys", sandbox)
    response = learner_client.post(credentials_url, {"operation": "create"}, headers=HTMX)
    key = AccessKey.objects.get(user=None)
    assertContains(response, key.secret)
    assertContains(response, "1 of 3 done")
    assertContains(response, "Delete these keys")
    assertNotContains(learner_client.get(url("console:account", sandbox)), key.secret)
    learner_client.post(credentials_url, {"operation": "delete", "access_key_id": key.access_key_id})
    assertContains(learner_client.get(url("console:account", sandbox)), "2 of 3 done")


def test_root_mfa_takes_two_codes(learner_client, sandbox):
    mfa = url("console:root_mfa", sandbox)
    response = learner_client.post(mfa, {"operation": "enable", "code1": "12345", "code2": "x"}, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">ValidationError</code>', html=True)
    assertContains(response, "Value &#x27;12345&#x27; at &#x27;authenticationCode1&#x27;")
    response = learner_client.post(mfa, {"operation": "enable", "code1": "123456", "code2": "654321"})
    assertRedirects(response, url("console:account", sandbox))
    assert account_of(sandbox).root_mfa_enabled
    assertContains(learner_client.get(response["Location"]), "2 of 3 done")


def test_acting_as_an_iam_user_the_root_settings_are_denied(learner_client, sandbox, alice):
    act_as(learner_client, sandbox, "alice")
    response = learner_client.get(url("console:account", sandbox))
    assertContains(response, "You are acting as the <strong>IAM user alice</strong>", html=False)
    response = learner_client.post(url("console:root_access_keys", sandbox), {"operation": "create"}, headers=HTMX)
    assertContains(response, "Only the root user can manage the root user&#x27;s access keys")
    assert not AccessKey.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("console:account_alias", {"operation": "create", "alias": "<script>alert(1)</script>"}, "alias"),
        ("console:root_email", {"email": "<script>alert(1)</script>"}, "email"),
        (
            "console:password_policy",
            {"operation": "update", "MinimumPasswordLength": "<script>alert(1)</script>"},
            "MinimumPasswordLength",
        ),
    ],
)
def test_what_the_learner_typed_is_escaped(learner_client, sandbox, name, data, field):
    response = learner_client.post(url(name, sandbox), data)
    assertContains(response, "ValidationError", status_code=400)
    assertNotContains(response, "<script>alert", status_code=400)
    assertContains(response, 'value="&lt;script&gt;alert(1)&lt;/script&gt;"', status_code=400)


def test_the_alias_replaces_the_account_id_in_the_sign_in_url(learner_client, sandbox):
    learner_client.post(url("console:account_alias", sandbox), {"operation": "create", "alias": "my-company"})
    assertContains(
        learner_client.get(url("console:account", sandbox)), "https://my-company.signin.aws.amazon.com/console"
    )
    learner_client.post(url("console:account_alias", sandbox), {"operation": "delete"})
    assert account_of(sandbox).alias == ""


def test_the_password_policy_form_sets_and_deletes_a_custom_policy(learner_client, sandbox):
    policy_url = url("console:password_policy", sandbox)
    data = {"operation": "update", "MinimumPasswordLength": "14", "RequireNumbers": "on", "MaxPasswordAge": "90"}
    assertRedirects(learner_client.post(policy_url, data), url("console:account", sandbox))
    policy = account_of(sandbox).password_policy
    assert (policy["MinimumPasswordLength"], policy["RequireNumbers"], policy["MaxPasswordAge"]) == (14, True, 90)
    assert policy["RequireSymbols"] is False and policy["PasswordReusePrevention"] == 0
    response = learner_client.get(url("console:account", sandbox))
    assertContains(response, "At least 14 characters")
    assertContains(response, "Expires after 90 days")
    learner_client.post(policy_url, {"operation": "delete"})
    assert account_of(sandbox).password_policy is None


def test_an_out_of_range_policy_is_shown_in_place_with_the_values_typed(learner_client, sandbox):
    data = {"operation": "update", "MinimumPasswordLength": "200", "RequireSymbols": "on"}
    response = learner_client.post(url("console:password_policy", sandbox), data, headers=HTMX)
    assertContains(response, "Member must have value less than or equal to 128")
    assertContains(response, 'value="200"')
    assertContains(response, 'name="RequireSymbols" type="checkbox" checked')
    assert account_of(sandbox).password_policy is None


@pytest.mark.parametrize("name", ["console:account", "console:user_credentials"])
def test_the_number_of_queries_does_not_grow_with_the_account(learner_client, sandbox, root, alice, name):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(url(name, sandbox, alice)).status_code == 200
        return len(captured)

    def add_users(first: int, last: int) -> None:
        IamUser.objects.bulk_create(
            IamUser(account=root.account, name=f"user{n}", unique_id=f"AIDAUSER{n:013d}") for n in range(first, last)
        )

    add_users(0, 10)
    with_ten = queries_for_page()
    add_users(10, 300)
    assert queries_for_page() == with_ten


# --- Password age and a user changing their own password ("Set an account password policy for IAM users";
# ChangePassword and PasswordPolicy in the IAM API Reference) ---

CHANGE = {"operation": "change", "old_password": "First-Pass-1", "new_password": "Second-Pass-2"}


def with_console_password(root, policy: dict, age_days: int = 0) -> None:
    password_policy.create_login_profile(root, "alice", "First-Pass-1")
    password_policy.update_account_password_policy(Actor(account_of_actor(root)), **policy)
    changed_at = password_policy.now(account_of_actor(root)) - timedelta(days=age_days, minutes=1)
    IamUser.objects.filter(name="alice").update(password_changed_at=changed_at)


def account_of_actor(actor: Actor) -> Account:
    return Account.objects.get(pk=actor.account.pk)


@pytest.mark.parametrize(
    ("policy", "age_days", "shown", "hidden"),
    [
        ({"MaxPasswordAge": 90}, 10, "10 days (expires after 90: 80 days left)", "Password expired"),
        (
            {"MaxPasswordAge": 90},
            91,
            "must set a new one at next sign-in",
            "Password expired: requires administrator reset",
        ),
        (
            {"MaxPasswordAge": 90, "HardExpiry": True},
            91,
            "Password expired: requires administrator reset",
            "must set a new one at next sign-in",
        ),
        ({}, 4000, "4000 days", "Password expired"),
    ],
)
def test_the_page_shows_the_passwords_age_and_expiry(
    learner_client, sandbox, root, alice, policy, age_days, shown, hidden
):
    with_console_password(root, policy, age_days)
    response = learner_client.get(url("console:user_credentials", sandbox, alice))
    assertContains(response, shown)
    assertNotContains(response, hidden)


def test_as_the_root_user_the_page_explains_who_changes_their_own_password(learner_client, sandbox, root, alice):
    with_console_password(root, {"AllowUsersToChangePassword": True})
    response = learner_client.get(url("console:user_credentials", sandbox, alice))
    assertContains(response, "To try it, act as alice")
    assertNotContains(response, 'name="old_password"')
    response = learner_client.post(
        url("console:user_password", sandbox, alice), CHANGE | {"new_password_again": "Second-Pass-2"}
    )
    assert response.status_code == 400, "only the user themselves changes their own password"


@pytest.mark.parametrize(("headers", "status"), [({}, 302), (HTMX, 200)])
def test_acting_as_the_user_they_change_their_own_password(learner_client, sandbox, root, alice, headers, status):
    with_console_password(root, {"AllowUsersToChangePassword": True})
    act_as(learner_client, sandbox, "alice")
    page = learner_client.get(url("console:user_credentials", sandbox, alice))
    assertContains(page, '<label for="old-password">Old password</label>', html=True)
    assertContains(page, "which the\n        account's password policy grants every user")
    data = CHANGE | {"new_password_again": "Second-Pass-2"}
    response = learner_client.post(url("console:user_password", sandbox, alice), data, headers=headers)
    assert response.status_code == status
    if headers:
        assertContains(response, "Your password was changed.")
    alice.refresh_from_db()
    assert check_password("Second-Pass-2", alice.password)


@pytest.mark.parametrize(
    ("data", "policy", "shown"),
    [
        ({"new_password_again": "Other-Pass-3"}, {"AllowUsersToChangePassword": True}, "do not match"),
        (
            {"old_password": "Wrong-Pass-9", "new_password_again": "Second-Pass-2"},
            {"AllowUsersToChangePassword": True},
            "InvalidUserType",
        ),
        ({"new_password_again": "Second-Pass-2"}, {}, "AccessDenied"),
        (
            {"new_password": "First-Pass-1", "new_password_again": "First-Pass-1"},
            {"AllowUsersToChangePassword": True, "PasswordReusePrevention": 1},
            "Password should not be one of the last 1 passwords used",
        ),
        (
            {"new_password_again": "Second-Pass-2"},
            {"AllowUsersToChangePassword": True, "MaxPasswordAge": 1, "HardExpiry": True, "age": 5},
            "EntityTemporarilyUnmodifiable",
        ),
    ],
)
def test_a_refused_change_is_shown_in_place(learner_client, sandbox, root, alice, data, policy, shown):
    age = policy.pop("age", 0)
    with_console_password(root, policy, age)
    act_as(learner_client, sandbox, "alice")
    response = learner_client.post(url("console:user_password", sandbox, alice), CHANGE | data, headers=HTMX)
    assertContains(response, 'id="change-error"')
    assertContains(response, shown)
    alice.refresh_from_db()
    assert check_password("First-Pass-1", alice.password)
