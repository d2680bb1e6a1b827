"""The learner's sandboxes and their accounts."""

from __future__ import annotations

from rest_framework import serializers


class AccountOutput(serializers.Serializer):
    AccountId = serializers.CharField(source="account_id")
    AccountAlias = serializers.CharField(source="alias")
    RootArn = serializers.CharField(source="root_arn")
    RootEmail = serializers.CharField(source="root_email")
    RootMfaEnabled = serializers.BooleanField(source="root_mfa_enabled")
    CreateDate = serializers.DateTimeField(source="created_at")


class SandboxOutput(serializers.Serializer):
    SandboxId = serializers.IntegerField(source="pk")
    Name = serializers.CharField(source="name")
    Template = serializers.CharField(source="template")
    CreateDate = serializers.DateTimeField(source="created_at")
    Accounts = AccountOutput(source="accounts.all", many=True)


class SandboxInput(serializers.Serializer):
    Name = serializers.CharField(trim_whitespace=False, help_text="Unique among your sandboxes, in any case")
    Template = serializers.CharField(required=False, default="empty", help_text="empty or demo")


class SandboxDeletion(serializers.Serializer):
    ConfirmName = serializers.CharField(
        trim_whitespace=False, help_text="The sandbox's name, typed exactly: deleting cannot be undone"
    )


class AccountInput(serializers.Serializer):
    AccountAlias = serializers.CharField(trim_whitespace=False)


class ImportOptions(serializers.Serializer):
    Replace = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms that the account's users, groups, roles, instance profiles and policies are replaced",
    )


class ImportSummaryOutput(serializers.Serializer):
    Users = serializers.IntegerField(source="users")
    Groups = serializers.IntegerField(source="groups")
    Roles = serializers.IntegerField(source="roles")
    Policies = serializers.IntegerField(source="policies")
    InstanceProfiles = serializers.IntegerField(source="instance_profiles")
