"""Changing users, groups and roles: policies, boundaries, tags, membership and deletion.

Error codes and messages: IAM API Reference (AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy,
DetachUserPolicy, DetachGroupPolicy, DetachRolePolicy, PutRolePolicy, DeleteUserPolicy,
PutUserPermissionsBoundary, TagUser, TagRole, UntagUser, DeleteUser, DeleteGroup,
RemoveUserFromGroup, the Tag data type, UnmodifiableEntityException); quotas: "IAM and AWS STS quotas";
tag rules: "Tagging IAM resources".
"""

import json

import pytest

from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import policy_size
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import (
    AccessKey,
    DecisionRecord,
    Group,
    IamUser,
    ManagedPolicy,
    PolicyVersion,
    Role,
    Sandbox,
)

pytestmark = pytest.mark.django_db

TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
DENY_ALL = doc({"Effect": "Deny", "Action": "*", "Resource": "*"})


def document_of_size(size: int) -> str:
    """A valid policy whose size, as IAM counts it (whitespace excluded), is exactly ``size``."""
    base = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/"})
    padding = size - policy_size(base)
    assert padding >= 0
    return base.replace("b/", "b/" + "x" * padding)


@pytest.fixture
def root(learner):
    return Actor(Sandbox.objects.create_with_account(learner).accounts.get())


@pytest.fixture
def entities(root):
    """One of each: the user alice, the group devs, the role web, all named as the operations name them."""
    ops.create_user(root, "alice")
    ops.create_group(root, "devs")
    ops.create_role(root, "web", TRUST_EC2)
    return {"user": "alice", "group": "devs", "role": "web"}


def stored(root, kind: str, name: str) -> IamUser | Group | Role:
    model = {"user": IamUser, "group": Group, "role": Role}[kind]
    return model.objects.get(account=root.account, name=name)


