"""The roles pages: the list with its create forms, a role's page, instance profiles.

Error codes: IAM API Reference, CreateRole, UpdateRole, UpdateAssumeRolePolicy, DeleteRole,
CreateServiceLinkedRole, DeleteServiceLinkedRole, AttachRolePolicy, PutRolePolicy,
CreateInstanceProfile, AddRoleToInstanceProfile, DeleteInstanceProfile ("Errors"). Rules: IAM User
Guide, "IAM role terms and concepts", "Create a role to delegate permissions to an AWS service",
"Access to AWS accounts owned by third parties" (external ID), "Delete roles or instance profiles",
"Create a service-linked role", "Use instance profiles".
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.console.roles import trust_template
from simulator.console.trusted_entities import trusted_entities
from simulator.sandbox import operations, role_operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import InstanceProfile, Role, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
READ_S3 = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
GROUP_TRUST = doc(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"}, "Action": "sts:AssumeRole"}
)
AUTOSCALING = "autoscaling.amazonaws.com"


def roles_url(sandbox, suffix: str = "") -> str:
    return f"/console/{sandbox.id}/roles/{suffix}"


def role_url(sandbox, role, change: str = "") -> str:
    return roles_url(sandbox, f"{role.id}/change/{change}/" if change else f"{role.id}/")


def profiles_url(sandbox, suffix: str = "") -> str:
    return f"/console/{sandbox.id}/instance-profiles/{suffix}"


@pytest.fixture
def web(root) -> Role:
    return operations.create_role(root, "WebServer", EC2_TRUST, description="web tier")


@pytest.fixture
def linked(root) -> Role:
    return role_operations.create_service_linked_role(root, AUTOSCALING)


@pytest.fixture
def profile(root) -> InstanceProfile:
    return role_operations.create_instance_profile(root, "web-profile")


@pytest.fixture
def routes(sandbox, web, linked, profile) -> list[tuple[str, str, dict]]:
    """Every route of these pages with a request that would change something."""
    return [
        ("get", roles_url(sandbox), {}),
        ("post", roles_url(sandbox), {"name": "Intruder", "trust_policy": EC2_TRUST, "max_session_duration": "3600"}),
        ("post", roles_url(sandbox, "validate/"), {"trust_policy": EC2_TRUST}),
        ("get", roles_url(sandbox, "template/"), {"template": "service"}),
        ("post", roles_url(sandbox, "service-linked/"), {"service": "ecs.amazonaws.com"}),
        ("get", role_url(sandbox, web), {}),
        ("post", role_url(sandbox, web, "update"), {"description": "hijacked", "max_session_duration": "7200"}),
        ("post", role_url(sandbox, web, "trust"), {"trust_policy": EC2_TRUST}),
        ("post", role_url(sandbox, web, "put_inline"), {"policy_name": "intruder", "document": READ_S3}),
        ("post", role_url(sandbox, web, "delete"), {"confirm": "WebServer"}),
        ("post", roles_url(sandbox, f"{linked.id}/resources/"), {"name": "asg"}),
        ("post", roles_url(sandbox, f"{linked.id}/delete-service-linked/"), {}),
        ("get", profiles_url(sandbox), {}),
        ("post", profiles_url(sandbox), {"name": "intruder-profile", "path": "/"}),
        ("post", profiles_url(sandbox, f"{profile.id}/add_role/"), {"role": "WebServer"}),
        ("post", profiles_url(sandbox, f"{profile.id}/delete/"), {}),
    ]


def unchanged(web, profile) -> bool:
    web.refresh_from_db()
    profile.refresh_from_db()
    return (
        Role.objects.count() == 2
        and web.description == "web tier"
        and not web.inline_policies.exists()
        and profile.role is None
        and not InstanceProfile.objects.filter(name="intruder-profile").exists()
    )


# The list --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "condition", "words"),
    [
        ({"Service": "ec2.amazonaws.com"}, None, ["AWS service: ec2"]),
        ({"AWS": "OWN"}, None, ["This account"]),
        ({"AWS": "arn:aws:iam::OWN:root"}, None, ["This account"]),
        ({"AWS": "111122223333"}, None, ["Account 111122223333"]),
        (
            {"AWS": "arn:aws:iam::111122223333:root"},
            {"StringEquals": {"sts:ExternalId": "x"}},
            ["Account 111122223333 (external ID)"],
        ),
        ({"AWS": "arn:aws:iam::OWN:user/dev/alice"}, None, ["IAM user alice"]),
        ({"AWS": "arn:aws:iam::111122223333:role/Deployer"}, None, ["IAM role Deployer in account 111122223333"]),
        ({"AWS": ["arn:aws:iam::OWN:root", "111122223333"]}, None, ["This account", "Account 111122223333"]),
        ({"Federated": "arn:aws:iam::OWN:saml-provider/Okta"}, None, ["SAML provider Okta"]),
        ({"Federated": "accounts.google.com"}, None, ["Web identity: accounts.google.com"]),
        ("*", None, ["Anyone (*)"]),
    ],
)
def test_trusted_entities_are_summarised_in_words(principal, condition, words):
    """IAM console's "Trusted entities" column, from the trust policy's Allow statements."""
    own = "123456789012"
    text = json.dumps(principal).replace("OWN", own)
    statement = {"Effect": "Allow", "Principal": json.loads(text), "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    assert list(trusted_entities(doc(statement), own)) == words


def test_a_deny_statement_trusts_nobody():
    deny = doc({"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"})
    assert trusted_entities(deny, "123456789012") == ()


def test_the_list_shows_each_role_with_who_it_trusts(learner_client, sandbox, web, linked):
    response = learner_client.get(roles_url(sandbox))
    assertContains(response, f'<a href="{role_url(sandbox, web)}"><strong>WebServer</strong></a>', html=True)
    assertContains(response, '<span class="trusted-entity">AWS service: ec2</span>', html=True)
    assertContains(response, '<span class="trusted-entity">AWS service: autoscaling</span>', html=True)
    assertContains(response, '<span class="tag">Service-linked</span>', html=True)
    assertContains(response, "<code>/aws-service-role/autoscaling.amazonaws.com/</code>", html=True)
    assertContains(response, "<td>1 hour</td>", html=True, count=2)
    assertContains(response, 'aria-current="page">Roles</a>')
    assert response["Vary"].count("HX-Request") == 1


def test_the_list_takes_the_same_queries_for_ten_and_three_hundred_roles(learner_client, sandbox, root):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(roles_url(sandbox)).status_code == 200
        return len(captured)

    def add_roles(first: int, last: int) -> None:
        for number in range(first, last):
            Role.objects.create(account=root.account, name=f"role{number}", trust_policy=EC2_TRUST)

    add_roles(0, 10)
    with_ten = queries_for_page()
    add_roles(10, 300)
    assert queries_for_page() == with_ten


# Creating roles --------------------------------------------------------------------------------------------------


def test_it_creates_a_role_and_redirects_without_js(learner_client, sandbox):
    data = {
        "name": "Deployer",
        "path": "/ci/",
        "description": "CI",
        "max_session_duration": "7200",
        "trust_policy": EC2_TRUST,
    }
    assertRedirects(learner_client.post(roles_url(sandbox), data), roles_url(sandbox))
    role = Role.objects.get()
    assert (role.name, role.path, role.description, role.max_session_duration, role.trust_policy) == (
        "Deployer",
        "/ci/",
        "CI",
        7200,
        EC2_TRUST,
    )


def test_htmx_create_returns_the_region_with_the_role_and_a_blank_form(learner_client, sandbox):
    data = {"name": "Deployer", "path": "", "max_session_duration": "3600", "trust_policy": EC2_TRUST}
    response = learner_client.post(roles_url(sandbox), data, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="roles-region"')
    assertContains(response, "<strong>Deployer</strong>", html=True)
    assertContains(response, 'name="name" value=""')
    assert Role.objects.get().path == "/"


@pytest.mark.parametrize(
    ("data", "status", "code", "says"),
    [
        ({"trust_policy": GROUP_TRUST}, 400, "MalformedPolicyDocument", "groups are not principals"),
        ({"trust_policy": READ_S3}, 400, "MalformedPolicyDocument", "Missing required field Principal"),
        ({"name": "web server"}, 400, "ValidationError", "Role name &#x27;web server&#x27; is invalid"),
        ({"name": "webserver"}, 409, "EntityAlreadyExists", "Role with name webserver already exists."),
        ({"max_session_duration": "90000"}, 400, "ValidationError", "between 3600 and 43200 seconds"),
        ({"max_session_duration": "soon"}, 400, "ValidationError", "a number of seconds"),
    ],
)
def test_create_errors_are_shown_in_place_keeping_what_was_typed(
    learner_client, sandbox, web, data, status, code, says
):
    typed = {
        "name": "Deployer",
        "description": "kept",
        "max_session_duration": "3600",
        "trust_policy": EC2_TRUST,
    } | data
    for headers, expected in (({}, status), (HTMX, 200)):
        response = learner_client.post(roles_url(sandbox), typed, headers=headers)
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=expected)
        assertContains(response, says, status_code=expected)
        assertContains(response, 'value="kept"', status_code=expected)
        assertContains(response, f">{escape(typed['trust_policy'])}</textarea>", status_code=expected)
    assert Role.objects.count() == 1


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (GROUP_TRUST, "names an IAM group, and groups are not principals"),
        (
            doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}),
            "Has prohibited field Resource",
        ),
        (READ_S3, "Missing required field Principal"),
    ],
)
def test_the_trust_policy_is_validated_as_a_trust_policy_while_typing(learner_client, sandbox, document, says):
    response = learner_client.post(roles_url(sandbox, "validate/"), {"trust_policy": document}, headers=HTMX)
    assert "<html" not in response.content.decode()
    assertContains(response, '<code class="finding-code">MALFORMED_POLICY_DOCUMENT</code>', html=True)
    assertContains(response, escape(says))


def test_a_valid_trust_policy_has_no_findings(learner_client, sandbox):
    response = learner_client.post(roles_url(sandbox, "validate/"), {"trust_policy": EC2_TRUST}, headers=HTMX)
    assertContains(response, "No findings")


@pytest.mark.parametrize(
    ("template", "principal", "says"),
    [
        ("service", {"Service": "ec2.amazonaws.com"}, None),
        ("account", {"AWS": "arn:aws:iam::OWN:root"}, None),
        ("external", {"AWS": "arn:aws:iam::111122223333:root"}, "sts:ExternalId"),
    ],
)
def test_templates_fill_the_editor_with_a_valid_trust_policy(learner_client, sandbox, template, principal, says):
    account_id = sandbox.accounts.get().account_id
    document = trust_template(template, account_id)
    [statement] = json.loads(document)["Statement"]
    assert statement["Principal"] == json.loads(json.dumps(principal).replace("OWN", account_id))
    assert (says in document) if says else "Condition" not in statement
    response = learner_client.get(roles_url(sandbox, "template/"), {"template": template}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="trust-editor"')
    assertContains(response, f">{escape(document)}</textarea>")
    assertContains(response, "No findings")
    full = learner_client.get(roles_url(sandbox, "template/"), {"template": template})
    assertContains(full, '<h1 id="page-title">Roles</h1>', html=True)
    assertContains(full, f">{escape(document)}</textarea>")


def test_a_service_linked_role_is_created_and_its_page_opened(learner_client, sandbox):
    response = learner_client.post(roles_url(sandbox, "service-linked/"), {"service": AUTOSCALING})
    role = Role.objects.get()
    assertRedirects(response, role_url(sandbox, role))
    response = learner_client.post(roles_url(sandbox, "service-linked/"), {"service": AUTOSCALING}, headers=HTMX)
    assertContains(response, "InvalidInput")
    assertContains(response, "Service role name AWSServiceRoleForAutoScaling has been taken in this account")


# A role's page ---------------------------------------------------------------------------------------------------


def test_the_role_page_shows_summary_trust_permissions_and_profiles(learner_client, sandbox, root, web, profile):
    policy = operations.create_policy(root, "ReadS3", READ_S3)
    operations.attach_role_policy(root, "WebServer", policy.arn)
    operations.put_role_policy(root, "WebServer", "own-inline", READ_S3)
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    response = learner_client.get(role_url(sandbox, web))
    assertContains(response, f'<code class="arn">{web.arn}</code>', html=True)
    assertContains(response, "Roles have no long-term credentials")
    assertContains(response, '<span class="json-string">&quot;ec2.amazonaws.com&quot;</span>', html=True)
    assertContains(response, f'href="/console/{sandbox.id}/policies/{policy.id}/"')
    assertContains(response, "own-inline")
    assertContains(response, f'<code class="arn">{profile.arn}</code>', html=True)
    assertContains(response, f'href="/console/{sandbox.id}/effective-permissions/role/{web.id}/"')
    assertContains(response, "Edit trust policy")


@pytest.mark.parametrize(
    ("change", "data", "check"),
    [
        (
            "update",
            {"description": "new words", "max_session_duration": "7200"},
            lambda r: (r.description, r.max_session_duration) == ("new words", 7200),
        ),
        (
            "trust",
            {"trust_policy": trust_template("service", "1").replace("ec2", "lambda")},
            lambda r: "lambda" in r.trust_policy,
        ),
        ("put_inline", {"policy_name": "logs", "document": READ_S3}, lambda r: r.inline_policies.get().name == "logs"),
        ("tag", {"key": "team", "value": "web"}, lambda r: r.tags == [{"Key": "team", "Value": "web"}]),
    ],
)
def test_each_change_is_made_with_or_without_js(learner_client, sandbox, web, change, data, check):
    assertRedirects(learner_client.post(role_url(sandbox, web, change), data), role_url(sandbox, web))
    assert check(Role.objects.get(pk=web.pk))
    response = learner_client.post(role_url(sandbox, web, change), data, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="role-region"')


def test_managed_policies_and_boundaries_are_attached_through_the_identities_operations(
    learner_client, sandbox, root, web
):
    policy = operations.create_policy(root, "ReadS3", READ_S3)
    learner_client.post(role_url(sandbox, web, "attach"), {"policy_arn": policy.arn})
    learner_client.post(role_url(sandbox, web, "set_boundary"), {"policy_arn": policy.arn})
    web.refresh_from_db()
    assert list(web.managed_policies.all()) == [policy] and web.permissions_boundary == policy
    learner_client.post(role_url(sandbox, web, "detach"), {"policy_arn": policy.arn})
    learner_client.post(role_url(sandbox, web, "remove_boundary"), {})
    web.refresh_from_db()
    assert not web.managed_policies.exists() and web.permissions_boundary is None


def test_an_invalid_trust_policy_is_refused_in_place_with_a_lesson(learner_client, sandbox, web):
    for headers, status in (({}, 400), (HTMX, 200)):
        response = learner_client.post(role_url(sandbox, web, "trust"), {"trust_policy": GROUP_TRUST}, headers=headers)
        assertContains(response, "MalformedPolicyDocument", status_code=status)
        assertContains(response, "Name the users or a role instead.", status_code=status)
        assertContains(response, '<details class="role-edit" open>', status_code=status)
    web.refresh_from_db()
    assert web.trust_policy == EC2_TRUST


def test_delete_conflict_is_shown_in_place_naming_the_blockers(learner_client, sandbox, root, web, profile):
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    operations.put_role_policy(root, "WebServer", "logs", READ_S3)
    response = learner_client.post(role_url(sandbox, web, "delete"), {"confirm": "WebServer"})
    assertContains(response, "DeleteConflict", status_code=409)
    assertContains(response, "remove it from instance profile web-profile; delete inline policy logs", status_code=409)
    assert Role.objects.filter(pk=web.pk).exists()


def test_deleting_needs_the_name_typed_and_then_goes_back_to_the_list(learner_client, sandbox, web):
    response = learner_client.post(role_url(sandbox, web, "delete"), {"confirm": "nope"})
    assertContains(response, "Type the role's name exactly", status_code=400)
    response = learner_client.post(role_url(sandbox, web, "delete"), {"confirm": "WebServer"}, headers=HTMX)
    assert response["HX-Redirect"] == roles_url(sandbox)
    assert not Role.objects.filter(pk=web.pk).exists()


# Service-linked roles --------------------------------------------------------------------------------------------


def test_a_service_linked_roles_page_is_read_only_and_says_why(learner_client, sandbox, linked):
    response = learner_client.get(role_url(sandbox, linked))
    assertContains(response, "A role that belongs to Amazon EC2 Auto Scaling")
    assertContains(response, "UnmodifiableEntity")
    assertContains(response, "AutoScalingServiceRolePolicy")
    assertNotContains(response, "Edit trust policy")
    assertNotContains(response, 'name="document"')
    assertContains(response, "Edit description")
    assertNotContains(response, 'name="max_session_duration"')
    assertContains(response, "Delete service-linked role")


def test_its_description_can_be_edited_but_nothing_else(learner_client, sandbox, linked):
    learner_client.post(role_url(sandbox, linked, "update"), {"description": "Ours"})
    linked.refresh_from_db()
    assert linked.description == "Ours"
    response = learner_client.post(role_url(sandbox, linked, "trust"), {"trust_policy": EC2_TRUST})
    assertContains(response, "UnmodifiableEntity", status_code=400)


def test_deletion_fails_while_a_simulated_resource_uses_the_role(learner_client, sandbox, linked):
    resources = roles_url(sandbox, f"{linked.id}/resources/")
    delete = roles_url(sandbox, f"{linked.id}/delete-service-linked/")
    assertRedirects(learner_client.post(resources, {"name": "web-asg"}), role_url(sandbox, linked))
    page = learner_client.get(role_url(sandbox, linked))
    assertContains(page, "autoScalingGroupName/web-asg")
    response = learner_client.post(delete, {})
    assertContains(response, "<strong>FAILED</strong>", html=True, status_code=409)
    assertContains(response, "in use by autoscaling.amazonaws.com", status_code=409)
    assert Role.objects.filter(pk=linked.pk).exists()
    [arn] = page.context["resources"]
    learner_client.post(resources, {"remove": arn})
    response = learner_client.post(delete, {}, headers=HTMX)
    assert response["HX-Redirect"] == roles_url(sandbox)
    assert not Role.objects.exists()


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 65])
def test_a_simulated_resource_needs_a_plain_name(learner_client, sandbox, linked, name):
    response = learner_client.post(roles_url(sandbox, f"{linked.id}/resources/"), {"name": name}, headers=HTMX)
    assertContains(response, "ValidationError")
    assert response.context["resources"] == []


def test_only_a_service_linked_role_has_simulated_resources(learner_client, sandbox, web):
    assert learner_client.post(roles_url(sandbox, f"{web.id}/resources/"), {"name": "x"}).status_code == 404


# Instance profiles ------------------------------------------------------------------------------------------------


def test_instance_profiles_are_created_filled_emptied_and_deleted(learner_client, sandbox, web, linked):
    assertRedirects(
        learner_client.post(profiles_url(sandbox), {"name": "web-profile", "path": ""}), profiles_url(sandbox)
    )
    profile = InstanceProfile.objects.get()
    page = learner_client.get(profiles_url(sandbox))
    assert page.context["role_names"] == ["WebServer"]  # a service-linked role is not offered
    learner_client.post(profiles_url(sandbox, f"{profile.id}/add_role/"), {"role": "WebServer"})
    profile.refresh_from_db()
    assert profile.role == web
    response = learner_client.post(profiles_url(sandbox, f"{profile.id}/delete/"), {}, headers=HTMX)
    assertContains(response, "DeleteConflict")
    assertContains(response, "must remove roles from instance profile first")
    learner_client.post(profiles_url(sandbox, f"{profile.id}/remove_role/"), {})
    learner_client.post(profiles_url(sandbox, f"{profile.id}/delete/"), {})
    assert not InstanceProfile.objects.exists()


def test_a_second_role_is_limit_exceeded_on_its_row(learner_client, sandbox, root, web, profile):
    role_operations.add_role_to_instance_profile(root, "web-profile", "WebServer")
    response = learner_client.post(profiles_url(sandbox, f"{profile.id}/add_role/"), {"role": "WebServer"})
    assertContains(response, "LimitExceeded", status_code=409)


def test_the_profiles_list_takes_the_same_queries_for_ten_and_three_hundred(learner_client, sandbox, root, web):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert learner_client.get(profiles_url(sandbox)).status_code == 200
        return len(captured)

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            InstanceProfile.objects.create(account=root.account, name=f"p{number}", role=web if number % 2 else None)

    add(0, 10)
    with_ten = queries_for_page()
    add(10, 300)
    assert queries_for_page() == with_ten


# Who may use these pages -------------------------------------------------------------------------------------------


def test_another_learner_gets_404_on_every_route(other_client, routes, web, profile):
    for method, url, data in routes:
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert unchanged(web, profile)


def test_a_role_or_profile_of_another_learners_account_is_404_from_ones_own_sandbox(
    learner_client, sandbox, other_learner
):
    theirs = Actor(Sandbox.objects.create_with_account(other_learner).accounts.get())
    their_role = operations.create_role(theirs, "Theirs", EC2_TRUST)
    their_profile = role_operations.create_instance_profile(theirs, "theirs")
    assert learner_client.get(role_url(sandbox, their_role)).status_code == 404
    assert learner_client.post(role_url(sandbox, their_role, "update"), {"description": "x"}).status_code == 404
    assert learner_client.post(profiles_url(sandbox, f"{their_profile.id}/delete/"), {}).status_code == 404
    assert InstanceProfile.objects.filter(pk=their_profile.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, routes):
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next="), url


def test_posts_without_the_csrf_token_are_refused(learner, routes, web, profile):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    for method, url, data in routes:
        if method == "post":
            assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert unchanged(web, profile)


def test_an_unknown_change_is_404(learner_client, sandbox, web, profile):
    assert learner_client.post(role_url(sandbox, web, "explode"), {}).status_code == 404
    assert learner_client.post(profiles_url(sandbox, f"{profile.id}/explode/"), {}).status_code == 404


def test_script_in_names_descriptions_tags_and_documents_is_escaped(learner_client, sandbox, root, linked):
    script = "<script>alert(1)</script>"
    trust = doc(
        {
            "Sid": "x",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": script}},
        }
    )
    role = operations.create_role(root, "Escaped", trust, description=script)
    operations.tag_role(root, "Escaped", [{"Key": "k", "Value": "v"}])
    for url in (roles_url(sandbox), role_url(sandbox, role)):
        response = learner_client.get(url)
        assertNotContains(response, "<script>alert")
    response = learner_client.post(roles_url(sandbox), {"name": script, "description": script, "trust_policy": script})
    assertNotContains(response, "<script>alert", status_code=400)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=400)
    response = learner_client.post(roles_url(sandbox, "validate/"), {"trust_policy": script})
    assertNotContains(response, "<script>alert")
    response = learner_client.post(role_url(sandbox, role, "tag"), {"key": script, "value": ""})
    assertNotContains(response, "<script>alert", status_code=400)
    response = learner_client.post(roles_url(sandbox, f"{linked.id}/resources/"), {"name": script}, headers=HTMX)
    assertNotContains(response, "<script>alert")
    response = learner_client.post(profiles_url(sandbox), {"name": script}, headers=HTMX)
    assertNotContains(response, "<script>alert")


def test_an_ordinary_role_has_no_service_linked_deletion(learner_client, sandbox, web):
    assert learner_client.post(roles_url(sandbox, f"{web.id}/delete-service-linked/"), {}).status_code == 404
    assert Role.objects.filter(pk=web.pk).exists()
