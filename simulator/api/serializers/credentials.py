"""Console passwords, access keys, the account's password policy and alias, the root user's settings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from simulator.sandbox.access_keys import last_used


class LoginProfileOutput(serializers.Serializer):
    UserName = serializers.CharField(source="name")
    PasswordResetRequired = serializers.BooleanField(source="password_reset_required")
    PasswordLastUsed = serializers.DateTimeField(source="password_last_used", allow_null=True)


class LoginProfileInput(serializers.Serializer):
    Password = serializers.CharField(trim_whitespace=False, write_only=True)
    PasswordResetRequired = serializers.BooleanField(required=False, default=False)


class LoginProfileUpdate(serializers.Serializer):
    """UpdateLoginProfile: only what is given changes."""

    Password = serializers.CharField(trim_whitespace=False, required=False, write_only=True)
    PasswordResetRequired = serializers.BooleanField(required=False)


class AccessKeyLastUsedOutput(serializers.Serializer):
    LastUsedDate = serializers.DateTimeField(required=False)
    ServiceName = serializers.CharField()
    Region = serializers.CharField(required=False)


class AccessKeyOutput(serializers.Serializer):
    UserName = serializers.CharField(source="user.name", default=None, help_text="None for the root user's keys")
    AccessKeyId = serializers.CharField(source="access_key_id")
    Status = serializers.CharField(source="status")
    CreateDate = serializers.DateTimeField(source="created_at")
    AccessKeyLastUsed = serializers.SerializerMethodField()

    @extend_schema_field(AccessKeyLastUsedOutput)
    def get_AccessKeyLastUsed(self, key) -> dict:
        return AccessKeyLastUsedOutput(last_used(key)).data


class NewAccessKeyOutput(AccessKeyOutput):
    SecretAccessKey = serializers.CharField(source="secret", help_text="Shown this once: it is never shown again")


class AccessKeyUpdate(serializers.Serializer):
    Status = serializers.CharField(help_text="Active or Inactive")


class PasswordPolicy(serializers.Serializer):
    """GetAccountPasswordPolicy's PasswordPolicy. UpdateAccountPasswordPolicy takes the same fields (without
    ExpirePasswords); every field left out reverts to its default, as in AWS."""

    MinimumPasswordLength = serializers.IntegerField(required=False)
    RequireSymbols = serializers.BooleanField(required=False)
    RequireNumbers = serializers.BooleanField(required=False)
    RequireUppercaseCharacters = serializers.BooleanField(required=False)
    RequireLowercaseCharacters = serializers.BooleanField(required=False)
    AllowUsersToChangePassword = serializers.BooleanField(required=False)
    MaxPasswordAge = serializers.IntegerField(required=False)
    PasswordReusePrevention = serializers.IntegerField(required=False)
    HardExpiry = serializers.BooleanField(required=False)
    ExpirePasswords = serializers.BooleanField(read_only=True)


class AliasInput(serializers.Serializer):
    AccountAlias = serializers.CharField(trim_whitespace=False)


class AliasesOutput(serializers.Serializer):
    AccountAliases = serializers.ListField(child=serializers.CharField())


class RootEmailInput(serializers.Serializer):
    EmailAddress = serializers.CharField(trim_whitespace=False)


class MfaInput(serializers.Serializer):
    """Two consecutive codes from the (simulated) authenticator: any two 6-digit codes."""

    AuthenticationCode1 = serializers.CharField()
    AuthenticationCode2 = serializers.CharField()
