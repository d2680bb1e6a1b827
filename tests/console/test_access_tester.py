"""The access tester. Decisions and their wording: IAM User Guide, "Policy evaluation logic" and
"Troubleshoot access denied error messages"; the tester itself stands in for "Testing IAM policies with
the IAM policy simulator"."""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import buckets, operations
from simulator.sandbox.models import DecisionRecord, IamUser, Role

from .conftest import HTMX

pytestmark = pytest.mark.django_db

READ_IN_IRELAND = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadInIreland",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
            },
            {"Sid": "NeverDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
        ],
    },
    indent=2,
)
IRELAND, VIRGINIA = "aws:RequestedRegion=eu-west-1", "aws:RequestedRegion=us-east-1"
IDENTITY = "identity-based-policies"


@pytest.fixture
def alice_reads(root, alice):
    policy = operations.create_policy(root, "ReadInIreland", READ_IN_IRELAND)
    operations.attach_user_policy(root, "alice", policy.arn)
    return policy


def access_url(sandbox, **query) -> str:
    url = f"/console/{sandbox.id}/access/"
    return f"{url}?{urlencode(query)}" if query else url


def ask(client, sandbox, principal, actions, resource="*", context="", headers=None):
    query = {"principal": principal.arn, "actions": actions, "resource": resource, "context": context}
    return client.get(access_url(sandbox, **query), headers=headers or {})


def test_it_shows_the_form_and_decides_nothing_without_a_question(learner_client, sandbox, alice):
    logged = DecisionRecord.objects.count()
    response = learner_client.get(access_url(sandbox))
    assertContains(response, '<option value="arn:aws:iam::', count=2)
    assertContains(response, '<option value="s3:GetObject">')
    assertContains(response, 'aria-current="page">Access tester</a>')
    assert DecisionRecord.objects.count() == logged
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    ("actions", "context", "result", "words"),
    [
        ("s3:GetObject", IRELAND, "allowed", "because an identity-based policy allows it (statement 1 &quot;ReadInIr"),
        ("s3:GetObject", VIRGINIA, "implicitDeny", "because no identity-based policy allows the s3:GetObject action"),
        ("s3:DeleteObject", "", "explicitDeny", "with an explicit deny in an identity-based policy: arn:aws:iam::"),
        ("iam:CreateUser", "", "implicitDeny", "is not authorized to perform: iam:CreateUser on resource: *"),
    ],
)
def test_it_decides_with_the_engine_and_says_why(
    learner_client, sandbox, alice, alice_reads, actions, context, result, words
):
    response = ask(learner_client, sandbox, alice, actions, context=context)
    assertContains(response, f'">{result}</span>')
    assertContains(response, f"User: {alice.arn} ")
    assertContains(response, words)


def test_the_root_user_is_allowed_without_any_policy(learner_client, sandbox, root):
    response = learner_client.get(access_url(sandbox, principal=root.account.root_arn, actions="iam:CreateUser"))
    assertContains(response, "the root user has complete access to its own account")


@pytest.mark.parametrize(
    ("actions", "context", "deciding_stage", "outcomes"),
    [
        ("s3:DeleteObject", "", "explicit-deny", {"explicit-deny": "deny", IDENTITY: "not-reached"}),
        ("s3:GetObject", "", IDENTITY, {"explicit-deny": "pass", IDENTITY: "no-allow"}),
        ("s3:GetObject", IRELAND, IDENTITY, {IDENTITY: "allow"}),
    ],
)
def test_the_flowchart_marks_each_stage_and_the_deciding_one(
    learner_client, sandbox, alice, alice_reads, actions, context, deciding_stage, outcomes
):
    content = ask(learner_client, sandbox, alice, actions, context=context).content.decode()
    assert content.count("flow-decisive") == 1
    assert f'flow-decisive" data-stage="{deciding_stage}"' in content
    for stage, outcome in outcomes.items():
        assert f'data-stage="{stage}" data-outcome="{outcome}"' in content
    assert '<svg class="flow"' in content and 'role="img"' in content
    assert '<title id="flow-1-title">' in content and "Explicit deny in any policy: " in content


def test_a_deny_leaves_the_flowchart_by_the_deny_exit(learner_client, sandbox, alice, alice_reads):
    assertContains(ask(learner_client, sandbox, alice, "s3:DeleteObject"), "flow-end-deny flow-end-reached")
    allowed = ask(learner_client, sandbox, alice, "s3:GetObject", context=IRELAND)
    assertContains(allowed, "flow-end-allow flow-end-reached")
    assertNotContains(allowed, "flow-end-deny")


