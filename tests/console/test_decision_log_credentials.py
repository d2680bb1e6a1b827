"""What each logged request was signed with, and sandbox time, in the decision log.

AWS: CloudTrail User Guide, "CloudTrail userIdentity element" (accessKeyId; for temporary credentials the role
they were obtained from, sessionContext.sessionIssuer); IAM User Guide, "IAM identifiers" (assumed-role ARNs
arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION); "Temporary security credentials in IAM".
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from simulator.policy.policyset import PolicySet
from simulator.sandbox import access_keys, clock, operations
from simulator.sandbox.authorization import Actor, authorize, authorize_service
from simulator.sandbox.models import DecisionRecord, TemporaryCredential
from tests.documents import EC2_TRUST

from .sessions_display import ESCAPED, SCRIPT, session_of

pytestmark = pytest.mark.django_db

BUCKET = "arn:aws:s3:::reports"


def log_url(sandbox, **query) -> str:
    url = f"/console/{sandbox.id}/decisions/"
    return f"{url}?{urlencode(query)}" if query else url


def detail_url(sandbox, record) -> str:
    return f"/console/{sandbox.id}/decisions/{record.id}/"


def role_url(sandbox, role) -> str:
    return reverse("console:role", args=[sandbox.id, role.id])


def session_url(sandbox, credential) -> str:
    return reverse("console:session", args=[sandbox.id, credential.id])


@pytest.fixture
def web(root):
    return operations.create_role(root, "WebServer", EC2_TRUST)


@pytest.fixture
def signed(root, alice, web) -> dict[str, DecisionRecord]:
    """One ListBucket per way of signing, newest last: console, a long-term key, a role session, EC2 itself."""
    key = access_keys.create_access_key(root, "alice")
    credential = session_of(web, "deploy")
    authorize(root, "s3:ListBucket", BUCKET)
    authorize(Actor.signed_with_key(key, "api"), "s3:ListBucket", BUCKET)
    authorize(Actor.signed_with(credential, "api"), "s3:ListBucket", BUCKET)
    authorize_service(
        root.account, "ec2.amazonaws.com", "s3:ListBucket", BUCKET, PolicySet(), DecisionRecord.Source.SERVICE
    )
    records = DecisionRecord.objects.filter(action="s3:ListBucket").order_by("id")
    return dict(zip(("console", "long-term", "temporary", "service"), records, strict=True))


def test_each_entry_says_what_the_request_was_signed_with(learner_client, sandbox, signed):
    response = learner_client.get(log_url(sandbox))
    assertContains(response, '<th scope="col">Signed with</th>', html=True)
    assertContains(response, '<span class="signed-with signed-with-console">Console session</span>', html=True)
    assertContains(response, '<span class="signed-with signed-with-service">The AWS service itself</span>', html=True)
    long_term, temporary = signed["long-term"], signed["temporary"]
    assert long_term.access_key_id.startswith("AKIA") and temporary.access_key_id.startswith("ASIA")
    assertContains(response, f'<code class="signed-key">{long_term.access_key_id}</code>', html=True)
    assertContains(response, f'<code class="signed-key">{temporary.access_key_id}</code>', html=True)
    assertContains(response, "Long-term access key</span>")
    assertContains(response, "Temporary credentials</span>")


def test_temporary_credentials_name_their_role_and_session_with_links(learner_client, sandbox, signed, web):
    credential = TemporaryCredential.objects.get(access_key_id=signed["temporary"].access_key_id)
    response = learner_client.get(log_url(sandbox))
    assertContains(
        response,
        f'<span class="signed-session">role <a href="{role_url(sandbox, web)}">WebServer</a>, '
        f'session <a href="{session_url(sandbox, credential)}">deploy</a></span>',
        html=True,
    )


def test_a_session_whose_credentials_are_gone_keeps_its_names_without_a_link(learner_client, sandbox, signed, web):
    TemporaryCredential.objects.all().delete()
    response = learner_client.get(log_url(sandbox))
    assertContains(
        response,
        f'<span class="signed-session">role <a href="{role_url(sandbox, web)}">WebServer</a>, session deploy</span>',
        html=True,
    )


def test_a_deleted_roles_session_is_named_without_links(learner_client, sandbox, root, signed, web):
    web.delete()  # takes its sessions with it
    response = learner_client.get(log_url(sandbox))
    assertContains(response, '<span class="signed-session">role WebServer, session deploy</span>', html=True)


def test_another_accounts_role_of_the_same_name_is_not_linked(learner_client, sandbox, root, signed, web):
    record = signed["temporary"]
    record.principal_arn = "arn:aws:sts::999999999999:assumed-role/WebServer/deploy"
    record.save()
    response = learner_client.get(log_url(sandbox))
    assertNotContains(response, f'<a href="{role_url(sandbox, web)}">WebServer</a>', html=True)


@pytest.mark.parametrize(
    ("credentials", "shown"),
    [
        ("console", ["console"]),
        ("long-term", ["long-term"]),
        ("temporary", ["temporary"]),
        ("service", ["service"]),
        ("", ["console", "long-term", "temporary", "service"]),
    ],
)
def test_the_log_filters_by_what_requests_were_signed_with(learner_client, sandbox, signed, credentials, shown):
    response = learner_client.get(log_url(sandbox, credentials=credentials, action="s3:ListBucket"))
    for kind, record in signed.items():
        link = f'href="{detail_url(sandbox, record)}"'
        (assertContains if kind in shown else assertNotContains)(response, link)


def test_the_credentials_filter_sits_beside_the_source_filter_with_the_new_sources(learner_client, sandbox, signed):
    response = learner_client.get(log_url(sandbox, credentials="temporary"))
    assertContains(response, '<label for="log-credentials">Signed with</label>', html=True)
    assertContains(response, '<option value="temporary" selected>Temporary credentials</option>', html=True)
    for value, label in [("instance", "Instance terminal"), ("imds", "Instance metadata service")]:
        assertContains(response, f'<option value="{value}">{label}</option>', html=True)
    assertContains(response, '<option value="service">AWS service</option>', html=True)


def test_an_unknown_credentials_filter_is_reported(learner_client, sandbox, signed):
    response = learner_client.get(log_url(sandbox, credentials="password"))
    assertContains(response, 'role="alert"')
    assertContains(response, "Signed with: Select a valid choice.")


def test_the_time_column_is_sandbox_time(learner_client, sandbox, root):
    clock.advance(sandbox, 3 * 24 * 3600)
    authorize(root, "s3:ListBucket", BUCKET)
    record = DecisionRecord.objects.get(action="s3:ListBucket")
    assert record.decided_at > clock.reading(sandbox) - timedelta(minutes=1) > record.decided_at - timedelta(days=1)
    response = learner_client.get(log_url(sandbox))
    assertContains(response, '<th scope="col">Sandbox time</th>', html=True)
    assertContains(response, f'<time datetime="{record.decided_at.isoformat()}">')


def test_the_detail_page_says_what_the_request_was_signed_with(learner_client, sandbox, signed, web):
    response = learner_client.get(detail_url(sandbox, signed["temporary"]))
    assertContains(response, "<dt>Signed with</dt>", html=True)
    assertContains(response, signed["temporary"].access_key_id)
    assertContains(response, f'role <a href="{role_url(sandbox, web)}">WebServer</a>')
    assertContains(response, "<dt>Decided (sandbox time)</dt>", html=True)


def test_session_names_are_escaped(learner_client, sandbox, root, web):
    credential = session_of(web, SCRIPT)
    authorize(Actor.signed_with(credential, "api"), "s3:ListBucket", BUCKET)
    for url in (log_url(sandbox), detail_url(sandbox, DecisionRecord.objects.get(action="s3:ListBucket"))):
        response = learner_client.get(url)
        assertNotContains(response, SCRIPT)
        assertContains(response, ESCAPED)


def test_another_learner_cannot_filter_this_log(other_client, sandbox, signed):
    assert other_client.get(log_url(sandbox, credentials="temporary")).status_code == 404
    assert other_client.get(detail_url(sandbox, signed["temporary"])).status_code == 404


def test_the_query_count_does_not_grow_with_sessions_in_the_log(learner_client, sandbox, root, signed, web):
    """Ten or three hundred entries signed by as many sessions, of as many roles, cost the same queries."""

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            role = operations.create_role(root, f"Role{number}", EC2_TRUST) if number % 2 else web
            credential = session_of(role, f"s{number}")
            authorize(Actor.signed_with(credential, "api"), "s3:GetObject", f"{BUCKET}/{number}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(log_url(sandbox, credentials="temporary")).status_code == 200
        return len(captured)

    add(0, 10)
    few = queries()
    add(10, 300)
    assert queries() == few
