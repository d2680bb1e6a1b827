"""The policy pages. Error codes: IAM API Reference, CreatePolicy, AttachUserPolicy and AttachGroupPolicy ("Errors");
finding types and codes: IAM User Guide, "IAM policy validation check reference"."""

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
ADMIN = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
BROKEN = '{"Version": "2012-10-17",\n "Statement": [}'
BIG = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "A" * 7000, "Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
BAD_EFFECT = '{"Version": "2012-10-17", "Statement": {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}}'


def policies_url(sandbox) -> str:
    return f"/console/{sandbox.id}/policies/"


@pytest.fixture
def policy(root) -> ManagedPolicy:
    return operations.create_policy(root, "ReadS3", READ_S3, description="Read any object")


@pytest.fixture
def routes(sandbox, policy) -> list[tuple[str, str, dict]]:
    base = policies_url(sandbox)
    return [
        ("get", base, {}),
        ("post", base, {"name": "Intruder", "description": "", "document": READ_S3}),
        ("post", base + "validate/", {"document": ADMIN}),
        ("post", base + "format/", {"document": READ_S3}),
        ("get", f"{base}{policy.id}/", {}),
        ("post", f"{base}{policy.id}/attach/", {"user": "alice"}),
    ]


def test_it_lists_the_accounts_policies_with_versions_and_attachments(learner_client, sandbox, root, policy, alice):
    operations.create_policy_version(root, policy.arn, READ_S3, set_as_default=True)
    operations.create_group(root, "admins")
    operations.attach_user_policy(root, "alice", policy.arn)
    operations.attach_group_policy(root, "admins", policy.arn)
    response = learner_client.get(policies_url(sandbox))
    assertContains(response, f'<code class="arn">{policy.arn}</code>', html=True)
    [row] = response.context["policies"]
    assert (row.name, row.default_version, row.version_count, row.attachment_count) == ("ReadS3", 2, 2, 2)
    assertContains(response, f'href="{policies_url(sandbox)}{policy.id}/"')
    assertContains(response, 'aria-current="page">Policies</a>')


def test_the_list_takes_the_same_queries_for_ten_and_a_hundred_policies(learner_client, sandbox, root, alice):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(policies_url(sandbox)).status_code == 200
        return len(captured)

    def add_policies(first: int, last: int) -> None:
        for number in range(first, last):
            created = operations.create_policy(root, f"policy{number}", READ_S3)
            if number % 20 == 0:
                operations.attach_user_policy(root, "alice", created.arn)

    add_policies(0, 10)
    with_ten = queries_for_page()
    add_policies(10, 100)
    assert queries_for_page() == with_ten


def test_the_detail_page_shows_the_default_document_highlighted(learner_client, sandbox, root, policy, alice):
    operations.create_policy_version(root, policy.arn, ADMIN)
    operations.attach_user_policy(root, "alice", policy.arn)
    response = learner_client.get(f"{policies_url(sandbox)}{policy.id}/")
    assertContains(response, policy.arn)
    assertContains(response, "Read any object")
    assertContains(response, '<span class="json-key">&quot;Action&quot;</span>')
    assertContains(response, '<span class="json-string">&quot;s3:GetObject&quot;</span>')
    # v2 allows "*" but v1 is still the default
    assertNotContains(response, '&quot;Action&quot;</span>: <span class="json-string">&quot;*&quot;')
    assert [(v.version_id, v.is_default) for v in response.context["versions"]] == [("v1", True), ("v2", False)]
    assertContains(response, '<li><span class="tag">User</span> alice</li>', html=True)


def test_it_creates_a_policy_and_redirects_without_js(learner_client, sandbox):
    data = {"name": "ReadS3", "description": "Reads", "document": READ_S3}
    assertRedirects(learner_client.post(policies_url(sandbox), data), policies_url(sandbox))
    created = ManagedPolicy.objects.get()
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
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=expected_status)
        assertContains(response, message, status_code=expected_status)
        assertContains(response, 'value="kept"', status_code=expected_status)
    assert ManagedPolicy.objects.count() == 1


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
    [("", "Findings appear here as you type."), (READ_S3, "No findings: the policy is valid")],
)
def test_validation_of_nothing_or_a_clean_policy(learner_client, sandbox, document, says):
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


@pytest.mark.parametrize("kind", ["user", "group"])
def test_it_attaches_the_policy_to_a_user_or_group(learner_client, sandbox, root, policy, alice, kind):
    operations.create_group(root, "admins")
    name = {"user": "alice", "group": "admins"}[kind]
    url = f"{policies_url(sandbox)}{policy.id}/attach/"
    assertRedirects(learner_client.post(url, {kind: name}), f"{policies_url(sandbox)}{policy.id}/")
    attached = policy.users if kind == "user" else policy.groups
    assert list(attached.values_list("name", flat=True)) == [name]


def test_htmx_attach_returns_the_attachments_region(learner_client, sandbox, policy, alice):
    response = learner_client.post(f"{policies_url(sandbox)}{policy.id}/attach/", {"user": "alice"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<section id="attachments-region"')
    assertContains(response, '<li><span class="tag">User</span> alice</li>', html=True)


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"user": "nobody"}, "NoSuchEntity", "The user with name nobody cannot be found."),
        ({"group": "nothing"}, "NoSuchEntity", "The group with name nothing cannot be found."),
    ],
)
def test_attach_errors_are_shown_in_place(learner_client, sandbox, policy, data, code, message):
    response = learner_client.post(f"{policies_url(sandbox)}{policy.id}/attach/", data)
    assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=404)
    assertContains(response, message, status_code=404)


def test_script_in_a_name_description_or_document_is_escaped(learner_client, sandbox, root):
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
    response = learner_client.get(f"{policies_url(sandbox)}{created.id}/")
    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", count=2)
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": script + document})
    assertNotContains(response, "<script>alert")


def test_another_learner_gets_404_on_every_route(other_client, routes, alice):
    for method, url, data in routes:
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert not ManagedPolicy.objects.filter(name="Intruder").exists()
    assert not alice.managed_policies.exists()


def test_a_policy_of_another_learners_account_is_404_from_ones_own_sandbox(learner_client, sandbox, other_learner):
    theirs = Sandbox.objects.create_with_account(other_learner)
    their_policy = operations.create_policy(Actor(theirs.accounts.get()), "Theirs", READ_S3)
    for suffix in ("", "attach/"):
        method = learner_client.post if suffix else learner_client.get
        assert method(f"{policies_url(sandbox)}{their_policy.id}/{suffix}").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, routes):
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"/sign-in/?next={url}"


def test_posts_without_the_csrf_token_are_refused(learner, routes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for method, url, data in routes:
        if method == "post":
            assert client.post(url, data).status_code == 403, url
    assert ManagedPolicy.objects.count() == 1


def test_a_long_list_of_findings_shows_the_first_twenty(learner_client, sandbox):
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["*"] * 30}]}
    )
    response = learner_client.post(f"{policies_url(sandbox)}validate/", {"document": document}, headers=HTMX)
    assertContains(response, 'class="finding-badge', count=20)
    assertContains(response, "And 9 more")