def test_missing_context_keys_are_shown(learner_client, sandbox, alice, alice_reads):
    response = ask(learner_client, sandbox, alice, "s3:GetObject")
    missing = '<ul class="fact-list missing-keys"><li><code>aws:RequestedRegion</code></li></ul>'
    assertContains(response, missing, html=True)
    assertContains(response, '<span class="missing">missing</span>', html=True)


def test_each_condition_shows_operator_key_and_values(learner_client, sandbox, alice, alice_reads):
    response = ask(learner_client, sandbox, alice, "s3:GetObject", context=VIRGINIA)
    assertContains(response, "<td><code>StringEquals</code></td>", html=True)
    assertContains(response, "<td><code>aws:RequestedRegion</code></td>", html=True)
    assertContains(response, "<td><code>eu-west-1</code></td>", html=True)
    assertContains(response, "<td><code>us-east-1</code></td>", html=True)
    assertContains(response, "does not apply")


def test_the_deciding_statement_is_highlighted_in_the_policy_text(learner_client, sandbox, alice, alice_reads):
    content = ask(learner_client, sandbox, alice, "s3:DeleteObject").content.decode()
    marked = content.split('<mark class="policy-mark mark-deciding mark-deny">')[1].split("</mark>")[0]
    assert "NeverDelete" in marked and "ReadInIreland" not in marked
    assert "&quot;Effect&quot;: &quot;Deny&quot;" in marked
    assert "decides this request" in content


def test_several_actions_are_decided_and_each_is_logged(learner_client, sandbox, alice, alice_reads):
    response = ask(learner_client, sandbox, alice, "s3:GetObject, s3:DeleteObject\niam:CreateUser")
    assertContains(response, 'class="panel decision-card"', count=3)
    records = DecisionRecord.objects.filter(account=alice.account, principal_arn=alice.arn)
    assert sorted(records.values_list("action", "result")) == [
        ("iam:CreateUser", "implicitDeny"),
        ("s3:DeleteObject", "explicitDeny"),
        ("s3:GetObject", "implicitDeny"),
    ]
    assert records.get(action="s3:DeleteObject").trace["stage"] == "explicit-deny"


def test_typed_context_keys_reach_the_engine_and_the_log(learner_client, sandbox, alice, alice_reads):
    ask(learner_client, sandbox, alice, "s3:GetObject", context=IRELAND)
    record = DecisionRecord.objects.get(principal_arn=alice.arn)
    assert record.result == "allowed"
    assert record.trace["statements"][0]["conditions"][0]["requestValues"] == ["eu-west-1"]


def test_htmx_gets_only_the_results_region(learner_client, sandbox, alice):
    response = ask(learner_client, sandbox, alice, "s3:GetObject", headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="access-results"')
    assert "<html" not in content and "<h1" not in content and "<datalist" not in content
    assertContains(response, "implicitDeny")


def test_htmx_restoring_history_gets_the_whole_page(learner_client, sandbox, alice):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    assertContains(ask(learner_client, sandbox, alice, "s3:GetObject", headers=headers), "<h1")


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"actions": "GetObject"}, "Write each action as service:Action"),
        ({"actions": " "}, "This field is required."),
        ({"actions": ",".join(f"s3:Action{n}" for n in range(21))}, "Test at most 20 actions"),
        ({"actions": "s3:GetObject", "context": "no equals sign"}, "Write each context key as prefix:name=value"),
        ({"actions": "s3:GetObject", "principal": "arn:aws:iam::000000000000:user/mallory"}, "Select a valid choice."),
    ],
)
def test_every_mistake_in_the_request_is_reported_and_nothing_is_decided(learner_client, sandbox, root, query, error):
    response = learner_client.get(access_url(sandbox, **{"principal": root.account.root_arn, **query}))
    assertContains(response, 'role="alert"')
    assertContains(response, error)
    assert not DecisionRecord.objects.filter(action__startswith="s3:").exists()


def test_an_unknown_action_is_decided_with_a_suggestion(learner_client, sandbox, alice):
    response = ask(learner_client, sandbox, alice, "s3:GetObjet")
    assertContains(response, "no action named <code>s3:GetObjet</code>; did you mean <code>s3:GetObject</code>?")


