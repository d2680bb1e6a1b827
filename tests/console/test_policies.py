"""The policy pages. Error codes: IAM API Reference, CreatePolicy, CreatePolicyVersion, SetDefaultPolicyVersion,
DeletePolicyVersion, DeletePolicy, AttachUserPolicy, DetachUserPolicy ("Errors"); ListPolicies (Scope: All, AWS,
Local); IAM User Guide, "AWS managed policies" and "Versioning IAM policies"; finding types and codes: IAM User
Guide, "IAM policy validation check reference"."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import ManagedPolicy, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db

READ_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
LIST_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
)
ADMIN = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
BROKEN = '{"Version": "2012-10-17",\n "Statement": [}'
BIG = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "A" * 7000, "Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
BAD_EFFECT = '{"Version": "2012-10-17", "Statement": {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}}'
TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


ATTACHED = "Cannot delete a policy attached to entities."
READ_ONLY_POLICIES = ["AmazonEC2ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess", "ReadOnlyAccess"]


def policies_url(sandbox) -> str:
    return f"/console/{sandbox.id}/policies/"


def policy_url(sandbox, policy, suffix: str = "") -> str:
    return f"{policies_url(sandbox)}{policy.id}/{suffix}"


def aws(name: str) -> ManagedPolicy:
    return ManagedPolicy.objects.get(account=None, name=name)


def customer_policies() -> list[str]:
    return list(ManagedPolicy.objects.filter(account__isnull=False).values_list("name", flat=True))


def error_code(code: str) -> str:
    return f'<code class="aws-error-code">{code}</code>'


@pytest.fixture
def policy(root) -> ManagedPolicy:
    return operations.create_policy(root, "ReadS3", READ_S3, description="Read any object")


@pytest.fixture
def routes(sandbox, policy) -> list[tuple[str, str, dict]]:
    base = policies_url(sandbox)
    return [
        ("get", base, {}),
        ("get", base, {"copy": policy.id}),
        ("post", base, {"name": "Intruder", "description": "", "document": READ_S3}),
        ("post", base + "validate/", {"document": ADMIN}),
        ("post", base + "format/", {"document": READ_S3}),
        ("post", base + "format/", {"document": READ_S3, "policy": policy.id}),
        ("get", policy_url(sandbox, policy), {}),
        ("post", policy_url(sandbox, policy, "attach/"), {"user": "alice"}),
        ("post", policy_url(sandbox, policy, "detach/"), {"user": "alice"}),
        ("post", policy_url(sandbox, policy, "versions/"), {"document": ADMIN, "set_as_default": "on"}),
        ("post", policy_url(sandbox, policy, "default/"), {"version": "v1"}),
        ("post", policy_url(sandbox, policy, "versions/delete/"), {"version": "v1"}),
        ("post", policy_url(sandbox, policy, "delete/"), {"confirm": "ReadS3"}),
    ]


# The list: AWS managed and customer managed policies, filtered


def test_it_lists_aws_and_customer_managed_policies_with_their_type(learner_client, sandbox, policy):
    response = learner_client.get(policies_url(sandbox))
    names = [row.name for row in response.context["policies"]]
    assert "ReadS3" in names and "ReadOnlyAccess" in names and "AdministratorAccess" in names
    assertContains(response, '<span class="tag tag-customer">Customer managed</span>', count=1, html=True)
    assertContains(response, '<span class="tag tag-aws">AWS managed – job function</span>', html=True)
    assertContains(response, f'href="{policy_url(sandbox, policy)}"')
    assertContains(response, 'aria-current="page">Policies</a>')


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "customer"}, ["ReadS3"]),
        ({"type": "aws", "q": "s3read"}, ["AmazonS3ReadOnlyAccess"]),
        ({"type": "aws", "q": "readonlyaccess"}, READ_ONLY_POLICIES),
        ({"q": "READ"}, [*READ_ONLY_POLICIES, "ReadS3"]),
        ({"type": "customer", "q": "nothing"}, []),
    ],
)
def test_the_list_filters_by_type_and_name(learner_client, sandbox, policy, query, expected):
    response = learner_client.get(policies_url(sandbox), query)
    assert [row.name for row in response.context["policies"]] == expected


def test_an_unknown_type_lists_everything(learner_client, sandbox, policy):
    response = learner_client.get(policies_url(sandbox), {"type": "nonsense"})
    assert response.context["kind"] == "all"
    assert len(response.context["policies"]) == ManagedPolicy.objects.count()


def test_htmx_filtering_returns_only_the_list(learner_client, sandbox, policy):
    response = learner_client.get(policies_url(sandbox), {"type": "aws", "q": "admin"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="policy-list"')
    assertContains(response, "<strong>AdministratorAccess</strong>", html=True)
    assertNotContains(response, "ReadS3")
    assert response["Vary"].count("HX-Request") == 1


def test_a_filter_that_matches_nothing_offers_the_whole_list(learner_client, sandbox):
    response = learner_client.get(policies_url(sandbox), {"q": "zzz"})
    assertContains(response, "No policy matches.")
    assertContains(response, '<span class="count">0</span>', html=True)


def test_attachment_counts_are_this_accounts_only(learner_client, sandbox, root, policy, alice, other_learner):
    """An AWS managed policy is attached in many accounts; the list counts this one's users, groups and roles."""
    read_only = aws("ReadOnlyAccess")
    operations.create_group(root, "admins")
    operations.create_role(root, "web", TRUST_EC2)
    operations.attach_user_policy(root, "alice", read_only.arn)
    operations.attach_group_policy(root, "admins", read_only.arn)
    operations.attach_role_policy(root, "web", read_only.arn)
    operations.attach_user_policy(root, "alice", policy.arn)
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    operations.create_user(theirs, "mallory")
    operations.attach_user_policy(theirs, "mallory", read_only.arn)
    operations.create_policy_version(root, policy.arn, LIST_S3, set_as_default=True)
    rows = {row.name: row for row in learner_client.get(policies_url(sandbox)).context["policies"]}
    assert (rows["ReadOnlyAccess"].attachment_count, rows["ReadOnlyAccess"].default_version) == (3, 188)
    assert (rows["ReadS3"].attachment_count, rows["ReadS3"].default_version, rows["ReadS3"].version_count) == (1, 2, 2)


