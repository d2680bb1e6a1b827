"""The STS page, a session's page, and acting as a live session in the console.

AWS behaviour from the STS API Reference ("AssumeRole", "GetSessionToken", "GetCallerIdentity") and the IAM User
Guide ("Temporary security credentials in IAM", "Cross-account policy evaluation logic", "Session policies",
"Passing session tags in AWS STS"); the pages only draw what simulator.sandbox.sts decided.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from simulator.sandbox import clock, ec2, operations, sts
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, DecisionRecord, Sandbox, TemporaryCredential

from .conftest import HTMX, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def allowing(*actions: str, resource: str = "*") -> str:
    statement = {"Sid": "Granted", "Effect": "Allow", "Action": list(actions), "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def trusting(principal: str) -> str:
    statement = {"Sid": "TrustCaller", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def sts_url(sandbox) -> str:
    return f"/console/{sandbox.id}/sts/"


def session_url(sandbox, credential) -> str:
    return f"/console/{sandbox.id}/sts/sessions/{credential.pk}/"


def act_as(client, sandbox, identity, next_url=""):
    return client.post(f"/console/{sandbox.id}/act-as/", {"identity": identity, "next": next_url})


def assume(client, sandbox, role_arn, session_name="s1", headers=HTMX, **fields):
    form = {"operation": "assume-role", "role": role_arn, "session_name": session_name, **fields}
    return client.post(sts_url(sandbox), form, headers=headers)


@pytest.fixture
def admin(root, alice):
    """A role alice's account trusts by naming her, allowed every IAM action."""
    role = operations.create_role(root, "Admin", trusting(alice.arn))
    operations.put_role_policy(root, "Admin", "iam", allowing("iam:*"))
    return role


@pytest.fixture
def as_alice(learner_client, sandbox, alice):
    act_as(learner_client, sandbox, "user:alice")
    return learner_client


@pytest.fixture
def credential(root, alice, admin) -> TemporaryCredential:
    return sts.assume_role(Actor(root.account, user=alice), admin.arn, "alice-session")


@pytest.fixture
def partner(sandbox) -> Account:
    """A second account of the sandbox."""
    return Account.objects.create(sandbox=sandbox)


def test_the_page_says_who_the_caller_is(as_alice, sandbox, alice, admin):
    """What GetCallerIdentity answers the acting identity: ARN, UserId and account. Showing it is not a call,
    so opening the page adds nothing to the decision log."""
    response = as_alice.get(sts_url(sandbox))
    assertContains(response, f'<code class="arn">{alice.arn}</code>', html=True)
    assertContains(response, f"<code>{alice.unique_id}</code>", html=True)
    assertContains(response, f'<option value="{admin.arn}">{admin.arn}</option>', html=True)
    assert not DecisionRecord.objects.filter(action="sts:GetCallerIdentity").exists()


def test_the_nav_has_an_sts_tab_between_buckets_and_the_access_tester(learner_client, sandbox):
    page = learner_client.get(sts_url(sandbox)).content.decode()
    buckets, sts_tab, tester = (page.index(f">{tab}</a>") for tab in ("Buckets", "STS", "Access tester"))
    assert buckets < sts_tab < tester
    assert f'<a href="{sts_url(sandbox)}" aria-current="page">STS</a>' in page


def test_roles_of_every_account_of_the_sandbox_are_offered(learner_client, sandbox, partner):
    role = operations.create_role(Actor(partner), "Partner", trusting("arn:aws:iam::123456789012:root"))
    assertContains(learner_client.get(sts_url(sandbox)), f'<option value="{role.arn}">', count=1)