def test_what_the_learner_typed_is_escaped(learner_client, sandbox, alice):
    typed = "<script>alert(1)</script>"
    response = ask(learner_client, sandbox, alice, f"s3:GetObject,{typed}", resource=typed, context=f"aws:x={typed}")
    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    response = ask(learner_client, sandbox, alice, "s3:GetObject", resource=typed, context=f"aws:x={typed}")
    assertNotContains(response, "<script>alert")
    assertContains(response, "on resource: &lt;script&gt;alert(1)&lt;/script&gt;")


def test_another_learner_gets_404(other_client, sandbox, alice):
    response = ask(other_client, sandbox, alice, "s3:GetObject")
    assert response.status_code == 404
    assert not DecisionRecord.objects.filter(principal_arn=alice.arn).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, sandbox):
    path = access_url(sandbox)
    assertRedirects(client.get(path), f"/sign-in/?next={path}", fetch_redirect_response=False)


def test_posts_are_refused(learner_client, sandbox):
    assert learner_client.post(access_url(sandbox), {"actions": "s3:GetObject"}).status_code == 405


# Roles, resource-based policies and context keys. IAM User Guide: "IAM role trust policies", "Policy evaluation
# logic" (resource-based policies), "IAM policy elements: Variables and tags"; IAM API Reference:
# "GetContextKeysForPrincipalPolicy".

TRUST_ALICE_TEMPLATE = {"Effect": "Allow", "Action": "sts:AssumeRole"}
OWN_PREFIX = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::reports",
                "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
            }
        ],
    }
)


def policy_of(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def deployer(root, alice):
    trust = policy_of({**TRUST_ALICE_TEMPLATE, "Principal": {"AWS": alice.arn}})
    return operations.create_role(root, "Deployer", trust)


@pytest.fixture
def reports(root, alice):
    bucket = buckets.create_bucket(root, "reports")
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": alice.arn},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*",
    }
    buckets.put_bucket_policy(root, "reports", policy_of(statement))
    return bucket


def ask_as(client, sandbox, principal_arn, actions, resource="*", **more):
    query = {"principal": principal_arn, "actions": actions, "resource": resource, "context": "", **more}
    return client.get(access_url(sandbox, **query))


def test_every_role_is_offered_as_an_access_tester_session(learner_client, sandbox, root, deployer):
    session = f"arn:aws:sts::{root.account.account_id}:assumed-role/Deployer/access-tester"
    response = learner_client.get(access_url(sandbox))
    assertContains(response, f'<option value="{session}">Deployer (session access-tester)</option>', html=True)
    ask_as(learner_client, sandbox, session, "iam:ListRoles")
    record = DecisionRecord.objects.get(principal_arn=session)
    assert (record.action, record.result) == ("iam:ListRoles", "implicitDeny")


def test_decisions_are_logged_as_the_access_testers(learner_client, sandbox, alice):
    ask(learner_client, sandbox, alice, "s3:GetObject, iam:CreateUser")
    assert set(DecisionRecord.objects.filter(principal_arn=alice.arn).values_list("source", flat=True)) == {
        "access-tester"
    }


def test_each_result_links_to_its_entry_in_the_decision_log(learner_client, sandbox, alice):
    response = ask(learner_client, sandbox, alice, "s3:GetObject")
    record = DecisionRecord.objects.get(principal_arn=alice.arn)
    assertContains(response, f'href="/console/{sandbox.id}/decisions/{record.id}/"')


def test_a_head_request_neither_decides_nor_logs(learner_client, sandbox, alice):
    query = {"principal": alice.arn, "actions": "s3:GetObject", "resource": "*"}
    assert learner_client.head(access_url(sandbox, **query)).status_code == 200
    assert not DecisionRecord.objects.filter(source="access-tester").exists()


def test_a_link_naming_only_the_principal_preselects_it_and_decides_nothing(learner_client, sandbox, alice):
    response = learner_client.get(access_url(sandbox, principal=alice.arn))
    assertContains(response, f'<option value="{alice.arn}" selected>alice</option>', html=True)
    assert not DecisionRecord.objects.filter(source="access-tester").exists()


