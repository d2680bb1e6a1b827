"""Changing roles, service-linked roles, and instance profiles (IAM's InstanceProfile type)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from simulator.api.serializers.common import document_field, entity_input, entity_output
from simulator.api.serializers.identities import RoleOutput


class RoleUpdateInput(serializers.Serializer):
    """UpdateRole: only what is given changes."""

    Description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    MaxSessionDuration = serializers.IntegerField(required=False, help_text="3600 to 43200 seconds")


class TrustPolicyInput(serializers.Serializer):
    PolicyDocument = document_field("The new trust policy: who may assume the role. ")


class ServiceLinkedRoleInput(serializers.Serializer):
    AWSServiceName = serializers.CharField(help_text="The service principal, e.g. elasticbeanstalk.amazonaws.com")
    Description = serializers.CharField(required=False, allow_blank=True)


class ServiceResourceInput(serializers.Serializer):
    """A resource of the role's service that uses the role. No such service runs in the sandbox: the learner
    says which resources exist, as creating or deleting, say, an Auto Scaling group would."""

    ResourceArn = serializers.CharField()


class ServiceResourcesOutput(serializers.Serializer):
    ResourcesInUse = serializers.ListField(source="resources_in_use", child=serializers.CharField())


class DeletionTaskOutput(serializers.Serializer):
    """What DeleteServiceLinkedRole starts and GetServiceLinkedRoleDeletionStatus reports."""

    DeletionTaskId = serializers.CharField(source="deletion_task_id")
    Status = serializers.CharField(source="status", help_text="SUCCEEDED or FAILED")
    Reason = serializers.CharField(source="reason")
    RoleUsageList = serializers.ListField(source="resources", child=serializers.CharField())


class InstanceProfileOutput(entity_output("InstanceProfile")):
    Roles = serializers.SerializerMethodField()

    @extend_schema_field(RoleOutput(many=True))
    def get_Roles(self, profile) -> list[dict]:
        """At most one role, as a list as in IAM."""
        return RoleOutput([profile.role] if profile.role else [], many=True).data


class InstanceProfileInput(entity_input("InstanceProfile")):
    """The new instance profile: its name and path."""


class RoleNameInput(serializers.Serializer):
    RoleName = serializers.CharField(trim_whitespace=False)