def test_assume_role_shows_the_credentials_as_the_cli_prints_them(as_alice, sandbox, admin):
    clock.set_rate(sandbox, 0)
    response = assume(as_alice, sandbox, admin.arn, "alice-session")
    credential = TemporaryCredential.objects.get()
    assert credential.access_key_id.startswith("ASIA")
    assertContains(response, "Credentials issued")
    for key in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AssumedRoleUser", "AssumedRoleId"):
        assertContains(response, f'<span class="json-key">&quot;{key}&quot;</span>')
    for value in (credential.access_key_id, credential.secret, credential.session_token):
        assertContains(response, value)
    assertContains(response, f"{admin.unique_id}:alice-session")
    assertContains(response, credential.expires_at.replace(microsecond=0).isoformat())
    assertContains(response, "expires in 1 h")
    assertContains(response, "assumed-role/Admin/alice-session")


def test_an_allowed_assume_role_shows_both_sides_and_the_statement_that_allowed(as_alice, sandbox, root, admin):
    """In the role's own account a trust policy naming the caller is enough; both sides are read and drawn."""
    operations.put_user_policy(root, "alice", "assume", allowing("sts:AssumeRole"))
    response = assume(as_alice, sandbox, admin.arn)
    assertContains(response, "How it was decided")
    assertContains(response, 'aria-label="The role&#x27;s trust policy"')
    assertContains(response, 'aria-label="The caller&#x27;s permissions"')
    assertContains(response, "statement 1 &quot;TrustCaller&quot; of trust policy of role Admin")
    assertContains(response, "statement 1 &quot;Granted&quot; of alice/assume")
    record = DecisionRecord.objects.get(action="sts:AssumeRole")
    assertContains(response, f"/decisions/{record.id}/")


@pytest.mark.parametrize("identity_allows", [False, True])
def test_cross_account_both_sides_must_allow(as_alice, sandbox, root, partner, identity_allows):
    """ "Cross-account policy evaluation logic": the trust policy and the caller's own policies must both allow."""
    role = operations.create_role(Actor(partner), "Partner", trusting(root.account.root_arn))
    if identity_allows:
        operations.put_user_policy(root, "alice", "assume", allowing("sts:AssumeRole"))
    response = assume(as_alice, sandbox, role.arn)
    assertContains(response, "statement 1 &quot;TrustCaller&quot; of trust policy of role Partner")
    if identity_allows:
        assertContains(response, "Credentials issued")
        assertContains(response, "statement 1 &quot;Granted&quot; of alice/assume")
        assert TemporaryCredential.objects.get().account == partner
    else:
        assertContains(response, "AssumeRole refused")
        assertContains(response, '<code class="aws-error-code">AccessDenied</code>', html=True)
        assertContains(response, "Both sides were read")
        assertContains(response, "Why it was denied")
        assertContains(response, "No statement on this side applies to the request.")
        assert not TemporaryCredential.objects.exists()


def test_the_root_user_may_not_assume_a_role(learner_client, sandbox, admin):
    response = assume(learner_client, sandbox, admin.arn)
    assertContains(response, "Roles may not be assumed by root accounts.")


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("soon", "Value &#x27;soon&#x27; at &#x27;durationSeconds&#x27;"),
        ("100", "Member must have value greater than or equal to 900"),
        ("50000", "Member must have value less than or equal to 43200"),
        ("7200", "exceeds the MaxSessionDuration set for this role"),
    ],
)
def test_a_bad_duration_is_a_validation_error_in_place(as_alice, sandbox, admin, duration, message):
    """AssumeRole: DurationSeconds from 900 to the role's maximum session duration (an hour here)."""
    response = assume(as_alice, sandbox, admin.arn, duration=duration)
    assertContains(response, '<code class="aws-error-code">ValidationError</code>', html=True)
    assertContains(response, message)
    assertContains(response, f'value="{duration}"')
    assert not TemporaryCredential.objects.exists()


def test_without_javascript_a_refusal_answers_with_awss_status(as_alice, sandbox, admin):
    response = assume(as_alice, sandbox, admin.arn, session_name="x", headers={})
    assert response.status_code == 400
    assertContains(response, "roleSessionName", status_code=400)
    assertContains(response, "Who you are", status_code=400)


