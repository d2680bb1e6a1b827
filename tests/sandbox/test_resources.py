"""Resource-based policies by ARN: a bucket's policy for the bucket and its objects, a role's trust policy.

ARN formats: S3 User Guide, "Policy resources for Amazon S3"; IAM User Guide, "IAM identifiers" (role ARNs
carry the role's path). Why the owner account matters: IAM User Guide, "Cross-account policy evaluation logic".
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simulator.policy.evaluate import evaluate
from simulator.policy.model import PolicyType
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, PrincipalKind, make_request
from simulator.sandbox.models import Account, Bucket, Role, Sandbox
from simulator.sandbox.resources import ResourcePolicy, resource_policy

pytestmark = pytest.mark.django_db

PUBLIC_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}],
    }
)
TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture
def sandbox(learner) -> Sandbox:
    return Sandbox.objects.create_with_account(learner)


@pytest.fixture
def account(sandbox) -> Account:
    return sandbox.accounts.get()


@pytest.fixture
def bucket(sandbox, account) -> Bucket:
    return Bucket.objects.create(sandbox=sandbox, account=account, name="r", policy=PUBLIC_READ)


@pytest.fixture
def role(account) -> Role:
    return Role.objects.create(account=account, name="WebServer", path="/apps/", trust_policy=TRUST_EC2)


@pytest.mark.parametrize("arn", ["arn:aws:s3:::r", "arn:aws:s3:::r/", "arn:aws:s3:::r/reports/2024.txt"])
def test_a_bucket_and_its_objects_have_the_bucket_policy(sandbox, account, bucket, arn):
    found = resource_policy(sandbox, arn)
    assert (found.account_id, found.label, found.kind) == (account.account_id, "bucket policy of r", "bucket")
    assert found.policy.policy_type is PolicyType.RESOURCE
    assert found.policy.policy_id == "bucket policy of r"
    assert found.policy.text == PUBLIC_READ


def test_a_bucket_without_a_policy_still_names_its_owner(sandbox, account, bucket):
    Bucket.objects.filter(pk=bucket.pk).update(policy="")
    assert resource_policy(sandbox, "arn:aws:s3:::r/a") == ResourcePolicy(
        None, account.account_id, "bucket policy of r", "bucket"
    )


def test_a_role_has_its_trust_policy(sandbox, account, role):
    found = resource_policy(sandbox, role.arn)
    assert role.arn == f"arn:aws:iam::{account.account_id}:role/apps/WebServer"
    assert (found.account_id, found.label, found.kind) == (
        account.account_id,
        "trust policy of role WebServer",
        "trust",
    )
    assert found.policy.policy_type is PolicyType.TRUST


def test_a_bucket_of_another_account_of_the_sandbox_names_that_account(sandbox):
    second = Account.objects.create(sandbox=sandbox)
    Bucket.objects.create(sandbox=sandbox, account=second, name="theirs")
    assert resource_policy(sandbox, "arn:aws:s3:::theirs").account_id == second.account_id


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::missing",
        "arn:aws:s3:::*",
        "arn:aws:s3:::r*",
        "*",
        "arn:aws:iam::{account}:role/WebServer",  # the role's path is part of its ARN
        "arn:aws:iam::{account}:role/apps/*",
        "arn:aws:iam::999999999999:role/apps/WebServer",
        "arn:aws:iam::{account}:user/WebServer",
        "arn:aws:sqs:us-east-1:{account}:queue",
    ],
)
def test_anything_else_has_no_resource_policy(sandbox, account, bucket, role, arn):
    assert resource_policy(sandbox, arn.format(account=account.account_id)) is None


def test_another_sandboxs_resources_are_not_found(bucket, role, other_learner):
    elsewhere = Sandbox.objects.create_with_account(other_learner)
    assert resource_policy(elsewhere, "arn:aws:s3:::r") is None
    assert resource_policy(elsewhere, role.arn) is None


@pytest.mark.parametrize("arn", ["arn:aws:s3:::r/a", "role"])
def test_one_query_at_most(sandbox, bucket, role, arn):
    with CaptureQueriesContext(connection) as captured:
        resource_policy(sandbox, role.arn if arn == "role" else arn)
    assert len(captured) == 1


def test_the_trust_policy_decides_who_may_assume_the_role(sandbox, account, role):
    found = resource_policy(sandbox, role.arn)
    ec2 = Principal("ec2.amazonaws.com", PrincipalKind.SERVICE, "")
    request = make_request(ec2, "sts:AssumeRole", role.arn, resource_account=found.account_id)
    assert evaluate(request, PolicySet(resource=found.policy)).allowed
