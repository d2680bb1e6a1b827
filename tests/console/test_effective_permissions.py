"""Effective permissions: where a user's or a role's permissions come from. IAM User Guide, "Policy evaluation
logic" (identity-based policies and permissions boundaries), "Permissions boundaries for IAM entities", and
"Understanding access level summaries within policy summaries" (Full access, Limited: List, Read, ...)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from simulator.sandbox import operations
from simulator.sandbox.models import Group, GroupPolicy, ManagedPolicy, PolicyVersion, Sandbox

pytestmark = pytest.mark.django_db

TRUST_ACCOUNT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def page_url(sandbox, kind, entity_id) -> str:
    return f"/console/{sandbox.id}/effective-permissions/{kind}/{entity_id}/"


@pytest.fixture
def alice_with_everything(root, alice):
    read_users = operations.create_policy(root, "ReadUsers", document(allow(["iam:ListUsers", "iam:GetUser"])))
    operations.attach_user_policy(root, "alice", read_users.arn)
    no_delete = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    operations.put_user_policy(root, "alice", "NoDeletes", document(no_delete))
    operations.create_group(root, "analysts")
    operations.add_user_to_group(root, "analysts", "alice")
    operations.put_group_policy(root, "analysts", "ReadReports", document(allow("s3:*", "arn:aws:s3:::reports/*")))
    boundary = operations.create_policy(root, "OnlyS3", document(allow("s3:*")))
    operations.put_user_permissions_boundary(root, "alice", boundary.arn)
    return alice


def test_it_shows_every_source_of_a_users_permissions(learner_client, sandbox, alice_with_everything):
    response = learner_client.get(page_url(sandbox, "user", alice_with_everything.id))
    read_users = ManagedPolicy.objects.get(name="ReadUsers")
    assertContains(response, f'<a href="/console/{sandbox.id}/policies/{read_users.id}/">ReadUsers</a>', html=True)
    assertContains(response, "<strong>NoDeletes</strong>", html=True)
    assertContains(response, "analysts")
    assertContains(response, "<strong>ReadReports</strong>", html=True)
    boundary = ManagedPolicy.objects.get(name="OnlyS3")
    assertContains(response, f'<a href="/console/{sandbox.id}/policies/{boundary.id}/">OnlyS3</a>', html=True)
    assertContains(response, "Customer managed")


def test_the_summary_gives_each_services_access_level_and_statements(learner_client, sandbox, alice_with_everything):
    content = learner_client.get(page_url(sandbox, "user", alice_with_everything.id)).content.decode()
    iam_row = content.split("AWS Identity and Access Management")[1].split("</tr>")[0]
    assert "Limited: List, Read" in iam_row
    assert "<code>iam:ListUsers</code>, <code>iam:GetUser</code>" in iam_row
    s3_row = content.split("Amazon S3")[1].split("</tr>")[0]
    assert "Full access" in s3_row and "<code>s3:DeleteObject</code>" in s3_row
    assert "in NoDeletes" in s3_row and "in ReadReports" in s3_row


def test_a_service_the_boundary_never_allows_is_marked_as_capped(learner_client, sandbox, alice_with_everything):
    """ "Permissions boundaries for IAM entities": only what both the policies and the boundary allow is allowed."""
    content = learner_client.get(page_url(sandbox, "user", alice_with_everything.id)).content.decode()
    iam_row = content.split("AWS Identity and Access Management")[1].split("</tr>")[0]
    s3_row = content.split("Amazon S3")[1].split("</tr>")[0]
    assert "The boundary allows nothing here" in iam_row
    assert "The boundary allows nothing here" not in s3_row


def test_each_service_links_to_the_access_tester_prefilled(learner_client, sandbox, alice_with_everything):
    response = learner_client.get(page_url(sandbox, "user", alice_with_everything.id))
    arn = alice_with_everything.arn.replace(":", "%3A").replace("/", "%2F")
    assertContains(
        response, f"/console/{sandbox.id}/access/?principal={arn}&amp;actions=iam%3AListUsers%2C+iam%3AGetUser"
    )
    assertContains(response, f'href="/console/{sandbox.id}/access/?principal={arn}"')


def test_a_role_shows_its_policies_and_is_tested_as_a_session(learner_client, sandbox, root):
    role = operations.create_role(root, "Deployer", TRUST_ACCOUNT)
    operations.put_role_policy(root, "Deployer", "Deploy", document(allow("cloudformation:*")))
    response = learner_client.get(page_url(sandbox, "role", role.id))
    assertContains(response, "Effective permissions of role Deployer")
    assertContains(response, '<code class="muted">cloudformation</code>', html=True)
    assertContains(response, "assumed-role%2FDeployer%2Faccess-tester")
    assertNotContains(response, "From groups")


def test_a_user_with_no_policies_is_denied_everything(learner_client, sandbox, alice):
    response = learner_client.get(page_url(sandbox, "user", alice.id))
    assertContains(response, "every request is denied by default")
    assertContains(response, "belongs to no group")


@pytest.mark.parametrize("kind", ["group", "policy", "USER"])
def test_only_users_and_roles_have_a_page(learner_client, sandbox, alice, kind):
    assert learner_client.get(page_url(sandbox, kind, alice.id)).status_code == 404


def test_another_learner_gets_404(other_client, sandbox, alice):
    assert other_client.get(page_url(sandbox, "user", alice.id)).status_code == 404
    # The page only reads: a POST is refused the same way for everyone, so it tells nothing either.
    assert other_client.post(page_url(sandbox, "user", alice.id)).status_code == 405


def test_another_learners_user_is_not_found_in_my_sandbox(learner_client, sandbox, other_learner):
    theirs = Sandbox.objects.create_with_account(other_learner)
    from simulator.sandbox.authorization import Actor

    bob = operations.create_user(Actor(theirs.accounts.get()), "bob")
    assert learner_client.get(page_url(sandbox, "user", bob.id)).status_code == 404


def test_posts_are_refused(learner_client, sandbox, alice):
    assert learner_client.post(page_url(sandbox, "user", alice.id)).status_code == 405


def test_what_a_policy_says_is_escaped(learner_client, sandbox, root, alice):
    sneaky = document(allow("s3:GetObject", "arn:aws:s3:::<script>alert(1)</script>"))
    operations.put_user_policy(root, "alice", "Sneaky", sneaky)
    response = learner_client.get(page_url(sandbox, "user", alice.id))
    assertNotContains(response, "<script>alert")
    assertContains(response, "on <code>arn:aws:s3:::&lt;script&gt;alert(1)&lt;/script&gt;</code>")


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_10_or_300_groups_and_policies(learner_client, sandbox, root, alice):
    def add(first: int, last: int) -> None:
        for n in range(first, last):
            group = Group.objects.create(account=root.account, name=f"g{n}")
            group.members.add(alice)
            GroupPolicy.objects.create(group=group, name="Inline", document=document(allow(f"sqs:Get{n}")))
            policy = ManagedPolicy.objects.create(account=root.account, name=f"p{n}")
            PolicyVersion.objects.create(
                policy=policy, number=1, document=document(allow("sns:Publish")), is_default=True
            )
            group.managed_policies.add(policy)
            alice.managed_policies.add(policy)

    url = page_url(sandbox, "user", alice.id)
    add(0, 10)
    few = _count_queries(learner_client, url)
    add(10, 300)
    assert _count_queries(learner_client, url) == few
    assertContains(learner_client.get(url), "g299")
