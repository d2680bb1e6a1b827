"""EC2 actions on a sandbox's simulated instances, each decided by the engine as the acting identity.

The pattern of ``operations``: find what the request names in the actor's account, validate, let the engine
decide (every decision is logged), then write in one transaction. EC2 answers a denial with
UnauthorizedOperation where IAM says AccessDenied. Error codes follow "Error codes for the Amazon EC2 API" and
the API Reference page of each action; states move as "Amazon EC2 instance state changes" describes and settle
on the sandbox clock (see ``instance_states``).

Instances get permissions only through the role of their instance profile ("Use an IAM role to grant
permissions to applications running on Amazon EC2 instances"): launching with a profile, or associating one
with an instance that is already running, hands its role to EC2, so the caller needs ``iam:PassRole`` on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from simulator.policy import explain
from simulator.policy.decision import Decision

from . import clock, errors, identifiers, role_operations
from .authorization import Actor, authorize
from .instance_states import is_gone, settle_all, settled
from .lookups import locked, locked_account
from .models import DecisionRecord, Instance, InstanceProfile, Role

State = Instance.State
EC2_SERVICE = "ec2.amazonaws.com"
SPOT_SERVICE = "spot.amazonaws.com"
# A few real instance types ("Amazon EC2 instance types"): anything else is InvalidParameterValue, as in EC2.
INSTANCE_TYPES = (
    "t2.micro",
    "t2.small",
    "t3.nano",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t4g.micro",
    "t4g.small",
    "m5.large",
    "m6i.large",
    "m7g.medium",
    "c6i.large",
    "r6i.large",
)
# Instances an account may have that are not terminated; EC2's own quota is in vCPUs, this keeps sandboxes small.
INSTANCES_PER_ACCOUNT = 20
TAGS_PER_RESOURCE = 50
_INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ACCESS_KEY_ID = re.compile(r"AKIA[A-Z0-9]{16}")
_SECRET_ACCESS_KEY = re.compile(r"[A-Za-z0-9/+]{40}")


class UnauthorizedOperation(errors.AccessDenied):
    """EC2's word for a denial; like IAM's AccessDenied it carries the engine's decision, explained."""

    def __init__(self, decision: Decision, code: str = "UnauthorizedOperation", message: str = "") -> None:
        super().__init__(decision, f"{message} {explain.sentence(decision)}".strip())
        self.code = code


@dataclass(frozen=True)
class StateChange:
    """One instance's part of a StopInstances, StartInstances, RebootInstances or TerminateInstances answer."""

    instance: Instance
    previous_state: str
    current_state: str


@dataclass(frozen=True)
class Transition:
    """What a state-changing action does: ``moves`` takes a state to the next, ``unchanged`` are the states in
    which EC2 accepts the request and changes nothing (stopping a stopped instance); any other state is
    IncorrectInstanceState."""

    action: str
    verb: str
    moves: Mapping[str, str]
    unchanged: frozenset[str]


STOP = Transition(
    "ec2:StopInstances", "stopped", {State.RUNNING: State.STOPPING}, frozenset({State.STOPPING, State.STOPPED})
)
START = Transition(
    "ec2:StartInstances", "started", {State.STOPPED: State.PENDING}, frozenset({State.PENDING, State.RUNNING})
)
REBOOT = Transition("ec2:RebootInstances", "rebooted", {}, frozenset({State.RUNNING}))
TERMINATE = Transition(
    "ec2:TerminateInstances",
    "terminated",
    {state: State.SHUTTING_DOWN for state in (State.PENDING, State.RUNNING, State.STOPPING, State.STOPPED)},
    frozenset({State.SHUTTING_DOWN, State.TERMINATED}),
)
# AssociateIamInstanceProfile: "Associates an IAM instance profile with a running or stopped instance";
# ModifyInstanceMetadataOptions: "on a running or stopped instance".
CONFIGURABLE_STATES = frozenset({State.RUNNING, State.STOPPED})


