"""A learner's sandboxes through the API: create, reset, delete, add an account, export an account as
GetAccountAuthorizationDetails (IAM API Reference) returns it, and import such a dump back."""

import pytest

from simulator.sandbox import operations
from simulator.sandbox.models import Account, IamUser, Sandbox

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_create_a_sandbox_from_a_template(api, learner):
    created = api.post("/api/sandboxes/", {"Name": "Demo", "Template": "demo"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["Name"], body["Template"], len(body["Accounts"])) == ("Demo", "demo", 1)
    account_id = body["Accounts"][0]["AccountId"]
    users = api.get(f"/api/sandboxes/{body['SandboxId']}/accounts/{account_id}/users/").json()
    assert users["count"] > 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"Name": "Playground"}, 409, "EntityAlreadyExists"),
        ({"Name": "   "}, 400, "ValidationError"),
        ({"Name": "x", "Template": "galaxy"}, 400, "ValidationError"),
        ({}, 400, "ValidationError"),
    ],
)
def test_create_sandbox_errors(api, sandbox, body, status, code):
    assert_error(api.post("/api/sandboxes/", body, format="json"), status, code)


def test_reset_keeps_the_first_accounts_id_and_empties_it(api, sandbox, account, root):
    operations.create_user(root, "alice")
    Account.objects.create(sandbox=sandbox)
    reset = api.post(f"/api/sandboxes/{sandbox.id}/reset/").json()
    assert [a["AccountId"] for a in reset["Accounts"]] == [account.account_id]
    assert not IamUser.objects.exists()


def test_delete_needs_the_name_typed_exactly(api, sandbox):
    assert_error(api.delete(f"/api/sandboxes/{sandbox.id}/?ConfirmName=playground"), 400, "ValidationError")
    assert_error(api.delete(f"/api/sandboxes/{sandbox.id}/"), 400, "ValidationError", "ConfirmName")
    assert api.delete(f"/api/sandboxes/{sandbox.id}/?ConfirmName=Playground").status_code == 204
    assert not Sandbox.objects.exists()


def test_add_an_account_with_an_alias(api, sandbox):
    added = api.post(f"/api/sandboxes/{sandbox.id}/accounts/", {"AccountAlias": "prod"}, format="json").json()
    assert added["AccountAlias"] == "prod"
    listed = api.get(f"/api/sandboxes/{sandbox.id}/accounts/").json()["results"]
    assert [a["AccountAlias"] for a in listed] == ["", "prod"]
    assert_error(
        api.post(f"/api/sandboxes/{sandbox.id}/accounts/", {"AccountAlias": "prod"}, format="json"),
        409,
        "EntityAlreadyExists",
    )


def test_an_export_imports_into_another_account(api, sandbox, url, world):
    exported = api.get(url + "export/").json()
    assert {u["UserName"] for u in exported["UserDetailList"]} == {"alice", "carol"}
    second = api.post(f"/api/sandboxes/{sandbox.id}/accounts/", {"AccountAlias": "copy"}, format="json").json()
    target = f"/api/sandboxes/{sandbox.id}/accounts/{second['AccountId']}/"
    summary = api.post(target + "import/", exported, format="json")
    assert summary.status_code == 201
    assert summary.json()["Users"] == 2
    assert api.get(target + "users/alice/groups/").json()["results"][0]["GroupName"] == "admins"


def test_importing_over_entities_needs_replace(api, url, world):
    exported = api.get(url + "export/").json()
    error = assert_error(api.post(url + "import/", exported, format="json"), 409, "EntityAlreadyExists")
    assert error["Problems"][0]["Path"] == "$"
    assert api.post(url + "import/?Replace=true", exported, format="json").status_code == 201


def test_an_invalid_dump_lists_every_problem_at_its_path(api, url):
    dump = {"UserDetailList": [{"Path": "/"}, {"UserName": "bad name", "Path": "/"}]}
    error = assert_error(api.post(url + "import/", dump, format="json"), 400, "ValidationError")
    paths = [p["Path"] for p in error["Problems"]]
    assert any(p.startswith("$.UserDetailList[0]") for p in paths)
    assert any(p.startswith("$.UserDetailList[1]") for p in paths)
    assert not IamUser.objects.exists()
