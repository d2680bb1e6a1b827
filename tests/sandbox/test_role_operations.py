"""Role actions beyond CreateRole: updating, deleting, service-linked roles and instance profiles.

Error codes and messages: IAM API Reference, UpdateRole, UpdateAssumeRolePolicy, DeleteRole,
CreateServiceLinkedRole, DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus,
CreateInstanceProfile, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
DeleteInstanceProfile ("Errors"). Rules: IAM User Guide, "Delete roles or instance profiles",
"Create a service-linked role", "Update a service-linked role", "Use instance profiles",
"AWS JSON policy elements: Principal".
"""

import json

import pytest

from simulator.sandbox import operations as ops
from simulator.sandbox import role_operations as roles
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import DecisionRecord, IamUser, InstanceProfile, ManagedPolicy, Role, Sandbox
from simulator.sandbox.service_linked import CATALOG

pytestmark = pytest.mark.django_db


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
READ_S3 = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
AUTOSCALING = "autoscaling.amazonaws.com"


@pytest.fixture
def root(learner) -> Actor:
    return Actor(Sandbox.objects.create_with_account(learner).accounts.get())


@pytest.fixture
def web(root) -> Role:
    return ops.create_role(root, "WebServer", EC2_TRUST, description="web tier")


def acting_user(root, *statements) -> Actor:
    """An IAM user of the account holding only the given statements."""
    user = ops.create_user(root, f"user{IamUser.objects.count()}")
    if statements:
        ops.put_user_policy(root, user.name, "only", doc(*statements))
    return Actor(root.account, user=user)


def raised(call, *args) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args)
    return caught.value


# UpdateRole -----------------------------------------------------------------------------------------------------


def test_update_role_changes_the_description_and_the_longest_session(root, web):
    updated = roles.update_role(root, "webserver", description="the web tier", max_session_duration=7200)
    assert (updated.description, updated.max_session_duration) == ("the web tier", 7200)
    web.refresh_from_db()
    assert (web.description, web.max_session_duration) == ("the web tier", 7200)
    assert DecisionRecord.objects.filter(action="iam:UpdateRole", result="allowed").count() == 1


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"max_session_duration": 3599}, "ValidationError", "between 3600 and 43200 seconds"),
        ({"max_session_duration": 43201}, "ValidationError", "between 3600 and 43200 seconds"),
        ({"description": "x" * 1001}, "ValidationError", "at most 1000 characters"),
        ({"description": "bell\x07"}, "ValidationError", "control characters"),
    ],
)
def test_update_role_checks_its_input(root, web, changes, code, says):
    error = raised(lambda: roles.update_role(root, "WebServer", **changes))
    assert error.code == code and says in error.message
    web.refresh_from_db()
    assert (web.description, web.max_session_duration) == ("web tier", 3600)


def test_updating_a_missing_role_is_no_such_entity(root):
    error = raised(roles.update_role, root, "Nobody", "x")
    assert (error.code, error.status, error.message) == (
        "NoSuchEntity",
        404,
        "The role with name Nobody cannot be found.",
    )


# UpdateAssumeRolePolicy -----------------------------------------------------------------------------------------


def test_the_trust_policy_is_replaced_after_checking_it_as_one(root, web):
    account_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{root.account.account_id}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    roles.update_assume_role_policy(root, "WebServer", account_trust)
    web.refresh_from_db()
    assert web.trust_policy == account_trust


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"},
                    "Action": "sts:AssumeRole",
                }
            ),
            'Statement 1: Principal AWS "arn:aws:iam::111122223333:group/admins" names an IAM group, and groups are '
            "not principals",
        ),
        (doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), "Missing required field Principal"),
        (
            doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}),
            "Has prohibited field Resource",
        ),
        ('{"Version": "2012-10-17", "Statement": [}', "not valid JSON"),
    ],
)
def test_a_malformed_trust_policy_is_refused_naming_the_statement_and_element(root, web, document, says):
    error = raised(roles.update_assume_role_policy, root, "WebServer", document)
    assert error.code == "MalformedPolicyDocument"
    assert says in error.message
    web.refresh_from_db()
    assert web.trust_policy == EC2_TRUST


