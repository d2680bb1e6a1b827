"""A living account for a newcomer to explore: a few users, groups, a role and policies.

Built through the same IAM actions a learner uses, as the account's root user,
so the demo can never hold a state the console could not produce.
"""

import json

from . import operations as ops
from .authorization import Actor
from .models import Sandbox


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


def create_demo_sandbox(owner) -> Sandbox:
    """A playground sandbox whose account already holds users, groups, a role and policies."""
    sandbox = Sandbox.objects.create_with_account(owner)
    root = Actor(sandbox.accounts.get())
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
    ops.create_role(root, "WebServer", EC2_TRUST, description="Assumed by the web tier's EC2 instances")
    return sandbox
