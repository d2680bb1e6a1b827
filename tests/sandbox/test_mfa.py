"""A user's virtual MFA device: RFC 6238 codes, EnableMFADevice and DeactivateMFADevice, and its console panel.

Sources: RFC 6238 (TOTP) and its test vectors; IAM API Reference: CreateVirtualMFADevice, EnableMFADevice
("two consecutive authentication codes"), DeactivateMFADevice; IAM User Guide "Assign a virtual MFA device
in the AWS Management Console".
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.console.mfa import PARTIAL
from simulator.sandbox import mfa, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import DecisionRecord, IamUser

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# RFC 6238, Appendix B: the SHA-1 seed "12345678901234567890", base32-encoded.
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def fail(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args, **kwargs)
    return caught.value


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def consecutive_codes(seed: str) -> tuple[str, str]:
    """The code the device showed 30 seconds ago and the one it shows now."""
    now = timezone.now()
    return mfa.totp(seed, now - timedelta(seconds=mfa.STEP_SECONDS)), mfa.totp(seed, now)


@pytest.fixture
def alice(root) -> IamUser:
    return operations.create_user(root, "alice")


# --- RFC 6238 ---


@pytest.mark.parametrize(
    ("epoch", "code"),
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_matches_the_rfc_6238_test_vectors(epoch, code):
    """RFC 6238 Appendix B gives 8-digit SHA-1 values; a 6-digit code is their last six digits."""
    assert mfa.totp(RFC_SEED, at(epoch)) == code


@pytest.mark.parametrize(("offset", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_a_code_one_step_either_side_is_accepted(offset, accepted):
    now = at(1234567890)
    assert mfa.verify(RFC_SEED, mfa.totp(RFC_SEED, now + timedelta(seconds=offset)), now) is accepted


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None])
def test_malformed_codes_never_verify(code):
    assert not mfa.verify(RFC_SEED, code, at(59))
    assert not mfa.verify("", "287082", at(59)), "no device, no code"


def test_new_seeds_are_base32_and_distinct():
    seeds = {mfa.new_seed() for _ in range(5)}
    assert len(seeds) == 5 and all(len(seed) == 32 and seed.isalnum() and seed.isupper() for seed in seeds)


def test_the_serial_number_and_otpauth_uri(alice):
    account_id = alice.account.account_id
    assert mfa.serial_number(alice) == f"arn:aws:iam::{account_id}:mfa/alice"
    uri = mfa.otpauth_uri(alice, RFC_SEED)
    assert uri.startswith("otpauth://totp/Amazon%20Web%20Services%3Aalice%40") and f"secret={RFC_SEED}" in uri


# --- EnableMFADevice, DeactivateMFADevice ---


def test_two_consecutive_codes_assign_the_device(root, alice):
    seed = mfa.new_seed()
    mfa.enable_mfa_device(root, "alice", *consecutive_codes(seed), seed)
    alice.refresh_from_db()
    assert alice.mfa_seed == seed
    decided = set(DecisionRecord.objects.values_list("action", flat=True))
    assert {"iam:CreateVirtualMFADevice", "iam:EnableMFADevice"} <= decided


@pytest.mark.parametrize(
    ("codes", "code"),
    [
        (lambda seed: ("000000", "000000"), "InvalidAuthenticationCode"),
        (lambda seed: tuple(reversed(consecutive_codes(seed))), "InvalidAuthenticationCode"),
        (lambda seed: ("12345", "abcdef"), "ValidationError"),
    ],
)
def test_codes_that_are_not_two_consecutive_ones_are_refused(root, alice, codes, code):
    seed = mfa.new_seed()
    first, second = codes(seed)
    if code == "InvalidAuthenticationCode" and first == second == mfa.totp(seed, timezone.now()):
        pytest.skip("000000 happened to be the current code")
    assert fail(mfa.enable_mfa_device, root, "alice", first, second, seed).code == code
    alice.refresh_from_db()
    assert alice.mfa_seed == ""


def test_a_second_device_is_refused_and_removal_needs_one(root, alice):
    seed = mfa.new_seed()
    mfa.enable_mfa_device(root, "alice", *consecutive_codes(seed), seed)
    other = mfa.new_seed()
    assert fail(mfa.enable_mfa_device, root, "alice", *consecutive_codes(other), other).code == "EntityAlreadyExists"
    mfa.deactivate_mfa_device(root, "alice")
    alice.refresh_from_db()
    assert alice.mfa_seed == ""
    error = fail(mfa.deactivate_mfa_device, root, "alice")
    assert (error.code, error.status) == ("NoSuchEntity", 404)


def test_managing_a_device_is_decided_by_policy(root, alice):
    bob = Actor(root.account, operations.create_user(root, "bob"))
    seed = mfa.new_seed()
    error = fail(mfa.enable_mfa_device, bob, "alice", *consecutive_codes(seed), seed)
    assert isinstance(error, AccessDenied) and error.decision.request.action == "iam:CreateVirtualMFADevice"
    allow = {"Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice"], "Resource": "*"}
    operations.put_user_policy(root, "bob", "mfa", json.dumps({"Version": "2012-10-17", "Statement": [allow]}))
    mfa.enable_mfa_device(bob, "alice", *consecutive_codes(seed), seed)
    assert isinstance(fail(mfa.deactivate_mfa_device, bob, "alice"), AccessDenied)


# --- the console panel (console:user_mfa) ---


def url(sandbox, user) -> str:
    return reverse("console:user_mfa", args=[sandbox.id, user.id])


def pending_seed(client: Client, user: IamUser) -> str:
    return client.session[f"mfa-pending-seed-{user.pk}"]


@pytest.fixture
def signed_in(client: Client, learner) -> Client:
    client.force_login(learner)
    return client


def test_the_credentials_page_loads_the_panel(signed_in, sandbox, alice):
    page = signed_in.get(reverse("console:user_credentials", args=[sandbox.id, alice.id]))
    assertContains(page, f'hx-get="{url(sandbox, alice)}" hx-trigger="load"')


def test_the_panel_shows_the_seed_uri_and_simulated_code(signed_in, sandbox, alice):
    response = signed_in.get(url(sandbox, alice), headers=HTMX)
    assert [t.name for t in response.templates][0] == PARTIAL
    seed = pending_seed(signed_in, alice)
    assertContains(response, seed)
    assertContains(response, "otpauth://totp/")
    assertContains(response, "Simulated authenticator")
    assertContains(response, mfa.totp(seed, timezone.now()))
    assert pending_seed(signed_in, alice) == seed, "the seed stays the same until the device is assigned"
    assertContains(signed_in.get(url(sandbox, alice)), "virtual MFA device</h1>")


@pytest.mark.parametrize(("headers", "status"), [({}, 302), (HTMX, 200)])
def test_assigning_and_removing_from_the_console(signed_in, sandbox, alice, headers, status):
    signed_in.get(url(sandbox, alice), headers=HTMX)
    first, second = consecutive_codes(pending_seed(signed_in, alice))
    response = signed_in.post(
        url(sandbox, alice), {"operation": "enable", "code1": first, "code2": second}, headers=headers
    )
    assert response.status_code == status
    if not headers:
        assertRedirects(
            response, reverse("console:user_credentials", args=[sandbox.id, alice.id]), fetch_redirect_response=False
        )
    alice.refresh_from_db()
    assert alice.mfa_seed and f"mfa-pending-seed-{alice.pk}" not in signed_in.session
    page = signed_in.get(url(sandbox, alice), headers=HTMX)
    assertContains(page, "Assigned")
    assertNotContains(page, alice.mfa_seed)
    signed_in.post(url(sandbox, alice), {"operation": "deactivate"}, headers=headers)
    alice.refresh_from_db()
    assert alice.mfa_seed == ""


def test_typed_codes_are_escaped(signed_in, sandbox, alice):
    response = signed_in.post(
        url(sandbox, alice), {"operation": "enable", "code1": "<b>1</b>", "code2": "2"}, headers=HTMX
    )
    assertContains(response, "ValidationError")
    assertContains(response, "&lt;b&gt;1&lt;/b&gt;")
    assertNotContains(response, "<b>1</b>")


def test_another_learner_gets_404(client, other_learner, sandbox, alice):
    client.force_login(other_learner)
    assert client.get(url(sandbox, alice), headers=HTMX).status_code == 404
    assert client.post(url(sandbox, alice), {"operation": "deactivate"}, headers=HTMX).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(learner, sandbox, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(url(sandbox, alice), {"operation": "deactivate"}, headers=HTMX).status_code == 403