S3_IN_TRUST = doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "s3:GetObject"]}
)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: ops.create_role(root, "Reader", S3_IN_TRUST),
        lambda root: roles.update_assume_role_policy(root, "WebServer", S3_IN_TRUST),
    ],
    ids=["CreateRole", "UpdateAssumeRolePolicy"],
)
def test_a_trust_policy_names_only_sts_actions(root, web, change):
    """A trust policy governs assuming the role (sts:AssumeRole, sts:TagSession...; "IAM role trust policies");
    what the role may do, such as s3:GetObject, goes in its permissions policies. IAM answers
    MalformedPolicyDocument "AssumeRole policy may only specify STS AssumeRole actions."."""
    error = raised(change, root)
    assert error.code == "MalformedPolicyDocument"
    assert '"s3:GetObject" cannot be in a role trust policy' in error.message
    web.refresh_from_db()
    assert (web.trust_policy, Role.objects.filter(name="Reader").exists()) == (EC2_TRUST, False)


def test_a_group_principal_is_explained_with_what_to_name_instead(root, web):
    group_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{root.account.account_id}:group/dev"},
            "Action": "sts:AssumeRole",
        }
    )
    error = raised(roles.update_assume_role_policy, root, "WebServer", group_trust)
    assert "a group cannot sign in or make requests" in error.message
    assert "Name the users or a role instead." in error.message


def test_a_trust_policy_is_limited_to_2048_characters(root, web):
    long_trust = doc(
        {
            "Sid": "A" * 2100,
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    assert raised(roles.update_assume_role_policy, root, "WebServer", long_trust).code == "LimitExceeded"


# DeleteRole -----------------------------------------------------------------------------------------------------


def test_delete_role_names_everything_that_blocks_it(root, web):
    policy = ops.create_policy(root, "ReadS3", READ_S3)
    ops.attach_role_policy(root, "WebServer", policy.arn)
    ops.put_role_policy(root, "WebServer", "logs", READ_S3)
    ops.put_role_policy(root, "WebServer", "more", READ_S3)
    roles.create_instance_profile(root, "web-profile")
    roles.add_role_to_instance_profile(root, "web-profile", "WebServer")
    error = raised(roles.delete_role, root, "WebServer")
    assert (error.code, error.status) == ("DeleteConflict", 409)
    assert error.message == (
        "Cannot delete entity, must remove it from instance profile web-profile; detach managed policy ReadS3; "
        "delete inline policies logs, more first."
    )
    assert Role.objects.filter(pk=web.pk).exists()


def test_a_role_with_nothing_left_is_deleted(root, web):
    boundary = ops.create_policy(root, "Boundary", READ_S3)
    ops.put_role_permissions_boundary(root, "WebServer", boundary.arn)  # a boundary does not block deletion
    roles.delete_role(root, "webserver")
    assert not Role.objects.exists()


def test_deleting_a_role_needs_iam_delete_role(root, web):
    alice = acting_user(root, {"Effect": "Allow", "Action": "iam:DeleteRole", "Resource": "arn:aws:iam::*:role/Other"})
    with pytest.raises(AccessDenied) as caught:
        roles.delete_role(alice, "WebServer")
    assert "iam:DeleteRole" in caught.value.message
    assert Role.objects.filter(pk=web.pk).exists()


# Service-linked roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", sorted(CATALOG))
def test_a_service_linked_role_is_predefined_by_its_service(root, service):
    linked = CATALOG[service]
    role = roles.create_service_linked_role(root, service)
    assert role.arn == f"arn:aws:iam::{root.account.account_id}:role/aws-service-role/{service}/{linked.role_name}"
    assert role.service_linked == service
    trust = json.loads(role.trust_policy)
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    [policy] = role.managed_policies.all()
    assert policy.aws_managed and policy.arn == f"arn:aws:iam::aws:policy/aws-service-role/{linked.policy_name}"
    assert json.loads(policy.versions.get(is_default=True).document)["Statement"]


def test_the_permissions_policy_is_shared_by_every_account(root, other_learner):
    roles.create_service_linked_role(root, AUTOSCALING)
    other = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    roles.create_service_linked_role(other, AUTOSCALING)
    assert ManagedPolicy.objects.filter(name="AutoScalingServiceRolePolicy").count() == 1


@pytest.mark.parametrize(
    ("service", "says"),
    [
        ("example.amazonaws.com", "Invalid service name example.amazonaws.com"),
        ("AutoScaling.amazonaws.com", "service principals are case-sensitive"),
    ],
)
def test_an_unknown_service_is_invalid_input(root, service, says):
    error = raised(roles.create_service_linked_role, root, service)
    assert error.code == "InvalidInput" and says in error.message
    assert not Role.objects.exists()


def test_a_second_service_linked_role_for_the_same_service_is_refused(root):
    roles.create_service_linked_role(root, AUTOSCALING)
    error = raised(roles.create_service_linked_role, root, AUTOSCALING)
    assert (error.code, error.message) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.",
    )


def test_creating_one_can_be_limited_to_some_services_with_iam_aws_service_name(root):
    alice = acting_user(
        root,
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "ecs.amazonaws.com"}},
        },
    )
    roles.create_service_linked_role(alice, "ecs.amazonaws.com")
    with pytest.raises(AccessDenied):
        roles.create_service_linked_role(alice, AUTOSCALING)
    assert list(Role.objects.values_list("name", flat=True)) == ["AWSServiceRoleForECS"]


