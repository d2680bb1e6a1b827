"""Managed policies and their versions, shaped as IAM's Policy and PolicyVersion."""

from __future__ import annotations

from rest_framework import serializers

from simulator.api.queries import SCOPES
from simulator.api.serializers.common import document_field
from simulator.api.serializers.identities import GroupOutput, RoleOutput, UserOutput


class PolicyOutput(serializers.Serializer):
    """Read from simulator.api.queries.policies_with_counts, which annotates the version and the counts."""

    PolicyName = serializers.CharField(source="name")
    PolicyId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    Path = serializers.CharField(source="path")
    DefaultVersionId = serializers.SerializerMethodField()
    AttachmentCount = serializers.IntegerField(source="attachment_count")
    PermissionsBoundaryUsageCount = serializers.IntegerField(source="boundary_count")
    IsAttachable = serializers.SerializerMethodField()
    Description = serializers.CharField(source="description")
    CreateDate = serializers.DateTimeField(source="created_at")
    AwsManaged = serializers.BooleanField(source="aws_managed")

    def get_DefaultVersionId(self, policy) -> str:
        return f"v{policy.default_version}"

    def get_IsAttachable(self, policy) -> bool:
        return True


class PolicyFilter(serializers.Serializer):
    Scope = serializers.ChoiceField(
        choices=SCOPES, required=False, default="All", help_text="AWS managed, your own (Local), or both"
    )


class PolicyInput(serializers.Serializer):
    PolicyName = serializers.CharField(trim_whitespace=False)
    PolicyDocument = document_field()
    Path = serializers.CharField(trim_whitespace=False, required=False, default="/")
    Description = serializers.CharField(required=False, default="", allow_blank=True)


class VersionOutput(serializers.Serializer):
    VersionId = serializers.CharField(source="version_id")
    IsDefaultVersion = serializers.BooleanField(source="is_default")
    CreateDate = serializers.DateTimeField(source="created_at")
    Document = serializers.CharField(source="document")


class VersionInput(serializers.Serializer):
    PolicyDocument = document_field()
    SetAsDefault = serializers.BooleanField(required=False, default=False)


class PolicyEntitiesOutput(serializers.Serializer):
    """ListEntitiesForPolicy: who in this account has the policy attached."""

    PolicyUsers = UserOutput(many=True)
    PolicyGroups = GroupOutput(many=True)
    PolicyRoles = RoleOutput(many=True)
