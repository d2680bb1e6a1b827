"""Export and import an account in the shape of ``aws iam get-account-authorization-details``.

Sources: IAM API Reference "GetAccountAuthorizationDetails" and its data types (UserDetail,
GroupDetail, RoleDetail, ManagedPolicyDetail, PolicyVersion, InstanceProfile, AttachedPolicy,
AttachedPermissionsBoundary: "Valid Values: PermissionsBoundaryPolicy"); the AWS CLI Command
Reference "get-account-authorization-details", whose example output is
data/cli-get-account-authorization-details.json (from aws-cli's
awscli/examples/iam/get-account-authorization-details.rst).
"""

import copy
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simulator.sandbox import lifecycle, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.authorization_details import export_account, exported_json
from simulator.sandbox.authorization_import import InvalidDump, import_account, parse_dump
from simulator.sandbox.demo import DESCRIBE_EC2, READ_REPORTS
from simulator.sandbox.models import Account, Bucket, ManagedPolicy, PolicyVersion, Sandbox
from tests.sandbox.exports import without_dates, without_ids_and_dates

pytestmark = pytest.mark.django_db

CLI_EXAMPLE = Path(__file__).with_name("data") / "cli-get-account-authorization-details.json"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def aws_policy(name: str) -> ManagedPolicy:
    """An AWS managed policy of the sandbox's library, added when the library lacks it."""
    policy, created = ManagedPolicy.objects.get_or_create(account=None, name=name)
    if created:
        PolicyVersion.objects.create(policy=policy, number=1, document=DESCRIBE_EC2, is_default=True)
    return policy


def fresh_account(learner, name: str = "Fresh") -> Account:
    return lifecycle.create_sandbox(learner, name).accounts.get()


@pytest.fixture
def account(learner) -> Account:
    """The demo account with a little of everything the export has a place for."""
    account = lifecycle.create_sandbox(learner, "Rich", Sandbox.Template.DEMO).accounts.get()
    root = Actor(account)
    cap = operations.create_policy(root, "Cap", READ_REPORTS, path="/caps/", description="At most the reports")
    operations.create_policy_version(root, cap.arn, DESCRIBE_EC2, set_as_default=True)
    operations.put_user_permissions_boundary(root, "alice", cap.arn)
    operations.tag_user(root, "alice", [{"Key": "team", "Value": "reports"}])
    operations.put_user_policy(root, "bob", "see-instances", DESCRIBE_EC2)
    operations.attach_user_policy(root, "bob", aws_policy("ReadOnlyAccess").arn)
    operations.put_role_policy(root, "WebServer", "read-reports", READ_REPORTS)
    operations.attach_role_policy(root, "WebServer", aws_policy("AmazonS3ReadOnlyAccess").arn)
    operations.put_role_permissions_boundary(root, "WebServer", aws_policy("PowerUserAccess").arn)
    return account


def by_name(details: list[dict], key: str) -> dict[str, dict]:
    return {detail[key]: detail for detail in details}


