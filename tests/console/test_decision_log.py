"""The decision log. What a decision is and how it is explained: IAM User Guide, "Policy evaluation logic";
the log stands in for the authorization events "Logging IAM and AWS STS API calls with AWS CloudTrail" records."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor, authorize
from simulator.sandbox.models import DecisionRecord, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DENY_DELETES = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}'


def log_url(sandbox, **query) -> str:
    url = f"/console/{sandbox.id}/decisions/"
    return f"{url}?{urlencode(query)}" if query else url


def detail_url(sandbox, record) -> str:
    return f"/console/{sandbox.id}/decisions/{record.id}/"


@pytest.fixture
def decided(root, alice) -> dict[str, DecisionRecord]:
    """One decision of each result, made by the engine; the fixtures' own IAM actions were logged before them."""
    operations.put_user_policy(root, "alice", "NoDeletes", DENY_DELETES)
    alice_acts = Actor(root.account, alice)
    authorize(alice_acts, "s3:GetObject", "arn:aws:s3:::reports/q1.csv")
    authorize(alice_acts, "s3:DeleteObject", "arn:aws:s3:::reports/q1.csv")
    authorize(root, "s3:PutObject", "arn:aws:s3:::reports/q2.csv")
    return {record.action: record for record in DecisionRecord.objects.filter(action__startswith="s3:")}


def bulk_log(account, count: int, template: DecisionRecord) -> None:
    DecisionRecord.objects.bulk_create(
        DecisionRecord(
            account=account,
            principal_arn=f"{account.root_arn[: -len('root')]}user/u{n % 7}",
            action=f"s3:Action{n}",
            resource="*",
            result=template.result,
            sentence=template.sentence,
            trace=template.trace,
        )
        for n in range(count)
    )


def test_it_lists_every_decision_newest_first(learner_client, sandbox, alice, decided):
    response = learner_client.get(log_url(sandbox))
    content = response.content.decode()
    assert content.index("s3:PutObject") < content.index("s3:DeleteObject") < content.index("s3:GetObject")
    assertContains(response, f'<code class="arn">{alice.arn}</code>', html=True)
    assertContains(response, "arn:aws:s3:::reports/q1.csv")
    for result in ("allowed", "explicitDeny", "implicitDeny"):
        assertContains(response, f'">{result}</span>')
    assertContains(response, "with an explicit deny in an identity-based policy")
    assertContains(response, f'href="{detail_url(sandbox, decided["s3:DeleteObject"])}"')
    assertContains(response, 'aria-current="page">Decision log</a>')
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"result": "allowed"}, ["s3:PutObject"], ["s3:GetObject", "s3:DeleteObject"]),
        ({"result": "explicitDeny"}, ["s3:DeleteObject"], ["s3:GetObject", "s3:PutObject"]),
        ({"result": "implicitDeny"}, ["s3:GetObject"], ["s3:DeleteObject", "s3:PutObject", "iam:CreateUser"]),
        ({"action": "object"}, ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"], ["iam:CreateUser"]),
        ({"action": "s3:Get"}, ["s3:GetObject"], ["s3:DeleteObject", "s3:PutObject"]),
        ({"principal": "ALICE"}, ["s3:GetObject", "s3:DeleteObject"], ["s3:PutObject", "iam:CreateUser"]),
        ({"principal": "ALICE", "result": "explicitDeny"}, ["s3:DeleteObject"], ["s3:GetObject"]),
    ],
)
def test_filters_narrow_the_list(learner_client, sandbox, alice, decided, query, shown, hidden):
    query = {name: alice.arn if value == "ALICE" else value for name, value in query.items()}
    response = learner_client.get(log_url(sandbox, **query))
    for action in shown:
        assertContains(response, f'<td class="log-action"><code>{action}</code></td>', html=True)
    for action in hidden:
        assertNotContains(response, f'<td class="log-action"><code>{action}</code></td>', html=True)


def test_the_principal_filter_offers_the_principals_that_decided(learner_client, sandbox, root, alice, decided):
    response = learner_client.get(log_url(sandbox, principal=alice.arn))
    assertContains(response, f'<option value="{alice.arn}" selected>user/engineering/alice</option>', html=True)
    assertContains(response, f'<option value="{root.account.root_arn}">root</option>', html=True)


@pytest.mark.parametrize("query", [{"result": "maybe"}, {"principal": "arn:aws:iam::000000000000:user/mallory"}])
def test_an_invalid_filter_is_reported_and_lists_nothing(learner_client, sandbox, decided, query):
    response = learner_client.get(log_url(sandbox, **query))
    assertContains(response, 'role="alert"')
    assertContains(response, "Select a valid choice.")
    assertNotContains(response, '<td class="log-action"><code>s3:GetObject</code></td>', html=True)