def test_a_bucket_policy_takes_part_and_is_named(learner_client, sandbox, alice, reports):
    """A resource-based policy that names the user allows it within the account with no identity-based policy."""
    response = ask(learner_client, sandbox, alice, "s3:GetObject, s3:PutObject", resource="arn:aws:s3:::reports/q1.csv")
    assertContains(response, "the bucket policy of reports took part", count=2)
    assertContains(response, "because a resource-based policy allows it")
    assertContains(response, '">allowed</span>')
    assertContains(response, "is not authorized to perform: s3:PutObject")
    assertContains(response, "<strong>bucket policy of reports</strong>")


@pytest.mark.parametrize(
    ("action", "result", "took_part"),
    [("sts:AssumeRole", "allowed", True), ("iam:GetRole", "implicitDeny", False)],
)
def test_a_roles_trust_policy_takes_part_only_in_assuming_it(
    learner_client, sandbox, alice, deployer, action, result, took_part
):
    response = ask(learner_client, sandbox, alice, action, resource=deployer.arn)
    assertContains(response, f'">{result}</span>')
    note = "the trust policy of role Deployer took part"
    (assertContains if took_part else assertNotContains)(response, note)
    if not took_part:
        assertContains(response, "no resource-based policy took part")


def test_the_context_keys_the_policies_use_are_listed_with_a_field_each(learner_client, sandbox, root, alice):
    operations.put_user_policy(root, "alice", "OwnPrefix", OWN_PREFIX)
    response = ask(learner_client, sandbox, alice, "s3:ListBucket", resource="arn:aws:s3:::reports")
    content = response.content.decode()
    assert "<code>s3:prefix</code>" in content and "<code>aws:username</code>" in content
    assert 'name="key:s3:prefix" form="tester-form"' in content
    assert 'placeholder="alice"' in content
    missing_row = content.split('class="context-key-missing"')[1].split("</tr>")[0]
    assert "s3:prefix" in missing_row and "missing" in missing_row
    assert "filled in by the sandbox" in content


def test_a_value_given_in_a_keys_field_reaches_the_engine(learner_client, sandbox, root, alice):
    operations.put_user_policy(root, "alice", "OwnPrefix", OWN_PREFIX)
    response = ask_as(
        learner_client, sandbox, alice.arn, "s3:ListBucket", "arn:aws:s3:::reports", **{"key:s3:prefix": "home/alice/x"}
    )
    assertContains(response, '">allowed</span>')
    assertContains(response, 'value="home/alice/x"')
    assertNotContains(response, 'class="context-key-missing"')


def test_the_same_value_in_the_box_and_the_field_is_one_value(learner_client, sandbox, root, alice):
    operations.put_user_policy(root, "alice", "OwnPrefix", OWN_PREFIX)
    ask_as(
        learner_client,
        sandbox,
        alice.arn,
        "s3:ListBucket",
        "arn:aws:s3:::reports",
        context="s3:prefix=home/alice/x",
        **{"key:s3:prefix": "home/alice/x"},
    )
    condition = DecisionRecord.objects.get(source="access-tester").trace["statements"][0]["conditions"][0]
    assert condition["requestValues"] == ["home/alice/x"]


def test_a_malformed_key_field_is_reported(learner_client, sandbox, alice):
    response = ask_as(learner_client, sandbox, alice.arn, "s3:GetObject", **{"key:no colon": "x"})
    assertContains(response, "Write each context key as prefix:name=value; not no colon")
    assert not DecisionRecord.objects.filter(source="access-tester").exists()


def test_context_values_typed_in_key_fields_are_escaped(learner_client, sandbox, root, alice):
    operations.put_user_policy(root, "alice", "OwnPrefix", OWN_PREFIX)
    typed = '"><script>alert(1)</script>'
    response = ask_as(
        learner_client, sandbox, alice.arn, "s3:ListBucket", "arn:aws:s3:::reports", **{"key:s3:prefix": typed}
    )
    assertNotContains(response, "<script>alert")
    assertContains(response, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')


def test_the_principal_list_costs_the_same_queries_for_10_or_300_identities(learner_client, sandbox, root):
    def add(first: int, last: int) -> None:
        IamUser.objects.bulk_create(
            IamUser(account=root.account, name=f"u{n}", unique_id=f"AIDA{n:017}") for n in range(first, last)
        )
        Role.objects.bulk_create(
            Role(account=root.account, name=f"r{n}", unique_id=f"AROA{n:017}", trust_policy="{}")
            for n in range(first, last)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            learner_client.get(access_url(sandbox))
        return len(captured)

    add(0, 10)
    few = queries()
    add(10, 300)
    assert queries() == few
