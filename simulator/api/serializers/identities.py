"""IAM users, groups and roles, shaped as IAM's User, Group and Role types."""

from __future__ import annotations

from rest_framework import serializers

from simulator.api.serializers.common import BoundaryOutput, TagSerializer, document_field, entity_input, entity_output


class UserOutput(entity_output("User")):
    """An IAM user, as IAM's User type."""


class UserDetailOutput(UserOutput):
    Tags = TagSerializer(source="tags", many=True)
    PermissionsBoundary = BoundaryOutput(source="permissions_boundary", allow_null=True)
    PasswordLastUsed = serializers.DateTimeField(source="password_last_used", allow_null=True)


class UserInput(entity_input("User")):
    """The new user: its name and path."""


class GroupOutput(entity_output("Group")):
    """An IAM group, as IAM's Group type."""


class GroupInput(entity_input("Group")):
    """The new group: its name and path."""


class MemberInput(serializers.Serializer):
    """AddUserToGroup: the user to add."""

    UserName = serializers.CharField(trim_whitespace=False)


class RoleOutput(entity_output("Role")):
    AssumeRolePolicyDocument = serializers.CharField(source="trust_policy")
    Description = serializers.CharField(source="description")
    MaxSessionDuration = serializers.IntegerField(source="max_session_duration")


class RoleDetailOutput(RoleOutput):
    Tags = TagSerializer(source="tags", many=True)
    PermissionsBoundary = BoundaryOutput(source="permissions_boundary", allow_null=True)


class RoleInput(entity_input("Role")):
    AssumeRolePolicyDocument = document_field()
    Description = serializers.CharField(required=False, default="", allow_blank=True)
    MaxSessionDuration = serializers.IntegerField(required=False, default=3600)