@pytest.mark.parametrize(
    "change",
    [
        lambda root: roles.update_assume_role_policy(root, "AWSServiceRoleForAutoScaling", EC2_TRUST),
        lambda root: roles.update_role(root, "AWSServiceRoleForAutoScaling", max_session_duration=7200),
        lambda root: roles.delete_role(root, "AWSServiceRoleForAutoScaling"),
        lambda root: roles.add_role_to_instance_profile(root, "profile", "AWSServiceRoleForAutoScaling"),
        lambda root: ops.put_role_policy(root, "AWSServiceRoleForAutoScaling", "mine", READ_S3),
    ],
    ids=["trust policy", "max session", "DeleteRole", "instance profile", "inline policy"],
)
def test_a_service_linked_role_is_unmodifiable_even_by_root(root, change):
    role = roles.create_service_linked_role(root, AUTOSCALING)
    roles.create_instance_profile(root, "profile")
    error = raised(change, root)
    assert (error.code, error.message) == (
        "UnmodifiableEntity",
        "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - "
        "this role is only modifiable by AWS",
    )
    role.refresh_from_db()
    assert (role.trust_policy, role.max_session_duration) == (CATALOG[AUTOSCALING].trust_policy, 3600)
    assert not role.inline_policies.exists()


def test_a_service_linked_roles_description_can_be_edited(root):
    roles.create_service_linked_role(root, AUTOSCALING)
    assert roles.update_role(root, "AWSServiceRoleForAutoScaling", description="Ours").description == "Ours"


def test_deleting_a_service_linked_role_in_use_fails_naming_the_resources(root):
    role = roles.create_service_linked_role(root, AUTOSCALING)
    group = CATALOG[AUTOSCALING].resource(root.account.account_id, "web-asg")
    roles.set_service_resource(root, role.name, group, in_use=True)
    task = roles.delete_service_linked_role(root, role.name)
    assert (task.status, task.succeeded, task.resources) == ("FAILED", False, (group,))
    assert task.deletion_task_id.startswith(
        "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
    )
    assert "in use by autoscaling.amazonaws.com" in task.reason and "Auto Scaling groups" in task.reason
    assert Role.objects.filter(pk=role.pk).exists()


def test_a_service_linked_role_no_longer_used_is_deleted(root):
    role = roles.create_service_linked_role(root, AUTOSCALING)
    group = CATALOG[AUTOSCALING].resource(root.account.account_id, "web-asg")
    roles.set_service_resource(root, role.name, group, in_use=True)
    roles.set_service_resource(root, role.name, group, in_use=False)
    task = roles.delete_service_linked_role(root, role.name)
    assert task.succeeded
    assert not Role.objects.exists()
    assert ManagedPolicy.objects.filter(name="AutoScalingServiceRolePolicy").exists()


def test_delete_service_linked_role_refuses_an_ordinary_role(root, web):
    assert raised(roles.delete_service_linked_role, root, "WebServer").code == "InvalidInput"
    assert Role.objects.filter(pk=web.pk).exists()


