"""IAM actions on a sandbox account, authorized by the engine as the acting identity.

Error codes and quotas: IAM API Reference (CreateUser, DeleteUser, AddUserToGroup,
CreatePolicy, CreatePolicyVersion, AttachUserPolicy, PutUserPolicy) and
"IAM and AWS STS quotas".
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor, policies_for_user
from simulator.sandbox.demo import create_demo_sandbox
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import DecisionRecord, IamUser, ManagedPolicy, PolicyVersion, Sandbox

pytestmark = pytest.mark.django_db


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
ALLOW_IAM_READ = doc({"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"})


@pytest.fixture
def account(learner):
    return Sandbox.objects.create_with_account(learner).accounts.get()


@pytest.fixture
def root(account):
    return Actor(account)


def test_root_user_creates_users_without_any_policy(root):
    user = ops.create_user(root, "alice", "/engineering/")
    assert user.arn == f"arn:aws:iam::{root.account.account_id}:user/engineering/alice"
    assert user.unique_id.startswith("AIDA")
    record = DecisionRecord.objects.get()
    assert (record.action, record.result) == ("iam:CreateUser", "allowed")
    assert "root user has complete access" in record.sentence


def test_user_names_are_unique_whatever_their_case(root):
    ops.create_user(root, "alice")
    with pytest.raises(AwsError) as caught:
        ops.create_user(root, "ALICE")
    assert (caught.value.code, caught.value.status) == ("EntityAlreadyExists", 409)
    assert IamUser.objects.count() == 1


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "slash/name", "é"])
def test_invalid_user_names_are_refused(root, name):
    with pytest.raises(AwsError) as caught:
        ops.create_user(root, name)
    assert caught.value.code == "ValidationError"


def test_a_user_without_permission_is_denied_with_the_explanation(root):
    ops.create_user(root, "alice")
    alice = Actor(root.account, IamUser.objects.get(name="alice"))
    with pytest.raises(AccessDenied) as caught:
        ops.create_user(alice, "bob")
    assert caught.value.code == "AccessDenied"
    assert "is not authorized to perform: iam:CreateUser" in caught.value.message
    assert "because no identity-based policy allows the iam:CreateUser action" in caught.value.message
    assert not IamUser.objects.filter(name="bob").exists()
    assert DecisionRecord.objects.filter(result="implicitDeny", action="iam:CreateUser").count() == 1


def test_permissions_from_a_group_reach_its_members(root):
    ops.create_user(root, "alice")
    ops.create_group(root, "admins")
    admin_policy = ops.create_policy(root, "Admin", ALLOW_ALL)
    alice = Actor(root.account, IamUser.objects.get(name="alice"))
    with pytest.raises(AccessDenied):
        ops.create_group(alice, "devs")
    root_attach_group_policy(root, "admins", admin_policy)
    ops.add_user_to_group(root, "admins", "alice")
    assert ops.create_group(alice, "devs").name == "devs"


def root_attach_group_policy(root, group_name, policy):
    root.account.groups.get(name=group_name).managed_policies.add(policy)


def test_delete_user_conflicts_while_it_still_has_groups_or_policies(root):
    ops.create_user(root, "alice")
    ops.create_group(root, "devs")
    ops.add_user_to_group(root, "devs", "alice")
    ops.put_user_policy(root, "alice", "read", ALLOW_IAM_READ)
    with pytest.raises(AwsError) as caught:
        ops.delete_user(root, "alice")
    assert caught.value.code == "DeleteConflict"
    assert "1 group membership(s)" in caught.value.message and "1 inline policy(ies)" in caught.value.message
    assert IamUser.objects.filter(name="alice").exists()


def test_a_user_belongs_to_at_most_ten_groups(root):
    ops.create_user(root, "alice")
    for n in range(10):
        ops.create_group(root, f"g{n}")
        ops.add_user_to_group(root, f"g{n}", "alice")
    ops.create_group(root, "g10")
    with pytest.raises(AwsError) as caught:
        ops.add_user_to_group(root, "g10", "alice")
    assert caught.value.code == "LimitExceeded"


def test_malformed_policy_documents_are_refused_with_the_statement_named(root):
    with pytest.raises(AwsError) as caught:
        ops.create_policy(root, "Broken", doc({"Action": "s3:*", "Resource": "*"}))
    assert caught.value.code == "MalformedPolicyDocument"
    assert "Statement 1" in caught.value.message and "Effect" in caught.value.message


def test_a_managed_policy_keeps_at_most_five_versions(root):
    policy = ops.create_policy(root, "Read", ALLOW_IAM_READ)
    for _ in range(4):
        ops.create_policy_version(root, policy.arn, ALLOW_IAM_READ)
    with pytest.raises(AwsError) as caught:
        ops.create_policy_version(root, policy.arn, ALLOW_ALL, set_as_default=True)
    assert caught.value.code == "LimitExceeded"
    assert policy.versions.get(is_default=True).number == 1


def test_a_new_default_version_changes_what_the_user_may_do(root):
    ops.create_user(root, "alice")
    policy = ops.create_policy(root, "Grant", ALLOW_IAM_READ)
    ops.attach_user_policy(root, "alice", policy.arn)
    alice = Actor(root.account, IamUser.objects.get(name="alice"))
    with pytest.raises(AccessDenied):
        ops.create_user(alice, "bob")
    ops.create_policy_version(root, policy.arn, ALLOW_ALL, set_as_default=True)
    assert ops.create_user(alice, "bob").name == "bob"


def test_inline_policies_share_the_users_size_quota(root):
    ops.create_user(root, "alice")
    half = doc({"Effect": "Allow", "Action": [f"s3:GetObjectVersion{n}" for n in range(45)], "Resource": "*"})
    assert 1024 < len(half) < 2048
    ops.put_user_policy(root, "alice", "first", half)
    ops.put_user_policy(root, "alice", "first", half)
    with pytest.raises(AwsError) as caught:
        ops.put_user_policy(root, "alice", "second", half)
    assert caught.value.code == "LimitExceeded"
    assert list(IamUser.objects.get(name="alice").inline_policies.values_list("name", flat=True)) == ["first"]


def test_policies_for_a_user_cost_the_same_queries_however_many_there_are(root):
    def build(count):
        user = ops.create_user(root, f"user{count}")
        for n in range(count):
            group = ops.create_group(root, f"group{count}-{n}")
            group.members.add(user)
            group.managed_policies.add(ops.create_policy(root, f"p{count}-{n}", ALLOW_IAM_READ))
            ops.put_user_policy(root, user.name, f"inline{n}", ALLOW_IAM_READ)
        with CaptureQueriesContext(connection) as queries:
            policies_for_user(user)
        return len(queries)

    assert build(2) == build(9) == 2


def test_a_users_policies_come_from_every_source_once_and_the_boundary_apart(root):
    """"Policy evaluation logic": identity-based policies (inline, attached, each group's) are evaluated
    together; the permissions boundary is a separate filter, even when the same policy is also attached."""
    ops.create_user(root, "alice")
    for name in ("devs", "ops"):
        ops.create_group(root, name)
        ops.add_user_to_group(root, name, "alice")
        ops.put_group_policy(root, name, "read", ALLOW_IAM_READ)
    shared = ops.create_policy(root, "Shared", ALLOW_IAM_READ)
    ops.attach_group_policy(root, "devs", shared.arn)
    ops.attach_group_policy(root, "ops", shared.arn)
    ops.attach_user_policy(root, "alice", shared.arn)
    ops.put_user_permissions_boundary(root, "alice", shared.arn)
    ops.put_user_policy(root, "alice", "own", ALLOW_IAM_READ)

    policies = policies_for_user(IamUser.objects.get(name="alice"))

    assert [p.policy_id for p in policies.identity] == ["alice/own", "devs/read", "ops/read", shared.arn]
    assert [p.policy_id for p in policies.permissions_boundary] == [shared.arn]


def test_a_learner_sees_only_their_own_sandboxes(learner, other_learner, account):
    Sandbox.objects.create_with_account(other_learner)
    assert list(Sandbox.objects.for_user(learner)) == [account.sandbox]
    assert account.sandbox not in Sandbox.objects.for_user(other_learner)


TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_roles_take_a_trust_policy_that_names_a_principal(root):
    role = ops.create_role(root, "WebServer", TRUST_EC2, description="for the web tier")
    assert role.arn.endswith(":role/WebServer") and role.unique_id.startswith("AROA")
    with pytest.raises(AwsError) as caught:
        ops.create_role(root, "NoPrincipal", ALLOW_ALL)
    assert caught.value.code == "MalformedPolicyDocument"
    assert "Principal" in caught.value.message


@pytest.mark.parametrize("seconds", [3599, 43201])
def test_role_sessions_last_one_to_twelve_hours(root, seconds):
    """IAM API Reference, CreateRole: MaxSessionDuration is 3600 to 43200 seconds."""
    with pytest.raises(AwsError) as caught:
        ops.create_role(root, "Short", TRUST_EC2, max_session_duration=seconds)
    assert caught.value.code == "ValidationError"


def test_group_inline_and_attached_policies_reach_members(root):
    ops.create_user(root, "alice")
    ops.create_group(root, "readers")
    ops.add_user_to_group(root, "readers", "alice")
    alice = Actor(root.account, IamUser.objects.get(name="alice"))
    with pytest.raises(AccessDenied):
        ops.create_group(alice, "writers")
    ops.put_group_policy(
        root, "readers", "create-groups", doc({"Effect": "Allow", "Action": "iam:CreateGroup", "Resource": "*"})
    )
    assert ops.create_group(alice, "writers").name == "writers"
    policy = ops.create_policy(root, "Users", doc({"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}))
    ops.attach_group_policy(root, "readers", policy.arn)
    assert ops.create_user(alice, "bob").name == "bob"


def test_the_demo_sandbox_is_a_living_account(learner):
    account = create_demo_sandbox(learner).accounts.get()
    assert sorted(account.users.values_list("name", flat=True)) == ["alice", "bob", "carol"]
    alice = Actor(account, account.users.get(name="alice"))
    with pytest.raises(AccessDenied):
        ops.create_user(alice, "mallory")
    carol = Actor(account, account.users.get(name="carol"))
    assert ops.create_user(carol, "dave").name == "dave"


def test_policies_are_found_by_their_exact_arn_in_this_account_or_aws(root, other_learner):
    aws_policy = ManagedPolicy.objects.create(name="ReadThings", path="/job-function/")
    PolicyVersion.objects.create(policy=aws_policy, number=1, document=ALLOW_IAM_READ, is_default=True)
    ops.create_user(root, "alice")
    ops.attach_user_policy(root, "alice", "arn:aws:iam::aws:policy/job-function/ReadThings")
    assert list(IamUser.objects.get(name="alice").managed_policies.all()) == [aws_policy]
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    elsewhere = ops.create_policy(theirs, "Theirs", ALLOW_IAM_READ, path="/team/")
    for arn in (elsewhere.arn, "arn:aws:iam::aws:policy/ReadThings", "arn:aws:iam::aws:policy/job-function/readthings"):
        with pytest.raises(AwsError) as caught:
            ops.attach_user_policy(root, "alice", arn)
        assert caught.value.code == "NoSuchEntity"
