"""What the STS, signed-request and instance tests share: a role alice may assume, a bucket it may read, and
the headers that sign a request with credentials. Imported by those test modules (fixtures included)."""

import pytest

from simulator.sandbox import buckets, clock, ec2, operations, role_operations
from simulator.sandbox.authorization import Actor

from .conftest import document

STS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
# The role reads the bucket reports; the trust policy trusts the account (so alice's own policy decides).
ROLE_READS_REPORTS = document(
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports*"]}
)
ALICE_ASSUMES_READER = document(
    {
        "Effect": "Allow",
        "Action": STS,
        "Resource": "arn:aws:iam::*:role/reader",
    }
)
PUBLIC_ONLY = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/public/*"})


def trusting(account_id: str) -> str:
    """A trust policy trusting the account: then the caller's own policies decide."""
    return document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": STS})


def signed(key_id: str, secret: str, token: str = "") -> dict[str, str]:
    """The headers signing a request with these credentials, as the test client takes them."""
    headers = {"HTTP_X_SANDBOX_ACCESS_KEY_ID": key_id, "HTTP_X_SANDBOX_SECRET_ACCESS_KEY": secret}
    if token:
        headers["HTTP_X_SANDBOX_SESSION_TOKEN"] = token
    return headers


def with_credentials(credentials: dict[str, str]) -> dict[str, str]:
    """The headers signing with an AssumeRole or GetSessionToken answer's Credentials."""
    return signed(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


AS_ALICE = {"HTTP_X_SANDBOX_PRINCIPAL": "user/alice"}


@pytest.fixture
def reader(root, alice, account):
    """The role reader, which alice may assume and which may read the bucket reports (two objects)."""
    role = operations.create_role(root, "reader", trusting(account.account_id))
    operations.put_role_policy(root, "reader", "ReadReports", ROLE_READS_REPORTS)
    operations.put_user_policy(root, "alice", "AssumeReader", ALICE_ASSUMES_READER)
    buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q1/summary.txt", "all good")
    buckets.put_object(root, "reports", "public/notes.txt", "hello")
    return role


@pytest.fixture
def web_profile(root, reader):
    """The instance profile web, holding the role reader, which trusts EC2 too."""
    trust = document(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{root.account.account_id}:root"}, "Action": STS},
    )
    role_operations.update_assume_role_policy(root, "reader", trust)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "reader")
    return "web"


def instances_for_the_table(account) -> dict[str, str]:
    """test_every_endpoint's instances, running: ``instance`` with the world's profile web (IMDSv1 allowed, so a
    plain GET reads its metadata), ``bare_instance`` with no profile."""
    root = Actor(account)
    (instance,) = ec2.run_instances(root, instance_profile_name="web", http_tokens="optional")
    (bare,) = ec2.run_instances(root)
    clock.advance(account.sandbox, 60)
    return {"instance": instance.instance_id, "bare_instance": bare.instance_id}
