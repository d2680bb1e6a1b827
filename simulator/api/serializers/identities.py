"""IAM users, groups and roles, shaped as IAM's User, Group and Role types."""

from __future__ import annotations

from rest_framework import serializers

from simulator.api.serializers.common import BoundaryOutput, TagSerializer, document_field


class UserOutput(serializers.Serializer):
    Path = serializers.CharField(source="path")
    UserName = serializers.CharField(source="name")
    UserId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")


class UserDetailOutput(UserOutput):
    Tags = TagSerializer(source="tags", many=True)
    PermissionsBoundary = BoundaryOutput(source="permissions_boundary", allow_null=True)
    PasswordLastUsed = serializers.DateTimeField(source="password_last_used", allow_null=True)


class UserInput(serializers.Serializer):
    UserName = serializers.CharField(trim_whitespace=False)
    Path = serializers.CharField(trim_whitespace=False, required=False, default="/")


class GroupOutput(serializers.Serializer):
    Path = serializers.CharField(source="path")
    GroupName = serializers.CharField(source="name")
    GroupId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")


class GroupInput(serializers.Serializer):
    GroupName = serializers.CharField(trim_whitespace=False)
    Path = serializers.CharField(trim_whitespace=False, required=False, default="/")


class MemberInput(serializers.Serializer):
    """AddUserToGroup: the user to add."""

    UserName = serializers.CharField(trim_whitespace=False)


class RoleOutput(serializers.Serializer):
    Path = serializers.CharField(source="path")
    RoleName = serializers.CharField(source="name")
    RoleId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")
    AssumeRolePolicyDocument = serializers.CharField(source="trust_policy")
    Description = serializers.CharField(source="description")
    MaxSessionDuration = serializers.IntegerField(source="max_session_duration")


class RoleDetailOutput(RoleOutput):
    Tags = TagSerializer(source="tags", many=True)
    PermissionsBoundary = BoundaryOutput(source="permissions_boundary", allow_null=True)


class RoleInput(serializers.Serializer):
    RoleName = serializers.CharField(trim_whitespace=False)
    Path = serializers.CharField(trim_whitespace=False, required=False, default="/")
    AssumeRolePolicyDocument = document_field()
    Description = serializers.CharField(required=False, default="", allow_blank=True)
    MaxSessionDuration = serializers.IntegerField(required=False, default=3600)
