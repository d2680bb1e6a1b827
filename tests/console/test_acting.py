"""Acting as an identity, and AccessDenied explained where it happens.

The identity picker stands in for signing in as an IAM user or calling AssumeRole (STS API Reference,
"AssumeRole": RoleSessionName's length and pattern); root's standing from the IAM User Guide, "AWS account
root user"; denials worded as in "Troubleshoot access denied error messages" and drawn per "Policy
evaluation logic".
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.errors import AccessDenied
from simulator.sandbox.models import DecisionRecord, IamUser, Role

from .conftest import HTMX

pytestmark = pytest.mark.django_db

TRUST_ACCOUNT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def allowing(*actions: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    )


@pytest.fixture
def admin_role(root):
    return operations.create_role(root, "Admin", TRUST_ACCOUNT)


def act_as_url(sandbox) -> str:
    return f"/console/{sandbox.id}/act-as/"


def act_as(client, sandbox, identity, session_name="", next_url="", headers=None):
    data = {"identity": identity, "session_name": session_name, "next": next_url}
    return client.post(act_as_url(sandbox), data, headers=headers or {})


def create_user(client, sandbox, name, headers=None):
    return client.post(f"/console/{sandbox.id}/users/", {"name": name, "path": "/"}, headers=headers or {})


def test_it_shows_who_is_acting_and_offers_every_identity(learner_client, sandbox, alice, admin_role):
    response = learner_client.get(act_as_url(sandbox))
    assertContains(response, "Acting as <strong>root user</strong>")
    assertContains(response, "<strong>You are acting as the root user</strong>")
    assertContains(response, '<option value="user:alice">alice</option>', html=True)
    assertContains(response, '<option value="role:Admin">Admin</option>', html=True)
    assertContains(response, "sts:AssumeRole")


@pytest.mark.parametrize(
    ("identity", "session_name", "label"),
    [
        ("user:alice", "", "IAM user alice"),
        ("role:Admin", "", "role session Admin/console"),
        ("role:Admin", "ops@example.com", "role session Admin/ops@example.com"),
        ("root", "", "root user"),
    ],
)
def test_choosing_an_identity_goes_back_and_every_page_says_who_acts(
    learner_client, sandbox, alice, admin_role, identity, session_name, label
):
    back = f"/console/{sandbox.id}/groups/"
    assertRedirects(act_as(learner_client, sandbox, identity, session_name, back), back)
    response = learner_client.get(back)
    assertContains(response, f"Acting as <strong>{label}</strong>")
    nudge = "use it only for the tasks that need it; act as an IAM user or role."
    (assertContains if identity == "root" else assertNotContains)(response, nudge)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_only_a_page_of_this_site_is_gone_back_to(learner_client, sandbox, alice, next_url):
    response = act_as(learner_client, sandbox, "user:alice", next_url=next_url)
    assertRedirects(response, f"/console/{sandbox.id}/users/")


@pytest.mark.parametrize(
    ("session_name", "constraint"),
    [
        ("a", "Member must have length greater than or equal to 2"),
        ("x" * 65, "Member must have length less than or equal to 64"),
        ("my session", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
        ("é1", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ],
)
def test_a_role_session_name_is_checked_like_roleSessionName(
    learner_client, sandbox, admin_role, session_name, constraint
):
    response = act_as(learner_client, sandbox, "role:Admin", session_name)
    assert response.status_code == 400
    assertContains(response, "ValidationError", status_code=400)
    assertContains(
        response, f"at &#x27;roleSessionName&#x27; failed to satisfy constraint: {constraint}", status_code=400
    )
    assertContains(learner_client.get(act_as_url(sandbox)), "Acting as <strong>root user</strong>")


def test_every_broken_constraint_is_reported_at_once(learner_client, sandbox, admin_role):
    response = act_as(learner_client, sandbox, "role:Admin", "/")
    assertContains(response, "2 validation errors detected: Value &#x27;/&#x27;", status_code=400)


@pytest.mark.parametrize(
    ("identity", "code", "status"),
    [
        ("user:nobody", "NoSuchEntity", 404),
        ("role:Nobody", "NoSuchEntity", 404),
        ("group:admins", "ValidationError", 400),
    ],
)
def test_an_identity_that_is_not_in_the_account_is_refused(learner_client, sandbox, identity, code, status):
    assertContains(act_as(learner_client, sandbox, identity), code, status_code=status)


def test_a_service_linked_role_cannot_be_acted_as(learner_client, sandbox, root):
    Role.objects.create(
        account=root.account, name="AWSServiceRoleForSupport", trust_policy="{}", service_linked="support.amazonaws.com"
    )
    response = act_as(learner_client, sandbox, "role:AWSServiceRoleForSupport")
    assertContains(response, "Only support.amazonaws.com can assume", status_code=403)
    assertNotContains(learner_client.get(act_as_url(sandbox)), "role:AWSServiceRoleForSupport")


def test_what_the_learner_typed_is_escaped(learner_client, sandbox, admin_role):
    response = act_as(learner_client, sandbox, "role:Admin", "<b>x</b>")
    assertNotContains(response, "<b>x</b>", status_code=400)
    assertContains(response, "&lt;b&gt;x&lt;/b&gt;", status_code=400)
    response = act_as(learner_client, sandbox, "user:<script>")
    assertNotContains(response, "<script>", status_code=404)


def test_an_identity_deleted_since_falls_back_to_root(learner_client, sandbox, root, alice):
    act_as(learner_client, sandbox, "user:alice")
    operations.delete_user(root, "alice")
    assertContains(learner_client.get(act_as_url(sandbox)), "Acting as <strong>root user</strong>")


def test_as_a_user_without_permission_creating_a_user_is_denied_and_explained(learner_client, sandbox, alice):
    act_as(learner_client, sandbox, "user:alice")
    response = create_user(learner_client, sandbox, "bob")
    assert response.status_code == 403
    assertContains(response, "AccessDenied", status_code=403)
    assertContains(response, f"User: {alice.arn} is not authorized to perform: iam:CreateUser", status_code=403)
    assertContains(response, 'id="create-user-error-why"', status_code=403)
    assertContains(response, '<svg class="flow"', status_code=403)
    assertContains(response, 'flow-decisive" data-stage="identity-based-policies"', status_code=403)
    record = DecisionRecord.objects.get(principal_arn=alice.arn, action="iam:CreateUser")
    assertContains(response, f'href="/console/{sandbox.id}/decisions/{record.id}/"', status_code=403)
    assert not IamUser.objects.filter(name="bob").exists()


def test_with_permission_the_same_user_creates_a_user(learner_client, sandbox, root, alice):
    policy = operations.create_policy(root, "CreateUsers", allowing("iam:CreateUser"))
    operations.attach_user_policy(root, "alice", policy.arn)
    act_as(learner_client, sandbox, "user:alice")
    assertRedirects(create_user(learner_client, sandbox, "bob"), f"/console/{sandbox.id}/users/")
    assert IamUser.objects.filter(name="bob").exists()
    record = DecisionRecord.objects.get(action="iam:CreateUser", resource__endswith="user/bob")
    assert (record.principal_arn, record.result) == (alice.arn, "allowed")


def test_a_role_session_acts_with_the_roles_policies(learner_client, sandbox, root, admin_role):
    act_as(learner_client, sandbox, "role:Admin", "deploy")
    assertContains(create_user(learner_client, sandbox, "bob"), "assumed-role/Admin/deploy", status_code=403)
    operations.put_role_policy(root, "Admin", "CreateUsers", allowing("iam:CreateUser"))
    assertRedirects(create_user(learner_client, sandbox, "bob"), f"/console/{sandbox.id}/users/")


def test_an_explicit_deny_names_the_deciding_statement_in_place(learner_client, sandbox, root, alice):
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "NoNewUsers", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
    }
    operations.put_user_policy(root, "alice", "Guard", json.dumps(deny))
    act_as(learner_client, sandbox, "user:alice")
    response = create_user(learner_client, sandbox, "bob", headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="users-region"')
    assert "Deciding statement" in content and "<code>NoNewUsers</code>" in content
    assert 'data-stage="explicit-deny"' in content


def test_an_implicit_deny_shows_the_statements_that_came_closest(learner_client, sandbox, root, alice):
    operations.put_user_policy(root, "alice", "ReadOnly", allowing("iam:List*"))
    act_as(learner_client, sandbox, "user:alice")
    assertContains(create_user(learner_client, sandbox, "bob"), "Closest to allowing", status_code=403)


def test_access_denied_carries_its_decision_log_entry(root, alice):
    from simulator.sandbox.authorization import Actor

    with pytest.raises(AccessDenied) as denied:
        operations.create_user(Actor(root.account, user=alice), "bob")
    record = DecisionRecord.objects.get(pk=denied.value.record_id)
    assert (record.principal_arn, record.action, record.result) == (alice.arn, "iam:CreateUser", "implicitDeny")


def test_another_learner_gets_404(other_client, sandbox, alice):
    assert other_client.get(act_as_url(sandbox)).status_code == 404
    assert act_as(other_client, sandbox, "user:alice").status_code == 404


def test_a_post_without_csrf_token_is_refused(learner, sandbox, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert act_as(client, sandbox, "user:alice", headers=HTMX).status_code == 403
    assertContains(client.get(act_as_url(sandbox)), "Acting as <strong>root user</strong>")


def test_anonymous_visitors_are_sent_to_sign_in(client, sandbox):
    path = act_as_url(sandbox)
    assertRedirects(client.post(path, {"identity": "root"}), f"/sign-in/?next={path}", fetch_redirect_response=False)


def _queries_for_users_page(client, sandbox) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/console/{sandbox.id}/users/").status_code == 200
    return len(captured)


def test_the_identity_picker_costs_the_same_queries_for_10_or_300_identities(learner_client, sandbox, root):
    def add(first: int, last: int) -> None:
        IamUser.objects.bulk_create(
            IamUser(account=root.account, name=f"u{n}", unique_id=f"AIDA{n:017}") for n in range(first, last)
        )
        Role.objects.bulk_create(
            Role(account=root.account, name=f"r{n}", unique_id=f"AROA{n:017}", trust_policy=TRUST_ACCOUNT)
            for n in range(first, last)
        )

    add(0, 10)
    few = _queries_for_users_page(learner_client, sandbox)
    add(10, 300)
    assert _queries_for_users_page(learner_client, sandbox) == few
    assertContains(learner_client.get(act_as_url(sandbox)), '<option value="role:r299">r299</option>', html=True)