def test_the_list_takes_the_same_queries_for_ten_and_three_hundred_policies(learner_client, sandbox, root, alice):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(policies_url(sandbox)).status_code == 200
        return len(captured)

    def add_policies(first: int, last: int) -> None:
        for number in range(first, last):
            created = operations.create_policy(root, f"policy{number}", READ_S3)
            if number % 50 == 0:
                operations.attach_user_policy(root, "alice", created.arn)
                operations.create_policy_version(root, created.arn, LIST_S3)

    add_policies(0, 10)
    with_ten = queries_for_page()
    add_policies(10, 300)
    assert queries_for_page() == with_ten


# Creating a policy, and copying one


def test_it_creates_a_policy_and_redirects_without_js(learner_client, sandbox):
    data = {"name": "ReadS3", "description": "Reads", "document": READ_S3}
    assertRedirects(learner_client.post(policies_url(sandbox), data), policies_url(sandbox))
    created = ManagedPolicy.objects.get(account__isnull=False)
    assert (created.name, created.description, created.versions.get().document) == ("ReadS3", "Reads", READ_S3)


def test_htmx_create_returns_the_region_with_the_new_policy_and_a_blank_form(learner_client, sandbox):
    data = {"name": "ReadS3", "description": "", "document": READ_S3}
    response = learner_client.post(policies_url(sandbox), data, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="policies-region"')
    assertContains(response, "<strong>ReadS3</strong>", html=True)
    assertContains(response, 'name="name" value=""')
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    ("name", "document", "status", "code", "message"),
    [
        ("Bad", BAD_EFFECT, 400, "MalformedPolicyDocument", "Statement 1: Effect must be &quot;Allow&quot; or"),
        ("Bad", BROKEN, 400, "MalformedPolicyDocument", "not valid JSON"),
        ("READS3", READ_S3, 409, "EntityAlreadyExists", "Policy with name READS3 already exists."),
        ("Big", BIG, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144."),
        ("a/b", READ_S3, 400, "ValidationError", "Policy name &#x27;a/b&#x27; is invalid"),
    ],
)
def test_create_errors_are_shown_in_place(learner_client, sandbox, policy, name, document, status, code, message):
    data = {"name": name, "description": "kept", "document": document}
    for headers, expected_status in (({}, status), (HTMX, 200)):
        response = learner_client.post(policies_url(sandbox), data, headers=headers)
        assertContains(response, error_code(code), html=True, status_code=expected_status)
        assertContains(response, message, status_code=expected_status)
        assertContains(response, 'value="kept"', status_code=expected_status)
    assert customer_policies() == ["ReadS3"]


def test_copying_prefills_the_editor_with_the_policys_default_document(learner_client, sandbox):
    source = aws("IAMReadOnlyAccess")
    response = learner_client.get(policies_url(sandbox), {"copy": source.id})
    assertContains(response, 'value="IAMReadOnlyAccess-copy"')
    assertContains(response, f'value="{escape(source.description)}"')
    document = source.versions.get().document
    assertContains(response, f">{escape(document)}</textarea>")
    data = {"name": "IAMReadOnlyAccess-copy", "description": source.description, "document": document}
    assertRedirects(learner_client.post(policies_url(sandbox), data), policies_url(sandbox))
    assert customer_policies() == ["IAMReadOnlyAccess-copy"]


def test_a_copy_too_big_for_a_customer_managed_policy_says_so_and_is_refused(learner_client, sandbox):
    """ReadOnlyAccess is far past the 6,144 characters a customer managed policy holds ("IAM and AWS STS quotas")."""
    source = aws("ReadOnlyAccess")
    response = learner_client.get(policies_url(sandbox), {"copy": source.id})
    assertContains(response, 'class="finding-oversize"')
    assertContains(response, "policy holds at most 6144")
    data = {"name": "Mine", "description": "", "document": source.versions.get().document}
    response = learner_client.post(policies_url(sandbox), data, headers=HTMX)
    assertContains(response, error_code("LimitExceeded"), html=True)
    assert customer_policies() == []


@pytest.mark.parametrize("copy", ["999999", "abc", ""])
def test_copying_a_policy_that_is_not_there_is_404(learner_client, sandbox, copy):
    assert learner_client.get(policies_url(sandbox), {"copy": copy}).status_code == 404


# The editor's findings


@pytest.mark.parametrize(
    ("document", "finding_type", "issue_code", "where"),
    [
        (BROKEN, "ERROR", "JSON_SYNTAX_ERROR", "line 2, column 16"),
        (BAD_EFFECT, "ERROR", "MALFORMED_POLICY_DOCUMENT", "line 1, column 51"),
        (ADMIN, "SECURITY_WARNING", "FULL_ADMIN_ACCESS", "line 2, column 46"),
    ],
)
def test_validation_returns_findings_with_their_positions(
    learner_client, sandbox, document, finding_type, issue_code, where
):
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": document}, headers=HTMX)
    assert "<html" not in response.content.decode()
    badge = f'<span class="finding-badge finding-{finding_type.lower()}">{finding_type}</span>'
    assertContains(response, badge, html=True)
    assertContains(response, f'<code class="finding-code">{issue_code}</code>', html=True)
    assertContains(response, f'<span class="finding-where">{where}</span>', html=True)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("", "Findings appear here as you type."),
        (READ_S3, "No findings: the policy is valid"),
        (BIG, "policy holds at most 6144"),
    ],
)
def test_validation_of_nothing_a_clean_policy_or_an_oversized_one(learner_client, sandbox, document, says):
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": document}, headers=HTMX)
    assertContains(response, says)
    assertNotContains(response, "finding-badge")


