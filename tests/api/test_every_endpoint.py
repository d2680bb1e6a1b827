"""Every endpoint, table-driven: the owner reaches the operation; another learner gets NoSuchEntity, in the error
shape, exactly as for a sandbox that does not exist; and the table names every route under /api/."""

import json

import pytest
from django.urls import get_resolver

from simulator.sandbox.models import DecisionRecord, PolicyVersion

from .conftest import EC2_TRUST, READ_REPORTS, assert_error, site_routes
from .roles_at_work import instances_for_the_table

pytestmark = pytest.mark.django_db

S = "{sandbox}"
A = "{account}"
EMPTY_DUMP = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}


def identity_policy_endpoints(entity: str, inline: str, tag_key: str | None = None) -> list[tuple]:
    """The endpoints users, groups and roles share (simulator/api/urls.py mounts the same views for each) under
    ``entity``'s path, whose inline policy ``inline`` exists; users and roles, tagged ``tag_key``, also have
    tags and a permissions boundary."""
    endpoints = [
        ("get", entity + "attached-policies/", None, 200),
        ("post", entity + "attached-policies/", {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, 204),
        ("delete", entity + "attached-policies/?PolicyArn={policy_arn}", None, 204),
        ("get", entity + "policies/", None, 200),
        ("get", entity + f"policies/{inline}/", None, 200),
        ("put", entity + "policies/Second/", {"PolicyDocument": READ_REPORTS}, 200),
        ("delete", entity + f"policies/{inline}/", None, 204),
    ]
    if tag_key is not None:
        endpoints += [
            ("get", entity + "tags/", None, 200),
            ("post", entity + "tags/", {"Tags": [{"Key": "cost", "Value": "42"}]}, 204),
            ("delete", entity + f"tags/?TagKeys={tag_key}", None, 204),
            ("put", entity + "permissions-boundary/", {"PermissionsBoundary": "{policy_arn}"}, 204),
            ("delete", entity + "permissions-boundary/", None, 204),
        ]
    return endpoints


# (method, path, body, the owner's status). Paths and bodies name what the world fixture holds.
ENDPOINTS = [
    ("get", S, None, 200),
    ("delete", S + "?ConfirmName=Playground", None, 204),
    ("post", S + "reset/", None, 200),
    ("get", S + "accounts/", None, 200),
    ("post", S + "accounts/", {"AccountAlias": "second"}, 201),
    ("get", A, None, 200),
    ("get", A + "export/", None, 200),
    ("post", A + "import/?Replace=true", EMPTY_DUMP, 201),
    ("get", A + "users/", None, 200),
    ("post", A + "users/", {"UserName": "bob"}, 201),
    ("get", A + "users/alice/", None, 200),
    ("delete", A + "users/carol/", None, 204),
    ("get", A + "users/alice/groups/", None, 200),
    *identity_policy_endpoints(A + "users/alice/", "Inline", tag_key="team"),
    ("get", A + "users/alice/login-profile/", None, 200),
    ("post", A + "users/carol/login-profile/", {"Password": "Another-Horse-8"}, 201),
    ("patch", A + "users/alice/login-profile/", {"PasswordResetRequired": True}, 200),
    ("delete", A + "users/alice/login-profile/", None, 204),
    ("get", A + "users/alice/access-keys/", None, 200),
    ("post", A + "users/alice/access-keys/", None, 201),
    ("patch", A + "users/alice/access-keys/{key}/", {"Status": "Inactive"}, 200),
    ("delete", A + "users/alice/access-keys/{key}/", None, 204),
    ("get", A + "groups/", None, 200),
    ("post", A + "groups/", {"GroupName": "ops"}, 201),
    ("get", A + "groups/admins/", None, 200),
    ("delete", A + "groups/readers/", None, 204),
    ("get", A + "groups/admins/members/", None, 200),
    ("post", A + "groups/admins/members/", {"UserName": "carol"}, 204),
    ("delete", A + "groups/admins/members/alice/", None, 204),
    *identity_policy_endpoints(A + "groups/admins/", "GroupInline"),
    ("get", A + "roles/", None, 200),
    ("post", A + "roles/", {"RoleName": "batch", "AssumeRolePolicyDocument": EC2_TRUST}, 201),
    ("get", A + "roles/app/", None, 200),
    ("patch", A + "roles/app/", {"Description": "the app"}, 200),
    ("delete", A + "roles/spare/", None, 204),
    ("put", A + "roles/app/trust-policy/", {"PolicyDocument": EC2_TRUST}, 200),
    ("get", A + "roles/app/instance-profiles/", None, 200),
    *identity_policy_endpoints(A + "roles/app/", "RoleInline", tag_key="tier"),
    ("post", A + "service-linked-roles/", {"AWSServiceName": "rds.amazonaws.com"}, 201),
    ("delete", A + "service-linked-roles/AWSServiceRoleForAutoScaling/", None, 200),
    ("get", A + "service-linked-roles/AWSServiceRoleForAutoScaling/resources/", None, 200),
    ("post", A + "service-linked-roles/AWSServiceRoleForAutoScaling/resources/", {"ResourceArn": "arn:x"}, 200),
    ("delete", A + "service-linked-roles/AWSServiceRoleForAutoScaling/resources/?ResourceArn=arn:x", None, 200),
    ("get", A + "instance-profiles/", None, 200),
    ("post", A + "instance-profiles/", {"InstanceProfileName": "batch"}, 201),
    ("get", A + "instance-profiles/web/", None, 200),
    ("delete", A + "instance-profiles/spare-profile/", None, 204),
    ("post", A + "instance-profiles/spare-profile/roles/", {"RoleName": "spare"}, 204),
    ("delete", A + "instance-profiles/web/roles/app/", None, 204),
    ("get", A + "policies/", None, 200),
    ("post", A + "policies/", {"PolicyName": "Another", "PolicyDocument": READ_REPORTS}, 201),
    ("get", A + "policies/ReadReports/", None, 200),
    ("delete", A + "policies/Unused/", None, 204),
    ("get", A + "policies/ReadReports/entities/", None, 200),
    ("get", A + "policies/ReadReports/versions/", None, 200),
    ("post", A + "policies/ReadReports/versions/", {"PolicyDocument": READ_REPORTS}, 201),
    ("get", A + "policies/ReadReports/versions/v1/", None, 200),
    ("delete", A + "policies/ReadReports/versions/v2/", None, 204),
    ("post", A + "policies/ReadReports/versions/v2/set-default/", None, 200),
    ("get", A + "aws-managed-policies/ReadOnlyAccess/", None, 200),
    ("get", A + "aws-managed-policies/ReadOnlyAccess/entities/", None, 200),
    ("get", A + "aws-managed-policies/ReadOnlyAccess/versions/", None, 200),
    ("get", A + "aws-managed-policies/ReadOnlyAccess/versions/{aws_version}/", None, 200),
    # AWS's policies are AWS's: the operation refuses whoever asks.
    ("post", A + "aws-managed-policies/ReadOnlyAccess/versions/{aws_version}/set-default/", None, 403),
    ("get", A + "buckets/", None, 200),
    ("post", A + "buckets/", {"Bucket": "logs-2026"}, 201),
    ("get", A + "buckets/reports/", None, 200),
    ("delete", A + "buckets/empty-bucket/", None, 204),
    ("get", A + "buckets/reports/policy/", None, 200),
    ("put", A + "buckets/empty-bucket/policy/", {"Policy": "{bucket_policy}"}, 204),
    ("delete", A + "buckets/reports/policy/", None, 204),
    ("get", A + "buckets/reports/objects/", None, 200),
    ("get", A + "buckets/reports/objects/q1/summary.txt", None, 200),
    ("put", A + "buckets/reports/objects/q2/plan.txt", {"Body": "to do"}, 200),
    ("delete", A + "buckets/reports/objects/q1/summary.txt", None, 204),
    ("get", A + "password-policy/", None, 200),
    ("put", A + "password-policy/", {"MinimumPasswordLength": 12, "RequireSymbols": True}, 200),
    ("delete", A + "password-policy/", None, 204),
    ("get", A + "aliases/", None, 200),
    ("post", A + "aliases/", {"AccountAlias": "learner-main"}, 201),
    ("delete", A + "aliases/learner-main/", None, 204),
    ("put", A + "root/email/", {"EmailAddress": "root@example.com"}, 200),
    ("post", A + "root/mfa/", {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}, 200),
    ("delete", A + "root/mfa/", None, 404),
    ("get", A + "root/access-keys/", None, 200),
    ("post", A + "root/access-keys/", None, 201),
    ("patch", A + "root/access-keys/{root_key}/", {"Status": "Inactive"}, 200),
    ("delete", A + "root/access-keys/{root_key}/", None, 204),
    ("get", A + "decisions/", None, 200),
    ("get", A + "decisions/{decision}/", None, 200),
    ("post", A + "simulate/", {"ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::reports/x"]}, 200),
    ("get", S + "clock/", None, 200),
    ("post", S + "clock/rate/", {"Rate": 60}, 200),
    ("post", S + "clock/advance/", {"Seconds": 60}, 200),
    ("post", S + "clock/resync/", None, 200),
    # The root user may not assume a role (AccessDenied); the signed-request tests assume roles as users.
    ("post", A + "sts/assume-role/", {"RoleArn": "{role_arn}", "RoleSessionName": "s1"}, 403),
    ("post", A + "sts/get-session-token/", {}, 200),
    ("get", A + "sts/get-caller-identity/", None, 200),
    ("post", A + "sts/get-caller-identity/", None, 200),
    ("get", A + "sts/sessions/", None, 200),
    ("get", A + "instances/", None, 200),
    ("post", A + "instances/", {"InstanceType": "t3.micro"}, 201),
    ("get", A + "instances/{instance}/", None, 200),
    ("post", A + "instances/{instance}/stop/", None, 200),
    ("post", A + "instances/{instance}/start/", None, 200),
    ("post", A + "instances/{instance}/reboot/", None, 200),
    ("post", A + "instances/{instance}/terminate/", None, 200),
    ("get", A + "instances/{instance}/tags/", None, 200),
    ("post", A + "instances/{instance}/tags/", {"Tags": [{"Key": "env", "Value": "prod"}]}, 204),
    ("delete", A + "instances/{instance}/tags/?TagKeys=env", None, 204),
    ("get", A + "instances/{instance}/iam-instance-profile/", None, 200),
    ("post", A + "instances/{bare_instance}/iam-instance-profile/", {"IamInstanceProfile": {"Name": "web"}}, 200),
    ("put", A + "instances/{instance}/iam-instance-profile/", {"IamInstanceProfile": {"Name": "spare-profile"}}, 200),
    ("delete", A + "instances/{instance}/iam-instance-profile/", None, 200),
    ("patch", A + "instances/{instance}/metadata-options/", {"HttpTokens": "required"}, 200),
    ("get", A + "instances/{instance}/imds/latest/meta-data/", None, 200),
]