def _allow(actor: Actor, action: str, resource: str, context: Mapping[str, str | Iterable[str]] | None = None) -> None:
    decision = authorize(actor, action, resource, context=context)
    if not decision.allowed:
        raise UnauthorizedOperation(decision)


def _invalid(value: object, parameter: str, why: str = "") -> errors.AwsError:
    return errors.AwsError(
        "InvalidParameterValue", f"Invalid value '{value}' for {parameter}.{' ' + why if why else ''}"
    )


def _incorrect_state(instance: Instance, doing: str) -> errors.AwsError:
    return errors.AwsError(
        "IncorrectInstanceState",
        f"The instance '{instance.instance_id}' is {instance.state}, not in a state from which it can be {doing}.",
    )


def _tag_context(prefix: str, tags: list[dict]) -> dict[str, str]:
    return {f"{prefix}/{tag['Key']}": tag["Value"] for tag in tags}


def _instance_context(instance: Instance) -> dict[str, str]:
    """The condition keys EC2 fills in for an existing instance ("Actions, resources, and condition keys for
    Amazon EC2"): its type, market, metadata options, profile and tags."""
    context = {
        "ec2:InstanceType": instance.instance_type,
        "ec2:InstanceMarketType": "spot" if instance.spot else "on-demand",
        "ec2:MetadataHttpTokens": instance.metadata_http_tokens,
        **_tag_context("ec2:ResourceTag", instance.tags),
        **_tag_context("aws:ResourceTag", instance.tags),
    }
    if instance.instance_profile is not None:
        context["ec2:InstanceProfile"] = instance.instance_profile.arn
    return context


def _instances(actor: Actor):
    return Instance.objects.select_related(
        "account__sandbox", "instance_profile__role__account", "instance_profile__account"
    ).filter(account=actor.account)


def _check_id(instance_id: str) -> None:
    if not isinstance(instance_id, str) or not _INSTANCE_ID.fullmatch(instance_id):
        raise errors.AwsError("InvalidInstanceID.Malformed", f'Invalid id: "{instance_id}" (expecting "i-...")')


def find_instance(actor: Actor, instance_id: str) -> Instance:
    """The actor's account's instance with this id, settled. Another account's instance, or one terminated
    over an hour ago, does not exist for this one."""
    _check_id(instance_id)
    instance = _instances(actor).filter(instance_id=instance_id).first()
    if instance is None or is_gone(settled(instance)):
        raise errors.AwsError("InvalidInstanceID.NotFound", f"The instance ID '{instance_id}' does not exist")
    return instance


def _find_all(actor: Actor, instance_ids: Iterable[str]) -> list[Instance]:
    """Every instance named, or an error naming every id at fault: EC2 acts on all of them or on none."""
    wanted = list(dict.fromkeys(instance_ids))
    if not wanted:
        raise errors.AwsError("MissingParameter", "The request must contain the parameter InstanceId")
    for instance_id in wanted:
        _check_id(instance_id)
    found = {instance.instance_id: instance for instance in _instances(actor).filter(instance_id__in=wanted)}
    missing = [i for i in wanted if i not in found or is_gone(settled(found[i]))]
    if len(missing) == 1:
        raise errors.AwsError("InvalidInstanceID.NotFound", f"The instance ID '{missing[0]}' does not exist")
    if missing:
        raise errors.AwsError("InvalidInstanceID.NotFound", f"The instance IDs '{', '.join(missing)}' do not exist")
    return [found[instance_id] for instance_id in wanted]