def test_format_pretty_prints_valid_json_keeping_duplicates(learner_client, sandbox):
    typed = '{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}'
    response = learner_client.post(f"{policies_url(sandbox)}format/", {"document": typed}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="policy-editor"')
    pretty = '{\n    "Version": "2012-10-17",\n    "Version": "2008-10-17",\n    "Statement": []\n}'
    assertContains(response, f">{escape(pretty)}</textarea>")


def test_format_without_js_renders_the_whole_page_and_leaves_broken_json_as_typed(learner_client, sandbox):
    response = learner_client.post(f"{policies_url(sandbox)}format/", {"name": "Mine", "document": BROKEN})
    assertContains(response, '<h1 id="page-title">Policies</h1>', html=True)
    assertContains(response, 'value="Mine"')
    assertContains(response, f">{escape(BROKEN)}</textarea>")
    assertContains(response, "JSON_SYNTAX_ERROR")


def test_format_without_js_from_a_policys_page_comes_back_to_that_page(learner_client, sandbox, policy):
    data = {"document": '{"Version":"2012-10-17","Statement":[]}', "policy": policy.id}
    response = learner_client.post(f"{policies_url(sandbox)}format/", data)
    assertContains(response, '<h1 id="page-title" class="policy-title">ReadS3</h1>', html=True)
    assertContains(response, escape('{\n    "Version": "2012-10-17",\n    "Statement": []\n}') + "</textarea>")


def test_a_long_list_of_findings_shows_the_first_twenty(learner_client, sandbox):
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["*"] * 30}]}
    )
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": document}, headers=HTMX)
    assertContains(response, 'class="finding-badge', count=20)
    assertContains(response, "And 9 more")


