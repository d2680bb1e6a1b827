"""The sandbox clock, and the rules that read it: a sandbox's time runs, pauses, speeds up and jumps
forward on its own, and decisions, condition keys and the log follow it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from simulator.sandbox import clock, operations
from simulator.sandbox.authorization import Actor, authorize
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import DecisionRecord, Sandbox, TemporaryCredential

pytestmark = pytest.mark.django_db

REAL = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_a_new_sandbox_runs_on_real_time(sandbox):
    assert clock.reading(sandbox, REAL) == REAL
    assert abs((clock.now(sandbox) - timezone.now()).total_seconds()) < 5


@pytest.mark.parametrize(("rate", "real_seconds", "sandbox_seconds"), [(0, 600, 0), (1, 90, 90), (60, 60, 3600)])
def test_the_clock_runs_at_its_rate(sandbox, rate, real_seconds, sandbox_seconds):
    clock.set_rate(sandbox, rate)
    start = clock.reading(sandbox, sandbox.clock_set_at)
    later = clock.reading(sandbox, sandbox.clock_set_at + timedelta(seconds=real_seconds))
    assert later - start == timedelta(seconds=sandbox_seconds)


def test_changing_the_rate_keeps_the_time_reached(sandbox):
    clock.set_rate(sandbox, 600)
    # As if the clock had run at 600x for 6 real seconds: an hour of sandbox time.
    sandbox.clock_set_at -= timedelta(seconds=6)
    sandbox.save()
    reached = clock.reading(sandbox, sandbox.clock_set_at + timedelta(seconds=6))
    clock.set_rate(sandbox, 0)
    assert clock.now(sandbox) >= reached
    assert clock.now(sandbox) == clock.now(sandbox), "paused"


def test_advancing_moves_forward_and_keeps_the_rate(sandbox):
    clock.set_rate(sandbox, 0)
    before = clock.now(sandbox)
    assert clock.advance(sandbox, 3600) == before + timedelta(hours=1)
    assert clock.now(sandbox) == before + timedelta(hours=1)
    assert sandbox.clock_rate == 0


@pytest.mark.parametrize("seconds", [0, -60, 367 * 86400])
def test_the_clock_never_runs_back_nor_leaps_more_than_a_year(sandbox, seconds):
    before = (sandbox.clock_base, sandbox.clock_rate)
    with pytest.raises(AwsError) as refused:
        clock.advance(sandbox, seconds)
    assert refused.value.code == "ValidationError"
    sandbox.refresh_from_db()
    assert (sandbox.clock_base, sandbox.clock_rate) == before


def test_an_unknown_rate_is_refused(sandbox):
    with pytest.raises(AwsError, match="The clock runs at one of 0, 1, 60, 600x"):
        clock.set_rate(sandbox, 2)


def test_resync_returns_to_real_time_unless_ahead(sandbox):
    clock.set_rate(sandbox, 0)
    sandbox.clock_base = timezone.now() - timedelta(hours=1)
    sandbox.save()
    clock.resync(sandbox)
    assert sandbox.clock_base is None and sandbox.clock_rate == 1
    ahead = clock.advance(sandbox, 86400)
    clock.resync(sandbox)
    assert clock.now(sandbox) >= ahead, "the clock never runs back"
    assert sandbox.clock_rate == 1


def test_each_sandbox_keeps_its_own_time(learner, sandbox):
    other = Sandbox.objects.create_with_account(learner, name="Other")
    clock.advance(sandbox, 86400)
    assert clock.now(sandbox) - clock.now(other) > timedelta(hours=23)


def test_decisions_read_the_sandbox_clock(root, sandbox):
    """aws:CurrentTime is the sandbox's time ("AWS global condition context keys"), and so is the log's."""
    operations.create_user(root, "alice")
    operations.put_user_policy(
        root,
        "alice",
        "after-new-year",
        policy(
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
            }
        ),
    )
    alice = Actor(root.account, user=root.account.users.get())
    assert not authorize(alice, "s3:ListBucket", "arn:aws:s3:::b").allowed
    clock.set_rate(sandbox, 0)
    sandbox.clock_base = datetime(2027, 1, 2, tzinfo=UTC)
    sandbox.save()
    root.account.sandbox = sandbox
    assert authorize(alice, "s3:ListBucket", "arn:aws:s3:::b").allowed
    assert DecisionRecord.objects.first().decided_at == datetime(2027, 1, 2, tzinfo=UTC)


def test_temporary_credentials_bring_their_session_policies_and_tags(root, sandbox):
    """A session policy narrows the role's permissions, and a session tag overrides the role's tag of the
    same key for aws:PrincipalTag ("Session policies"; "Passing session tags in AWS STS")."""
    trust = policy({"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": "sts:AssumeRole"})
    role = operations.create_role(root, "Reader", trust)
    operations.tag_role(root, "Reader", [{"Key": "team", "Value": "blue"}])
    operations.put_role_policy(root, "Reader", "s3", policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    now = clock.now(sandbox)
    credential = TemporaryCredential.objects.create(
        account=root.account,
        operation=TemporaryCredential.Operation.ASSUME_ROLE,
        role=role,
        session_name="dana",
        issued_at=now,
        expires_at=now + timedelta(hours=1),
        tags=[{"Key": "team", "Value": "red"}],
        session_policies=[
            {"Id": "inline", "Document": policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})}
        ],
    )
    session = Actor.signed_with(credential, via="api")
    assert session.principal.arn == f"arn:aws:sts::{root.account.account_id}:assumed-role/Reader/dana"
    assert session.context()["aws:PrincipalTag/team"] == "red"
    assert session.context()["aws:TokenIssueTime"] == now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert authorize(session, "s3:GetObject", "arn:aws:s3:::b/k").allowed
    assert not authorize(session, "s3:PutObject", "arn:aws:s3:::b/k").allowed
    record = DecisionRecord.objects.first()
    assert (record.credentials, record.access_key_id) == ("temporary", credential.access_key_id)
    assert credential.access_key_id.startswith("ASIA") and len(credential.access_key_id) == 20
