"""Shapes several kinds of entity share: names and ids, tags, attached and inline policies, permissions boundaries."""

from __future__ import annotations

from rest_framework import serializers

DOCUMENT_HELP = (
    "The policy document as a JSON string, as IAM takes it: a string, not an object, so that what you wrote "
    "(duplicate keys, number spellings) reaches the validator unchanged."
)


def document_field(what: str = "") -> serializers.CharField:
    """A policy document: kept exactly as typed, blank allowed so the operation names what is wrong."""
    return serializers.CharField(trim_whitespace=False, allow_blank=True, help_text=f"{what}{DOCUMENT_HELP}")


def entity_output(noun: str) -> type[serializers.Serializer]:
    """What IAM's User, Group, Role and InstanceProfile types share: Path, {noun}Name, {noun}Id, Arn, CreateDate."""
    fields = {
        "Path": serializers.CharField(source="path"),
        f"{noun}Name": serializers.CharField(source="name"),
        f"{noun}Id": serializers.CharField(source="unique_id"),
        "Arn": serializers.CharField(source="arn"),
        "CreateDate": serializers.DateTimeField(source="created_at"),
    }
    return type(f"{noun}Entity", (serializers.Serializer,), fields)


def entity_input(noun: str) -> type[serializers.Serializer]:
    """Create{noun}'s name and path, kept as typed: the operation checks them by AWS's rules."""
    fields = {
        f"{noun}Name": serializers.CharField(trim_whitespace=False),
        "Path": serializers.CharField(trim_whitespace=False, required=False, default="/"),
    }
    return type(f"{noun}Creation", (serializers.Serializer,), fields)


class TagSerializer(serializers.Serializer):
    Key = serializers.CharField(trim_whitespace=False, allow_blank=True)
    Value = serializers.CharField(trim_whitespace=False, allow_blank=True, required=False, default="")


class TagsInput(serializers.Serializer):
    """TagUser / TagRole: tags to add; a key already present (in any case) is replaced."""

    Tags = TagSerializer(many=True, allow_empty=False)


class UntagInput(serializers.Serializer):
    """UntagUser / UntagRole: the keys to remove, as a repeated query parameter (?TagKeys=a&TagKeys=b)."""

    TagKeys = serializers.ListField(child=serializers.CharField(trim_whitespace=False), allow_empty=False)


class BoundaryOutput(serializers.Serializer):
    PermissionsBoundaryType = serializers.SerializerMethodField()
    PermissionsBoundaryArn = serializers.CharField(source="arn")

    def get_PermissionsBoundaryType(self, policy) -> str:
        return "Policy"


class BoundaryInput(serializers.Serializer):
    PermissionsBoundary = serializers.CharField(help_text="The ARN of the managed policy to use as the boundary")


class AttachedPolicyOutput(serializers.Serializer):
    PolicyName = serializers.CharField(source="name")
    PolicyArn = serializers.CharField(source="arn")


class PolicyArnInput(serializers.Serializer):
    PolicyArn = serializers.CharField(help_text="e.g. arn:aws:iam::aws:policy/ReadOnlyAccess")


class InlinePolicyOutput(serializers.Serializer):
    PolicyName = serializers.CharField(source="name")
    PolicyDocument = serializers.CharField(source="document")


class InlinePolicyInput(serializers.Serializer):
    PolicyDocument = document_field()
