"""S3 buckets and objects. Bucket names are unique across the sandbox's accounts, so a bucket is named the same
from any of them: acting as an identity of another account of the sandbox is a cross-account request, which
the bucket policy must allow as well ("Cross-account policy evaluation logic")."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import AccountView, created, valid
from simulator.api.serializers.buckets import (
    BucketInput,
    BucketOutput,
    BucketPolicyInput,
    BucketPolicyOutput,
    ObjectFilter,
    ObjectInput,
    ObjectOutput,
    ObjectSummaryOutput,
)
from simulator.sandbox import buckets, errors
from simulator.sandbox.models import Bucket


class BucketsView(AccountView):
    aws_actions = {"GET": "ListBuckets", "POST": "CreateBucket"}

    @extend_schema(responses=BucketOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The buckets this account owns."""
        return self.listed(self.account.buckets.select_related("account"), BucketOutput)

    @extend_schema(request=BucketInput, responses={201: BucketOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        bucket = buckets.create_bucket(self.actor, valid(BucketInput, request.data)["Bucket"])
        return created(bucket, BucketOutput)


class BucketView(AccountView):
    aws_actions = {"DELETE": "DeleteBucket"}

    @extend_schema(summary="Get a bucket", responses=BucketOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        """Any bucket of the sandbox, whichever account owns it; read as the console shows it, not decided."""
        found = (
            Bucket.objects.filter(sandbox_id=self.account.sandbox_id, name=bucket_name)
            .select_related("account")
            .first()
        )
        if found is None:
            raise errors.AwsError("NoSuchBucket", "The specified bucket does not exist", 404)
        return Response(BucketOutput(found).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        """Only an empty bucket can go (BucketNotEmpty)."""
        buckets.delete_bucket(self.actor, bucket_name)
        return Response(status=204)


class BucketPolicyView(AccountView):
    """Only identities of the owner's account may use these (MethodNotAllowed otherwise), and the owner's root
    user always may, whatever the policy says: no one can lock the owner out."""

    aws_actions = {"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"}

    @extend_schema(responses=BucketPolicyOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        return Response({"Policy": buckets.get_bucket_policy(self.actor, bucket_name)})

    @extend_schema(request=BucketPolicyInput, responses={204: None})
    def put(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        buckets.put_bucket_policy(self.actor, bucket_name, valid(BucketPolicyInput, request.data)["Policy"])
        return Response(status=204)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        buckets.delete_bucket_policy(self.actor, bucket_name)
        return Response(status=204)


class ObjectsView(AccountView):
    aws_actions = {"GET": "ListObjectsV2"}

    @extend_schema(parameters=[ObjectFilter], responses=ObjectSummaryOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str) -> Response:
        """Needs s3:ListBucket; the prefix is the s3:prefix condition key, so a policy can allow part of a bucket."""
        prefix = valid(ObjectFilter, request.query_params)["Prefix"]
        return self.listed(buckets.list_objects(self.actor, bucket_name, prefix), ObjectSummaryOutput)


class ObjectView(AccountView):
    aws_actions = {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject"}

    @extend_schema(responses=ObjectOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str, key: str) -> Response:
        """A missing key is NoSuchKey only to whoever may list the bucket; to anyone else, AccessDenied."""
        return Response(ObjectOutput(buckets.get_object(self.actor, bucket_name, key)).data)

    @extend_schema(request=ObjectInput, responses=ObjectOutput)
    def put(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str, key: str) -> Response:
        data = valid(ObjectInput, request.data)
        stored = buckets.put_object(self.actor, bucket_name, key, data["Body"], data["ContentType"])
        return Response(ObjectOutput(stored).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, bucket_name: str, key: str) -> Response:
        buckets.delete_object(self.actor, bucket_name, key)
        return Response(status=204)