class TestExport:
    def test_it_has_the_four_lists_of_the_response(self, account):
        assert list(export_account(account)) == ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]

    def test_a_user_detail_has_the_members_of_UserDetail_in_order(self, account):
        alice = by_name(export_account(account)["UserDetailList"], "UserName")["alice"]
        assert list(alice) == [
            "Path",
            "UserName",
            "UserId",
            "Arn",
            "CreateDate",
            "UserPolicyList",
            "GroupList",
            "AttachedManagedPolicies",
            "PermissionsBoundary",
            "Tags",
        ]
        assert alice["Arn"] == f"arn:aws:iam::{account.account_id}:user/staff/alice"
        assert alice["UserId"].startswith("AIDA") and alice["CreateDate"].endswith("Z")
        assert alice["GroupList"] == ["Developers"]
        assert alice["PermissionsBoundary"] == {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": f"arn:aws:iam::{account.account_id}:policy/caps/Cap",
        }
        assert alice["Tags"] == [{"Key": "team", "Value": "reports"}]

    def test_empty_optional_members_are_left_out_as_aws_leaves_them_out(self, account):
        carol = by_name(export_account(account)["UserDetailList"], "UserName")["carol"]
        assert "PermissionsBoundary" not in carol and "Tags" not in carol
        assert carol["UserPolicyList"] == [] and carol["AttachedManagedPolicies"] == []

    def test_documents_are_json_objects_as_the_cli_prints_them(self, account):
        bob = by_name(export_account(account)["UserDetailList"], "UserName")["bob"]
        assert bob["UserPolicyList"] == [{"PolicyName": "see-instances", "PolicyDocument": json.loads(DESCRIBE_EC2)}]
        assert bob["AttachedManagedPolicies"] == [
            {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
        ]

    def test_a_group_detail_lists_inline_and_attached_policies(self, account):
        developers = by_name(export_account(account)["GroupDetailList"], "GroupName")["Developers"]
        assert list(developers) == [
            "Path",
            "GroupName",
            "GroupId",
            "Arn",
            "CreateDate",
            "GroupPolicyList",
            "AttachedManagedPolicies",
        ]
        assert [p["PolicyName"] for p in developers["GroupPolicyList"]] == ["see-instances"]
        assert [p["PolicyName"] for p in developers["AttachedManagedPolicies"]] == ["ReadReports"]

    def test_a_role_detail_has_its_trust_policy_instance_profiles_and_last_use(self, account):
        role = by_name(export_account(account)["RoleDetailList"], "RoleName")["WebServer"]
        assert list(role) == [
            "Path",
            "RoleName",
            "RoleId",
            "Arn",
            "CreateDate",
            "AssumeRolePolicyDocument",
            "InstanceProfileList",
            "RolePolicyList",
            "AttachedManagedPolicies",
            "PermissionsBoundary",
            "RoleLastUsed",
        ]
        assert role["AssumeRolePolicyDocument"] == EC2_TRUST
        (profile,) = role["InstanceProfileList"]
        assert profile["InstanceProfileName"] == "WebServer"
        assert profile["Arn"] == f"arn:aws:iam::{account.account_id}:instance-profile/WebServer"
        assert [r["RoleName"] for r in profile["Roles"]] == ["WebServer"]
        assert role["RoleLastUsed"] == {}

    def test_policies_are_the_accounts_own_then_the_aws_managed_ones_in_use(self, account):
        policies = export_account(account)["Policies"]
        assert [p["PolicyName"] for p in policies] == [
            "Cap",
            "ReadReports",
            "AmazonS3ReadOnlyAccess",
            "PowerUserAccess",
            "ReadOnlyAccess",
        ]
        assert not ManagedPolicy.objects.filter(account=None, name="AdministratorAccess", users__isnull=False)

    def test_a_policy_detail_has_its_versions_default_and_counts(self, account):
        cap = by_name(export_account(account)["Policies"], "PolicyName")["Cap"]
        assert cap["Arn"] == f"arn:aws:iam::{account.account_id}:policy/caps/Cap"
        assert (cap["Path"], cap["DefaultVersionId"], cap["IsAttachable"]) == ("/caps/", "v2", True)
        assert (cap["AttachmentCount"], cap["PermissionsBoundaryUsageCount"]) == (0, 1)
        assert cap["Description"] == "At most the reports"
        assert [(v["VersionId"], v["IsDefaultVersion"]) for v in cap["PolicyVersionList"]] == [
            ("v1", False),
            ("v2", True),
        ]
        assert cap["PolicyVersionList"][1]["Document"] == json.loads(DESCRIBE_EC2)
        boundary = by_name(export_account(account)["Policies"], "PolicyName")["PowerUserAccess"]
        assert (boundary["AttachmentCount"], boundary["PermissionsBoundaryUsageCount"]) == (0, 1)

    def test_the_download_is_indented_json(self, account):
        text = exported_json(account)
        assert text.startswith('{\n    "UserDetailList": [')
        assert json.loads(text) == export_account(account)

    def test_it_takes_the_same_number_of_queries_however_big_the_account(self, learner):
        def queries_for(size: int) -> int:
            account = fresh_account(learner, f"Size {size}")
            root = Actor(account)
            for number in range(size):
                operations.create_group(root, f"group-{number}")
                operations.create_user(root, f"user-{number}")
                operations.add_user_to_group(root, f"group-{number}", f"user-{number}")
                operations.put_user_policy(root, f"user-{number}", "inline", DESCRIBE_EC2)
                operations.create_role(root, f"role-{number}", json.dumps(EC2_TRUST))
                policy = operations.create_policy(root, f"policy-{number}", READ_REPORTS)
                operations.attach_role_policy(root, f"role-{number}", policy.arn)
            with CaptureQueriesContext(connection) as captured:
                export_account(account)
            return len(captured)

        assert queries_for(2) == queries_for(20)


class TestRoundTrip:
    def test_an_export_imported_into_a_fresh_account_exports_the_same(self, account, learner):
        exported = export_account(account)
        copy_account = fresh_account(learner)
        import_account(copy_account, exported)
        assert without_ids_and_dates(export_account(copy_account)) == without_ids_and_dates(exported)

    def test_importing_an_account_over_itself_keeps_every_id(self, account):
        exported = export_account(account)
        import_account(account, exported, replace=True)
        assert without_dates(export_account(account)) == without_dates(exported)

    def test_url_encoded_documents_as_the_raw_api_returns_them_import_too(self, account, learner):
        exported = export_account(account)
        encoded = copy.deepcopy(exported)
        for user in encoded["UserDetailList"]:
            for policy in user["UserPolicyList"]:
                policy["PolicyDocument"] = quote(json.dumps(policy["PolicyDocument"]))
        for role in encoded["RoleDetailList"]:
            role["AssumeRolePolicyDocument"] = quote(json.dumps(role["AssumeRolePolicyDocument"]))
        for policy in encoded["Policies"]:
            for version in policy["PolicyVersionList"]:
                version["Document"] = quote(json.dumps(version["Document"]))
        copy_account = fresh_account(learner)
        import_account(copy_account, encoded)
        assert without_ids_and_dates(export_account(copy_account)) == without_ids_and_dates(exported)


class TestCliExample:
    """The example output in the AWS CLI Command Reference, as it is printed there."""

    @pytest.fixture
    def example(self) -> dict:
        for name in ("AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "AdministratorAccess", "PowerUserAccess"):
            aws_policy(name)
        return json.loads(CLI_EXAMPLE.read_text())

    def test_it_imports(self, learner, example):
        account = fresh_account(learner)
        summary = import_account(account, example)
        assert str(summary) == ("3 users, 3 groups, 1 role, 2 customer managed policies, 1 instance profile")
        bob = account.users.get(name="Bob")
        assert bob.unique_id == "AIDACKCEVSQ6C3EXAMPLE"
        assert [p.name for p in bob.inline_policies.all()] == ["DenyBillingAndIAMPolicy"]
        assert list(bob.groups.values_list("name", flat=True)) == ["Admins"]
        admins = account.groups.get(name="Admins")
        # The example gives groups user ids (AIDA...); a group's id begins AGPA, so it gets a new one.
        assert admins.unique_id.startswith("AGPA")
        assert list(admins.managed_policies.values_list("name", flat=True)) == ["AdministratorAccess"]
        role = account.roles.get(name="EC2role")
        assert sorted(role.managed_policies.values_list("name", flat=True)) == [
            "AmazonDynamoDBFullAccess",
            "AmazonS3FullAccess",
        ]
        assert role.instance_profiles.get().unique_id == "AIPAFFYRBHWXW2EXAMPLE"
        assert sorted(account.policies.values_list("name", flat=True)) == [
            "S3-read-only-specific-bucket",
            "create-update-delete-set-managed-policies",
        ]

    def test_an_aws_managed_policy_missing_from_the_library_is_named_with_its_path(self, learner, example):
        ManagedPolicy.objects.filter(account=None, name="AmazonDynamoDBFullAccess").delete()
        account = fresh_account(learner)
        with pytest.raises(InvalidDump) as refused:
            import_account(account, example)
        (problem,) = refused.value.problems
        assert problem.path == "$.RoleDetailList[0].AttachedManagedPolicies[1].PolicyArn"
        assert problem.code == "NoSuchEntity"
        assert "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess" in problem.message
        assert not account.users.exists()


def _user(**fields) -> dict:
    return {"UserName": "alice", **fields}


def _policy(*versions: dict, **fields) -> dict:
    return {"PolicyName": "P", "Path": "/", "PolicyVersionList": list(versions), **fields}


def _version(number: int, default: bool, document: object = None) -> dict:
    document = document if document is not None else json.loads(READ_REPORTS)
    return {"VersionId": f"v{number}", "IsDefaultVersion": default, "Document": document}


NO_PRINCIPAL = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}
BAD_ACTION = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3", "Resource": "*"}}


@pytest.mark.parametrize(
    ("dump", "path", "code"),
    [
        pytest.param([], "$", "ValidationError", id="not-an-object"),
        pytest.param({"Users": []}, "$.Users", "ValidationError", id="unknown-top-level-field"),
        pytest.param({"UserDetailList": "alice"}, "$.UserDetailList", "ValidationError", id="not-a-list"),
        pytest.param({"UserDetailList": [{}]}, "$.UserDetailList[0].UserName", "ValidationError", id="missing-name"),
        pytest.param(
            {"UserDetailList": [_user(Nickname="al")]}, "$.UserDetailList[0].Nickname", "ValidationError", id="unknown"
        ),
        pytest.param(
            {"UserDetailList": [_user(UserName="al ice")]}, "$.UserDetailList[0].UserName", "ValidationError", id="name"
        ),
        pytest.param(
            {"UserDetailList": [_user(Path="staff")]}, "$.UserDetailList[0].Path", "ValidationError", id="path"
        ),
        pytest.param(
            {"UserDetailList": [_user(), _user(UserName="ALICE")]},
            "$.UserDetailList[1].UserName",
            "EntityAlreadyExists",
            id="same-name-in-another-case",
        ),
        pytest.param(
            {"UserDetailList": [_user(UserPolicyList=[{"PolicyName": "p", "PolicyDocument": BAD_ACTION}])]},
            "$.UserDetailList[0].UserPolicyList[0].PolicyDocument",
            "MalformedPolicyDocument",
            id="malformed-inline-policy",
        ),
        pytest.param(
            {"UserDetailList": [_user(UserPolicyList=[{"PolicyName": "p", "PolicyDocument": 7}])]},
            "$.UserDetailList[0].UserPolicyList[0].PolicyDocument",
            "ValidationError",
            id="document-not-a-document",
        ),
        pytest.param(
            {"UserDetailList": [_user(GroupList=["Ghosts"])]},
            "$.UserDetailList[0].GroupList[0]",
            "NoSuchEntity",
            id="unknown-group",
        ),
        pytest.param(
            {"UserDetailList": [_user(AttachedManagedPolicies=[{"PolicyArn": "arn:aws:iam::aws:policy/Nope"}])]},
            "$.UserDetailList[0].AttachedManagedPolicies[0].PolicyArn",
            "NoSuchEntity",
            id="aws-managed-policy-not-in-library",
        ),
        pytest.param(
            {"UserDetailList": [_user(AttachedManagedPolicies=[{"PolicyArn": "arn:aws:iam::123456789012:policy/P"}])]},
            "$.UserDetailList[0].AttachedManagedPolicies[0].PolicyArn",
            "NoSuchEntity",
            id="customer-policy-not-in-dump",
        ),
        pytest.param(
            {"UserDetailList": [_user(PermissionsBoundary={"PermissionsBoundaryArn": "arn:aws:iam::aws:policy/No"})]},
            "$.UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn",
            "NoSuchEntity",
            id="boundary-not-found",
        ),
        pytest.param(
            {"UserDetailList": [_user(Tags=[{"Key": "aws:owner", "Value": "me"}])]},
            "$.UserDetailList[0].Tags",
            "InvalidInput",
            id="reserved-tag-key",
        ),
        pytest.param(
            {"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": NO_PRINCIPAL}]},
            "$.RoleDetailList[0].AssumeRolePolicyDocument",
            "MalformedPolicyDocument",
            id="trust-policy-without-principal",
        ),
        pytest.param(
            {"RoleDetailList": [{"RoleName": "r"}]},
            "$.RoleDetailList[0].AssumeRolePolicyDocument",
            "ValidationError",
            id="no-trust-policy",
        ),
        pytest.param(
            {"Policies": [_policy(_version(1, True), _version(2, True))]},
            "$.Policies[0].PolicyVersionList",
            "ValidationError",
            id="two-default-versions",
        ),
        pytest.param(
            {"Policies": [_policy(*[_version(n, n == 1) for n in range(1, 7)])]},
            "$.Policies[0].PolicyVersionList",
            "LimitExceeded",
            id="six-versions",
        ),
        pytest.param(
            {"Policies": [_policy({"VersionId": "1", "Document": json.loads(READ_REPORTS)})]},
            "$.Policies[0].PolicyVersionList[0].VersionId",
            "ValidationError",
            id="version-id",
        ),
        pytest.param(
            {"Policies": [_policy(_version(1, True, BAD_ACTION))]},
            "$.Policies[0].PolicyVersionList[0].Document",
            "MalformedPolicyDocument",
            id="malformed-version",
        ),
    ],
)
def test_each_problem_is_named_by_its_json_path_and_aws_code(learner, dump, path, code):
    account = fresh_account(learner)
    with pytest.raises(InvalidDump) as refused:
        import_account(account, dump)
    assert (path, code) in [(p.path, p.code) for p in refused.value.problems]
    assert not account.users.exists() and not account.policies.exists() and not account.roles.exists()