def test_the_simulated_resources_have_real_shaped_arns(root):
    account = root.account.account_id
    assert CATALOG["rds.amazonaws.com"].resource(account, "orders") == f"arn:aws:rds:us-east-1:{account}:db:orders"
    assert CATALOG["ecs.amazonaws.com"].resource(account, "web") == f"arn:aws:ecs:us-east-1:{account}:cluster/web"


# Instance profiles ---------------------------------------------------------------------------------------------


def test_an_instance_profile_holds_one_role(root, web):
    profile = roles.create_instance_profile(root, "web-profile", "/web/")
    assert profile.arn == f"arn:aws:iam::{root.account.account_id}:instance-profile/web/web-profile"
    assert profile.unique_id.startswith("AIPA")
    roles.add_role_to_instance_profile(root, "web-profile", "WebServer")
    ops.create_role(root, "Other", EC2_TRUST)
    error = raised(roles.add_role_to_instance_profile, root, "web-profile", "Other")
    assert (error.code, error.status) == ("LimitExceeded", 409)
    assert "InstanceSessionsPerInstanceProfile: 1" in error.message
    profile.refresh_from_db()
    assert profile.role == web


def test_adding_a_role_to_a_profile_needs_pass_role_on_the_role(root, web):
    roles.create_instance_profile(root, "web-profile")
    add_only = {"Effect": "Allow", "Action": "iam:AddRoleToInstanceProfile", "Resource": "*"}
    alice = acting_user(root, add_only)
    with pytest.raises(AccessDenied) as caught:
        roles.add_role_to_instance_profile(alice, "web-profile", "WebServer")
    assert "iam:PassRole" in caught.value.message
    pass_to_ec2 = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": web.arn,
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
    }
    bob = acting_user(root, add_only, pass_to_ec2)
    roles.add_role_to_instance_profile(bob, "web-profile", "WebServer")
    assert InstanceProfile.objects.get().role == web


def test_removing_a_role_empties_the_profile_and_a_role_not_in_it_is_no_such_entity(root, web):
    roles.create_instance_profile(root, "web-profile")
    assert raised(roles.remove_role_from_instance_profile, root, "web-profile", "WebServer").code == "NoSuchEntity"
    roles.add_role_to_instance_profile(root, "web-profile", "WebServer")
    roles.remove_role_from_instance_profile(root, "web-profile", "WebServer")
    assert InstanceProfile.objects.get().role is None


def test_an_instance_profile_holding_a_role_cannot_be_deleted(root, web):
    roles.create_instance_profile(root, "web-profile")
    roles.add_role_to_instance_profile(root, "web-profile", "WebServer")
    error = raised(roles.delete_instance_profile, root, "web-profile")
    assert (error.code, error.message) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first (it holds WebServer).",
    )
    roles.remove_role_from_instance_profile(root, "web-profile", "WebServer")
    roles.delete_instance_profile(root, "WEB-PROFILE")
    assert not InstanceProfile.objects.exists()


@pytest.mark.parametrize(
    ("name", "path", "code"),
    [
        ("web-profile", "/", "EntityAlreadyExists"),
        ("a" * 129, "/", "ValidationError"),
        ("ok", "nope", "ValidationError"),
    ],
)
def test_instance_profile_names_and_paths_follow_iam_rules(root, name, path, code):
    roles.create_instance_profile(root, "Web-Profile")
    assert raised(roles.create_instance_profile, root, name, path).code == code
    assert InstanceProfile.objects.count() == 1


def test_a_missing_instance_profile_is_no_such_entity(root):
    error = raised(roles.delete_instance_profile, root, "ghost")
    assert (error.code, error.message) == ("NoSuchEntity", "The instance profile with name ghost cannot be found.")


def test_another_accounts_roles_and_profiles_do_not_exist_for_the_actor(root, web, other_learner):
    roles.create_instance_profile(root, "web-profile")
    other = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    for call, args in (
        (roles.update_role, ("WebServer", "hijacked")),
        (roles.delete_role, ("WebServer",)),
        (roles.delete_instance_profile, ("web-profile",)),
    ):
        assert raised(call, other, *args).code == "NoSuchEntity"
    web.refresh_from_db()
    assert web.description == "web tier"
