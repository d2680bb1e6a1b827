import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from simulator.sandbox import access_keys, buckets, credentials, operations, password_policy, role_operations


@pytest.fixture
def url(sandbox, account) -> str:
    """The account's API root: /api/sandboxes/{id}/accounts/{account_id}/."""
    return f"/api/sandboxes/{sandbox.id}/accounts/{account.account_id}/"


@pytest.fixture
def api(learner) -> APIClient:
    """The learner, signed in (session authentication; CSRF is not enforced by the test client)."""
    client = APIClient()
    client.force_login(learner)
    return client


@pytest.fixture
def other_api(other_learner) -> APIClient:
    """Another learner, signed in: the first learner's sandbox must not exist for them."""
    client = APIClient()
    client.force_login(other_learner)
    return client


@pytest.fixture
def alice(root):
    return operations.create_user(root, "alice", "/engineering/")


def assert_error(response, status: int, code: str, message: str = "") -> dict:
    """The response is an error in the API's one shape, with this status, AWS code and (part of a) message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"Error", "RequestId"}
    assert body["Error"]["Code"] == code
    assert body["Error"]["Type"] == ("Receiver" if status >= 500 else "Sender")
    assert message in body["Error"]["Message"]
    assert response["x-amzn-RequestId"] == body["RequestId"]
    return body["Error"]


def site_routes(patterns: list | None = None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site as the route it matches, e.g. api/sandboxes/<int:sandbox_id>/."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += site_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ_REPORTS = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"})
EC2_TRUST = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


@pytest.fixture
def world(root, alice):
    """One of everything in the account, made through the operations: what every endpoint can name.

    alice (in group admins, with a tag, an inline and an attached policy, a boundary, a password and an
    access key), the customer managed policy ReadReports (two versions), the role app (with a boundary and a
    tag) in the instance profile web, the bucket reports (with a policy and an object), a root access key, a
    password policy, an alias, the Auto Scaling service-linked role, and the decisions all that logged. Spare
    ones nothing depends on can be deleted: the user carol, the group readers, the role spare, the policy
    Unused, the instance profile spare-profile and the bucket empty-bucket.
    """
    policy = operations.create_policy(root, "ReadReports", READ_REPORTS)
    operations.create_policy_version(root, policy.arn, READ_REPORTS)
    operations.create_group(root, "admins")
    operations.add_user_to_group(root, "admins", "alice")
    operations.put_group_policy(root, "admins", "GroupInline", READ_REPORTS)
    operations.attach_group_policy(root, "admins", policy.arn)
    operations.put_user_policy(root, "alice", "Inline", READ_REPORTS)
    operations.attach_user_policy(root, "alice", policy.arn)
    operations.tag_user(root, "alice", [{"Key": "team", "Value": "data"}])
    operations.put_user_permissions_boundary(root, "alice", policy.arn)
    password_policy.create_login_profile(root, "alice", "Correct-Horse-7")
    key = access_keys.create_access_key(root, "alice")
    operations.create_role(root, "app", EC2_TRUST)
    operations.put_role_policy(root, "app", "RoleInline", READ_REPORTS)
    operations.attach_role_policy(root, "app", policy.arn)
    operations.tag_role(root, "app", [{"Key": "tier", "Value": "web"}])
    operations.put_role_permissions_boundary(root, "app", policy.arn)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "app")
    buckets.create_bucket(root, "reports")
    buckets.put_bucket_policy(
        root,
        "reports",
        document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": alice.arn},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            }
        ),
    )
    buckets.put_object(root, "reports", "q1/summary.txt", "all good")
    buckets.create_bucket(root, "empty-bucket")
    operations.create_user(root, "carol")
    operations.create_group(root, "readers")
    operations.create_role(root, "spare", EC2_TRUST)
    operations.create_policy(root, "Unused", READ_REPORTS)
    role_operations.create_instance_profile(root, "spare-profile")
    role_operations.create_service_linked_role(root, "autoscaling.amazonaws.com")
    root_key = access_keys.create_access_key(root, None)
    password_policy.update_account_password_policy(root, MinimumPasswordLength=10)
    credentials.create_account_alias(root, "learner-main")
    return {"policy": policy, "access_key": key, "root_key": root_key}