def _change_states(actor: Actor, instance_ids: Iterable[str], transition: Transition) -> list[StateChange]:
    instances = _find_all(actor, instance_ids)
    for instance in instances:
        _allow(actor, transition.action, instance.arn, _instance_context(instance))
    changes = []
    with transaction.atomic():
        now = clock.account_now(actor.account)
        for instance in sorted(instances, key=lambda row: row.pk):
            current = settled(locked(instance))
            previous = current.state
            if previous in transition.moves:
                current.state, current.state_changed_at = transition.moves[previous], now
                current.save(update_fields=["state", "state_changed_at"])
            elif previous not in transition.unchanged:
                raise _incorrect_state(current, transition.verb)
            changes.append(StateChange(current, previous, current.state))
    order = {instance_id: n for n, instance_id in enumerate(dict.fromkeys(instance_ids))}
    return sorted(changes, key=lambda change: order[change.instance.instance_id])


def stop_instances(actor: Actor, instance_ids: Iterable[str]) -> list[StateChange]:
    """StopInstances: running → stopping → stopped; stopping a stopped instance changes nothing."""
    return _change_states(actor, instance_ids, STOP)


def start_instances(actor: Actor, instance_ids: Iterable[str]) -> list[StateChange]:
    """StartInstances: stopped → pending → running; a terminated instance "cannot be started"."""
    return _change_states(actor, instance_ids, START)


def reboot_instances(actor: Actor, instance_ids: Iterable[str]) -> list[StateChange]:
    """RebootInstances: the instance "stays in the running state"."""
    return _change_states(actor, instance_ids, REBOOT)


def terminate_instances(actor: Actor, instance_ids: Iterable[str]) -> list[StateChange]:
    """TerminateInstances: → shutting-down → terminated, from any state; terminating again changes nothing."""
    return _change_states(actor, instance_ids, TERMINATE)


