"""S3 buckets, their policies and objects, in the S3 API's field names."""

from __future__ import annotations

from rest_framework import serializers

from simulator.api.serializers.common import document_field


class BucketOutput(serializers.Serializer):
    Name = serializers.CharField(source="name")
    Arn = serializers.CharField(source="arn")
    OwnerAccountId = serializers.CharField(source="account.account_id")
    CreationDate = serializers.DateTimeField(source="created_at")


class BucketInput(serializers.Serializer):
    Bucket = serializers.CharField(trim_whitespace=False, help_text="Unique across the sandbox's accounts")


class BucketPolicyOutput(serializers.Serializer):
    Policy = serializers.CharField()


class BucketPolicyInput(serializers.Serializer):
    Policy = document_field("The bucket policy, a resource-based policy naming its principals. ")


class ObjectSummaryOutput(serializers.Serializer):
    Key = serializers.CharField(source="key")
    LastModified = serializers.DateTimeField(source="updated_at")
    ContentType = serializers.CharField(source="content_type")


class ObjectOutput(ObjectSummaryOutput):
    Body = serializers.CharField(source="body")


class ObjectInput(serializers.Serializer):
    Body = serializers.CharField(trim_whitespace=False, allow_blank=True, help_text="Text, 64 KiB at most")
    ContentType = serializers.CharField(required=False, default="text/plain")


class ObjectFilter(serializers.Serializer):
    Prefix = serializers.CharField(
        required=False, default="", trim_whitespace=False, help_text="Only keys that begin with it (s3:prefix)"
    )
