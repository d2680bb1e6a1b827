"""The IAM user's page: its permissions and where they come from, boundary, groups, tags and deletion.

Error codes: IAM API Reference, AttachUserPolicy, DetachUserPolicy, PutUserPolicy, DeleteUserPolicy,
PutUserPermissionsBoundary, AddUserToGroup, RemoveUserFromGroup, TagUser, UntagUser and DeleteUser
("Errors"); tag rules: "Tagging IAM resources".
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import operations
from simulator.sandbox.models import AccessKey, IamUser, ManagedPolicy, PolicyVersion

from .conftest import HTMX

pytestmark = pytest.mark.django_db

READ_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
BAD_EFFECT = '{"Version": "2012-10-17", "Statement": {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}}'


def user_url(sandbox, user, change: str = "") -> str:
    base = f"/console/{sandbox.id}/users/{user.id}/"
    return f"{base}change/{change}/" if change else base


@pytest.fixture
def policy(root) -> ManagedPolicy:
    return operations.create_policy(root, "ReadS3", READ_S3)


@pytest.fixture
def furnished(root, alice, policy):
    """alice with a policy of each kind, a group that brings its own, a boundary and a tag."""
    operations.attach_user_policy(root, "alice", policy.arn)
    operations.put_user_policy(root, "alice", "own-inline", READ_S3)
    operations.create_group(root, "devs")
    operations.add_user_to_group(root, "devs", "alice")
    operations.attach_group_policy(root, "devs", policy.arn)
    operations.put_group_policy(root, "devs", "devs-inline", READ_S3)
    operations.put_user_permissions_boundary(root, "alice", policy.arn)
    operations.tag_user(root, "alice", [{"Key": "team", "Value": "blue"}])
    return alice


def test_it_shows_the_summary_and_where_every_permission_comes_from(learner_client, sandbox, furnished, policy):
    group = furnished.groups.get()
    response = learner_client.get(user_url(sandbox, furnished))
    assertContains(response, f'<code class="arn">{furnished.arn}</code>', html=True)
    assertContains(response, f"<code>{furnished.unique_id}</code>", html=True)
    policy_link = f"/console/{sandbox.id}/policies/{policy.id}/"
    group_link = f"/console/{sandbox.id}/groups/{group.id}/"
    sources = response.content.decode().split('class="permission-sources"')[1].split("</ul>")[0]
    assert sources.count(f'href="{policy_link}"') == 2
    assert 'href="#inline-policy-own-inline"' in sources
    assert f'href="{group_link}"' in sources and f'href="{group_link}#inline-policy-devs-inline"' in sources
    assertContains(response, "The permissions boundary then caps the result.")
    assertContains(response, "<td><code>team</code></td><td><code>blue</code></td>", html=True)
    assertContains(response, f'href="/console/{sandbox.id}/users/{furnished.id}/credentials/"')
    assertContains(response, f'href="/console/{sandbox.id}/effective-permissions/user/{furnished.id}/"')
    assertContains(response, '<span class="json-key">&quot;Effect&quot;</span>', html=True)
    assert response["Vary"].count("HX-Request") == 1


def test_the_users_list_links_each_name_to_its_page(learner_client, sandbox, alice):
    response = learner_client.get(f"/console/{sandbox.id}/users/")
    assertContains(response, f'<a href="{user_url(sandbox, alice)}"><strong>alice</strong></a>', html=True)


def attached(user) -> list[str]:
    return list(IamUser.objects.get(pk=user.pk).managed_policies.values_list("name", flat=True))


def tags(user) -> list[dict]:
    return IamUser.objects.get(pk=user.pk).tags


def inline_names(user) -> list[str]:
    return list(IamUser.objects.get(pk=user.pk).inline_policies.values_list("name", flat=True))


CHANGES = [
    ("attach", lambda p: {"policy_arn": p.arn}, lambda u: attached(u) == ["ReadS3"]),
    ("put_inline", lambda p: {"policy_name": "mine", "document": READ_S3}, lambda u: inline_names(u) == ["mine"]),
    ("set_boundary", lambda p: {"policy_arn": p.arn}, lambda u: IamUser.objects.get(pk=u.pk).permissions_boundary),
    ("join_group", lambda p: {"group": "devs"}, lambda u: u.groups.filter(name="devs").exists()),
    ("tag", lambda p: {"key": "team", "value": "blue"}, lambda u: tags(u) == [{"Key": "team", "Value": "blue"}]),
]


@pytest.mark.parametrize(("change", "data", "done"), CHANGES, ids=[row[0] for row in CHANGES])
def test_each_change_works_without_javascript_and_redirects_back(
    learner_client, sandbox, root, alice, policy, change, data, done
):
    operations.create_group(root, "devs")
    response = learner_client.post(user_url(sandbox, alice, change), data(policy))
    assertRedirects(response, user_url(sandbox, alice))
    assert done(alice)


@pytest.mark.parametrize(("change", "data", "done"), CHANGES, ids=[row[0] for row in CHANGES])
def test_each_change_with_htmx_swaps_the_region(learner_client, sandbox, root, alice, policy, change, data, done):
    operations.create_group(root, "devs")
    response = learner_client.post(user_url(sandbox, alice, change), data(policy), headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="user-region"')
    assert "<html" not in response.content.decode()
    assert done(alice)


UNDONE = [
    ("detach", lambda p: {"policy_arn": p.arn}, lambda u: attached(u) == []),
    ("delete_inline", lambda p: {"policy_name": "own-inline"}, lambda u: inline_names(u) == []),
    ("remove_boundary", lambda p: {}, lambda u: IamUser.objects.get(pk=u.pk).permissions_boundary is None),
    ("leave_group", lambda p: {"group": "devs"}, lambda u: not u.groups.exists()),
    ("untag", lambda p: {"key": "TEAM"}, lambda u: tags(u) == []),
]


@pytest.mark.parametrize(("change", "data", "done"), UNDONE, ids=[row[0] for row in UNDONE])
def test_each_removal_works(learner_client, sandbox, furnished, policy, change, data, done):
    response = learner_client.post(user_url(sandbox, furnished, change), data(policy))
    assertRedirects(response, user_url(sandbox, furnished))
    assert done(furnished)


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"key": "aws:team", "value": "x"}, "InvalidInput", "reserved"),
        ({"key": "bad!key", "value": "x"}, "ValidationError", "regular expression pattern"),
        ({"key": "", "value": "x"}, "ValidationError", "length greater than or equal to 1"),
    ],
)
def test_a_refused_tag_is_shown_beside_the_tag_form_with_what_was_typed(
    learner_client, sandbox, alice, data, code, message
):
    for headers, status in (({}, 400), (HTMX, 200)):
        response = learner_client.post(user_url(sandbox, alice, "tag"), data, headers=headers)
        assert response.status_code == status
        assertContains(response, 'id="tag-error"', status_code=status)
        assertContains(response, f'<code class="aws-error-code">{code}</code>', html=True, status_code=status)
        assertContains(response, message, status_code=status)
        assertContains(response, f'value="{escape(data["key"])}"', status_code=status)
    assert tags(alice) == []


def test_typed_tag_values_and_policy_names_are_escaped(learner_client, sandbox, alice):
    script = "<script>alert(1)</script>"
    response = learner_client.post(user_url(sandbox, alice, "tag"), {"key": "k", "value": script})
    assertContains(response, escape(script), status_code=400)
    assertNotContains(response, script, status_code=400)
    response = learner_client.post(user_url(sandbox, alice, "put_inline"), {"policy_name": script, "document": READ_S3})
    assertContains(response, escape(script), status_code=400)
    assertNotContains(response, script, status_code=400)


def test_stored_tags_are_escaped_too(learner_client, sandbox, alice):
    """A tag written by another front door (say an imported sandbox) is shown as text, never markup."""
    IamUser.objects.filter(pk=alice.pk).update(tags=[{"Key": "<b>k</b>", "Value": "<img src=x>"}])
    response = learner_client.get(user_url(sandbox, alice))
    assertContains(response, "&lt;img src=x&gt;")
    assertNotContains(response, "<img src=x>")


def test_a_malformed_inline_policy_is_refused_with_its_findings(learner_client, sandbox, alice):
    response = learner_client.post(
        user_url(sandbox, alice, "put_inline"), {"policy_name": "broken", "document": BAD_EFFECT}, headers=HTMX
    )
    assertContains(response, 'id="put-inline-error"')
    assertContains(response, '<code class="aws-error-code">MalformedPolicyDocument</code>', html=True)
    assertContains(response, 'class="finding-code"')
    assertContains(response, 'value="broken"')
    assert inline_names(alice) == []


def test_edit_opens_an_inline_policy_in_the_editor(learner_client, sandbox, furnished):
    response = learner_client.get(user_url(sandbox, furnished) + "?edit=own-inline")
    assertContains(response, "Edit inline policy")
    assertContains(response, 'id="inline-name" name="policy_name" value="own-inline"')
    assertContains(response, escape(READ_S3))


def test_detaching_what_is_not_attached_is_no_such_entity_in_place(learner_client, sandbox, alice, policy):
    response = learner_client.post(user_url(sandbox, alice, "detach"), {"policy_arn": policy.arn})
    assert response.status_code == 404
    assertContains(response, 'id="detach-error"', status_code=404)
    assertContains(response, f"Policy {policy.arn} was not found.", status_code=404)


def test_service_role_policies_are_not_offered(learner_client, sandbox, alice):
    aws_policy = ManagedPolicy.objects.create(name="ExampleAwsManaged")
    PolicyVersion.objects.create(policy=aws_policy, number=1, document=READ_S3, is_default=True)
    service = ManagedPolicy.objects.create(name="AWSSupportServiceRolePolicy", path="/aws-service-role/")
    PolicyVersion.objects.create(policy=service, number=1, document=READ_S3, is_default=True)
    response = learner_client.get(user_url(sandbox, alice))
    assertContains(response, f'<option value="{aws_policy.arn}">ExampleAwsManaged</option>', html=True)
    assertNotContains(response, "AWSSupportServiceRolePolicy")


def test_delete_asks_for_the_name_then_shows_what_blocks_it(learner_client, sandbox, root, alice):
    response = learner_client.post(user_url(sandbox, alice, "delete"), {"confirm": "alic"})
    assertContains(response, "Type the user's name exactly", status_code=400)
    AccessKey.objects.create(account=root.account, user=alice)
    response = learner_client.post(user_url(sandbox, alice, "delete"), {"confirm": "alice"}, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">DeleteConflict</code>', html=True)
    assertContains(response, "1 access key(s)")
    assertContains(response, '<details class="danger-zone" open>')
    assert IamUser.objects.filter(pk=alice.pk).exists()


def test_a_deleted_user_takes_the_learner_back_to_the_list(learner_client, sandbox, alice, root):
    bob = operations.create_user(root, "bob")
    users = f"/console/{sandbox.id}/users/"
    assertRedirects(learner_client.post(user_url(sandbox, alice, "delete"), {"confirm": "alice"}), users)
    response = learner_client.post(user_url(sandbox, bob, "delete"), {"confirm": "bob"}, headers=HTMX)
    assert response["HX-Redirect"] == users
    assert not IamUser.objects.exists()


def test_changes_are_made_as_the_acting_identity(learner_client, sandbox, root, alice, policy):
    operations.create_user(root, "intern")
    session = learner_client.session
    session["acting"] = {str(sandbox.pk): {"account": root.account.account_id, "user": "intern"}}
    session.save()
    response = learner_client.post(user_url(sandbox, alice, "attach"), {"policy_arn": policy.arn}, headers=HTMX)
    assertContains(response, '<code class="aws-error-code">AccessDenied</code>', html=True)
    assertContains(response, "is not authorized to perform: iam:AttachUserPolicy")
    assert attached(alice) == []


def routes(sandbox, user) -> list[tuple[str, str, dict]]:
    return [("get", user_url(sandbox, user), {})] + [
        ("post", user_url(sandbox, user, change), {"policy_arn": "x", "key": "k", "value": "v", "confirm": "alice"})
        for change in (
            "attach",
            "detach",
            "put_inline",
            "delete_inline",
            "set_boundary",
            "remove_boundary",
            "join_group",
            "leave_group",
            "tag",
            "untag",
            "delete",
        )
    ]


def test_another_learner_gets_404_on_every_route(other_client, sandbox, alice):
    for method, url, data in routes(sandbox, alice):
        assert getattr(other_client, method)(url, data).status_code == 404, url
    assert tags(alice) == [] and IamUser.objects.filter(pk=alice.pk).exists()


def test_a_user_of_another_account_is_404_even_in_the_learners_own_sandbox(learner_client, other_learner, sandbox):
    from simulator.sandbox.authorization import Actor
    from simulator.sandbox.models import Sandbox

    theirs = operations.create_user(Actor(Sandbox.objects.create_with_account(other_learner).accounts.get()), "eve")
    for method, url, data in routes(sandbox, theirs):
        assert getattr(learner_client, method)(url, data).status_code == 404, url


def test_an_unknown_change_is_404(learner_client, sandbox, alice):
    assert learner_client.post(user_url(sandbox, alice, "promote")).status_code == 404


def test_changes_need_post_and_a_csrf_token(learner, sandbox, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.get(user_url(sandbox, alice, "tag")).status_code == 405
    for _method, url, data in routes(sandbox, alice)[1:]:
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert tags(alice) == []


def test_the_page_costs_the_same_queries_with_10_or_300_groups_policies_and_users(learner_client, sandbox, root, alice):
    """The user is in 10 groups (the most IAM allows), each bringing policies; the pickers list the account."""
    account = root.account

    def grow(total: int) -> int:
        have = account.groups.count()
        for n in range(have, total):
            group = operations.create_group(root, f"g{n}")
            policy = operations.create_policy(root, f"p{n}", READ_S3)
            operations.create_user(root, f"u{n}")
            if n < 10:
                group.members.add(alice)
                group.managed_policies.add(policy)
                operations.put_group_policy(root, group.name, "inline", READ_S3)
        with CaptureQueriesContext(connection) as queries:
            assert learner_client.get(user_url(sandbox, alice)).status_code == 200
        return len(queries)

    assert grow(10) == grow(300)