def test_without_javascript_the_new_session_page_shows_how_it_was_decided(as_alice, sandbox, admin):
    response = assume(as_alice, sandbox, admin.arn, headers={})
    credential = TemporaryCredential.objects.get()
    record = DecisionRecord.objects.get(action="sts:AssumeRole")
    assert response.status_code == 302
    assert response["Location"] == f"{session_url(sandbox, credential)}?decisions={record.id}"
    page = as_alice.get(response["Location"])
    assertContains(page, "How it was decided")
    assertContains(page, "statement 1 &quot;TrustCaller&quot; of trust policy of role Admin")


def test_session_policies_tags_and_source_identity_reach_the_session(as_alice, sandbox, root, admin):
    """ "Session policies" and "Passing session tags in AWS STS": copied into the credentials at issue."""
    actions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    statement = {"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": actions}
    tagged = operations.create_role(root, "Tagged", json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    operations.put_user_policy(root, "alice", "assume", allowing("sts:*"))
    managed = operations.create_policy(root, "ReadUsers", allowing("iam:ListUsers"))
    response = assume(
        as_alice,
        sandbox,
        tagged.arn,
        document=allowing("iam:Get*"),
        policy_arns=[managed.arn],
        tag_key_0="team",
        tag_value_0="blue",
        tag_transitive_0="on",
        source_identity="alice@example.com",
    )
    assertContains(response, "Credentials issued")
    credential = TemporaryCredential.objects.get()
    assert [p["Id"] for p in credential.session_policies] == ["inline", managed.arn]
    assert credential.tags == [{"Key": "team", "Value": "blue"}]
    assert credential.transitive_tag_keys == ["team"]
    assert credential.source_identity == "alice@example.com"
    decisions = set(DecisionRecord.objects.filter(action__startswith="sts:").values_list("action", flat=True))
    assert {"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"} <= decisions
    page = as_alice.get(sts_url(sandbox))
    assertContains(page, '<span class="tag">team=blue</span>', html=True)
    assertContains(page, f'<span class="tag">policy {managed.arn}</span>', html=True)


def test_get_session_token_as_a_user(as_alice, sandbox):
    """GetSessionToken: 43,200 seconds by default; no AssumedRoleUser in its answer."""
    response = as_alice.post(sts_url(sandbox), {"operation": "get-session-token"}, headers=HTMX)
    credential = TemporaryCredential.objects.get()
    assert credential.operation == "GetSessionToken"
    assert credential.expires_at - credential.issued_at == timedelta(hours=12)
    assertContains(response, credential.access_key_id)
    assertNotContains(response, "AssumedRoleUser")


@pytest.mark.parametrize(("duration", "rule"), [("899", "greater than or equal to 900"), ("129601", "less than")])
def test_get_session_token_duration_bounds(as_alice, sandbox, duration, rule):
    form = {"operation": "get-session-token", "duration": duration}
    response = as_alice.post(sts_url(sandbox), form, headers=HTMX)
    assertContains(response, "ValidationError")
    assertContains(response, rule)
    assert not TemporaryCredential.objects.exists()


def test_an_unknown_operation_is_refused(learner_client, sandbox):
    response = learner_client.post(sts_url(sandbox), {"operation": "decode-authorization-message"}, headers=HTMX)
    assertContains(response, "InvalidAction")


def test_live_sessions_expire_on_the_sandbox_clock(as_alice, sandbox, credential):
    page = as_alice.get(sts_url(sandbox))
    assertContains(page, 'Live sessions <span class="count">1</span>')
    assertContains(page, credential.arn)
    assertContains(page, f'<span class="countdown" data-sandbox-expires="{credential.expires_at:%Y-%m-%dT%H:%M:%SZ}">')
    clock.advance(sandbox, 3601)
    region = as_alice.get(f"{sts_url(sandbox)}?region=sessions", headers=HTMX)
    assertContains(region, 'Live sessions <span class="count">0</span>')
    assertContains(region, '<summary>Expired <span class="count">1</span></summary>', html=True)
    assertContains(region, ">expired</span>")
    assertNotContains(region, "<html")


def test_the_session_page_tells_everything_about_the_credentials(as_alice, sandbox, credential):
    response = as_alice.get(session_url(sandbox, credential))
    for text in (
        credential.arn,
        credential.access_key_id,
        credential.secret,
        credential.issued_to,
        "Act as this session",
    ):
        assertContains(response, text)
    assertContains(response, f'data-sandbox-expires="{credential.expires_at:%Y-%m-%dT%H:%M:%SZ}"')
    clock.advance(sandbox, 7200)
    response = as_alice.get(session_url(sandbox, credential))
    assertContains(response, "These credentials have expired")
    assertNotContains(response, "Act as this session</button>")


def test_user_typed_text_is_escaped(as_alice, sandbox, root, admin):
    """A role ARN, an external id and a session policy come back in the page as text, never as markup."""
    script = "<script>alert(1)</script>"
    response = assume(as_alice, sandbox, f"arn:aws:iam::123456789012:role/{script}", external_id=script)
    assertNotContains(response, script)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    policy = allowing("s3:GetObject", resource=f"arn:aws:s3:::bucket/{script}")
    assume(as_alice, sandbox, admin.arn, document=policy)
    page = as_alice.get(session_url(sandbox, TemporaryCredential.objects.get()))
    assertNotContains(page, script)
    assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize(
    ("method", "page"), [("get", "sts"), ("post", "sts"), ("get", "session"), ("get", "sessions-region")]
)
def test_another_learner_gets_404(other_client, sandbox, credential, method, page):
    url = {
        "sts": sts_url(sandbox),
        "session": session_url(sandbox, credential),
        "sessions-region": f"{sts_url(sandbox)}?region=sessions",
    }[page]
    response = getattr(other_client, method)(url, {"operation": "get-session-token"}, headers=HTMX)
    assert response.status_code == 404
    assert TemporaryCredential.objects.count() == 1


def test_a_credential_of_another_learners_sandbox_is_404(learner_client, sandbox, other_learner):
    theirs = Sandbox.objects.create_with_account(other_learner)
    account = theirs.accounts.get()
    now = clock.now(theirs)
    foreign = TemporaryCredential.objects.create(
        account=account, operation="GetSessionToken", issued_at=now, expires_at=now + timedelta(hours=1)
    )
    assert learner_client.get(session_url(sandbox, foreign)).status_code == 404
    response = act_as(learner_client, sandbox, f"session:{foreign.access_key_id}")
    assertContains(response, "InvalidClientTokenId", status_code=403)


def test_an_htmx_post_without_the_csrf_token_is_refused(learner, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(sts_url(sandbox), {"operation": "get-session-token"}, headers=HTMX)
    assert response.status_code == 403
    assert not TemporaryCredential.objects.exists()


def add_sessions(account, first: int, last: int) -> None:
    now = clock.account_now(account)
    role = account.roles.get(name="Admin")
    TemporaryCredential.objects.bulk_create(
        TemporaryCredential(
            account=account,
            operation="AssumeRole",
            role=role,
            session_name=f"s{n}",
            issued_at=now,
            # Half live, half expired: both lists grow.
            expires_at=now + timedelta(hours=1 if n % 2 else -1),
            issued_to=f"arn:aws:iam::{account.account_id}:user/alice",
            tags=[{"Key": "n", "Value": str(n)}],
            session_policies=[{"Id": "inline", "Document": allowing("s3:*")}],
        )
        for n in range(first, last)
    )


@pytest.mark.parametrize("page", ["sts", "users"])
def test_the_sessions_lists_cost_the_same_queries_for_10_and_300(learner_client, sandbox, root, admin, page):
    """The STS page lists them; every page's identity picker offers the live ones."""
    url = sts_url(sandbox) if page == "sts" else f"/console/{sandbox.id}/users/"
    assert_queries_do_not_grow(learner_client, url, lambda first, last: add_sessions(root.account, first, last))


# --- acting as a live session ---


def test_acting_as_a_live_session_decides_as_the_session(as_alice, sandbox, root, admin):
    """A session policy narrows what the session may do ("Session policies"); each decision is logged with the
    temporary credentials that made it."""
    assume(as_alice, sandbox, admin.arn, "narrow", document=allowing("iam:ListUsers"))
    credential = TemporaryCredential.objects.get()
    act_as(as_alice, sandbox, f"session:{credential.access_key_id}")
    page = as_alice.get(f"/console/{sandbox.id}/users/")
    assertContains(page, "Acting as <strong>role session Admin/narrow</strong>")
    assertContains(page, f"temporary credentials <code>{credential.access_key_id}</code>")
    response = as_alice.post(f"/console/{sandbox.id}/users/", {"name": "carol", "path": "/"}, headers=HTMX)
    assertContains(response, "AccessDenied")
    record = DecisionRecord.objects.filter(action="iam:CreateUser").latest("id")
    assert (record.credentials, record.access_key_id) == ("temporary", credential.access_key_id)
    assert record.principal_arn == credential.arn


def test_the_picker_offers_live_sessions_with_their_arn_and_expiry(as_alice, sandbox, credential):
    page = as_alice.get(f"/console/{sandbox.id}/users/")
    label = f"{credential.arn} (expires {credential.expires_at:%H:%M:%S} UTC)"
    assertContains(page, f'<option value="session:{credential.access_key_id}">{label}</option>', html=True)


def test_once_the_session_expires_the_learner_is_root_again_and_told_once(as_alice, sandbox, credential):
    act_as(as_alice, sandbox, f"session:{credential.access_key_id}")
    clock.advance(sandbox, 3600)
    page = as_alice.get(f"/console/{sandbox.id}/groups/")
    assertContains(page, "Acting as <strong>root user</strong>")
    assertContains(page, f"The session <code>{credential.arn}</code> expired at")
    assertContains(page, f"{credential.expires_at:%Y-%m-%d %H:%M:%S} UTC (sandbox time); you are the root user again.")
    assertNotContains(as_alice.get(f"/console/{sandbox.id}/groups/"), "you are the root user again")


def test_an_expired_session_cannot_be_chosen(as_alice, sandbox, credential):
    clock.advance(sandbox, 3600)
    response = act_as(as_alice, sandbox, f"session:{credential.access_key_id}")
    assertContains(response, "ExpiredToken", status_code=403)


def test_acting_as_a_session_of_another_account_works_in_that_account(as_alice, sandbox, root, partner):
    role = operations.create_role(Actor(partner), "Partner", trusting(root.account.root_arn))
    operations.put_user_policy(root, "alice", "assume", allowing("sts:AssumeRole"))
    assume(as_alice, sandbox, role.arn, "over-there")
    credential = TemporaryCredential.objects.get()
    act_as(as_alice, sandbox, f"session:{credential.access_key_id}")
    page = as_alice.get(sts_url(sandbox))
    assertContains(page, f"account <code>{partner.account_id}</code>")
    assertContains(page, "assumed-role/Partner/over-there")


def test_an_instance_roles_credentials_link_to_their_instance(learner_client, sandbox, root, admin):
    """EC2 User Guide, "IAM roles for Amazon EC2": EC2 assumes the instance's role and serves its credentials."""
    (instance,) = ec2.run_instances(root)
    now = clock.now(sandbox)
    credential = TemporaryCredential.objects.create(
        account=root.account,
        operation="InstanceRole",
        role=admin,
        instance=instance,
        session_name=instance.instance_id,
        issued_at=now,
        expires_at=now + timedelta(hours=6),
        issued_to="ec2.amazonaws.com",
    )
    response = learner_client.get(session_url(sandbox, credential))
    assertContains(response, "EC2 instance role credentials")
    assertContains(response, f'href="/console/{sandbox.id}/instances/{instance.instance_id}/"')