KINDS = ["user", "group", "role"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_managed_policy_is_attached_once_and_detached(root, entities, kind):
    policy = ops.create_policy(root, "Read", READ)
    attach, detach = getattr(ops, f"attach_{kind}_policy"), getattr(ops, f"detach_{kind}_policy")
    attach(root, entities[kind], policy.arn)
    attach(root, entities[kind], policy.arn)
    assert list(stored(root, kind, entities[kind]).managed_policies.all()) == [policy]
    detach(root, entities[kind], policy.arn)
    assert not stored(root, kind, entities[kind]).managed_policies.exists()
    with pytest.raises(AwsError) as caught:
        detach(root, entities[kind], policy.arn)
    assert (caught.value.code, caught.value.status) == ("NoSuchEntity", 404)
    assert caught.value.message == f"Policy {policy.arn} was not found."


@pytest.mark.parametrize(
    ("kind", "quota"), [("user", "PoliciesPerUser"), ("group", "PoliciesPerGroup"), ("role", "PoliciesPerRole")]
)
def test_at_most_ten_managed_policies_are_attached(root, entities, kind, quota):
    attach = getattr(ops, f"attach_{kind}_policy")
    for n in range(10):
        attach(root, entities[kind], ops.create_policy(root, f"P{n}", READ).arn)
    eleventh = ops.create_policy(root, "P10", READ)
    with pytest.raises(AwsError) as caught:
        attach(root, entities[kind], eleventh.arn)
    assert (caught.value.code, caught.value.message) == ("LimitExceeded", f"Cannot exceed quota for {quota}: 10.")
    assert stored(root, kind, entities[kind]).managed_policies.count() == 10


@pytest.mark.parametrize(("kind", "limit"), [("user", 2048), ("group", 5120), ("role", 10240)])
def test_inline_policies_fit_the_quota_of_their_kind(root, entities, kind, limit):
    put = getattr(ops, f"put_{kind}_policy")
    put(root, entities[kind], "whole", document_of_size(limit))
    with pytest.raises(AwsError) as caught:
        put(root, entities[kind], "more", READ)
    assert caught.value.code == "LimitExceeded"
    assert str(limit) in caught.value.message
    with pytest.raises(AwsError) as caught:
        put(root, entities[kind], "whole", document_of_size(limit + 1))
    assert caught.value.code == "LimitExceeded"


@pytest.mark.parametrize("kind", KINDS)
def test_inline_policies_are_deleted_by_name(root, entities, kind):
    getattr(ops, f"put_{kind}_policy")(root, entities[kind], "read", READ)
    delete = getattr(ops, f"delete_{kind}_policy")
    delete(root, entities[kind], "read")
    assert not stored(root, kind, entities[kind]).inline_policies.exists()
    with pytest.raises(AwsError) as caught:
        delete(root, entities[kind], "read")
    assert (caught.value.code, caught.value.message) == (
        "NoSuchEntity",
        f"The {kind} policy with name read cannot be found.",
    )


@pytest.mark.parametrize("kind", ["user", "role"])
def test_a_permissions_boundary_is_set_replaced_and_removed(root, entities, kind):
    first, second = ops.create_policy(root, "First", READ), ops.create_policy(root, "Second", READ)
    put = getattr(ops, f"put_{kind}_permissions_boundary")
    put(root, entities[kind], first.arn)
    put(root, entities[kind], second.arn)
    assert stored(root, kind, entities[kind]).permissions_boundary == second
    getattr(ops, f"delete_{kind}_permissions_boundary")(root, entities[kind])
    getattr(ops, f"delete_{kind}_permissions_boundary")(root, entities[kind])
    assert stored(root, kind, entities[kind]).permissions_boundary is None
    with pytest.raises(AwsError) as caught:
        put(root, entities[kind], first.arn + "Missing")
    assert caught.value.code == "NoSuchEntity"


@pytest.mark.parametrize("kind", ["user", "role"])
def test_tags_are_added_replaced_whatever_the_keys_case_and_removed(root, entities, kind):
    tag, untag = getattr(ops, f"tag_{kind}"), getattr(ops, f"untag_{kind}")
    tag(root, entities[kind], [{"Key": "CostCenter", "Value": "12"}, {"Key": "team", "Value": ""}])
    tag(root, entities[kind], [{"Key": "costcenter", "Value": "34"}])
    assert stored(root, kind, entities[kind]).tags == [
        {"Key": "team", "Value": ""},
        {"Key": "costcenter", "Value": "34"},
    ]
    untag(root, entities[kind], ["COSTCENTER", "absent"])
    assert stored(root, kind, entities[kind]).tags == [{"Key": "team", "Value": ""}]


@pytest.mark.parametrize(
    ("tags", "code", "words"),
    [
        ([{"Key": "", "Value": "x"}], "ValidationError", "length greater than or equal to 1"),
        ([{"Key": "k" * 129, "Value": "x"}], "ValidationError", "less than or equal to 128"),
        ([{"Key": "k", "Value": "v" * 257}], "ValidationError", "less than or equal to 256"),
        ([{"Key": "bad!key", "Value": "x"}], "ValidationError", "regular expression pattern"),
        ([{"Key": "k", "Value": "<b>"}], "ValidationError", "tags.1.member.value"),
        ([{"Key": "k", "Value": None}], "ValidationError", "must not be null"),
        ([{"Key": "aws:team", "Value": "x"}], "InvalidInput", "reserved"),
        ([{"Key": "AWS:team", "Value": "x"}], "InvalidInput", "reserved"),
        ([{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}], "InvalidInput", "case insensitive"),
        ([{"Key": str(n), "Value": ""} for n in range(51)], "ValidationError", "less than or equal to 50"),
    ],
)
def test_invalid_tags_are_refused_and_nothing_is_written(root, entities, tags, code, words):
    with pytest.raises(AwsError) as caught:
        ops.tag_user(root, "alice", tags)
    assert caught.value.code == code and words in caught.value.message
    assert stored(root, "user", "alice").tags == []


def test_letters_numbers_and_spaces_of_any_script_are_allowed_in_tags(root, entities):
    ops.tag_user(root, "alice", [{"Key": "équipe 2", "Value": "données_@/:=+-."}])
    assert stored(root, "user", "alice").tags == [{"Key": "équipe 2", "Value": "données_@/:=+-."}]


def test_an_entity_holds_at_most_fifty_tags(root, entities):
    ops.tag_role(root, "web", [{"Key": f"k{n}", "Value": ""} for n in range(50)])
    ops.tag_role(root, "web", [{"Key": "K0", "Value": "replaced"}])
    with pytest.raises(AwsError) as caught:
        ops.tag_role(root, "web", [{"Key": "one-more", "Value": ""}])
    assert caught.value.code == "LimitExceeded"
    assert len(stored(root, "role", "web").tags) == 50


def test_the_request_tags_are_condition_keys_for_tag_user(root, entities):
    """Controlling access to IAM resources: aws:RequestTag/key-name in a TagUser request."""
    ops.create_user(root, "tagger")
    ops.put_user_policy(
        root,
        "tagger",
        "only-team-blue",
        doc(
            {
                "Effect": "Allow",
                "Action": "iam:TagUser",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}},
            }
        ),
    )
    tagger = Actor(root.account, stored(root, "user", "tagger"))
    ops.tag_user(tagger, "alice", [{"Key": "team", "Value": "blue"}])
    with pytest.raises(AccessDenied):
        ops.tag_user(tagger, "alice", [{"Key": "team", "Value": "red"}])
    assert stored(root, "user", "alice").tags == [{"Key": "team", "Value": "blue"}]


