"""IAM users, groups and roles through the API, in the shapes of the IAM API Reference's User, Group and Role
types (CreateUser, GetUser, ListUsers, CreateGroup, GetGroup, AddUserToGroup, CreateRole, UpdateRole,
UpdateAssumeRolePolicy; ListAttachedUserPolicies, PutUserPolicy, TagUser, PutUserPermissionsBoundary)."""

import json

import pytest

from simulator.sandbox import operations
from simulator.sandbox.models import Group, IamUser, Role

from .conftest import EC2_TRUST, READ_REPORTS, assert_error

pytestmark = pytest.mark.django_db


def test_create_user_answers_with_the_user(api, url, account):
    response = api.post(url + "users/", {"UserName": "bob", "Path": "/ops/"}, format="json")
    assert response.status_code == 201
    bob = IamUser.objects.get(name="bob")
    assert response.json() == {
        "Path": "/ops/",
        "UserName": "bob",
        "UserId": bob.unique_id,
        "Arn": f"arn:aws:iam::{account.account_id}:user/ops/bob",
        "CreateDate": bob.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_users_are_listed_by_name_in_pages(api, url, root):
    for name in ("carol", "alice", "bob"):
        operations.create_user(root, name)
    first = api.get(url + "users/?limit=2").json()
    assert first["count"] == 3
    assert [u["UserName"] for u in first["results"]] == ["alice", "bob"]
    rest = api.get(first["next"]).json()
    assert [u["UserName"] for u in rest["results"]] == ["carol"]


def test_get_user_shows_tags_boundary_and_names_ignore_case(api, url, root, world):
    user = api.get(url + "users/ALICE/").json()
    assert user["UserName"] == "alice"
    assert user["Tags"] == [{"Key": "team", "Value": "data"}]
    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": world["policy"].arn,
    }


def test_delete_user_refuses_while_it_still_has_things(api, url, world):
    assert_error(api.delete(url + "users/alice/"), 409, "DeleteConflict", "Cannot delete entity")
    assert api.delete(url + "users/carol/").status_code == 204
    assert not IamUser.objects.filter(name="carol").exists()


def test_group_membership_both_ways(api, url, root, alice):
    operations.create_group(root, "admins")
    assert api.post(url + "groups/admins/members/", {"UserName": "alice"}, format="json").status_code == 204
    assert [u["UserName"] for u in api.get(url + "groups/admins/members/").json()["results"]] == ["alice"]
    assert [g["GroupName"] for g in api.get(url + "users/alice/groups/").json()["results"]] == ["admins"]
    assert api.delete(url + "groups/admins/members/alice/").status_code == 204
    assert not Group.objects.get(name="admins").members.exists()


def test_attached_policies_attach_list_and_detach(api, url, alice):
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert api.post(url + "users/alice/attached-policies/", {"PolicyArn": arn}, format="json").status_code == 204
    listed = api.get(url + "users/alice/attached-policies/").json()["results"]
    assert listed == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": arn}]
    assert api.delete(url + f"users/alice/attached-policies/?PolicyArn={arn}").status_code == 204
    assert not alice.managed_policies.exists()


def test_detach_needs_the_policy_arn(api, url, alice):
    assert_error(api.delete(url + "users/alice/attached-policies/"), 400, "ValidationError", "PolicyArn")