def test_it_pages_by_fifty_and_keeps_the_filters(learner_client, sandbox, root, decided):
    bulk_log(root.account, 120, decided["s3:GetObject"])
    response = learner_client.get(log_url(sandbox, result="implicitDeny", action="Action"))
    assertContains(response, "Page 1 of 3")
    assertContains(response, '<td class="log-action"><code>s3:Action119</code></td>', html=True)
    assertNotContains(response, '<td class="log-action"><code>s3:Action69</code></td>', html=True)
    assertContains(response, 'href="?result=implicitDeny&amp;action=Action&amp;page=2"')
    response = learner_client.get(log_url(sandbox, result="implicitDeny", action="Action", page=3))
    assertContains(response, "Page 3 of 3")
    assertContains(response, '<td class="log-action"><code>s3:Action0</code></td>', html=True)
    assertContains(response, 'href="?result=implicitDeny&amp;action=Action&amp;page=2"')
    assertContains(response, '<tbody class="log-entry">', count=20)


def test_htmx_gets_only_the_log_region(learner_client, sandbox, decided):
    response = learner_client.get(log_url(sandbox, result="allowed"), headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="decision-log"')
    assert "<html" not in content and "<h1" not in content
    assertContains(response, "s3:PutObject")


def test_the_query_count_does_not_grow_with_the_log(learner_client, sandbox, root, decided):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(log_url(sandbox)).status_code == 200
        return len(captured)

    bulk_log(root.account, 10 - DecisionRecord.objects.count(), decided["s3:GetObject"])
    few = queries()
    bulk_log(root.account, 290, decided["s3:GetObject"])
    assert DecisionRecord.objects.count() == 300
    assert queries() == few


def test_the_detail_page_draws_the_stored_explanation(learner_client, sandbox, alice, decided):
    response = learner_client.get(detail_url(sandbox, decided["s3:DeleteObject"]))
    assertContains(response, '<span class="badge badge-deny">explicitDeny</span>', html=True)
    assertContains(response, "with an explicit deny in an identity-based policy")
    assertContains(response, 'flow-decisive" data-stage="explicit-deny"')
    assertContains(response, "alice/NoDeletes")
    assertContains(response, f'<dd><code class="arn">{alice.arn}</code></dd>', html=True)
    assertContains(response, 'aria-current="page">Decision log</a>')


def test_stored_text_is_escaped(learner_client, sandbox, root, decided):
    record = decided["s3:GetObject"]
    record.action, record.resource, record.sentence = SCRIPT, SCRIPT, SCRIPT
    record.save()
    for url in (log_url(sandbox), detail_url(sandbox, record)):
        response = learner_client.get(url)
        assertNotContains(response, "<script>alert")
        assertContains(response, ESCAPED)


def test_another_learner_gets_404(other_client, other_learner, sandbox, decided):
    Sandbox.objects.create_with_account(other_learner)
    assert other_client.get(log_url(sandbox)).status_code == 404
    assert other_client.get(detail_url(sandbox, decided["s3:GetObject"])).status_code == 404


def test_a_record_of_another_account_is_404_even_from_ones_own_sandbox(other_client, other_learner, decided):
    own = Sandbox.objects.create_with_account(other_learner)
    assert other_client.get(detail_url(own, decided["s3:GetObject"])).status_code == 404


@pytest.mark.parametrize("path", ["", "1/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, sandbox, path):
    url = log_url(sandbox) + path
    assertRedirects(client.get(url), f"/sign-in/?next={url}", fetch_redirect_response=False)


def test_posts_are_refused(learner_client, sandbox):
    assert learner_client.post(log_url(sandbox)).status_code == 405


def test_each_decision_says_which_front_door_it_came_through_and_can_be_filtered_by_it(learner_client, sandbox, root):
    authorize(root, "iam:ListUsers", "*")
    authorize(root, "iam:ListRoles", "*", source=DecisionRecord.Source.ACCESS_TESTER)
    url = f"/console/{sandbox.id}/decisions/"
    everything = learner_client.get(url)
    assertContains(everything, '<td class="log-source">Console</td>', html=False)
    assertContains(everything, '<td class="log-source">Access tester</td>', html=False)
    tested = learner_client.get(url, {"source": "access-tester"})
    assertContains(tested, "iam:ListRoles")
    assertNotContains(tested, "iam:ListUsers")