def _validated_tags(tags: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Tags as EC2 takes them ("Tag your Amazon EC2 resources", tag restrictions): keys 1 to 128 characters,
    values up to 256, ``aws:`` reserved, keys case-sensitive; a key given twice keeps its last value."""
    clean: dict[str, str] = {}
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value", "") or ""
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise _invalid(key, "tag key", "Tag keys are 1 to 128 characters long.")
        if key.lower().startswith("aws:"):
            raise _invalid(key, "tag key", "Tag keys starting with 'aws:' are reserved for internal use.")
        if not isinstance(value, str) or len(value) > 256:
            raise _invalid(value, "tag value", "Tag values are at most 256 characters long.")
        clean[key] = value
    return [{"Key": key, "Value": value} for key, value in clean.items()]


def _tag_limit(tags: list[dict]) -> None:
    if len(tags) > TAGS_PER_RESOURCE:
        raise errors.AwsError(
            "TagLimitExceeded", f"The maximum number of tags per resource ({TAGS_PER_RESOURCE}) has been exceeded."
        )


def _find_profile(actor: Actor, name: str) -> InstanceProfile:
    profile = (
        actor.account.instance_profiles.select_related("account", "role__account").filter(name__iexact=name).first()
    )
    if profile is None:
        raise errors.AwsError(
            "InvalidParameterValue",
            f"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        )
    return profile


def _allow_pass_role(actor: Actor, profile: InstanceProfile | None) -> None:
    """Handing a profile to EC2 passes its role ("Grant permissions to attach an IAM role to an instance"); an
    empty profile passes nothing, and its instance gets no credentials."""
    if profile is not None and profile.role is not None:
        _allow(actor, "iam:PassRole", profile.role.arn, {"iam:PassedToService": EC2_SERVICE})


def _spot_role(actor: Actor) -> Role:
    """EC2 Spot's service-linked role, created the first time a Spot Instance is launched, which takes
    iam:CreateServiceLinkedRole ("Service-linked role for Spot Instances")."""
    existing = actor.account.roles.filter(service_linked=SPOT_SERVICE).first()
    if existing is not None:
        return existing
    try:
        return role_operations.create_service_linked_role(actor, SPOT_SERVICE)
    except errors.AccessDenied as denied:
        raise UnauthorizedOperation(
            denied.decision,
            "AuthFailure.ServiceLinkedRoleCreationNotPermitted",
            "The provided credentials do not have permission to create the service-linked role for EC2 Spot Instances.",
        ) from None
    except errors.AwsError:
        # Another launch created it at the same moment.
        return actor.account.roles.get(service_linked=SPOT_SERVICE)


def _check_quota(actor: Actor, count: int) -> None:
    settle_all(actor.account)
    running = actor.account.instances.exclude(state=State.TERMINATED).count()
    if running + count > INSTANCES_PER_ACCOUNT:
        raise errors.AwsError(
            "InstanceLimitExceeded",
            f"You have requested more instances ({running + count}) than your current instance limit of "
            f"{INSTANCES_PER_ACCOUNT} allows. Terminate an instance first.",
        )


def run_instances(
    actor: Actor,
    *,
    instance_type: str = "t3.micro",
    instance_profile_name: str | None = None,
    tags: Iterable[Mapping[str, str]] = (),
    spot: bool = False,
    http_tokens: str = Instance.HttpTokens.REQUIRED,
    count: int = 1,
) -> list[Instance]:
    """RunInstances: ``count`` new instances, pending until they settle into running.

    Decided as ec2:RunInstances on each new instance's ARN (with the type, market, metadata option, profile
    and tags as condition keys), then iam:PassRole on the profile's role, then, for the first Spot Instance,
    iam:CreateServiceLinkedRole.
    """
    if instance_type not in INSTANCE_TYPES:
        raise _invalid(instance_type, "InstanceType")
    if http_tokens not in Instance.HttpTokens.values:
        raise _invalid(http_tokens, "HttpTokens", "Choose required or optional.")
    if not isinstance(count, int) or not 1 <= count <= INSTANCES_PER_ACCOUNT:
        raise _invalid(count, "MinCount", f"Launch 1 to {INSTANCES_PER_ACCOUNT} instances at a time.")
    clean_tags = _validated_tags(tags)
    _tag_limit(clean_tags)
    profile = _find_profile(actor, instance_profile_name) if instance_profile_name else None
    _check_quota(actor, count)
    now = clock.account_now(actor.account)
    instances = [
        Instance(
            account=actor.account,
            instance_type=instance_type,
            tags=clean_tags,
            spot=spot,
            instance_profile=profile,
            association_id=identifiers.new_association_id() if profile else "",
            metadata_http_tokens=http_tokens,
            state=State.PENDING,
            launched_at=now,
            state_changed_at=now,
        )
        for _ in range(count)
    ]
    context: dict[str, str | list[str]] = {
        **_instance_context(instances[0]),
        **_tag_context("aws:RequestTag", clean_tags),
        "aws:TagKeys": [tag["Key"] for tag in clean_tags],
    }
    for instance in instances:
        _allow(actor, "ec2:RunInstances", instance.arn, context)
    _allow_pass_role(actor, profile)
    if spot:
        _spot_role(actor)
    with transaction.atomic():
        locked_account(actor)
        _check_quota(actor, count)
        for instance in instances:
            instance.save()
    return instances


def _no_association(association_id: str) -> errors.AwsError:
    return errors.AwsError("InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist")


def _find_association(actor: Actor, association_id: str) -> Instance:
    instance = _instances(actor).filter(association_id=association_id).first() if association_id else None
    if instance is None or not settled(instance).association_id:
        raise _no_association(association_id)
    return instance


def _associate(instance: Instance, profile: InstanceProfile, association_id: str) -> Instance:
    """Write the association under a lock, the state checked again there: only a running or stopped instance
    takes a profile, and at most one."""
    with transaction.atomic():
        current = settled(locked(instance))
        if current.state not in CONFIGURABLE_STATES:
            raise _incorrect_state(current, "associated with an instance profile")
        if not association_id and current.association_id:
            raise errors.AwsError(
                "IncorrectState", f"There is an existing association for instance {current.instance_id}"
            )
        if current.association_id != association_id:
            raise _no_association(association_id)
        current.instance_profile = profile
        current.association_id = identifiers.new_association_id()
        current.save(update_fields=["instance_profile", "association_id"])
        return current


def associate_iam_instance_profile(actor: Actor, instance_id: str, instance_profile_name: str) -> Instance:
    """AssociateIamInstanceProfile: give a running (or stopped) instance a profile, with no stop; its next call
    uses the role's credentials. "You cannot associate more than one IAM instance profile with an instance."
    """
    instance = find_instance(actor, instance_id)
    profile = _find_profile(actor, instance_profile_name)
    _allow(actor, "ec2:AssociateIamInstanceProfile", instance.arn, _instance_context(instance))
    _allow_pass_role(actor, profile)
    return _associate(instance, profile, "")


def replace_iam_instance_profile_association(actor: Actor, association_id: str, instance_profile_name: str) -> Instance:
    """ReplaceIamInstanceProfileAssociation: swap the profile of a running instance "without having to
    disassociate the existing IAM instance profile first"; the association gets a new id."""
    instance = _find_association(actor, association_id)
    profile = _find_profile(actor, instance_profile_name)
    _allow(actor, "ec2:ReplaceIamInstanceProfileAssociation", instance.arn, _instance_context(instance))
    _allow_pass_role(actor, profile)
    return _associate(instance, profile, association_id)