def test_a_malformed_document_names_its_entity_and_policy(learner):
    dump = {"UserDetailList": [_user(UserPolicyList=[{"PolicyName": "bad", "PolicyDocument": BAD_ACTION}])]}
    with pytest.raises(InvalidDump) as refused:
        import_account(fresh_account(learner), dump)
    assert refused.value.problems[0].message.startswith("User alice, inline policy bad: ")


def test_every_problem_is_reported_at_once_and_nothing_is_written(learner):
    dump = {
        "GroupDetailList": [{"GroupName": "fine"}],
        "UserDetailList": [_user(UserName="bad name"), _user(GroupList=["nope"])],
    }
    account = fresh_account(learner)
    with pytest.raises(InvalidDump) as refused:
        import_account(account, dump)
    assert [p.path for p in refused.value.problems] == [
        "$.UserDetailList[0].UserName",
        "$.UserDetailList[1].GroupList[0]",
    ]
    assert not account.groups.exists()


class TestIntoAnAccountInUse:
    def test_it_refuses_without_the_learners_confirmation(self, account, learner):
        dump = export_account(fresh_account(learner))
        with pytest.raises(InvalidDump) as refused:
            import_account(account, dump)
        (problem,) = refused.value.problems
        assert (problem.path, problem.code) == ("$", "EntityAlreadyExists")
        assert "already holds 3 users" in problem.message
        assert account.users.count() == 3

    def test_with_it_the_iam_entities_are_replaced_and_the_rest_stays(self, account, learner):
        Bucket.objects.create(sandbox=account.sandbox, account=account, name="kept")
        import_account(account, {"UserDetailList": [{"UserName": "zoe"}]}, replace=True)
        assert list(account.users.values_list("name", flat=True)) == ["zoe"]
        assert not account.groups.exists() and not account.roles.exists() and not account.policies.exists()
        assert not account.instance_profiles.exists()
        assert account.buckets.filter(name="kept").exists()
        (web,) = account.instances.all()
        assert (web.instance_profile, web.association_id) == (None, ""), "EC2 instances stay, without the profile"