def test_an_unknown_policy_arn_is_no_such_entity(api, url, alice):
    response = api.post(
        url + "users/alice/attached-policies/", {"PolicyArn": "arn:aws:iam::aws:policy/Nope"}, format="json"
    )
    assert_error(response, 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist")


@pytest.mark.parametrize("kind", ["users", "groups", "roles"])
def test_inline_policies_are_put_read_and_deleted_alike(api, url, root, kind):
    operations.create_user(root, "target")
    operations.create_group(root, "target")
    operations.create_role(root, "target", EC2_TRUST)
    base = url + f"{kind}/target/policies/"
    put = api.put(base + "Reports/", {"PolicyDocument": READ_REPORTS}, format="json")
    assert put.json() == {"PolicyName": "Reports", "PolicyDocument": READ_REPORTS}
    assert api.get(base).json()["results"] == [put.json()]
    assert api.get(base + "Reports/").json()["PolicyDocument"] == READ_REPORTS
    assert api.delete(base + "Reports/").status_code == 204
    assert api.get(base).json()["results"] == []


def test_a_malformed_inline_policy_is_malformed_policy_document(api, url, alice):
    response = api.put(
        url + "users/alice/policies/Bad/", {"PolicyDocument": '{"Version": "2012-10-17"}'}, format="json"
    )
    assert_error(response, 400, "MalformedPolicyDocument")


def test_a_document_must_be_a_string_as_iam_takes_it(api, url, alice):
    response = api.put(url + "users/alice/policies/Bad/", {"PolicyDocument": {"Version": "2012-10-17"}}, format="json")
    assert_error(response, 400, "ValidationError", "PolicyDocument: Not a valid string.")


@pytest.mark.parametrize("kind", ["users", "roles"])
def test_tags_are_added_listed_and_removed(api, url, root, kind):
    operations.create_user(root, "target")
    operations.create_role(root, "target", EC2_TRUST)
    tags = url + f"{kind}/target/tags/"
    api.post(tags, {"Tags": [{"Key": "team", "Value": "data"}, {"Key": "cost", "Value": "7"}]}, format="json")
    assert api.get(tags).json()["results"] == [{"Key": "team", "Value": "data"}, {"Key": "cost", "Value": "7"}]
    assert api.delete(tags + "?TagKeys=team&TagKeys=nothing").status_code == 204
    assert api.get(tags).json()["results"] == [{"Key": "cost", "Value": "7"}]


def test_a_reserved_tag_key_is_invalid_input(api, url, alice):
    response = api.post(url + "users/alice/tags/", {"Tags": [{"Key": "aws:team", "Value": "x"}]}, format="json")
    assert_error(response, 400, "InvalidInput", "keys beginning with aws: are reserved")


def test_groups_have_no_tags_or_boundary(api, url, root):
    operations.create_group(root, "admins")
    assert_error(api.get(url + "groups/admins/tags/"), 404, "NoSuchEntity")
    assert_error(api.put(url + "groups/admins/permissions-boundary/", {}, format="json"), 404, "NoSuchEntity")


def test_a_boundary_is_set_and_removed(api, url, alice):
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    response = api.put(url + "users/alice/permissions-boundary/", {"PermissionsBoundary": arn}, format="json")
    assert response.status_code == 204
    assert api.get(url + "users/alice/").json()["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    assert api.delete(url + "users/alice/permissions-boundary/").status_code == 204
    assert api.get(url + "users/alice/").json()["PermissionsBoundary"] is None


def test_create_role_keeps_its_trust_policy_and_settings(api, url):
    body = {"RoleName": "app", "AssumeRolePolicyDocument": EC2_TRUST, "Description": "web", "MaxSessionDuration": 7200}
    role = api.post(url + "roles/", body, format="json").json()
    assert (role["RoleName"], role["AssumeRolePolicyDocument"]) == ("app", EC2_TRUST)
    assert (role["Description"], role["MaxSessionDuration"]) == ("web", 7200)


def test_update_role_changes_only_what_is_given(api, url, root):
    operations.create_role(root, "app", EC2_TRUST, description="web", max_session_duration=7200)
    role = api.patch(url + "roles/app/", {"MaxSessionDuration": 3600}, format="json").json()
    assert (role["Description"], role["MaxSessionDuration"]) == ("web", 3600)
    assert_error(api.patch(url + "roles/app/", {"MaxSessionDuration": 60}, format="json"), 400, "ValidationError")


def test_the_trust_policy_is_replaced_and_checked_as_one(api, url, root):
    operations.create_role(root, "app", EC2_TRUST)
    no_principal = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]})
    bad = api.put(url + "roles/app/trust-policy/", {"PolicyDocument": no_principal}, format="json")
    assert_error(bad, 400, "MalformedPolicyDocument")
    lambda_trust = EC2_TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
    role = api.put(url + "roles/app/trust-policy/", {"PolicyDocument": lambda_trust}, format="json").json()
    assert role["AssumeRolePolicyDocument"] == lambda_trust == Role.objects.get().trust_policy


def test_a_service_linked_role_is_made_by_its_service_and_deleted_as_a_task(api, url):
    role = api.post(url + "service-linked-roles/", {"AWSServiceName": "autoscaling.amazonaws.com"}, format="json")
    assert role.json()["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    name = role.json()["RoleName"]
    assert_error(api.delete(url + f"roles/{name}/"), 400, "UnmodifiableEntity")
    resources = url + f"service-linked-roles/{name}/resources/"
    used = api.post(resources, {"ResourceArn": "arn:aws:autoscaling:x"}, format="json").json()
    assert used == {"ResourcesInUse": ["arn:aws:autoscaling:x"]}
    in_use = api.delete(url + f"service-linked-roles/{name}/").json()
    assert (in_use["Status"], in_use["RoleUsageList"]) == ("FAILED", ["arn:aws:autoscaling:x"])
    assert api.delete(resources + "?ResourceArn=arn:aws:autoscaling:x").json() == {"ResourcesInUse": []}
    assert api.delete(url + f"service-linked-roles/{name}/").json()["Status"] == "SUCCEEDED"
    assert not Role.objects.exists()


def test_instance_profiles_hold_one_role(api, url, root):
    operations.create_role(root, "app", EC2_TRUST)
    api.post(url + "instance-profiles/", {"InstanceProfileName": "web"}, format="json")
    assert api.post(url + "instance-profiles/web/roles/", {"RoleName": "app"}, format="json").status_code == 204
    profile = api.get(url + "instance-profiles/web/").json()
    assert [r["RoleName"] for r in profile["Roles"]] == ["app"]
    assert [p["InstanceProfileName"] for p in api.get(url + "roles/app/instance-profiles/").json()["results"]] == [
        "web"
    ]
    assert_error(api.delete(url + "instance-profiles/web/"), 409, "DeleteConflict")
    assert api.delete(url + "instance-profiles/web/roles/app/").status_code == 204
    assert api.get(url + "instance-profiles/web/").json()["Roles"] == []
