"""Every error in one shape, AWS's ("IAM API Reference: Common Errors"; each action's "Errors" section), and the
acting identity a request names. The status of an AwsError is AWS's own (CreateUser: EntityAlreadyExists 409)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from simulator.sandbox import operations
from simulator.sandbox.models import DecisionRecord, IamUser

from .conftest import assert_error, document

pytestmark = pytest.mark.django_db


def test_an_operations_error_keeps_its_code_message_and_status(api, url, alice):
    response = api.post(url + "users/", {"UserName": "ALICE"}, format="json")
    assert_error(response, 409, "EntityAlreadyExists", "User with name ALICE already exists.")


def test_an_operations_validation_error_is_aws_s(api, url):
    response = api.post(url + "users/", {"UserName": "has space"}, format="json")
    assert_error(response, 400, "ValidationError", "User name 'has space' is invalid")


def test_the_apis_own_validation_collects_every_problem(api, url):
    error = assert_error(
        api.post(url + "roles/", {"MaxSessionDuration": "long"}, format="json"), 400, "ValidationError"
    )
    assert "RoleName: This field is required." in error["Message"]
    assert "AssumeRolePolicyDocument: This field is required." in error["Message"]
    assert "MaxSessionDuration: A valid integer is required." in error["Message"]


def test_nested_input_errors_name_their_place(api, url, alice):
    response = api.post(url + "users/alice/tags/", {"Tags": [{"Value": "x"}]}, format="json")
    assert_error(response, 400, "ValidationError", "Tags.0.Key: This field is required.")


def test_a_body_that_is_not_json_is_a_validation_error(api, url):
    response = api.post(url + "users/", "{not json", content_type="application/json")
    assert_error(response, 400, "ValidationError", "JSON parse error")


def test_a_body_too_large_is_limit_exceeded(api, url):
    response = api.post(url + "import/", {"UserDetailList": [{"UserName": "x" * 3_000_000}]}, format="json")
    assert_error(response, 413, "LimitExceeded", "The request body is larger than the API accepts (2.5 MB).")


def test_a_form_encoded_body_is_an_unsupported_media_type(api, url):
    assert_error(api.post(url + "users/", {"UserName": "bob"}), 415, "UnsupportedMediaType")


def test_a_method_an_endpoint_lacks_is_method_not_allowed(api, url):
    assert_error(api.put(url + "users/", {}, format="json"), 405, "MethodNotAllowed", 'Method "PUT" not allowed.')


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("users/nobody/", "The user with name nobody cannot be found."),
        ("groups/nobody/", "The group with name nobody cannot be found."),
        ("roles/nobody/policies/x/", "The role with name nobody cannot be found."),
        ("users/alice/policies/missing/", "The user policy with name missing cannot be found."),
        ("decisions/999999/", "The decision with ID 999999 cannot be found."),
    ],
)
def test_a_missing_entity_is_no_such_entity(api, url, alice, path, message):
    assert_error(api.get(url + path), 404, "NoSuchEntity", message)


def test_a_sandbox_or_account_that_does_not_exist_is_no_such_entity(api, sandbox):
    assert_error(api.get("/api/sandboxes/999999/"), 404, "NoSuchEntity", "The sandbox with ID 999999 cannot be found.")
    missing = f"/api/sandboxes/{sandbox.id}/accounts/000000000000/users/"
    assert_error(api.get(missing), 404, "NoSuchEntity", "The account with ID 000000000000 cannot be found.")


def test_a_url_under_api_that_names_nothing_answers_in_the_shape(api):
    assert_error(api.get("/api/no-such-thing/"), 404, "NoSuchEntity", "No API resource at /api/no-such-thing/.")


def test_a_missing_page_outside_the_api_stays_a_page(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_no_credentials_is_a_401_asking_for_a_token(url):
    response = APIClient().get(url + "users/")
    assert_error(response, 401, "MissingAuthenticationToken", "Authentication credentials were not provided.")
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_a_401(url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert_error(client.get(url + "users/"), 401, "InvalidClientTokenId", "Invalid token.")


def test_access_denied_carries_the_sentence_and_the_decision_record(api, url, alice):
    response = api.post(
        url + "users/", {"UserName": "bob"}, format="json", headers={"X-Sandbox-Principal": "user/alice"}
    )
    error = assert_error(response, 403, "AccessDenied", "because no identity-based policy allows the iam:CreateUser")
    record = DecisionRecord.objects.get(pk=error["Decision"]["Id"])
    assert (record.principal_arn, record.action, record.result) == (alice.arn, "iam:CreateUser", "implicitDeny")
    assert error["Decision"] == {"Id": record.id, "Url": f"{url}decisions/{record.id}/", "EvalDecision": "implicitDeny"}
    logged = api.get(error["Decision"]["Url"]).json()
    assert logged["Sentence"] == error["Message"]
    assert logged["Trace"]["decision"] == "implicitDeny"
    assert not IamUser.objects.filter(name="bob").exists()


def test_the_denials_link_is_the_record_written_for_it_not_a_search_of_the_log(api, url, alice):
    """Searching the log for the newest matching row could name another request's record of the same denial."""
    with CaptureQueriesContext(connection) as queries:
        response = api.post(
            url + "users/", {"UserName": "bob"}, format="json", headers={"X-Sandbox-Principal": "user/alice"}
        )
    error = assert_error(response, 403, "AccessDenied")
    assert error["Decision"]["Id"] == DecisionRecord.objects.get(principal_arn=alice.arn).id
    table = DecisionRecord._meta.db_table
    assert [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]] == []


