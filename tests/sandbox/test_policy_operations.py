"""A managed policy's versions and deletion, authorized as the acting identity.

Sources: IAM API Reference, CreatePolicyVersion, GetPolicyVersion, SetDefaultPolicyVersion, DeletePolicyVersion
and DeletePolicy ("Errors", and PolicyVersion's VersionId pattern v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?); IAM User
Guide, "Versioning IAM policies" (at most five versions; the default cannot be deleted) and "AWS managed policies"
(you cannot change them).
"""

import json

import pytest

from simulator.sandbox import operations as ops
from simulator.sandbox import policy_operations as policy_ops
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import DecisionRecord, ManagedPolicy, Sandbox

pytestmark = pytest.mark.django_db


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
LIST = doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
TRUST_EC2 = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def root(learner) -> Actor:
    return Actor(Sandbox.objects.create_with_account(learner).accounts.get())


@pytest.fixture
def policy(root) -> ManagedPolicy:
    """ReadS3 with three versions, v1 the default."""
    created = ops.create_policy(root, "ReadS3", READ)
    ops.create_policy_version(root, created.arn, LIST)
    ops.create_policy_version(root, created.arn, READ)
    return created


def versions(policy: ManagedPolicy) -> list[tuple[str, bool]]:
    return [(v.version_id, v.is_default) for v in policy.versions.all()]


def raised(call, *args) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args)
    return caught.value


def test_set_default_makes_one_version_the_default(root, policy):
    version = policy_ops.set_default_policy_version(root, policy.arn, "v3")
    assert version.version_id == "v3"
    assert versions(policy) == [("v1", False), ("v2", False), ("v3", True)]
    assert DecisionRecord.objects.filter(action="iam:SetDefaultPolicyVersion", resource=policy.arn).exists()


def test_setting_the_default_version_as_default_changes_nothing(root, policy):
    policy_ops.set_default_policy_version(root, policy.arn, "v1")
    assert versions(policy) == [("v1", True), ("v2", False), ("v3", False)]


@pytest.mark.parametrize("version_id", ["1", "v0", "v01", "V1", "", "version1", "v1 ", "v-1"])
@pytest.mark.parametrize(
    "call", [policy_ops.set_default_policy_version, policy_ops.delete_policy_version, policy_ops.get_policy_version]
)
def test_malformed_version_ids_fail_validation_before_anything_else(root, policy, call, version_id):
    decided = DecisionRecord.objects.count()
    error = raised(call, root, policy.arn, version_id)
    assert (error.code, error.status) == ("ValidationError", 400)
    assert f"Value '{version_id}' at 'versionId' failed to satisfy constraint" in error.message
    assert DecisionRecord.objects.count() == decided


@pytest.mark.parametrize("version_id", ["v4", "v99", "v2.draft"])
@pytest.mark.parametrize(
    "call", [policy_ops.set_default_policy_version, policy_ops.delete_policy_version, policy_ops.get_policy_version]
)
def test_a_version_the_policy_does_not_have_is_no_such_entity(root, policy, call, version_id):
    error = raised(call, root, policy.arn, version_id)
    assert (error.code, error.status) == ("NoSuchEntity", 404)
    assert error.message == f"Policy {policy.arn} version {version_id} does not exist or is not attachable."


def test_deleting_a_version_keeps_the_others(root, policy):
    policy_ops.delete_policy_version(root, policy.arn, "v2")
    assert versions(policy) == [("v1", True), ("v3", False)]


def test_the_default_version_cannot_be_deleted(root, policy):
    error = raised(policy_ops.delete_policy_version, root, policy.arn, "v1")
    assert (error.code, error.status, error.message) == (
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    )
    assert len(versions(policy)) == 3


def test_a_deleted_version_number_is_not_reused(root, policy):
    """Version ids only go up: after v3 is deleted the next version is v4 again ("Versioning IAM policies")."""
    policy_ops.delete_policy_version(root, policy.arn, "v3")
    assert ops.create_policy_version(root, policy.arn, LIST).version_id == "v3"
    ops.create_policy_version(root, policy.arn, READ)
    ops.create_policy_version(root, policy.arn, LIST)
    error = raised(ops.create_policy_version, root, policy.arn, READ)
    assert (error.code, error.message) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. "
        "Before you create a new version, you must delete an existing version.",
    )


def test_get_policy_version_returns_the_document(root, policy):
    assert policy_ops.get_policy_version(root, policy.arn, "v2").document == LIST


