"""The sandboxes pages: create, add an account, switch accounts, reset, delete, export, import.

Account aliases: IAM API Reference, "CreateAccountAlias". Export and import: IAM API Reference,
"GetAccountAuthorizationDetails", and the AWS CLI Command Reference, "get-account-authorization-details".
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import lifecycle, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.authorization_details import export_account
from simulator.sandbox.models import Account, IamUser, Sandbox

from .conftest import HTMX

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(sandbox: Sandbox, action: str) -> str:
    return f"/console/{sandbox.id}/{action}/"


def upload(data: object, name: str = "dump.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


@pytest.fixture
def second(sandbox) -> Account:
    return lifecycle.add_account(sandbox, "staging")


class TestIndex:
    def test_it_lists_each_sandbox_with_its_template_accounts_and_counts(self, learner_client, learner, sandbox, root):
        operations.create_user(root, "alice")
        operations.create_group(root, "admins")
        lifecycle.add_account(sandbox, "staging")
        demo = lifecycle.create_sandbox(learner, "Demo", Sandbox.Template.DEMO)
        response = learner_client.get("/console/")
        assertContains(response, f'<a href="/console/{sandbox.id}/users/">Playground</a>', html=True)
        assertContains(response, f'<a href="/console/{demo.id}/users/">Demo</a>', html=True)
        assertContains(response, '<span class="tag">Demo account</span>', html=True)
        assertContains(response, "<td>staging</td>", html=True)
        row = f"<th scope='row'><code>{root.account.account_id}</code></th>"
        assertContains(response, row, html=True)
        for action in ("reset", "delete"):
            assertContains(response, f'href="{url(sandbox, action)}"')
        assertContains(response, f'href="{url(sandbox, "export")}?account={root.account.account_id}"')
        assertContains(response, f'action="{url(sandbox, "accounts")}"')

    def test_the_number_of_queries_does_not_grow_with_sandboxes(self, learner_client, learner):
        def add_sandboxes(first: int, last: int) -> None:
            for number in range(first, last):
                sandbox = Sandbox.objects.create(owner=learner, name=f"S{number}")
                account = Account.objects.create(sandbox=sandbox)
                IamUser.objects.create(account=account, name="alice")

        def queries_for_page() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert learner_client.get("/console/").status_code == 200
            return len(captured)

        add_sandboxes(0, 10)
        with_ten = queries_for_page()
        add_sandboxes(10, 100)
        assert queries_for_page() == with_ten

    def test_names_are_escaped(self, learner_client, learner):
        lifecycle.create_sandbox(learner, SCRIPT)
        response = learner_client.get("/console/")
        assertNotContains(response, "<script>alert")
        assertContains(response, ESCAPED)

    def test_another_learners_sandboxes_are_not_listed(self, other_client, sandbox):
        assertNotContains(other_client.get("/console/"), "Playground</a>")


class TestCreate:
    def test_a_demo_sandbox_opens_on_its_users(self, learner_client, learner):
        response = learner_client.post("/console/create/", {"name": "Second", "template": "demo"})
        sandbox = Sandbox.objects.for_user(learner).get(name="Second")
        assertRedirects(response, f"/console/{sandbox.id}/users/")
        assert sandbox.template == "demo" and sandbox.accounts.get().users.count() == 3

    def test_htmx_is_told_where_to_go(self, learner_client, learner):
        response = learner_client.post("/console/create/", {"name": "Second"}, headers=HTMX)
        sandbox = Sandbox.objects.for_user(learner).get()
        assert response["HX-Redirect"] == f"/console/{sandbox.id}/users/"

    def test_an_empty_name_is_a_clear_error_beside_the_form(self, learner_client):
        response = learner_client.post("/console/create/", {"name": "  ", "template": "empty"})
        assertContains(response, "Give the sandbox a name.", status_code=400)
        assert not Sandbox.objects.exists()

    def test_htmx_gets_the_form_back_with_the_error_and_what_was_typed(self, learner_client):
        response = learner_client.post("/console/create/", {"name": "x" * 101}, headers=HTMX)
        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith('<section id="create-region"')
        assertContains(response, "at most 100 characters")
        assertContains(response, f'value="{"x" * 101}"')


class TestAddAccount:
    def test_it_adds_an_account_and_comes_back_to_the_list(self, learner_client, sandbox):
        response = learner_client.post(url(sandbox, "accounts"), {"alias": "staging"})
        assertRedirects(response, "/console/", fetch_redirect_response=False)
        account = sandbox.accounts.get(alias="staging")
        assertContains(learner_client.get("/console/"), f"Added account {account.account_id} (staging)")

    def test_htmx_redraws_the_sandboxs_card(self, learner_client, sandbox):
        response = learner_client.post(url(sandbox, "accounts"), {"alias": "staging"}, headers=HTMX)
        assert response.content.decode().lstrip().startswith(f'<section id="sandbox-{sandbox.id}"')
        assertContains(response, "<td>staging</td>", html=True)

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
    def test_an_invalid_alias_is_shown_escaped_with_awss_error(self, learner_client, sandbox, headers):
        response = learner_client.post(url(sandbox, "accounts"), {"alias": SCRIPT}, headers=headers)
        assert response.status_code == (200 if headers else 400)
        assertContains(response, "ValidationError", status_code=response.status_code)
        assertContains(response, "accountAlias", status_code=response.status_code)
        assertNotContains(response, "<script>alert", status_code=response.status_code)
        assert sandbox.accounts.count() == 1

    def test_the_sixth_account_is_refused(self, learner_client, sandbox):
        for number in range(lifecycle.ACCOUNTS_PER_SANDBOX - 1):
            lifecycle.add_account(sandbox, f"account-{number}")
        response = learner_client.post(url(sandbox, "accounts"), {"alias": "one-more"})
        assertContains(response, "LimitExceeded", status_code=409)
        assertContains(response, "A sandbox holds at most 5 accounts.", status_code=409)
        assert sandbox.accounts.count() == lifecycle.ACCOUNTS_PER_SANDBOX


class TestSwitchAccount:
    def test_the_nav_offers_the_switcher_only_with_several_accounts(self, learner_client, sandbox):
        assertNotContains(learner_client.get(url(sandbox, "users")), "Working in account")
        lifecycle.add_account(sandbox, "staging")
        response = learner_client.get(url(sandbox, "users"))
        assertContains(response, '<label for="account-switcher">Working in account</label>', html=True)
        assertContains(response, "(staging)</option>")
        assertContains(response, f'<input type="hidden" name="next" value="{url(sandbox, "users")}">', html=True)

    def test_choosing_an_account_acts_as_its_root_and_goes_back(self, learner_client, sandbox, second):
        back = url(sandbox, "groups")
        response = learner_client.post(url(sandbox, "accounts/switch"), {"account": second.account_id, "next": back})
        assertRedirects(response, back)
        learner_client.post(url(sandbox, "users"), {"name": "bob", "path": "/"})
        assert IamUser.objects.get(name="bob").account == second
        assertContains(learner_client.get(back), f"account <code>{second.account_id}</code>")

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
    def test_a_return_url_off_this_site_is_not_followed(self, learner_client, sandbox, second, next_url):
        response = learner_client.post(
            url(sandbox, "accounts/switch"), {"account": second.account_id, "next": next_url}
        )
        assertRedirects(response, url(sandbox, "users"))

    def test_an_account_of_another_sandbox_is_not_found(self, learner_client, learner, sandbox):
        elsewhere = lifecycle.create_sandbox(learner, "Elsewhere").accounts.get()
        response = learner_client.post(url(sandbox, "accounts/switch"), {"account": elsewhere.account_id})
        assert response.status_code == 404


class TestReset:
    def test_get_asks_and_names_the_account_id_that_stays(self, learner_client, sandbox, root):
        response = learner_client.get(url(sandbox, "reset"))
        assertContains(response, "Reset Playground")
        assertContains(response, f"<code>{root.account.account_id}</code>", html=True)
        assertContains(response, 'type="submit" class="button button-danger">Reset sandbox')

    def test_post_resets_and_says_so(self, learner_client, sandbox, root, second):
        operations.create_user(root, "alice")
        response = learner_client.post(url(sandbox, "reset"))
        assertRedirects(response, "/console/", fetch_redirect_response=False)
        assert list(sandbox.accounts.values_list("account_id", flat=True)) == [root.account.account_id]
        assert not IamUser.objects.exists()
        assertContains(learner_client.get("/console/"), "Playground is back to its empty account.")


class TestDelete:
    def test_the_wrong_name_deletes_nothing(self, learner_client, sandbox):
        response = learner_client.post(url(sandbox, "delete"), {"confirm_name": SCRIPT})
        assertContains(response, "type its name (Playground) exactly", status_code=400)
        assertContains(response, ESCAPED, status_code=400)
        assertNotContains(response, "<script>alert", status_code=400)
        assert Sandbox.objects.filter(pk=sandbox.pk).exists()

    def test_the_right_name_deletes_the_sandbox(self, learner_client, sandbox):
        assertContains(learner_client.get(url(sandbox, "delete")), "Type the sandbox's name")
        response = learner_client.post(url(sandbox, "delete"), {"confirm_name": "Playground"})
        assertRedirects(response, "/console/", fetch_redirect_response=False)
        assert not Sandbox.objects.exists()
        assertContains(learner_client.get("/console/"), "Deleted Playground and everything in it.")


class TestExport:
    def test_it_downloads_the_acting_accounts_details_as_json(self, learner_client, sandbox, root):
        operations.create_user(root, "alice")
        response = learner_client.get(url(sandbox, "export"))
        account_id = root.account.account_id
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"] == f'attachment; filename="{account_id}-authorization-details.json"'
        assert json.loads(response.content) == export_account(root.account)

    def test_it_exports_the_account_asked_for(self, learner_client, sandbox, second):
        operations.create_user(Actor(second), "stager")
        response = learner_client.get(url(sandbox, "export"), {"account": second.account_id})
        assert [u["UserName"] for u in json.loads(response.content)["UserDetailList"]] == ["stager"]

    def test_an_account_of_another_sandbox_is_not_found(self, learner_client, learner, sandbox):
        elsewhere = lifecycle.create_sandbox(learner, "Elsewhere").accounts.get()
        assert learner_client.get(url(sandbox, "export"), {"account": elsewhere.account_id}).status_code == 404


class TestImport:
    DUMP = {
        "GroupDetailList": [{"GroupName": "admins"}],
        "UserDetailList": [{"UserName": "zoe", "GroupList": ["admins"]}],
    }

    def test_get_offers_the_accounts_a_file_and_the_replace_choice(self, learner_client, sandbox, second):
        response = learner_client.get(url(sandbox, "import"), {"account": second.account_id})
        assertContains(response, f'<option value="{second.account_id}" selected>', html=False)
        assertContains(response, 'type="file" name="dump"')
        assertContains(response, 'enctype="multipart/form-data"')

    def test_a_valid_file_is_imported_and_the_list_says_what(self, learner_client, sandbox, root):
        account_id = root.account.account_id
        response = learner_client.post(url(sandbox, "import"), {"account": account_id, "dump": upload(self.DUMP)})
        assertRedirects(response, "/console/", fetch_redirect_response=False)
        assert list(root.account.users.get().groups.values_list("name", flat=True)) == ["admins"]
        counts = "1 user, 1 group, 0 roles, 0 customer managed policies, 0 instance profiles"
        message = f"Imported {counts} into account {account_id}."
        assertContains(learner_client.get("/console/"), message)

    def test_htmx_is_sent_to_the_list(self, learner_client, sandbox):
        response = learner_client.post(url(sandbox, "import"), {"dump": upload(self.DUMP)}, headers=HTMX)
        assert response["HX-Redirect"] == "/console/"

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
    def test_problems_are_listed_with_their_json_paths_escaped(self, learner_client, sandbox, headers):
        dump = {"UserDetailList": [{"UserName": SCRIPT}]}
        response = learner_client.post(url(sandbox, "import"), {"dump": upload(dump)}, headers=headers)
        status = 200 if headers else 400
        assertContains(response, "Nothing was imported: 1 problem to fix", status_code=status)
        assertContains(response, '<code class="import-path">$.UserDetailList[0].UserName</code>', status_code=status)
        assertContains(response, ESCAPED, status_code=status)
        assertNotContains(response, "<script>alert", status_code=status)
        assert not IamUser.objects.exists()

    def test_without_a_file_it_says_to_choose_one(self, learner_client, sandbox):
        assertContains(learner_client.post(url(sandbox, "import")), "Choose a JSON file", status_code=400)

    def test_a_file_over_five_megabytes_is_refused(self, learner_client, sandbox):
        big = b"{" + b" " * (5 * 1024 * 1024) + b"}"
        response = learner_client.post(url(sandbox, "import"), {"dump": upload(big)})
        assertContains(response, "larger than 5 MB", status_code=400)

    def test_an_account_in_use_needs_the_replace_box(self, learner_client, sandbox, root):
        operations.create_user(root, "alice")
        response = learner_client.post(url(sandbox, "import"), {"dump": upload(self.DUMP)})
        assertContains(response, "already holds 1 user:", status_code=400)
        response = learner_client.post(url(sandbox, "import"), {"dump": upload(self.DUMP), "replace": "on"})
        assertRedirects(response, "/console/")
        assert list(root.account.users.values_list("name", flat=True)) == ["zoe"]


def _requests(sandbox: Sandbox, account: Account) -> list[tuple[str, str, dict]]:
    """Every route of this page, with what the owner would send."""
    return [
        ("get", url(sandbox, "reset"), {}),
        ("post", url(sandbox, "reset"), {}),
        ("get", url(sandbox, "delete"), {}),
        ("post", url(sandbox, "delete"), {"confirm_name": sandbox.name}),
        ("get", url(sandbox, "export"), {}),
        ("get", url(sandbox, "import"), {}),
        ("post", url(sandbox, "import"), {"dump": upload({"UserDetailList": [{"UserName": "intruder"}]})}),
        ("post", url(sandbox, "accounts"), {"alias": "intruder"}),
        ("post", url(sandbox, "accounts/switch"), {"account": account.account_id}),
    ]


@pytest.mark.parametrize("index", range(9))
def test_another_learners_sandbox_is_not_found_and_nothing_changes(other_client, sandbox, root, index):
    operations.create_user(root, "alice")
    before = export_account(root.account)
    method, path, data = _requests(sandbox, root.account)[index]
    response = getattr(other_client, method)(path, data)
    assert response.status_code == 404
    assert Sandbox.objects.filter(pk=sandbox.pk).exists()
    assert sandbox.accounts.count() == 1
    assert export_account(root.account) == before


@pytest.mark.parametrize("index", [1, 3, 6, 7, 8])
def test_a_post_without_the_csrf_token_is_refused(learner, sandbox, root, index):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    _, path, data = _requests(sandbox, root.account)[index]
    assert client.post(path, data, headers=HTMX).status_code == 403
    assert client.post("/console/create/", {"name": "Sneaky"}, headers=HTMX).status_code == 403
    assert Sandbox.objects.get() == sandbox and sandbox.accounts.count() == 1