def disassociate_iam_instance_profile(actor: Actor, association_id: str) -> Instance:
    """DisassociateIamInstanceProfile: the instance keeps running, with no role and so no credentials."""
    instance = _find_association(actor, association_id)
    _allow(actor, "ec2:DisassociateIamInstanceProfile", instance.arn, _instance_context(instance))
    with transaction.atomic():
        current = settled(locked(instance))
        if current.association_id != association_id:
            raise _no_association(association_id)
        current.instance_profile, current.association_id = None, ""
        current.save(update_fields=["instance_profile", "association_id"])
        return current


def modify_instance_metadata_options(
    actor: Actor, instance_id: str, *, http_tokens: str | None = None, http_endpoint: str | None = None
) -> Instance:
    """ModifyInstanceMetadataOptions: require IMDSv2 session tokens or allow IMDSv1 too, and turn the metadata
    endpoint on or off, "on a running or stopped instance"."""
    if http_tokens is not None and http_tokens not in Instance.HttpTokens.values:
        raise _invalid(http_tokens, "HttpTokens", "Choose required or optional.")
    if http_endpoint is not None and http_endpoint not in ("enabled", "disabled"):
        raise _invalid(http_endpoint, "HttpEndpoint", "Choose enabled or disabled.")
    instance = find_instance(actor, instance_id)
    context = _instance_context(instance)
    if http_tokens is not None:
        context["ec2:MetadataHttpTokens"] = http_tokens
    _allow(actor, "ec2:ModifyInstanceMetadataOptions", instance.arn, context)
    with transaction.atomic():
        current = settled(locked(instance))
        if current.state not in CONFIGURABLE_STATES:
            raise _incorrect_state(current, "modified")
        if http_tokens is not None:
            current.metadata_http_tokens = http_tokens
        if http_endpoint is not None:
            current.metadata_enabled = http_endpoint == "enabled"
        current.save(update_fields=["metadata_http_tokens", "metadata_enabled"])
        return current


def create_tags(actor: Actor, instance_id: str, tags: Iterable[Mapping[str, str]]) -> Instance:
    """CreateTags: add tags, or overwrite the value of a key already there."""
    clean = _validated_tags(tags)
    instance = find_instance(actor, instance_id)
    context = {**_instance_context(instance), **_tag_context("aws:RequestTag", clean)}
    _allow(actor, "ec2:CreateTags", instance.arn, {**context, "aws:TagKeys": [tag["Key"] for tag in clean]})
    with transaction.atomic():
        current = locked(instance)
        added = {tag["Key"] for tag in clean}
        current.tags = [tag for tag in current.tags if tag["Key"] not in added] + clean
        _tag_limit(current.tags)
        current.save(update_fields=["tags"])
        return current


