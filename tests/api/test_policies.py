"""Managed policies and their versions through the API: IAM API Reference, ListPolicies (Scope), CreatePolicy,
GetPolicy, DeletePolicy, ListEntitiesForPolicy, CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions,
SetDefaultPolicyVersion and DeletePolicyVersion; "Versioning IAM policies" (five versions at most)."""

import pytest

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Sandbox

from .conftest import READ_REPORTS, assert_error

pytestmark = pytest.mark.django_db


def test_create_policy_answers_with_getpolicys_fields(api, url, account):
    body = {"PolicyName": "Reports", "PolicyDocument": READ_REPORTS, "Path": "/data/", "Description": "read"}
    policy = api.post(url + "policies/", body, format="json").json()
    assert policy["Arn"] == f"arn:aws:iam::{account.account_id}:policy/data/Reports"
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["Description"]) == ("v1", 0, "read")
    assert (policy["IsAttachable"], policy["AwsManaged"]) == (True, False)


@pytest.mark.parametrize(
    ("scope", "has_own", "has_aws"), [("All", True, True), ("Local", True, False), ("AWS", False, True)]
)
def test_list_policies_by_scope(api, url, root, scope, has_own, has_aws):
    operations.create_policy(root, "Reports", READ_REPORTS)
    names = {p["PolicyName"] for p in api.get(url + f"policies/?Scope={scope}&limit=1000").json()["results"]}
    assert ("Reports" in names) is has_own
    assert ("ReadOnlyAccess" in names) is has_aws


def test_an_unknown_scope_is_a_validation_error(api, url):
    assert_error(api.get(url + "policies/?Scope=Mine"), 400, "ValidationError", "Scope")


def test_counts_are_of_this_accounts_attachments_only(api, url, root, alice, other_learner):
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    operations.attach_user_policy(root, "alice", arn)
    operations.put_user_permissions_boundary(root, "alice", arn)
    elsewhere = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    operations.create_user(elsewhere, "eve")
    operations.attach_user_policy(elsewhere, "eve", arn)
    policy = api.get(url + "aws-managed-policies/ReadOnlyAccess/").json()
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (1, 1)
    entities = api.get(url + "aws-managed-policies/ReadOnlyAccess/entities/").json()
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"]


def test_versions_are_created_listed_made_default_and_deleted(api, url, root):
    operations.create_policy(root, "Reports", READ_REPORTS)
    versions = url + "policies/Reports/versions/"
    created = api.post(versions, {"PolicyDocument": READ_REPORTS}, format="json").json()
    assert (created["VersionId"], created["IsDefaultVersion"]) == ("v2", False)
    assert [v["VersionId"] for v in api.get(versions).json()["results"]] == ["v1", "v2"]
    assert api.post(versions + "v2/set-default/").json()["IsDefaultVersion"] is True
    assert api.get(url + "policies/Reports/").json()["DefaultVersionId"] == "v2"
    assert_error(api.delete(versions + "v2/"), 409, "DeleteConflict", "Cannot delete the default version")
    assert api.delete(versions + "v1/").status_code == 204
    assert api.get(versions + "v2/").json()["Document"] == READ_REPORTS


def test_a_sixth_version_is_limit_exceeded(api, url, root):
    operations.create_policy(root, "Reports", READ_REPORTS)
    for _ in range(4):
        api.post(url + "policies/Reports/versions/", {"PolicyDocument": READ_REPORTS}, format="json")
    response = api.post(url + "policies/Reports/versions/", {"PolicyDocument": READ_REPORTS}, format="json")
    assert_error(response, 409, "LimitExceeded", "up to 5 versions")


def test_a_missing_version_is_no_such_entity(api, url, root):
    operations.create_policy(root, "Reports", READ_REPORTS)
    assert_error(api.get(url + "policies/Reports/versions/v9/"), 404, "NoSuchEntity", "version v9 does not exist")


def test_delete_policy_waits_until_nothing_uses_it(api, url, root, alice):
    policy = operations.create_policy(root, "Reports", READ_REPORTS)
    operations.attach_user_policy(root, "alice", policy.arn)
    assert_error(api.delete(url + "policies/Reports/"), 409, "DeleteConflict", "attached to entities")
    operations.detach_user_policy(root, "alice", policy.arn)
    assert api.delete(url + "policies/Reports/").status_code == 204
    assert_error(api.get(url + "policies/Reports/"), 404, "NoSuchEntity")


def test_aws_managed_policies_are_read_only(api, url):
    assert_error(api.delete(url + "aws-managed-policies/ReadOnlyAccess/"), 403, "AccessDenied")
    policy = api.get(url + "aws-managed-policies/ReadOnlyAccess/").json()
    assert (policy["Arn"], policy["AwsManaged"]) == ("arn:aws:iam::aws:policy/ReadOnlyAccess", True)
    (version,) = api.get(url + "aws-managed-policies/ReadOnlyAccess/versions/").json()["results"]
    assert version["VersionId"] == policy["DefaultVersionId"] and version["IsDefaultVersion"]


def test_an_aws_managed_policy_is_not_found_among_the_accounts_own(api, url):
    assert_error(api.get(url + "policies/ReadOnlyAccess/"), 404, "NoSuchEntity")
