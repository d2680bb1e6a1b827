"""S3 through the API: Amazon S3 API Reference, CreateBucket, DeleteBucket, PutBucketPolicy, GetBucketPolicy,
DeleteBucketPolicy, PutObject, GetObject, DeleteObject, ListObjectsV2 and "Error responses"; IAM User Guide,
"Cross-account policy evaluation logic"."""

import json

import pytest

from simulator.sandbox import buckets, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Bucket

from .conftest import assert_error, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(root) -> Bucket:
    bucket = buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q1/summary.txt", "all good")
    buckets.put_object(root, "reports", "q2/plan.txt", "to do")
    return bucket


def test_create_bucket_and_list_the_accounts_buckets(api, url, account):
    created = api.post(url + "buckets/", {"Bucket": "logs-2026"}, format="json").json()
    assert created["Arn"] == "arn:aws:s3:::logs-2026"
    assert created["OwnerAccountId"] == account.account_id
    assert [b["Name"] for b in api.get(url + "buckets/").json()["results"]] == ["logs-2026"]


@pytest.mark.parametrize(
    ("name", "status", "code"), [("Bad_Name", 400, "InvalidBucketName"), ("reports", 409, "BucketAlreadyOwnedByYou")]
)
def test_create_bucket_errors_are_s3s(api, url, reports, name, status, code):
    assert_error(api.post(url + "buckets/", {"Bucket": name}, format="json"), status, code)


def test_objects_are_put_listed_read_and_deleted(api, url, reports):
    put = api.put(
        url + "buckets/reports/objects/q3/notes.md", {"Body": "# Q3", "ContentType": "text/markdown"}, format="json"
    )
    assert (put.json()["Key"], put.json()["ContentType"]) == ("q3/notes.md", "text/markdown")
    listed = api.get(url + "buckets/reports/objects/?Prefix=q").json()["results"]
    assert [o["Key"] for o in listed] == ["q1/summary.txt", "q2/plan.txt", "q3/notes.md"]
    assert "Body" not in listed[0]
    assert api.get(url + "buckets/reports/objects/q1/summary.txt").json()["Body"] == "all good"
    assert api.delete(url + "buckets/reports/objects/q1/summary.txt").status_code == 204
    assert_error(api.get(url + "buckets/reports/objects/q1/summary.txt"), 404, "NoSuchKey")


def test_a_bucket_with_objects_cannot_be_deleted(api, url, reports):
    assert_error(api.delete(url + "buckets/reports/"), 409, "BucketNotEmpty")


def test_a_missing_bucket_is_no_such_bucket(api, url):
    assert_error(api.get(url + "buckets/nothing-here/"), 404, "NoSuchBucket")
    assert_error(api.get(url + "buckets/nothing-here/objects/"), 404, "NoSuchBucket")


def test_the_bucket_policy_is_put_read_and_deleted(api, url, reports, alice):
    policy = document(
        {"Effect": "Allow", "Principal": {"AWS": alice.arn}, "Action": "s3:GetObject", "Resource": f"{reports.arn}/*"}
    )
    assert_error(api.get(url + "buckets/reports/policy/"), 404, "NoSuchBucketPolicy")
    assert api.put(url + "buckets/reports/policy/", {"Policy": policy}, format="json").status_code == 204
    assert api.get(url + "buckets/reports/policy/").json() == {"Policy": policy}
    assert api.delete(url + "buckets/reports/policy/").status_code == 204


def test_a_user_reads_an_object_only_when_allowed_and_the_denial_explains(api, url, root, reports, alice):
    as_alice = {"X-Sandbox-Principal": "user/alice"}
    denied = api.get(url + "buckets/reports/objects/q1/summary.txt", headers=as_alice)
    error = assert_error(denied, 403, "AccessDenied", "s3:GetObject")
    assert error["Decision"]["EvalDecision"] == "implicitDeny"
    operations.put_user_policy(
        root, "alice", "Read", document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{reports.arn}/*"})
    )
    assert api.get(url + "buckets/reports/objects/q1/summary.txt", headers=as_alice).json()["Body"] == "all good"


def test_another_account_of_the_sandbox_needs_the_bucket_policy_too(api, sandbox, root, reports):
    """Cross-account: the second account's user is allowed by its own policy, and the bucket policy decides."""
    second = Account.objects.create(sandbox=sandbox)
    second_root = Actor(second)
    operations.create_user(second_root, "bob")
    operations.put_user_policy(
        second_root, "bob", "Read", document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    )
    path = f"/api/sandboxes/{sandbox.id}/accounts/{second.account_id}/buckets/reports/objects/q1/summary.txt"
    assert_error(api.get(path, headers={"X-Sandbox-Principal": "user/bob"}), 403, "AccessDenied")
    bob = second.users.get()
    policy = {
        "Effect": "Allow",
        "Principal": {"AWS": bob.arn},
        "Action": "s3:GetObject",
        "Resource": f"{reports.arn}/*",
    }
    buckets.put_bucket_policy(root, "reports", json.dumps({"Version": "2012-10-17", "Statement": [policy]}))
    assert api.get(path, headers={"X-Sandbox-Principal": "user/bob"}).json()["Body"] == "all good"