def test_an_access_denied_without_a_decision_has_no_link(api, url):
    """AWS managed policies are AWS's: every change is refused, with no policy evaluated."""
    response = api.post(url + "aws-managed-policies/ReadOnlyAccess/versions/", {"PolicyDocument": "{}"}, format="json")
    error = assert_error(response, 403, "AccessDenied", "Cannot create versions for policies outside your own account.")
    assert "Decision" not in error


class TestCsrf:
    """A signed-in browser session must send the CSRF token with every write; a token client need not."""

    @pytest.fixture
    def browser(self, learner) -> APIClient:
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(learner)
        return client

    def test_a_session_write_without_the_token_is_refused(self, browser, url):
        response = browser.post(url + "users/", {"UserName": "bob"}, format="json")
        assert_error(response, 403, "AccessDenied", "CSRF Failed")
        assert not IamUser.objects.exists()

    def test_a_session_write_with_the_token_is_accepted(self, browser, url):
        browser.get("/sign-in/")
        token = browser.cookies["csrftoken"].value
        response = browser.post(url + "users/", {"UserName": "bob"}, format="json", headers={"X-CSRFToken": token})
        assert response.status_code == 201

    def test_a_session_read_needs_no_token(self, browser, url):
        assert browser.get(url + "users/").status_code == 200

    def test_a_token_client_needs_no_csrf_token(self, learner, url):
        client = APIClient(enforce_csrf_checks=True)
        token = learner_token(learner)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.post(url + "users/", {"UserName": "bob"}, format="json").status_code == 201


def learner_token(learner) -> str:
    return Token.objects.create(user=learner).key


class TestActingIdentity:
    """Who a request acts as: X-Sandbox-Principal, or ?as=; the root user when neither is given."""

    @pytest.fixture
    def admin_role(self, root):
        trust = document({"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": "sts:AssumeRole"})
        operations.create_role(root, "admin", trust)
        operations.attach_role_policy(root, "admin", "arn:aws:iam::aws:policy/IAMFullAccess")

    def test_the_root_user_by_default(self, api, url, account):
        api.post(url + "users/", {"UserName": "bob"}, format="json")
        assert DecisionRecord.objects.get(action="iam:CreateUser").principal_arn == account.root_arn

    @pytest.mark.parametrize("via", ["header", "query"])
    def test_a_role_session_named_by_header_or_query(self, api, url, account, admin_role, via):
        chosen = "role/admin/deploy"
        if via == "header":
            response = api.post(
                url + "users/", {"UserName": "bob"}, format="json", headers={"X-Sandbox-Principal": chosen}
            )
        else:
            response = api.post(url + f"users/?as={chosen}", {"UserName": "bob"}, format="json")
        assert response.status_code == 201
        record = DecisionRecord.objects.get(action="iam:CreateUser")
        assert record.principal_arn == f"arn:aws:sts::{account.account_id}:assumed-role/admin/deploy"

    def test_a_role_session_is_named_api_unless_named(self, api, url, account, admin_role):
        api.post(url + "users/", {"UserName": "bob"}, format="json", headers={"X-Sandbox-Principal": "role/admin"})
        assert DecisionRecord.objects.get(action="iam:CreateUser").principal_arn.endswith(":assumed-role/admin/api")

    @pytest.mark.parametrize(
        ("chosen", "message"),
        [
            ("user/nobody", "names no identity in account"),
            ("group/admins", "use root, user/NAME, role/NAME or role/NAME/SESSION"),
            ("role/admin/x", "Role session name 'x' is invalid"),
        ],
    )
    def test_naming_nobody_is_a_validation_error(self, api, url, admin_role, chosen, message):
        response = api.get(url + "users/", headers={"X-Sandbox-Principal": chosen})
        assert_error(response, 400, "ValidationError", message)