def service_linked_role(root) -> Role:
    role = ops.create_role(root, "AWSServiceRoleForSupport", TRUST_EC2)
    role.service_linked = "support.amazonaws.com"
    role.save()
    return role


@pytest.mark.parametrize(
    "change",
    [
        lambda root, arn: ops.attach_role_policy(root, "AWSServiceRoleForSupport", arn),
        lambda root, arn: ops.detach_role_policy(root, "AWSServiceRoleForSupport", arn),
        lambda root, arn: ops.put_role_policy(root, "AWSServiceRoleForSupport", "extra", READ),
        lambda root, arn: ops.delete_role_policy(root, "AWSServiceRoleForSupport", "extra"),
        lambda root, arn: ops.put_role_permissions_boundary(root, "AWSServiceRoleForSupport", arn),
        lambda root, arn: ops.delete_role_permissions_boundary(root, "AWSServiceRoleForSupport"),
        lambda root, arn: ops.tag_role(root, "AWSServiceRoleForSupport", [{"Key": "k", "Value": "v"}]),
        lambda root, arn: ops.untag_role(root, "AWSServiceRoleForSupport", ["k"]),
    ],
)
def test_a_service_linked_role_is_unmodifiable_even_by_the_root_user(root, change):
    """Using service-linked roles: only the linked service may change the role."""
    role = service_linked_role(root)
    policy = ops.create_policy(root, "Read", READ)
    with pytest.raises(AwsError) as caught:
        change(root, policy.arn)
    assert (caught.value.code, caught.value.status) == ("UnmodifiableEntity", 400)
    assert caught.value.message == (
        "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - "
        "this role is only modifiable by AWS"
    )
    role.refresh_from_db()
    assert (role.tags, role.permissions_boundary) == ([], None)
    assert not role.managed_policies.exists() and not role.inline_policies.exists()


DENIED = [
    ("iam:AttachUserPolicy", "user/alice", lambda a, arn: ops.attach_user_policy(a, "alice", arn)),
    ("iam:AttachRolePolicy", "role/web", lambda a, arn: ops.attach_role_policy(a, "web", arn)),
    ("iam:DetachGroupPolicy", "group/devs", lambda a, arn: ops.detach_group_policy(a, "devs", arn)),
    ("iam:DetachRolePolicy", "role/web", lambda a, arn: ops.detach_role_policy(a, "web", arn)),
    ("iam:PutRolePolicy", "role/web", lambda a, arn: ops.put_role_policy(a, "web", "p", READ)),
    ("iam:DeleteUserPolicy", "user/alice", lambda a, arn: ops.delete_user_policy(a, "alice", "p")),
    ("iam:DeleteGroupPolicy", "group/devs", lambda a, arn: ops.delete_group_policy(a, "devs", "p")),
    ("iam:PutUserPermissionsBoundary", "user/alice", lambda a, arn: ops.put_user_permissions_boundary(a, "alice", arn)),
    ("iam:DeleteRolePermissionsBoundary", "role/web", lambda a, arn: ops.delete_role_permissions_boundary(a, "web")),
    ("iam:TagUser", "user/alice", lambda a, arn: ops.tag_user(a, "alice", [{"Key": "k", "Value": "v"}])),
    ("iam:UntagRole", "role/web", lambda a, arn: ops.untag_role(a, "web", ["k"])),
    ("iam:DeleteGroup", "group/devs", lambda a, arn: ops.delete_group(a, "devs")),
    ("iam:RemoveUserFromGroup", "group/devs", lambda a, arn: ops.remove_user_from_group(a, "devs", "alice")),
    ("iam:DeleteUser", "user/alice", lambda a, arn: ops.delete_user(a, "alice")),
]