# A customer managed policy's page: its document and versions


def test_the_detail_page_shows_the_default_document_highlighted(learner_client, sandbox, root, policy, alice):
    operations.create_policy_version(root, policy.arn, ADMIN)
    operations.attach_user_policy(root, "alice", policy.arn)
    response = learner_client.get(policy_url(sandbox, policy))
    assertContains(response, policy.arn)
    assertContains(response, "Read any object")
    assertContains(response, '<span class="json-key">&quot;Action&quot;</span>')
    assertContains(response, '<span class="json-string">&quot;s3:GetObject&quot;</span>')
    # v2 allows "*" but v1 is still the default
    assertNotContains(response, '&quot;Action&quot;</span>: <span class="json-string">&quot;*&quot;')
    assert [(v.version_id, v.is_default) for v in response.context["versions"]] == [("v1", True), ("v2", False)]
    assertContains(response, 'aria-label="Set v2 as default">Set as default</button>')
    assertContains(response, "Edit policy")
    assertContains(response, "Delete policy")


def test_another_version_can_be_shown(learner_client, sandbox, root, policy):
    operations.create_policy_version(root, policy.arn, LIST_S3)
    response = learner_client.get(policy_url(sandbox, policy), {"version": "v2"})
    assertContains(response, '<span class="json-string">&quot;s3:ListBucket&quot;</span>')
    assertContains(response, '<span class="tag">v2</span>', html=True)


def test_saving_an_edit_creates_a_version_and_makes_it_the_default(learner_client, sandbox, policy):
    data = {"document": LIST_S3, "set_as_default": "on"}
    assertRedirects(learner_client.post(policy_url(sandbox, policy, "versions/"), data), policy_url(sandbox, policy))
    assert [(v.version_id, v.is_default, v.document) for v in policy.versions.all()] == [
        ("v1", False, READ_S3),
        ("v2", True, LIST_S3),
    ]