def test_an_aws_managed_policy_shows_its_default_version_only(root):
    default = ManagedPolicy.objects.get(account=None, name="ReadOnlyAccess").versions.get()
    assert policy_ops.get_policy_version(root, READ_ONLY, default.version_id) == default
    assert raised(policy_ops.get_policy_version, root, READ_ONLY, "v1").code == "NoSuchEntity"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda actor, arn: ops.create_policy_version(actor, arn, LIST),
            "Cannot create versions for policies outside your own account.",
        ),
        (policy_ops.delete_policy, "Cannot delete policies outside your own account."),
        (
            lambda actor, arn: policy_ops.set_default_policy_version(actor, arn, "v1"),
            "Cannot update policies outside your own account.",
        ),
        (
            lambda actor, arn: policy_ops.delete_policy_version(actor, arn, "v1"),
            "Cannot delete policy versions for policies outside your own account.",
        ),
    ],
)
def test_aws_managed_policies_cannot_be_changed_even_by_the_root_user(root, call, message):
    error = raised(call, root, READ_ONLY)
    assert (error.code, error.status, error.message) == ("AccessDenied", 403, message)
    assert ManagedPolicy.objects.get(account=None, name="ReadOnlyAccess").versions.count() == 1


def test_another_accounts_policy_does_not_exist_for_this_one(root, policy, other_learner):
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    for call, args in (
        (policy_ops.set_default_policy_version, ("v2",)),
        (policy_ops.delete_policy_version, ("v2",)),
        (policy_ops.get_policy_version, ("v1",)),
        (policy_ops.delete_policy, ()),
    ):
        error = raised(call, theirs, policy.arn, *args)
        assert (error.code, error.status) == ("NoSuchEntity", 404)
    assert len(versions(policy)) == 3


def test_deleting_a_policy_with_only_its_default_version(root):
    created = ops.create_policy(root, "Lonely", READ)
    policy_ops.delete_policy(root, created.arn)
    assert not ManagedPolicy.objects.filter(pk=created.pk).exists()


def test_a_policy_with_other_versions_cannot_be_deleted(root, policy):
    error = raised(policy_ops.delete_policy, root, policy.arn)
    assert (error.code, error.status) == ("DeleteConflict", 409)
    assert error.message.startswith("This policy has more than one version. Before you delete a policy, you must")
    policy_ops.delete_policy_version(root, policy.arn, "v2")
    policy_ops.delete_policy_version(root, policy.arn, "v3")
    policy_ops.delete_policy(root, policy.arn)
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()


@pytest.mark.parametrize(
    "use",
    [
        lambda root, arn: ops.attach_user_policy(root, "alice", arn),
        lambda root, arn: ops.attach_group_policy(root, "admins", arn),
        lambda root, arn: ops.attach_role_policy(root, "web", arn),
        lambda root, arn: ops.put_user_permissions_boundary(root, "alice", arn),
        lambda root, arn: ops.put_role_permissions_boundary(root, "web", arn),
    ],
    ids=["user", "group", "role", "user-boundary", "role-boundary"],
)
def test_a_policy_in_use_cannot_be_deleted(root, use):
    ops.create_user(root, "alice")
    ops.create_group(root, "admins")
    ops.create_role(root, "web", TRUST_EC2)
    created = ops.create_policy(root, "InUse", READ)
    use(root, created.arn)
    error = raised(policy_ops.delete_policy, root, created.arn)
    assert (error.code, error.status, error.message) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )
    assert ManagedPolicy.objects.filter(pk=created.pk).exists()


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("iam:SetDefaultPolicyVersion", lambda actor, arn: policy_ops.set_default_policy_version(actor, arn, "v2")),
        ("iam:DeletePolicyVersion", lambda actor, arn: policy_ops.delete_policy_version(actor, arn, "v2")),
        ("iam:GetPolicyVersion", lambda actor, arn: policy_ops.get_policy_version(actor, arn, "v2")),
        ("iam:DeletePolicy", policy_ops.delete_policy),
    ],
)
def test_an_iam_user_needs_the_action_on_the_policys_arn(root, policy, action, call):
    """An IAM user starts with no permissions; one statement allowing the action on this ARN is enough."""
    alice = ops.create_user(root, "alice")
    as_alice = Actor(root.account, user=alice)
    with pytest.raises(AccessDenied):
        call(as_alice, policy.arn)
    logged = DecisionRecord.objects.first()
    assert (logged.principal_arn, logged.action, logged.resource) == (alice.arn, action, policy.arn)
    allow = doc({"Effect": "Allow", "Action": action, "Resource": policy.arn})
    ops.put_user_policy(root, "alice", "policy-admin", allow)
    if action == "iam:DeletePolicy":
        policy_ops.delete_policy_version(root, policy.arn, "v2")
        policy_ops.delete_policy_version(root, policy.arn, "v3")
    call(as_alice, policy.arn)