@pytest.mark.parametrize(("action", "target", "change"), DENIED, ids=[row[0] for row in DENIED])
def test_an_iam_user_without_permission_is_denied_on_the_targets_arn(root, entities, action, target, change):
    policy = ops.create_policy(root, "Read", READ)
    ops.attach_group_policy(root, "devs", policy.arn)
    ops.add_user_to_group(root, "devs", "alice")
    ops.create_user(root, "mallory")
    ops.put_user_policy(root, "mallory", "deny", DENY_ALL)
    ops.put_user_policy(root, "mallory", "allow", doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    mallory = Actor(root.account, stored(root, "user", "mallory"))
    with pytest.raises(AccessDenied) as caught:
        change(mallory, policy.arn)
    assert f"is not authorized to perform: {action}" in caught.value.message
    record = DecisionRecord.objects.filter(action=action).latest("id")
    assert (record.result, record.resource) == ("explicitDeny", f"arn:aws:iam::{root.account.account_id}:{target}")
    assert stored(root, "group", "devs").members.count() == 1
    assert stored(root, "user", "alice").tags == []


def test_delete_group_names_everything_that_blocks_it(root, entities):
    ops.add_user_to_group(root, "devs", "alice")
    policy = ops.create_policy(root, "Read", READ)
    ops.attach_group_policy(root, "devs", policy.arn)
    ops.put_group_policy(root, "devs", "inline", READ)
    with pytest.raises(AwsError) as caught:
        ops.delete_group(root, "devs")
    assert caught.value.code == "DeleteConflict"
    assert caught.value.message == (
        "Cannot delete entity, must remove 1 member(s), 1 attached policy(ies), 1 inline policy(ies) first."
    )
    ops.remove_user_from_group(root, "devs", "alice")
    ops.detach_group_policy(root, "devs", policy.arn)
    ops.delete_group_policy(root, "devs", "inline")
    ops.delete_group(root, "DEVS")
    assert not Group.objects.exists()
    with pytest.raises(AwsError) as caught:
        ops.delete_group(root, "devs")
    assert caught.value.code == "NoSuchEntity"


def test_removing_a_user_who_is_not_a_member_is_no_such_entity(root, entities):
    with pytest.raises(AwsError) as caught:
        ops.remove_user_from_group(root, "devs", "alice")
    assert (caught.value.code, caught.value.status) == ("NoSuchEntity", 404)


def test_delete_user_is_blocked_by_a_console_password_and_access_keys(root, entities):
    """Deleting an IAM user (DeleteUser): the password and access keys must be deleted first."""
    user = stored(root, "user", "alice")
    user.password = "pbkdf2_sha256$placeholder"
    user.save()
    AccessKey.objects.create(account=root.account, user=user)
    AccessKey.objects.create(account=root.account, user=user)
    with pytest.raises(AwsError) as caught:
        ops.delete_user(root, "alice")
    assert caught.value.message == (
        "Cannot delete entity, must remove 1 console password (login profile), 2 access key(s) first."
    )
    user.access_keys.all().delete()
    user.password = ""
    user.save()
    ops.delete_user(root, "alice")
    assert not IamUser.objects.filter(name="alice").exists()


@pytest.mark.parametrize(
    "use",
    [
        lambda root, arn: ops.attach_user_policy(root, "alice", arn),
        lambda root, arn: ops.attach_group_policy(root, "devs", arn),
        lambda root, arn: ops.put_user_permissions_boundary(root, "alice", arn),
    ],
)
def test_a_service_role_policy_serves_only_its_service_linked_role(root, entities, use):
    """AttachUserPolicy, PutUserPermissionsBoundary: PolicyNotAttachable."""
    policy = ManagedPolicy.objects.create(name="AWSSupportServiceRolePolicy", path="/aws-service-role/")
    PolicyVersion.objects.create(policy=policy, number=1, document=READ, is_default=True)
    with pytest.raises(AwsError) as caught:
        use(root, policy.arn)
    assert (caught.value.code, caught.value.status) == ("PolicyNotAttachable", 400)