def test_an_edit_saved_without_set_as_default_leaves_the_default(learner_client, sandbox, policy):
    response = learner_client.post(policy_url(sandbox, policy, "versions/"), {"document": LIST_S3}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="versions-region"')
    assert [(v.version_id, v.is_default) for v in policy.versions.all()] == [("v1", True), ("v2", False)]


def test_a_sixth_version_is_refused_until_one_is_deleted(learner_client, sandbox, root, policy):
    for _ in range(4):
        operations.create_policy_version(root, policy.arn, LIST_S3)
    response = learner_client.post(policy_url(sandbox, policy, "versions/"), {"document": ADMIN})
    assertContains(response, error_code("LimitExceeded"), html=True, status_code=409)
    assertContains(response, "Before you create a new version, you must delete an existing version.", status_code=409)
    assertContains(response, f">{escape(ADMIN)}</textarea>", status_code=409)
    learner_client.post(policy_url(sandbox, policy, "versions/delete/"), {"version": "v2"})
    learner_client.post(policy_url(sandbox, policy, "versions/"), {"document": ADMIN})
    assert [v.version_id for v in policy.versions.all()] == ["v1", "v3", "v4", "v5", "v6"]


def test_a_malformed_edit_is_shown_in_place_as_typed(learner_client, sandbox, policy):
    response = learner_client.post(policy_url(sandbox, policy, "versions/"), {"document": BAD_EFFECT}, headers=HTMX)
    assertContains(response, error_code("MalformedPolicyDocument"), html=True)
    assertContains(response, f">{escape(BAD_EFFECT)}</textarea>")
    assert policy.versions.count() == 1


def test_set_default_and_delete_version_without_js(learner_client, sandbox, root, policy):
    operations.create_policy_version(root, policy.arn, LIST_S3)
    url = policy_url(sandbox, policy)
    assertRedirects(learner_client.post(url + "default/", {"version": "v2"}), url)
    assertRedirects(learner_client.post(url + "versions/delete/", {"version": "v1"}), url)
    assert [(v.version_id, v.is_default) for v in policy.versions.all()] == [("v2", True)]


def test_htmx_set_default_returns_the_versions_region_with_the_new_default(learner_client, sandbox, root, policy):
    operations.create_policy_version(root, policy.arn, LIST_S3)
    response = learner_client.post(policy_url(sandbox, policy, "default/"), {"version": "v2"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="versions-region"')
    assertContains(response, "<div><dt>Default version</dt><dd>v2</dd></div>", html=True)
    assertContains(response, '<span class="json-string">&quot;s3:ListBucket&quot;</span>')


@pytest.mark.parametrize(
    ("route", "version", "status", "code", "message"),
    [
        ("versions/delete/", "v1", 409, "DeleteConflict", "Cannot delete the default version of a policy."),
        ("default/", "v9", 404, "NoSuchEntity", "version v9 does not exist or is not attachable."),
        ("default/", "nine", 400, "ValidationError", "Value &#x27;nine&#x27; at &#x27;versionId&#x27; failed"),
    ],
)
def test_version_errors_are_shown_in_place(learner_client, sandbox, policy, route, version, status, code, message):
    for headers, expected_status in (({}, status), (HTMX, 200)):
        response = learner_client.post(policy_url(sandbox, policy, route), {"version": version}, headers=headers)
        assertContains(response, error_code(code), html=True, status_code=expected_status)
        assertContains(response, message, status_code=expected_status)
    assert policy.versions.count() == 1


# An AWS managed policy's page: anyone's to read, no one's to change


def test_an_aws_managed_policy_is_read_only_with_a_way_to_copy_it(learner_client, sandbox, other_learner):
    read_only = aws("ReadOnlyAccess")
    response = learner_client.get(policy_url(sandbox, read_only))
    assertContains(response, "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assertContains(response, "AWS managed policies are maintained by AWS; copy it to customise.")
    assertContains(response, f'href="{policies_url(sandbox)}?copy={read_only.id}#create-policy-title"')
    assertContains(response, '<span class="json-string">&quot;s3:Get*&quot;</span>')
    for control in ("Edit policy", "Delete policy", "Set as default", 'name="version"', "Save as new version"):
        assertNotContains(response, control)
    other_client = Client()
    other_client.force_login(other_learner)
    theirs = Sandbox.objects.create_with_account(other_learner)
    assert other_client.get(policy_url(theirs, read_only)).status_code == 200


@pytest.mark.parametrize(
    ("route", "data", "message"),
    [
        ("versions/", {"document": READ_S3}, "Cannot create versions for policies outside your own account."),
        ("default/", {"version": "v188"}, "Cannot update policies outside your own account."),
        ("versions/delete/", {"version": "v188"}, "Cannot delete policy versions for policies outside your own"),
        ("delete/", {"confirm": "ReadOnlyAccess"}, "Cannot delete policies outside your own account."),
    ],
)
def test_changing_an_aws_managed_policy_is_access_denied(learner_client, sandbox, route, data, message):
    read_only = aws("ReadOnlyAccess")
    response = learner_client.post(policy_url(sandbox, read_only, route), data)
    assertContains(response, error_code("AccessDenied"), html=True, status_code=403)
    assertContains(response, message, status_code=403)
    assert read_only.versions.count() == 1 and ManagedPolicy.objects.filter(pk=read_only.pk).exists()


# Attachments and boundaries


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_it_attaches_and_detaches_the_policy(learner_client, sandbox, root, policy, alice, kind):
    operations.create_group(root, "admins")
    operations.create_role(root, "web", TRUST_EC2)
    name = {"user": "alice", "group": "admins", "role": "web"}[kind]
    attached = {"user": policy.users, "group": policy.groups, "role": policy.roles}[kind]
    response = learner_client.post(policy_url(sandbox, policy, "attach/"), {kind: name})
    assertRedirects(response, policy_url(sandbox, policy))
    assert list(attached.values_list("name", flat=True)) == [name]
    response = learner_client.post(policy_url(sandbox, policy, "detach/"), {kind: name}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<section id="attachments-region"')
    assert not attached.exists()


def test_htmx_attach_returns_the_attachments_region_with_a_detach_button(learner_client, sandbox, policy, alice):
    response = learner_client.post(policy_url(sandbox, policy, "attach/"), {"user": "alice"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<section id="attachments-region"')
    assertContains(response, '<span><span class="tag">User</span> alice</span>', html=True)
    assertContains(response, 'aria-label="Detach from user alice"')


@pytest.mark.parametrize(
    ("route", "data", "code", "message"),
    [
        ("attach/", {"user": "nobody"}, "NoSuchEntity", "The user with name nobody cannot be found."),
        ("attach/", {"group": "nothing"}, "NoSuchEntity", "The group with name nothing cannot be found."),
        ("attach/", {"role": "nobody"}, "NoSuchEntity", "The role with name nobody cannot be found."),
        ("detach/", {"user": "alice"}, "NoSuchEntity", "was not found."),
    ],
)
def test_attachment_errors_are_shown_in_place(learner_client, sandbox, policy, alice, route, data, code, message):
    response = learner_client.post(policy_url(sandbox, policy, route), data)
    assertContains(response, error_code(code), html=True, status_code=404)
    assertContains(response, message, status_code=404)


def test_an_aws_managed_policys_page_shows_this_accounts_attachments_and_boundaries(
    learner_client, sandbox, root, alice, other_learner
):
    read_only = aws("ReadOnlyAccess")
    operations.attach_user_policy(root, "alice", read_only.arn)
    operations.create_role(root, "web", TRUST_EC2)
    operations.put_role_permissions_boundary(root, "web", read_only.arn)
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    operations.create_user(theirs, "mallory")
    operations.attach_user_policy(theirs, "mallory", read_only.arn)
    operations.put_user_permissions_boundary(theirs, "mallory", read_only.arn)
    response = learner_client.get(policy_url(sandbox, read_only))
    assertContains(response, '<span><span class="tag">User</span> alice</span>', html=True)
    assertContains(response, '<li><span class="tag">Role</span> web</li>', html=True)
    assertNotContains(response, "mallory")


# Deleting a policy


def test_deleting_needs_the_policys_name_typed(learner_client, sandbox, policy):
    response = learner_client.post(policy_url(sandbox, policy, "delete/"), {"confirm": "reads3"})
    assertContains(response, "Type the policy name, ReadS3, to confirm.", status_code=400)
    assert customer_policies() == ["ReadS3"]


def test_deleting_a_policy_goes_back_to_the_list(learner_client, sandbox, policy):
    response = learner_client.post(policy_url(sandbox, policy, "delete/"), {"confirm": "ReadS3"})
    assertRedirects(response, policies_url(sandbox))
    assert customer_policies() == []


def test_htmx_delete_tells_the_browser_to_go_to_the_list(learner_client, sandbox, policy):
    response = learner_client.post(policy_url(sandbox, policy, "delete/"), {"confirm": "ReadS3"}, headers=HTMX)
    assert response["HX-Redirect"] == policies_url(sandbox)
    assert customer_policies() == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root, arn: operations.attach_user_policy(root, "alice", arn), ATTACHED),
        (lambda root, arn: operations.put_user_permissions_boundary(root, "alice", arn), ATTACHED),
        (
            lambda root, arn: operations.create_policy_version(root, arn, LIST_S3),
            "This policy has more than one version.",
        ),
    ],
    ids=["attached", "boundary", "versions"],
)
def test_a_delete_conflict_is_shown_in_place(learner_client, sandbox, root, policy, alice, setup, message):
    setup(root, policy.arn)
    for headers, status in (({}, 409), (HTMX, 200)):
        response = learner_client.post(policy_url(sandbox, policy, "delete/"), {"confirm": "ReadS3"}, headers=headers)
        assertContains(response, error_code("DeleteConflict"), html=True, status_code=status)
        assertContains(response, message, status_code=status)
    assert response.content.decode().lstrip().startswith('<section id="delete-region"')
    assert customer_policies() == ["ReadS3"]


# Who may use these pages


def test_script_in_a_description_document_or_search_is_escaped(learner_client, sandbox, root):
    script = "<script>alert(1)</script>"
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "x", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b/{script}"}
            ],
        }
    )
    response = learner_client.post(policies_url(sandbox), {"name": script, "description": script, "document": document})
    assertContains(response, "ValidationError", status_code=400)
    assertNotContains(response, "<script>alert", status_code=400)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=400)
    created = operations.create_policy(root, "Escaped", document, description=script)
    for response in (
        learner_client.get(policy_url(sandbox, created)),
        learner_client.get(policies_url(sandbox), {"q": script}),
        learner_client.get(policies_url(sandbox), {"copy": created.id}),
        learner_client.post(policy_url(sandbox, created, "versions/"), {"document": script}),
    ):
        assertNotContains(response, "<script>alert", status_code=response.status_code)
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=response.status_code)
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": script + document})
    assertNotContains(response, "<script>alert")


