"""The library of AWS managed policies, with AWS's published documents.

Sources: IAM User Guide, "AWS managed policies" (AWS maintains them; every account can attach them; their
ARNs are arn:aws:iam::aws:policy/...) and the AWS Managed Policy Reference Guide (each policy's description,
default version and document).
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy
from simulator.sandbox import aws_managed
from simulator.sandbox import operations as ops
from simulator.sandbox.authorization import Actor, authorize
from simulator.sandbox.models import ManagedPolicy, PolicyVersion, Sandbox

pytestmark = pytest.mark.django_db

LIBRARY = {policy.name: policy for policy in aws_managed.library()}
REQUIRED = [
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess",
]


def stored() -> dict[str, tuple[str, str, int, str]]:
    versions = PolicyVersion.objects.filter(policy__account=None, is_default=True).select_related("policy")
    return {v.policy.name: (v.policy.path, v.policy.description, v.number, v.document) for v in versions}


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]


@pytest.mark.parametrize("name", REQUIRED)
def test_the_common_aws_managed_policies_are_in_the_library(name):
    assert name in LIBRARY


@pytest.mark.parametrize("policy", aws_managed.library(), ids=lambda policy: policy.name)
def test_every_document_parses_as_an_identity_based_policy(policy):
    parsed = parse_policy(policy.document, PolicyType.IDENTITY, policy_id=policy.arn)
    assert parsed.statements


@pytest.mark.parametrize("file", sorted(aws_managed.LIBRARY.glob("*.json")), ids=lambda file: file.stem)
def test_each_file_is_named_after_its_policy_and_agrees_with_its_arn(file):
    data = json.loads(file.read_text())
    assert data["PolicyName"] == file.stem
    assert data["Arn"] == f"arn:aws:iam::aws:policy{data['Path']}{data['PolicyName']}"
    assert data["DefaultVersionId"].startswith("v") and data["Description"]


@pytest.mark.parametrize(
    ("name", "arn", "version"),
    [
        ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", 1),
        ("ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", 45),
        (
            "AmazonS3ObjectLambdaExecutionRolePolicy",
            "arn:aws:iam::aws:policy/service-role/AmazonS3ObjectLambdaExecutionRolePolicy",
            1,
        ),
        ("PowerUserAccess", "arn:aws:iam::aws:policy/PowerUserAccess", 12),
    ],
)
def test_paths_and_version_numbers_are_aws_own(name, arn, version):
    assert (LIBRARY[name].arn, LIBRARY[name].version) == (arn, version)


def test_administrator_access_is_the_document_aws_publishes():
    assert json.loads(LIBRARY["AdministratorAccess"].document) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def test_every_database_has_the_library_after_migrate():
    """pytest-django builds the test database with migrate, so post_migrate has already run."""
    expected = {p.name: (p.path, p.description, p.version, p.document) for p in LIBRARY.values()}
    assert stored() == expected
    for policy in ManagedPolicy.objects.filter(account=None, name__in=LIBRARY):
        assert policy.arn == LIBRARY[policy.name].arn
        assert policy.unique_id == LIBRARY[policy.name].unique_id
        assert policy.unique_id.startswith("ANPA") and len(policy.unique_id) == 21


def test_installing_again_changes_nothing():
    with CaptureQueriesContext(connection) as captured:
        aws_managed.install_library()
    assert writes(captured) == []


def test_missing_policies_are_created_in_bulk():
    ManagedPolicy.objects.filter(account=None).delete()
    with CaptureQueriesContext(connection) as captured:
        aws_managed.install_library()
    assert len(stored()) == len(LIBRARY)
    assert len(captured) <= 8, [q["sql"][:80] for q in captured]


def test_changed_documents_descriptions_and_lost_versions_are_brought_up_to_date():
    admin = PolicyVersion.objects.get(policy__account=None, policy__name="AdministratorAccess")
    admin.number, admin.document = 7, '{"Version": "2012-10-17", "Statement": []}'
    admin.save()
    ManagedPolicy.objects.filter(account=None, name="IAMFullAccess").update(description="old words", path="/old/")
    PolicyVersion.objects.filter(policy__account=None, policy__name="AmazonS3FullAccess").delete()
    aws_managed.install_library()
    expected = {p.name: (p.path, p.description, p.version, p.document) for p in LIBRARY.values()}
    assert stored() == expected


def test_aws_managed_policies_outside_the_library_are_left_alone():
    other = ManagedPolicy.objects.create(name="AWSServiceRoleForSomething", path="/aws-service-role/")
    PolicyVersion.objects.create(policy=other, number=3, document="{}", is_default=True)
    aws_managed.install_library()
    assert PolicyVersion.objects.get(policy=other).document == "{}"


@pytest.mark.parametrize(
    ("policy", "action", "resource", "allowed"),
    [
        ("ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::reports/q1.csv", True),
        ("ReadOnlyAccess", "iam:ListUsers", "*", True),
        ("ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::reports/q1.csv", False),
        ("ReadOnlyAccess", "iam:CreateUser", "*", False),
        ("PowerUserAccess", "ec2:RunInstances", "*", True),
        ("PowerUserAccess", "iam:CreateUser", "*", False),
        ("AmazonS3ReadOnlyAccess", "s3:ListBucket", "arn:aws:s3:::reports", True),
        ("AmazonS3ReadOnlyAccess", "s3:DeleteObject", "arn:aws:s3:::reports/q1.csv", False),
        ("IAMUserChangePassword", "iam:ChangePassword", "USER_ARN", True),
        ("IAMUserChangePassword", "iam:ChangePassword", "arn:aws:iam::ACCOUNT:user/bob", False),
    ],
)
def test_an_attached_aws_managed_policy_grants_what_its_document_says(learner, policy, action, resource, allowed):
    account = Sandbox.objects.create_with_account(learner).accounts.get()
    root = Actor(account)
    alice = ops.create_user(root, "alice")
    ops.attach_user_policy(root, "alice", LIBRARY[policy].arn)
    resource = resource.replace("USER_ARN", alice.arn).replace("ACCOUNT", account.account_id)
    assert authorize(Actor(account, user=alice), action, resource).allowed is allowed
