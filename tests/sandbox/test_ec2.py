"""EC2 instances: launching, the state machine on the sandbox clock, instance profiles, tags, metadata options,
Spot and its service-linked role, and the anti-pattern of long-term keys on an instance.

States: EC2 User Guide, "Amazon EC2 instance state changes" (pending, running, stopping, stopped,
shutting-down, terminated) and "Instance lifecycle" (a terminated instance "cannot be started"; rebooting
keeps it running; "After you terminate an instance, it remains visible in the console for a short while").
Errors: EC2 API Reference, "Error codes for the Amazon EC2 API" (InvalidInstanceID.NotFound,
InvalidInstanceID.Malformed, IncorrectInstanceState, IncorrectState, InvalidAssociationID.NotFound,
InvalidParameterValue, UnauthorizedOperation) and the pages of RunInstances, StopInstances, StartInstances,
RebootInstances, TerminateInstances, DescribeInstances ("Recently terminated instances might appear ... usually
less than one hour"), AssociateIamInstanceProfile ("with a running or stopped instance. You cannot associate
more than one IAM instance profile with an instance"), ReplaceIamInstanceProfileAssociation,
DisassociateIamInstanceProfile, ModifyInstanceMetadataOptions, CreateTags, DeleteTags.
Permissions: IAM User Guide, "Use an IAM role to grant permissions to applications running on Amazon EC2
instances" and "Use instance profiles"; EC2 User Guide, "Grant permissions to attach an IAM role to an
instance" (iam:PassRole with ec2:RunInstances / ec2:AssociateIamInstanceProfile...); "Service-linked role for
Spot Instances" and the AWS managed policy AWSEC2SpotServiceRolePolicy.
"""

from __future__ import annotations

import json

import pytest

from simulator.sandbox import clock, ec2, operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.instance_states import listed
from simulator.sandbox.models import DecisionRecord, Instance, InstanceProfile, Role, Sandbox
from tests.documents import EC2_TRUST

pytestmark = pytest.mark.django_db

KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def raised(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def profile(root: Actor) -> InstanceProfile:
    """web-profile holding the role WebServer."""
    operations.create_role(root, "WebServer", EC2_TRUST)
    profile = role_operations.create_instance_profile(root, "web-profile")
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    return profile


@pytest.fixture
def reports_profile(root: Actor) -> InstanceProfile:
    operations.create_role(root, "Reports", EC2_TRUST)
    profile = role_operations.create_instance_profile(root, "reports-profile")
    role_operations.add_role_to_instance_profile(root, "reports-profile", "Reports")
    return profile


def launched(root: Actor, **kwargs) -> Instance:
    [instance] = ec2.run_instances(root, **kwargs)
    return instance


def running(root: Actor, sandbox: Sandbox, **kwargs) -> Instance:
    instance = launched(root, **kwargs)
    clock.advance(sandbox, 5)
    return ec2.find_instance(root, instance.instance_id)


def user_with(root: Actor, *statements: dict) -> Actor:
    """An IAM user of the account holding only the given statements."""
    name = f"user{root.account.users.count()}"
    operations.create_user(root, name)
    if statements:
        operations.put_user_policy(root, name, "only", doc(*statements))
    return Actor(root.account, user=root.account.users.get(name=name))


# RunInstances and the state machine --------------------------------------------------------------------------


def test_a_launched_instance_is_pending_then_running_on_the_sandbox_clock(root, sandbox):
    instance = launched(root, instance_type="t3.small", tags=[{"Key": "Name", "Value": "web-1"}])
    assert instance.instance_id.startswith("i-0") and len(instance.instance_id) == 19
    assert (instance.state, instance.instance_type, instance.tags) == (
        "pending",
        "t3.small",
        [{"Key": "Name", "Value": "web-1"}],
    )
    assert instance.arn == f"arn:aws:ec2:us-east-1:{root.account.account_id}:instance/{instance.instance_id}"
    clock.advance(sandbox, 4)
    assert ec2.find_instance(root, instance.instance_id).state == "pending"
    clock.advance(sandbox, 1)
    assert ec2.find_instance(root, instance.instance_id).state == "running"
    assert Instance.objects.get(pk=instance.pk).state == "running"


def test_a_paused_clock_keeps_an_instance_pending(root, sandbox):
    clock.set_rate(sandbox, 0)
    instance = launched(root)
    assert ec2.find_instance(root, instance.instance_id).state == "pending"


@pytest.mark.parametrize(
    ("change", "settles_after", "passing", "settled"),
    [
        (ec2.stop_instances, 10, "stopping", "stopped"),
        (ec2.terminate_instances, 10, "shutting-down", "terminated"),
        (ec2.reboot_instances, 0, "running", "running"),
    ],
)
def test_a_running_instance_changes_state_and_settles(root, sandbox, change, settles_after, passing, settled):
    instance = running(root, sandbox)
    [result] = change(root, [instance.instance_id])
    assert (result.previous_state, result.current_state) == ("running", passing)
    clock.advance(sandbox, settles_after or 1)
    assert ec2.find_instance(root, instance.instance_id).state == settled


def test_a_stopped_instance_starts_through_pending(root, sandbox):
    instance = running(root, sandbox)
    ec2.stop_instances(root, [instance.instance_id])
    clock.advance(sandbox, 10)
    [result] = ec2.start_instances(root, [instance.instance_id])
    assert (result.previous_state, result.current_state) == ("stopped", "pending")
    clock.advance(sandbox, 5)
    assert ec2.find_instance(root, instance.instance_id).state == "running"


@pytest.mark.parametrize(
    ("setup", "change", "state"),
    [
        # Asking for the state an instance is in, or heading to, is accepted and changes nothing.
        ([ec2.stop_instances], ec2.stop_instances, "stopped"),
        ([ec2.stop_instances], ec2.stop_instances, "stopping"),
        ([], ec2.start_instances, "running"),
        ([ec2.terminate_instances], ec2.terminate_instances, "terminated"),
    ],
)
def test_repeating_a_state_change_is_not_an_error(root, sandbox, setup, change, state):
    instance = running(root, sandbox)
    for step in setup:
        step(root, [instance.instance_id])
    if state != "stopping":
        clock.advance(sandbox, 10)
    [result] = change(root, [instance.instance_id])
    assert result.previous_state == result.current_state == state


@pytest.mark.parametrize(
    ("setup", "change"),
    [
        ([ec2.terminate_instances], ec2.start_instances),
        ([ec2.terminate_instances], ec2.stop_instances),
        ([ec2.terminate_instances], ec2.reboot_instances),
        ([ec2.stop_instances], ec2.reboot_instances),
    ],
)
def test_a_change_the_state_does_not_allow_is_incorrect_instance_state(root, sandbox, setup, change):
    instance = running(root, sandbox)
    for step in setup:
        step(root, [instance.instance_id])
    clock.advance(sandbox, 10)
    before = ec2.find_instance(root, instance.instance_id).state
    error = raised(change, root, [instance.instance_id])
    assert error.code == "IncorrectInstanceState" and instance.instance_id in error.message
    assert Instance.objects.get(pk=instance.pk).state == before


def test_starting_a_stopping_instance_is_incorrect_instance_state(root, sandbox):
    instance = running(root, sandbox)
    ec2.stop_instances(root, [instance.instance_id])
    assert raised(ec2.start_instances, root, [instance.instance_id]).code == "IncorrectInstanceState"


def test_one_bad_instance_fails_the_whole_request(root, sandbox):
    first, second = running(root, sandbox), running(root, sandbox)
    ec2.terminate_instances(root, [second.instance_id])
    assert raised(ec2.stop_instances, root, [first.instance_id, second.instance_id]).code == "IncorrectInstanceState"
    assert Instance.objects.get(pk=first.pk).state == "running"


@pytest.mark.parametrize(
    ("instance_ids", "code", "says"),
    [
        (["i-12"], "InvalidInstanceID.Malformed", 'Invalid id: "i-12"'),
        (["web-1"], "InvalidInstanceID.Malformed", 'Invalid id: "web-1"'),
        (["i-0123456789abcdef0"], "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"),
        (["i-0123456789abcdef0", "i-0123456789abcdef1"], "InvalidInstanceID.NotFound", "The instance IDs"),
        ([], "MissingParameter", "InstanceId"),
    ],
)
def test_an_instance_id_that_names_nothing_is_refused(root, instance_ids, code, says):
    error = raised(ec2.stop_instances, root, instance_ids)
    assert error.code == code and says in error.message


def test_another_accounts_instance_does_not_exist_for_this_one(root, sandbox, other_learner):
    instance = running(root, sandbox)
    other = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    assert raised(ec2.terminate_instances, other, [instance.instance_id]).code == "InvalidInstanceID.NotFound"
    assert raised(ec2.find_instance, other, instance.instance_id).code == "InvalidInstanceID.NotFound"
    assert Instance.objects.get(pk=instance.pk).state == "running"


def test_a_terminated_instance_stays_listed_for_an_hour_and_lets_go_of_its_profile(root, sandbox, profile):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    ec2.terminate_instances(root, [instance.instance_id])
    clock.advance(sandbox, 10)
    terminated = ec2.find_instance(root, instance.instance_id)
    assert (terminated.state, terminated.instance_profile, terminated.association_id) == ("terminated", None, "")
    assert list(listed(root.account)) == [terminated]
    clock.advance(sandbox, 3600)
    assert list(listed(root.account)) == []
    assert raised(ec2.find_instance, root, instance.instance_id).code == "InvalidInstanceID.NotFound"


def test_the_list_settles_every_instance_at_once(root, sandbox):
    for _ in range(3):
        launched(root)
    clock.advance(sandbox, 5)
    assert {instance.state for instance in listed(root.account)} == {"running"}


@pytest.mark.parametrize(
    ("arguments", "code", "says"),
    [
        ({"instance_type": "t3.huge"}, "InvalidParameterValue", "Invalid value 't3.huge' for InstanceType"),
        ({"http_tokens": "sometimes"}, "InvalidParameterValue", "HttpTokens"),
        ({"count": 0}, "InvalidParameterValue", "MinCount"),
        ({"instance_profile_name": "nope"}, "InvalidParameterValue", "Value (nope) for parameter iamInstanceProfile"),
        ({"tags": [{"Key": "aws:owner", "Value": "x"}]}, "InvalidParameterValue", "reserved"),
        ({"tags": [{"Key": "", "Value": "x"}]}, "InvalidParameterValue", "1 to 128"),
        ({"tags": [{"Key": f"k{n}", "Value": ""} for n in range(51)]}, "TagLimitExceeded", "50"),
    ],
)
def test_a_bad_launch_request_changes_nothing(root, arguments, code, says):
    error = raised(ec2.run_instances, root, **arguments)
    assert error.code == code and says in error.message
    assert not Instance.objects.exists()


def test_launching_past_the_accounts_instance_limit_is_refused(root):
    ec2.run_instances(root, count=ec2.INSTANCES_PER_ACCOUNT)
    error = raised(ec2.run_instances, root)
    assert error.code == "InstanceLimitExceeded"
    assert Instance.objects.count() == ec2.INSTANCES_PER_ACCOUNT


# Who may launch and change instances --------------------------------------------------------------------------


def test_running_instances_is_decided_on_the_instance_arn_with_its_condition_keys(root):
    small_only = {
        "Effect": "Allow",
        "Action": "ec2:RunInstances",
        "Resource": "arn:aws:ec2:*:*:instance/*",
        "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}},
    }
    user = user_with(root, small_only)
    assert launched(user, instance_type="t3.micro").state == "pending"
    error = raised(ec2.run_instances, user, instance_type="m5.large")
    assert isinstance(error, AccessDenied) and error.code == "UnauthorizedOperation"
    assert "ec2:RunInstances" in error.message
    assert Instance.objects.count() == 1
    denial = DecisionRecord.objects.filter(action="ec2:RunInstances", result="implicitDeny").get()
    assert denial.resource.startswith(f"arn:aws:ec2:us-east-1:{root.account.account_id}:instance/i-0")


def test_launching_with_a_profile_takes_pass_role_on_its_role(root, profile):
    user = user_with(root, {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"})
    error = raised(ec2.run_instances, user, instance_profile_name="web-profile")
    assert error.code == "UnauthorizedOperation" and "iam:PassRole" in error.message
    assert not Instance.objects.exists()
    decision = DecisionRecord.objects.get(action="iam:PassRole", result="implicitDeny")
    assert decision.resource == Role.objects.get(name="WebServer").arn


def test_pass_role_is_decided_with_the_service_it_is_passed_to(root, profile):
    user = user_with(
        root,
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        },
    )
    instance = launched(user, instance_profile_name="web-profile")
    assert instance.instance_profile == profile and instance.association_id.startswith("iip-assoc-0")


def test_an_empty_profile_needs_no_pass_role(root):
    role_operations.create_instance_profile(root, "empty")
    user = user_with(root, {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"})
    assert launched(user, instance_profile_name="empty").instance_profile.role is None


@pytest.mark.parametrize(
    ("change", "action"),
    [
        (ec2.stop_instances, "ec2:StopInstances"),
        (ec2.terminate_instances, "ec2:TerminateInstances"),
        (ec2.reboot_instances, "ec2:RebootInstances"),
    ],
)
def test_each_state_change_is_decided_on_the_instance(root, sandbox, change, action):
    instance = running(root, sandbox)
    user = user_with(root, {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})
    error = raised(change, user, [instance.instance_id])
    assert error.code == "UnauthorizedOperation"
    assert DecisionRecord.objects.filter(action=action, resource=instance.arn, result="implicitDeny").exists()
    assert Instance.objects.get(pk=instance.pk).state == "running"


def test_resource_tags_are_condition_keys(root, sandbox):
    mine = running(root, sandbox, tags=[{"Key": "team", "Value": "web"}])
    theirs = running(root, sandbox, tags=[{"Key": "team", "Value": "data"}])
    user = user_with(
        root,
        {
            "Effect": "Allow",
            "Action": "ec2:StopInstances",
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:ResourceTag/team": "web"}},
        },
    )
    ec2.stop_instances(user, [mine.instance_id])
    assert raised(ec2.stop_instances, user, [theirs.instance_id]).code == "UnauthorizedOperation"


# Instance profiles on a running instance ----------------------------------------------------------------------


def test_a_profile_is_associated_with_a_running_instance_without_stopping_it(root, sandbox, profile):
    instance = running(root, sandbox)
    associated = ec2.associate_iam_instance_profile(root, instance.instance_id, "web-profile")
    assert (associated.state, associated.instance_profile) == ("running", profile)
    assert associated.association_id.startswith("iip-assoc-0")
    assert Instance.objects.get(pk=instance.pk).instance_profile == profile


def test_a_second_association_is_incorrect_state(root, sandbox, profile, reports_profile):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    error = raised(ec2.associate_iam_instance_profile, root, instance.instance_id, "reports-profile")
    assert error.code == "IncorrectState"
    assert error.message == f"There is an existing association for instance {instance.instance_id}"
    assert Instance.objects.get(pk=instance.pk).instance_profile == profile


@pytest.mark.parametrize("state_change", [None, ec2.stop_instances, ec2.terminate_instances])
def test_associating_needs_a_running_or_stopped_instance(root, sandbox, profile, state_change):
    instance = launched(root)
    if state_change is None:
        clock.set_rate(sandbox, 0)
        error = raised(ec2.associate_iam_instance_profile, root, instance.instance_id, "web-profile")
    else:
        clock.advance(sandbox, 5)
        state_change(root, [instance.instance_id])
        error = raised(ec2.associate_iam_instance_profile, root, instance.instance_id, "web-profile")
    assert error.code == "IncorrectInstanceState"
    assert Instance.objects.get(pk=instance.pk).instance_profile is None


def test_a_stopped_instance_can_be_associated(root, sandbox, profile):
    instance = running(root, sandbox)
    ec2.stop_instances(root, [instance.instance_id])
    clock.advance(sandbox, 10)
    assert ec2.associate_iam_instance_profile(root, instance.instance_id, "web-profile").instance_profile == profile


def test_an_instance_profile_with_no_role_can_be_associated(root, sandbox):
    role_operations.create_instance_profile(root, "empty")
    instance = running(root, sandbox)
    assert ec2.associate_iam_instance_profile(root, instance.instance_id, "empty").instance_profile.role is None


def test_associating_takes_the_ec2_action_and_pass_role(root, sandbox, profile):
    instance = running(root, sandbox)
    associate_only = user_with(root, {"Effect": "Allow", "Action": "ec2:AssociateIamInstanceProfile", "Resource": "*"})
    error = raised(ec2.associate_iam_instance_profile, associate_only, instance.instance_id, "web-profile")
    assert error.code == "UnauthorizedOperation" and "iam:PassRole" in error.message
    pass_only = user_with(root, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    error = raised(ec2.associate_iam_instance_profile, pass_only, instance.instance_id, "web-profile")
    assert "ec2:AssociateIamInstanceProfile" in error.message
    assert Instance.objects.get(pk=instance.pk).instance_profile is None


def test_replacing_swaps_the_profile_of_a_running_instance_under_a_new_association(
    root, sandbox, profile, reports_profile
):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    replaced = ec2.replace_iam_instance_profile_association(root, instance.association_id, "reports-profile")
    assert (replaced.state, replaced.instance_profile) == ("running", reports_profile)
    assert replaced.association_id != instance.association_id
    assert raised(ec2.replace_iam_instance_profile_association, root, instance.association_id, "web-profile").code == (
        "InvalidAssociationID.NotFound"
    )


def test_disassociating_leaves_the_instance_running_without_a_role(root, sandbox, profile):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    left = ec2.disassociate_iam_instance_profile(root, instance.association_id)
    assert (left.state, left.instance_profile, left.association_id) == ("running", None, "")
    error = raised(ec2.disassociate_iam_instance_profile, root, instance.association_id)
    assert error.code == "InvalidAssociationID.NotFound"
    assert error.message == f"The association ID '{instance.association_id}' does not exist"


def test_disassociating_is_decided_on_the_instance(root, sandbox, profile):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    user = user_with(root)
    assert raised(ec2.disassociate_iam_instance_profile, user, instance.association_id).code == "UnauthorizedOperation"
    assert DecisionRecord.objects.filter(action="ec2:DisassociateIamInstanceProfile", resource=instance.arn).exists()


def test_deleting_a_profile_an_instance_uses_is_a_conflict_naming_it(root, sandbox, profile):
    instance = running(root, sandbox, instance_profile_name="web-profile")
    role_operations.remove_role_from_instance_profile(root, "web-profile", "WebServer")
    error = raised(role_operations.delete_instance_profile, root, "web-profile")
    assert error.code == "DeleteConflict" and instance.instance_id in error.message
    ec2.terminate_instances(root, [instance.instance_id])
    clock.advance(sandbox, 10)
    role_operations.delete_instance_profile(root, "web-profile")
    assert not InstanceProfile.objects.exists()


# Metadata options and tags ------------------------------------------------------------------------------------


def test_metadata_options_change_on_a_running_instance(root, sandbox):
    instance = running(root, sandbox)
    changed = ec2.modify_instance_metadata_options(
        root, instance.instance_id, http_tokens="optional", http_endpoint="disabled"
    )
    assert (changed.metadata_http_tokens, changed.metadata_enabled) == ("optional", False)
    changed = ec2.modify_instance_metadata_options(root, instance.instance_id, http_endpoint="enabled")
    assert (changed.metadata_http_tokens, changed.metadata_enabled) == ("optional", True)


@pytest.mark.parametrize(
    ("arguments", "code"),
    [({"http_tokens": "v1"}, "InvalidParameterValue"), ({"http_endpoint": "on"}, "InvalidParameterValue")],
)
def test_bad_metadata_options_change_nothing(root, sandbox, arguments, code):
    instance = running(root, sandbox)
    assert raised(ec2.modify_instance_metadata_options, root, instance.instance_id, **arguments).code == code
    assert Instance.objects.get(pk=instance.pk).metadata_http_tokens == "required"


def test_requiring_imdsv2_can_be_the_condition_of_a_launch(root):
    user = user_with(
        root,
        {
            "Effect": "Allow",
            "Action": "ec2:RunInstances",
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:MetadataHttpTokens": "required"}},
        },
    )
    launched(user, http_tokens="required")
    assert raised(ec2.run_instances, user, http_tokens="optional").code == "UnauthorizedOperation"


def test_tags_are_added_overwritten_and_removed_by_case_sensitive_key(root, sandbox):
    instance = running(root, sandbox, tags=[{"Key": "Name", "Value": "web-1"}])
    tagged = ec2.create_tags(
        root, instance.instance_id, [{"Key": "Name", "Value": "web-2"}, {"Key": "name", "Value": "x"}]
    )
    assert tagged.tags == [{"Key": "Name", "Value": "web-2"}, {"Key": "name", "Value": "x"}]
    untagged = ec2.delete_tags(root, instance.instance_id, ["name", "absent"])
    assert untagged.tags == [{"Key": "Name", "Value": "web-2"}]


def test_tagging_is_decided_with_the_request_tags(root, sandbox):
    instance = running(root, sandbox)
    user = user_with(
        root,
        {
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Name"]}},
        },
    )
    ec2.create_tags(user, instance.instance_id, [{"Key": "Name", "Value": "web"}])
    assert raised(ec2.create_tags, user, instance.instance_id, [{"Key": "team", "Value": "x"}]).code == (
        "UnauthorizedOperation"
    )
    assert Instance.objects.get(pk=instance.pk).tags == [{"Key": "Name", "Value": "web"}]


# Spot Instances and EC2 Spot's service-linked role -------------------------------------------------------------


def test_the_first_spot_instance_creates_the_service_linked_role(root):
    instance = launched(root, spot=True)
    role = Role.objects.get(name="AWSServiceRoleForEC2Spot")
    assert (instance.spot, role.service_linked, role.path) == (
        True,
        "spot.amazonaws.com",
        "/aws-service-role/spot.amazonaws.com/",
    )
    assert [policy.name for policy in role.managed_policies.all()] == ["AWSEC2SpotServiceRolePolicy"]
    launched(root, spot=True)
    assert Role.objects.filter(service_linked="spot.amazonaws.com").count() == 1


def test_a_spot_launch_without_create_service_linked_role_fails_as_ec2_says(root):
    user = user_with(root, {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"})
    error = raised(ec2.run_instances, user, spot=True)
    assert isinstance(error, AccessDenied)
    assert error.code == "AuthFailure.ServiceLinkedRoleCreationNotPermitted"
    assert "do not have permission to create the service-linked role for EC2 Spot Instances" in error.message
    assert not Instance.objects.exists() and not Role.objects.exists()
    assert DecisionRecord.objects.filter(action="iam:CreateServiceLinkedRole", result="implicitDeny").exists()


def test_a_spot_interruption_is_decided_as_the_service_linked_role(root, sandbox):
    instance = running(root, sandbox, spot=True)
    interrupted = ec2.interrupt_spot_instance(root, instance.instance_id)
    assert interrupted.state == "stopping"
    decision = DecisionRecord.objects.get(action="ec2:StopInstances")
    assert decision.source == "service" and decision.result == "allowed"
    assert decision.principal_arn == (
        f"arn:aws:sts::{root.account.account_id}:assumed-role/AWSServiceRoleForEC2Spot/SpotInterruption"
    )
    assert "AWSEC2SpotServiceRolePolicy" in json.dumps(decision.trace)
    clock.advance(sandbox, 10)
    assert ec2.find_instance(root, instance.instance_id).state == "stopped"


@pytest.mark.parametrize(("spot", "code"), [(False, "UnsupportedOperation"), (True, "IncorrectInstanceState")])
def test_only_a_running_spot_instance_is_interrupted(root, sandbox, spot, code):
    instance = running(root, sandbox, spot=spot)
    if spot:
        ec2.stop_instances(root, [instance.instance_id])
    assert raised(ec2.interrupt_spot_instance, root, instance.instance_id).code == code


# The anti-pattern: long-term keys on the instance's disk -------------------------------------------------------


def test_any_well_formed_key_is_stored_on_the_instance_and_removed(root, sandbox):
    instance = running(root, sandbox)
    stored = ec2.store_access_key(root, instance.instance_id, KEY_ID, SECRET)
    assert (stored.stored_access_key_id, stored.stored_secret_access_key) == (KEY_ID, SECRET)
    assert not DecisionRecord.objects.exclude(action="ec2:RunInstances").exists()
    removed = ec2.remove_stored_access_key(root, instance.instance_id)
    assert (removed.stored_access_key_id, removed.stored_secret_access_key) == ("", "")


@pytest.mark.parametrize(
    ("key_id", "secret"),
    [("ASIAIOSFODNN7EXAMPLE", SECRET), ("AKIA123", SECRET), (KEY_ID, "short"), ("", "")],
)
def test_a_malformed_key_is_not_stored(root, sandbox, key_id, secret):
    instance = running(root, sandbox)
    assert raised(ec2.store_access_key, root, instance.instance_id, key_id, secret).code == "InvalidParameterValue"
    assert Instance.objects.get(pk=instance.pk).stored_access_key_id == ""
