"""EC2 instances in the shapes of EC2's Instance, InstanceState and IamInstanceProfileAssociation types."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from simulator.api.serializers.common import TagSerializer
from simulator.sandbox.models import Instance

# EC2's InstanceState codes ("InstanceState" in the EC2 API Reference).
STATE_CODES = {
    Instance.State.PENDING: 0,
    Instance.State.RUNNING: 16,
    Instance.State.SHUTTING_DOWN: 32,
    Instance.State.TERMINATED: 48,
    Instance.State.STOPPING: 64,
    Instance.State.STOPPED: 80,
}


class StateOutput(serializers.Serializer):
    Code = serializers.IntegerField(
        help_text="0 pending, 16 running, 32 shutting-down, 48 terminated, 64 stopping, 80 stopped"
    )
    Name = serializers.CharField()


def state(name: str) -> dict[str, Any]:
    return {"Code": STATE_CODES[name], "Name": name}


class ProfileOutput(serializers.Serializer):
    """EC2's IamInstanceProfile: the profile's ARN and id (EC2 does not name its role)."""

    Arn = serializers.CharField(source="arn")
    Id = serializers.CharField(source="unique_id")


class MetadataOptionsOutput(serializers.Serializer):
    State = serializers.SerializerMethodField(help_text="applied: the sandbox applies a change at once")
    HttpTokens = serializers.CharField(source="metadata_http_tokens", help_text="required: IMDSv2 only")
    HttpEndpoint = serializers.SerializerMethodField(help_text="enabled or disabled")

    def get_State(self, instance: Instance) -> str:
        return "applied"

    def get_HttpEndpoint(self, instance: Instance) -> str:
        return "enabled" if instance.metadata_enabled else "disabled"


class InstanceOutput(serializers.Serializer):
    InstanceId = serializers.CharField(source="instance_id")
    InstanceArn = serializers.CharField(source="arn", help_text="Not in EC2's Instance type: what policies name")
    ImageId = serializers.CharField(source="image_id")
    InstanceType = serializers.CharField(source="instance_type")
    State = serializers.SerializerMethodField()
    LaunchTime = serializers.DateTimeField(source="launched_at", help_text="Sandbox time")
    IamInstanceProfile = ProfileOutput(source="instance_profile", allow_null=True)
    InstanceLifecycle = serializers.SerializerMethodField(help_text="spot for a Spot Instance, else null")
    Tags = TagSerializer(source="tags", many=True)
    MetadataOptions = MetadataOptionsOutput(source="*")

    @extend_schema_field(StateOutput)
    def get_State(self, instance: Instance) -> dict[str, Any]:
        return state(instance.state)

    def get_InstanceLifecycle(self, instance: Instance) -> str | None:
        return "spot" if instance.spot else None


class ReservationOutput(serializers.Serializer):
    """RunInstances' answer: the account and the instances launched."""

    OwnerId = serializers.CharField()
    Instances = InstanceOutput(many=True)


class StateChangeOutput(serializers.Serializer):
    """EC2's InstanceStateChange, as StartInstances, StopInstances and TerminateInstances answer."""

    InstanceId = serializers.CharField()
    CurrentState = StateOutput()
    PreviousState = StateOutput()


class ProfileSpecification(serializers.Serializer):
    """EC2's IamInstanceProfileSpecification: the profile's name or its ARN."""

    Name = serializers.CharField(required=False)
    Arn = serializers.CharField(required=False)

    def validate(self, data: dict[str, str]) -> dict[str, str]:
        if bool(data.get("Name")) == bool(data.get("Arn")):
            raise serializers.ValidationError("Give the instance profile's Name or its Arn (one of them).")
        return data


def profile_name(specification: dict[str, str]) -> str:
    """The instance profile a specification names: an ARN's last part is the name (a path comes before it)."""
    return specification.get("Name") or specification["Arn"].rsplit("/", 1)[-1]


class MarketOptions(serializers.Serializer):
    MarketType = serializers.ChoiceField(choices=["spot"], help_text="spot: a Spot Instance EC2 may interrupt")


class LaunchMetadataOptions(serializers.Serializer):
    HttpTokens = serializers.CharField(required=False, help_text="required (IMDSv2 only, the default) or optional")


class MetadataOptionsInput(LaunchMetadataOptions):
    HttpEndpoint = serializers.CharField(required=False, help_text="enabled or disabled")


class TagSpecification(serializers.Serializer):
    ResourceType = serializers.ChoiceField(choices=["instance"], help_text="instance: the sandbox tags nothing else")
    Tags = TagSerializer(many=True)


def launch_tags(data: dict[str, Any]) -> list[dict[str, str]]:
    """The tags RunInstances' TagSpecifications give the instances."""
    return [dict(tag) for specification in data["TagSpecifications"] for tag in specification["Tags"]]


class RunInput(serializers.Serializer):
    InstanceType = serializers.CharField(required=False, default="t3.micro")
    MinCount = serializers.IntegerField(required=False, default=1, min_value=1)
    MaxCount = serializers.IntegerField(required=False, default=1, min_value=1)
    IamInstanceProfile = ProfileSpecification(required=False)
    TagSpecifications = TagSpecification(many=True, required=False, default=list)
    InstanceMarketOptions = MarketOptions(required=False)
    MetadataOptions = LaunchMetadataOptions(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["MinCount"] > data["MaxCount"]:
            raise serializers.ValidationError("MinCount may not be greater than MaxCount.")
        return data


class AssociationOutput(serializers.Serializer):
    """EC2's IamInstanceProfileAssociation."""

    AssociationId = serializers.CharField()
    InstanceId = serializers.CharField()
    IamInstanceProfile = ProfileOutput()
    State = serializers.CharField(help_text="associated, or disassociating once removed")


class AssociationInput(serializers.Serializer):
    IamInstanceProfile = ProfileSpecification()


class MetadataOptionsChange(serializers.Serializer):
    """ModifyInstanceMetadataOptions' answer."""

    InstanceId = serializers.CharField(source="instance_id")
    InstanceMetadataOptions = MetadataOptionsOutput(source="*")