def delete_tags(actor: Actor, instance_id: str, keys: Iterable[str]) -> Instance:
    """DeleteTags: remove the tags with these keys (case-sensitive); keys not present are ignored."""
    removed = set(keys)
    instance = find_instance(actor, instance_id)
    _allow(actor, "ec2:DeleteTags", instance.arn, {**_instance_context(instance), "aws:TagKeys": sorted(removed)})
    with transaction.atomic():
        current = locked(instance)
        current.tags = [tag for tag in current.tags if tag["Key"] not in removed]
        current.save(update_fields=["tags"])
        return current


def _on_disk(actor: Actor, instance_id: str) -> Instance:
    instance = find_instance(actor, instance_id)
    if instance.state in (State.SHUTTING_DOWN, State.TERMINATED):
        raise _incorrect_state(instance, "written to")
    return instance


def store_access_key(actor: Actor, instance_id: str, access_key_id: str, secret: str) -> Instance:
    """The anti-pattern: write an IAM user's long-term access key into the instance's ~/.aws/credentials.

    Not an EC2 action (the learner is editing a file on the box), so nothing is decided. Any well-formed key is
    kept, as a disk keeps any text: whether it works is found out when a command on the instance signs with it.
    """
    if not _ACCESS_KEY_ID.fullmatch(access_key_id or ""):
        raise _invalid(
            access_key_id, "aws_access_key_id", "A long-term access key id is AKIA and 16 more letters or digits."
        )
    if not _SECRET_ACCESS_KEY.fullmatch(secret or ""):
        raise _invalid("(hidden)", "aws_secret_access_key", "A secret access key is 40 characters.")
    instance = _on_disk(actor, instance_id)
    with transaction.atomic():
        current = locked(instance)
        current.stored_access_key_id, current.stored_secret_access_key = access_key_id, secret
        current.save(update_fields=["stored_access_key_id", "stored_secret_access_key"])
        return current


def remove_stored_access_key(actor: Actor, instance_id: str) -> Instance:
    """Delete the key from the instance's disk (it stays valid in IAM until deactivated or deleted there)."""
    instance = find_instance(actor, instance_id)
    with transaction.atomic():
        current = locked(instance)
        current.stored_access_key_id = current.stored_secret_access_key = ""
        current.save(update_fields=["stored_access_key_id", "stored_secret_access_key"])
        return current


def interrupt_spot_instance(actor: Actor, instance_id: str) -> Instance:
    """EC2 reclaims a running Spot Instance's capacity and stops it, acting through its service-linked role.

    The learner only sets this off (as a Spot interruption arrives unasked); the stop is decided as a session
    of AWSServiceRoleForEC2Spot, so its AWS managed policy appears in the decision log. That policy allows
    ec2:StopInstances and not ec2:TerminateInstances, so the simulated interruption behaviour is "stop".
    """
    instance = find_instance(actor, instance_id)
    if not instance.spot:
        raise errors.AwsError("UnsupportedOperation", f"The instance '{instance_id}' is not a Spot Instance.")
    if instance.state != State.RUNNING:
        raise _incorrect_state(instance, "interrupted")
    role = actor.account.roles.filter(service_linked=SPOT_SERVICE).first()
    if role is None:
        raise errors.AwsError(
            "UnsupportedOperation",
            "EC2 Spot has no service-linked role (AWSServiceRoleForEC2Spot) in this account to act through.",
        )
    spot = Actor(actor.account, role=role, session_name="SpotInterruption", via=DecisionRecord.Source.SERVICE)
    _allow(spot, "ec2:StopInstances", instance.arn, _instance_context(instance))
    with transaction.atomic():
        current = settled(locked(instance))
        if current.state == State.RUNNING:
            current.state, current.state_changed_at = State.STOPPING, clock.account_now(actor.account)
            current.save(update_fields=["state", "state_changed_at"])
        return current