def test_another_learner_gets_404_on_every_route(other_client, routes, alice):
    for method, url, data in routes:
        assert getattr(other_client, method)(url, data).status_code == 404, (url, data)
    assert customer_policies() == ["ReadS3"]
    assert not alice.managed_policies.exists()


def test_a_policy_of_another_learners_account_is_404_from_ones_own_sandbox(learner_client, sandbox, other_learner):
    theirs = Sandbox.objects.create_with_account(other_learner)
    their_policy = operations.create_policy(Actor(theirs.accounts.get()), "Theirs", READ_S3)
    assert learner_client.get(policy_url(sandbox, their_policy)).status_code == 404
    assert learner_client.get(policies_url(sandbox), {"copy": their_policy.id}).status_code == 404
    for suffix, data in (
        ("attach/", {}),
        ("detach/", {}),
        ("versions/", {"document": READ_S3}),
        ("default/", {"version": "v1"}),
        ("versions/delete/", {"version": "v1"}),
        ("delete/", {"confirm": "Theirs"}),
    ):
        assert learner_client.post(policy_url(sandbox, their_policy, suffix), data).status_code == 404, suffix
    assert learner_client.post(f"{policies_url(sandbox)}format/", {"policy": their_policy.id}).status_code == 404
    assert ManagedPolicy.objects.filter(pk=their_policy.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, routes):
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/sign-in/?next={url}")


def test_posts_without_the_csrf_token_are_refused(learner, routes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for method, url, data in routes:
        if method == "post":
            assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert customer_policies() == ["ReadS3"]
