"""A living account for a newcomer to explore: a few users, groups, roles, policies and a bucket.

Built through the same IAM actions a learner uses, as the account's root user,
so the demo can never hold a state the console could not produce.
"""

import json

from django.db import transaction

from . import buckets, ec2, role_operations
from . import operations as ops
from .authorization import Actor
from .models import Account, Sandbox


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


READ_REPORTS = _document(
    {
        "Sid": "ReadReports",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
    }
)
DESCRIBE_EC2 = _document({"Sid": "SeeInstances", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})
MANAGE_IAM = _document({"Sid": "RunIam", "Effect": "Allow", "Action": "iam:*", "Resource": "*"})
EC2_TRUST = _document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
QUARTERLY_REPORT = "region,revenue\neu-west-1,1200\nus-east-1,3400\n"


def _account_trust(account_id: str) -> str:
    """Anyone in the account whose own policies allow sts:AssumeRole on the role may assume it."""
    principal = {"AWS": f"arn:aws:iam::{account_id}:root"}
    return _document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def _reports_bucket_policy(account_id: str) -> str:
    """The bucket's side: the web tier's role may read reports; nobody may use plain HTTP."""
    return _document(
        {
            "Sid": "WebTierReads",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:role/WebServer"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*",
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )


def create_demo_sandbox(owner) -> Sandbox:
    """A playground sandbox built from the demo template (resetting it rebuilds the same)."""
    with transaction.atomic():
        sandbox = Sandbox.objects.create(owner=owner, name="Playground", template=Sandbox.Template.DEMO)
        populate(Account.objects.create(sandbox=sandbox))
    return sandbox


def populate(account: Account) -> None:
    """Fill a fresh account with the demo's users, groups, policies, roles, an instance running with the web
    tier's role and a bucket, acting as its root user."""
    root = Actor(account)
    for name in ("alice", "bob", "carol"):
        ops.create_user(root, name, "/staff/")
    for name in ("Developers", "Admins"):
        ops.create_group(root, name)
    reports = ops.create_policy(root, "ReadReports", READ_REPORTS, description="Read the reports bucket")
    ops.attach_group_policy(root, "Developers", reports.arn)
    ops.put_group_policy(root, "Developers", "see-instances", DESCRIBE_EC2)
    ops.put_group_policy(root, "Admins", "manage-iam", MANAGE_IAM)
    ops.add_user_to_group(root, "Developers", "alice")
    ops.add_user_to_group(root, "Developers", "bob")
    ops.add_user_to_group(root, "Admins", "carol")
    ops.tag_user(root, "alice", [{"Key": "team", "Value": "analytics"}])
    ops.create_role(root, "WebServer", EC2_TRUST, description="Assumed by the web tier's EC2 instances")
    ops.attach_role_policy(root, "WebServer", reports.arn)
    role_operations.create_instance_profile(root, "WebServer")
    role_operations.add_role_to_instance_profile(root, "WebServer", "WebServer")
    ec2.run_instances(root, instance_profile_name="WebServer", tags=[{"Key": "Name", "Value": "web-1"}])
    ops.create_role(root, "Auditor", _account_trust(account.account_id), description="Read-only access for audits")
    ops.attach_role_policy(root, "Auditor", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "2026/q3.csv", QUARTERLY_REPORT, "text/csv")
    buckets.put_bucket_policy(root, "reports", _reports_bucket_policy(account.account_id))