class TestTheFile:
    def test_json_is_read(self):
        assert parse_dump(b'\xef\xbb\xbf{"UserDetailList": []}') == {"UserDetailList": []}

    @pytest.mark.parametrize(
        ("raw", "code", "message"),
        [
            (b"{" + b" " * (5 * 1024 * 1024), "LimitExceeded", "larger than 5 MB"),
            (b"\xff\xfe", "ValidationError", "not UTF-8"),
            (b'{"UserDetailList": [}', "ValidationError", "line 1, column 21"),
        ],
    )
    def test_a_file_that_is_too_big_or_not_json_is_refused(self, raw, code, message):
        with pytest.raises(InvalidDump) as refused:
            parse_dump(raw)
        (problem,) = refused.value.problems
        assert (problem.path, problem.code) == ("$", code)
        assert message in problem.message


class TestServiceLinkedRoles:
    """IAM User Guide, "Using service-linked roles": the role's path names its service, and its AWS managed
    policy serves that role alone (AttachUserPolicy: PolicyNotAttachable)."""

    @pytest.fixture
    def service_policy(self) -> ManagedPolicy:
        policy, _ = ManagedPolicy.objects.get_or_create(
            account=None, name="AutoScalingServiceRolePolicy", defaults={"path": "/aws-service-role/"}
        )
        PolicyVersion.objects.get_or_create(
            policy=policy, number=1, defaults={"document": DESCRIBE_EC2, "is_default": True}
        )
        return policy

    def test_a_service_linked_role_keeps_its_service_and_policy(self, learner, service_policy):
        role = {
            "RoleName": "AWSServiceRoleForAutoScaling",
            "Path": "/aws-service-role/autoscaling.amazonaws.com/",
            "AssumeRolePolicyDocument": {
                **EC2_TRUST,
                "Statement": [{**EC2_TRUST["Statement"][0], "Principal": {"Service": "autoscaling.amazonaws.com"}}],
            },
            "AttachedManagedPolicies": [{"PolicyArn": service_policy.arn}],
        }
        account = fresh_account(learner)
        import_account(account, {"RoleDetailList": [role]})
        imported = account.roles.get()
        assert imported.service_linked == "autoscaling.amazonaws.com"
        assert list(imported.managed_policies.all()) == [service_policy]

    def test_a_service_role_policy_cannot_be_attached_to_a_user(self, learner, service_policy):
        dump = {"UserDetailList": [_user(AttachedManagedPolicies=[{"PolicyArn": service_policy.arn}])]}
        with pytest.raises(InvalidDump) as refused:
            import_account(fresh_account(learner), dump)
        (problem,) = refused.value.problems
        assert (problem.path, problem.code) == (
            "$.UserDetailList[0].AttachedManagedPolicies[0].PolicyArn",
            "PolicyNotAttachable",
        )