def _filled(value, names: dict[str, str]):
    if isinstance(value, str):
        for name, text in names.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    return value


@pytest.fixture
def names(sandbox, account, url, world) -> dict[str, str]:
    bucket_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::empty-bucket"}
        ],
    }
    return {
        "sandbox": f"/api/sandboxes/{sandbox.id}/",
        "account": url,
        "policy_arn": world["policy"].arn,
        "key": world["access_key"].access_key_id,
        "root_key": world["root_key"].access_key_id,
        "decision": str(DecisionRecord.objects.filter(account=account).latest("id").id),
        "aws_version": PolicyVersion.objects.get(policy__name="ReadOnlyAccess", policy__account=None).version_id,
        "bucket_policy": json.dumps(bucket_policy),
        "role_arn": f"arn:aws:iam::{account.account_id}:role/app",
        **instances_for_the_table(account),
    }


def _send(client, method: str, path: str, body):
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize(("method", "path", "body", "status"), ENDPOINTS)
def test_the_owner_reaches_the_operation(api, names, method, path, body, status):
    response = _send(api, method, _filled(path, names), _filled(body, names))
    assert response.status_code == status, response.content


@pytest.mark.parametrize(("method", "path", "body", "status"), ENDPOINTS)
def test_another_learner_finds_nothing(other_api, names, method, path, body, status):
    response = _send(other_api, method, _filled(path, names), _filled(body, names))
    assert_error(response, 404, "NoSuchEntity", "cannot be found")


def _route_of(path: str) -> str:
    """The URL pattern a table path fills, e.g. api/sandboxes/<int:sandbox_id>/accounts/<str:account_id>/users/."""
    match = get_resolver().resolve(path.split("?")[0])
    return match.route


def test_the_table_names_every_sandbox_route(names):
    sandbox_routes = {r for r in site_routes() if r.startswith("api/sandboxes/<")}
    named = {_route_of(_filled(path, names)) for _, path, _, _ in ENDPOINTS}
    assert sandbox_routes - named == set()
