"""STS: AssumeRole, GetSessionToken and GetCallerIdentity in the shapes of AWS's responses, and the account's live
temporary credentials (without their secrets)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from simulator.api.serializers.common import TagSerializer
from simulator.sandbox import sts
from simulator.sandbox.checks import policy_size
from simulator.sandbox.sts_parameters import PACKED_SIZE_LIMIT


def packed_policy_size(credential: Any) -> int | None:
    """How full the session's packed policies and tags are, in percent, counted as STS counts them when it
    refuses a request with PackedPolicyTooLarge (simulator.sandbox.sts_parameters); None when it has neither."""
    if not credential.session_policies and not credential.tags:
        return None
    used = sum(len(tag["Key"]) + len(tag["Value"]) for tag in credential.tags)
    for policy in credential.session_policies:
        used += policy_size(policy["Document"]) if policy["Id"] == "inline" else len(policy["Id"])
    return used * 100 // PACKED_SIZE_LIMIT


class PolicyDescriptor(serializers.Serializer):
    """AWS's PolicyDescriptorType: a managed policy to use as a session policy (its key is lower case in AWS)."""

    arn = serializers.CharField()


class MfaFields(serializers.Serializer):
    SerialNumber = serializers.CharField(
        required=False, help_text="The MFA device's ARN (arn:aws:iam::ACCOUNT:mfa/NAME), when policies ask for MFA"
    )
    TokenCode = serializers.CharField(required=False, help_text="The device's current 6-digit code")


class AssumeRoleInput(MfaFields):
    RoleArn = serializers.CharField()
    RoleSessionName = serializers.CharField(trim_whitespace=False, help_text="2 to 64 of letters, digits and +=,.@_-")
    DurationSeconds = serializers.IntegerField(
        required=False, help_text="900 up to the role's MaxSessionDuration (one hour when chaining roles)"
    )
    ExternalId = serializers.CharField(required=False, trim_whitespace=False)
    Policy = serializers.CharField(
        required=False, trim_whitespace=False, help_text="An inline session policy (JSON text): it can only narrow"
    )
    PolicyArns = PolicyDescriptor(many=True, required=False, default=list, help_text="Managed session policies")
    Tags = TagSerializer(many=True, required=False, default=list, help_text="Session tags: aws:PrincipalTag values")
    TransitiveTagKeys = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    SourceIdentity = serializers.CharField(required=False, trim_whitespace=False)


class GetSessionTokenInput(MfaFields):
    DurationSeconds = serializers.IntegerField(
        required=False, help_text="900 to 129600 (default 43200); the root user's at most 3600"
    )


class CredentialsOutput(serializers.Serializer):
    AccessKeyId = serializers.CharField(source="access_key_id", help_text="ASIA...: temporary")
    SecretAccessKey = serializers.CharField(source="secret")
    SessionToken = serializers.CharField(source="session_token", help_text="Sent with every request signed")
    Expiration = serializers.DateTimeField(source="expires_at", help_text="Sandbox time")


class AssumedRoleUserOutput(serializers.Serializer):
    AssumedRoleId = serializers.SerializerMethodField(help_text="The role's id and the session name: AROA...:NAME")
    Arn = serializers.CharField(source="arn", help_text="arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION")

    def get_AssumedRoleId(self, credential) -> str:
        return f"{credential.role.unique_id}:{credential.session_name}"


class AssumeRoleOutput(serializers.Serializer):
    Credentials = CredentialsOutput(source="*")
    AssumedRoleUser = AssumedRoleUserOutput(source="*")
    PackedPolicySize = serializers.SerializerMethodField(
        help_text="Only when session policies or tags were passed: how full their packed space is, in percent"
    )
    SourceIdentity = serializers.CharField(source="source_identity", required=False)

    def get_PackedPolicySize(self, credential) -> int | None:
        return packed_policy_size(credential)

    def to_representation(self, credential) -> dict[str, Any]:
        """AWS leaves out what the request did not set."""
        shown = super().to_representation(credential)
        if shown["PackedPolicySize"] is None:
            del shown["PackedPolicySize"]
        if not shown["SourceIdentity"]:
            del shown["SourceIdentity"]
        return shown


class GetSessionTokenOutput(serializers.Serializer):
    Credentials = CredentialsOutput(source="*")


class CallerIdentityOutput(serializers.Serializer):
    UserId = serializers.CharField(help_text="A user's id, a role session's AROA...:SESSION, or the account ID")
    Account = serializers.CharField()
    Arn = serializers.CharField()


class SessionPolicyOutput(serializers.Serializer):
    Id = serializers.CharField(help_text="The managed policy's ARN, or inline")
    Document = serializers.CharField()


class SessionOutput(serializers.Serializer):
    """One live set of temporary credentials: who holds it and until when. The secret and token are not listed."""

    AccessKeyId = serializers.CharField(source="access_key_id")
    Operation = serializers.CharField(source="operation", help_text="AssumeRole, GetSessionToken or InstanceRole")
    Arn = serializers.CharField(source="arn", help_text="The identity the credentials act as")
    RoleArn = serializers.CharField(source="role.arn", default=None)
    UserName = serializers.CharField(source="user.name", default=None)
    InstanceId = serializers.CharField(source="instance.instance_id", default=None)
    RoleSessionName = serializers.CharField(source="session_name")
    IssuedTo = serializers.CharField(source="issued_to", help_text="Who asked for them")
    IssuedAt = serializers.DateTimeField(source="issued_at", help_text="Sandbox time")
    Expiration = serializers.DateTimeField(source="expires_at", help_text="Sandbox time")
    SecondsLeft = serializers.SerializerMethodField()
    Chained = serializers.BooleanField(source="chained", help_text="Assumed with another role session's credentials")
    SourceIdentity = serializers.CharField(source="source_identity")
    Tags = TagSerializer(source="tags", many=True)
    TransitiveTagKeys = serializers.ListField(source="transitive_tag_keys", child=serializers.CharField())
    SessionPolicies = SessionPolicyOutput(source="session_policies", many=True)
    MfaAuthenticated = serializers.BooleanField(source="mfa_authenticated")

    @extend_schema_field(serializers.IntegerField())
    def get_SecondsLeft(self, credential) -> int:
        return sts.seconds_left(credential)
