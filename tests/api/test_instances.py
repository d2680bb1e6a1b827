"""EC2 instances over the API, and each instance's metadata service.

Amazon EC2 API Reference, "RunInstances", "StartInstances", "StopInstances", "RebootInstances",
"TerminateInstances", "InstanceState" (the state codes), "CreateTags", "DeleteTags",
"AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation", "DisassociateIamInstanceProfile",
"ModifyInstanceMetadataOptions", "Error codes for the Amazon EC2 API"; EC2 User Guide, "Use the Instance
Metadata Service to access instance metadata" and "Retrieve security credentials from instance metadata".
"""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from simulator.sandbox import clock, ec2, role_operations
from simulator.sandbox.models import Instance

from . import roles_at_work
from .conftest import assert_error
from .roles_at_work import signed

pytestmark = pytest.mark.django_db
# The shared fixtures this module uses.
reader = roles_at_work.reader
web_profile = roles_at_work.web_profile

TOKEN_TTL = {"HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS": "21600"}


@pytest.fixture
def instances_url(url) -> str:
    return url + "instances/"


@pytest.fixture
def running(root, sandbox, web_profile) -> Instance:
    """A running instance launched with the profile web (role reader)."""
    (instance,) = ec2.run_instances(root, instance_profile_name=web_profile, tags=[{"Key": "Name", "Value": "web-1"}])
    clock.advance(sandbox, 60)
    return ec2.settled(instance)


def launch(api, instances_url, **body):
    return api.post(instances_url, body, format="json")


class TestRunAndDescribe:
    def test_it_launches_pending_instances_in_ec2s_shape(self, api, instances_url, web_profile, account):
        response = launch(
            api,
            instances_url,
            InstanceType="t3.small",
            MaxCount=2,
            IamInstanceProfile={"Name": "web"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["OwnerId"] == account.account_id
        assert len(body["Instances"]) == 2
        first = body["Instances"][0]
        assert first["InstanceId"].startswith("i-0")
        assert first["InstanceType"] == "t3.small"
        assert first["State"] == {"Code": 0, "Name": "pending"}
        assert first["IamInstanceProfile"]["Arn"].endswith(":instance-profile/web")
        assert first["IamInstanceProfile"]["Id"].startswith("AIPA")
        assert first["Tags"] == [{"Key": "Name", "Value": "web"}]
        assert first["MetadataOptions"] == {"State": "applied", "HttpTokens": "required", "HttpEndpoint": "enabled"}
        assert first["InstanceLifecycle"] is None

    def test_an_instance_settles_into_running_on_the_sandbox_clock(self, api, instances_url, sandbox):
        instance_id = launch(api, instances_url).json()["Instances"][0]["InstanceId"]
        clock.advance(sandbox, 60)
        assert api.get(instances_url + f"{instance_id}/").json()["State"] == {"Code": 16, "Name": "running"}
        assert [i["State"]["Name"] for i in api.get(instances_url).json()["results"]] == ["running"]

    def test_it_launches_a_spot_instance_with_imdsv1_allowed(self, api, instances_url):
        body = {"InstanceMarketOptions": {"MarketType": "spot"}, "MetadataOptions": {"HttpTokens": "optional"}}
        first = launch(api, instances_url, **body).json()["Instances"][0]
        assert first["InstanceLifecycle"] == "spot"
        assert first["MetadataOptions"]["HttpTokens"] == "optional"

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"InstanceType": "x9.huge"}, "InvalidParameterValue"),
            ({"IamInstanceProfile": {"Name": "nope"}}, "InvalidParameterValue"),
            ({"IamInstanceProfile": {}}, "ValidationError"),
            ({"MinCount": 3, "MaxCount": 2}, "ValidationError"),
            ({"MaxCount": 21}, "InvalidParameterValue"),
            ({"MetadataOptions": {"HttpTokens": "sometimes"}}, "InvalidParameterValue"),
            ({"TagSpecifications": [{"ResourceType": "volume", "Tags": []}]}, "ValidationError"),
        ],
    )
    def test_bad_input_launches_nothing(self, api, instances_url, body, code):
        assert_error(launch(api, instances_url, **body), 400, code)
        assert not Instance.objects.exists()

    def test_an_identity_without_permission_gets_unauthorized_operation(self, api, instances_url, alice):
        response = api.post(instances_url, {}, format="json", HTTP_X_SANDBOX_PRINCIPAL="user/alice")
        error = assert_error(response, 403, "UnauthorizedOperation", "ec2:RunInstances")
        assert error["Decision"]["EvalDecision"] == "implicitDeny"
        assert not Instance.objects.exists()

    @pytest.mark.parametrize(
        ("instance_id", "code"),
        [("i-0123456789abcdef0", "InvalidInstanceID.NotFound"), ("web-1", "InvalidInstanceID.Malformed")],
    )
    def test_an_instance_that_is_not_there(self, api, instances_url, instance_id, code):
        assert_error(api.get(instances_url + f"{instance_id}/"), 400, code)


class TestStates:
    """The state machine with EC2's codes: 0 pending, 16 running, 32 shutting-down, 48 terminated, 64 stopping,
    80 stopped."""

    def post(self, api, instances_url, instance, action):
        return api.post(instances_url + f"{instance.instance_id}/{action}/")

    def test_stop_then_start(self, api, instances_url, running, sandbox):
        stopped = self.post(api, instances_url, running, "stop").json()
        assert stopped == {
            "InstanceId": running.instance_id,
            "CurrentState": {"Code": 64, "Name": "stopping"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
        clock.advance(sandbox, 60)
        started = self.post(api, instances_url, running, "start").json()
        assert (started["PreviousState"]["Code"], started["CurrentState"]["Code"]) == (80, 0)

    def test_reboot_keeps_it_running(self, api, instances_url, running):
        assert self.post(api, instances_url, running, "reboot").json()["State"]["Name"] == "running"

    def test_terminate_is_for_good(self, api, instances_url, running, sandbox):
        changed = self.post(api, instances_url, running, "terminate").json()
        assert changed["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
        clock.advance(sandbox, 60)
        shown = api.get(instances_url + f"{running.instance_id}/").json()
        assert shown["State"] == {"Code": 48, "Name": "terminated"}
        assert shown["IamInstanceProfile"] is None
        response = self.post(api, instances_url, running, "start")
        assert_error(response, 400, "IncorrectInstanceState", "terminated")

    def test_a_pending_instance_cannot_be_stopped(self, api, instances_url):
        instance_id = launch(api, instances_url).json()["Instances"][0]["InstanceId"]
        response = api.post(instances_url + f"{instance_id}/stop/")
        assert_error(response, 400, "IncorrectInstanceState", "pending")
        assert Instance.objects.get().state == "pending"


class TestTags:
    def test_create_list_and_delete(self, api, instances_url, running):
        tags_url = instances_url + f"{running.instance_id}/tags/"
        response = api.post(tags_url, {"Tags": [{"Key": "env", "Value": "prod"}]}, format="json")
        assert response.status_code == 204, response.content
        assert api.get(tags_url).json()["results"] == [
            {"Key": "Name", "Value": "web-1"},
            {"Key": "env", "Value": "prod"},
        ]
        assert api.delete(tags_url + "?TagKeys=Name").status_code == 204
        assert api.get(tags_url).json()["results"] == [{"Key": "env", "Value": "prod"}]

    def test_a_reserved_key_is_invalid(self, api, instances_url, running):
        body = {"Tags": [{"Key": "aws:owner", "Value": "me"}]}
        response = api.post(instances_url + f"{running.instance_id}/tags/", body, format="json")
        assert_error(response, 400, "InvalidParameterValue", "reserved")


class TestInstanceProfileAssociation:
    """A running instance's profile changes with no stop ("Attach an IAM role to an instance")."""

    def test_associate_replace_and_disassociate_on_a_running_instance(
        self, api, instances_url, root, sandbox, web_profile
    ):
        role_operations.create_instance_profile(root, "other")
        (instance,) = ec2.run_instances(root)
        clock.advance(sandbox, 60)
        association_url = instances_url + f"{instance.instance_id}/iam-instance-profile/"
        assert_error(api.get(association_url), 400, "InvalidAssociationID.NotFound")

        associated = api.post(association_url, {"IamInstanceProfile": {"Name": "web"}}, format="json").json()
        assert associated["State"] == "associated" and associated["AssociationId"].startswith("iip-assoc-")
        assert associated["IamInstanceProfile"]["Arn"].endswith("/web")
        assert api.get(association_url).json() == associated

        body = {"IamInstanceProfile": {"Arn": f"arn:aws:iam::{root.account.account_id}:instance-profile/other"}}
        replaced = api.put(association_url, body, format="json").json()
        assert replaced["IamInstanceProfile"]["Arn"].endswith("/other")
        assert replaced["AssociationId"] != associated["AssociationId"]
        assert Instance.objects.get().state == "running"

        removed = api.delete(association_url).json()
        assert (removed["State"], removed["AssociationId"]) == ("disassociating", replaced["AssociationId"])
        assert Instance.objects.get().instance_profile is None

    def test_an_instance_takes_one_profile_only(self, api, instances_url, running):
        association_url = instances_url + f"{running.instance_id}/iam-instance-profile/"
        response = api.post(association_url, {"IamInstanceProfile": {"Name": "web"}}, format="json")
        assert_error(response, 400, "IncorrectState", "existing association")

    def test_replacing_or_removing_nothing_is_not_found(self, api, instances_url, root, sandbox):
        (instance,) = ec2.run_instances(root)
        clock.advance(sandbox, 60)
        association_url = instances_url + f"{instance.instance_id}/iam-instance-profile/"
        body = {"IamInstanceProfile": {"Name": "web"}}
        assert_error(api.put(association_url, body, format="json"), 400, "InvalidAssociationID.NotFound")
        assert_error(api.delete(association_url), 400, "InvalidAssociationID.NotFound")


class TestMetadataOptions:
    def test_it_changes_only_what_is_given(self, api, instances_url, running):
        options_url = instances_url + f"{running.instance_id}/metadata-options/"
        response = api.patch(options_url, {"HttpTokens": "optional"}, format="json")
        assert response.json() == {
            "InstanceId": running.instance_id,
            "InstanceMetadataOptions": {"State": "applied", "HttpTokens": "optional", "HttpEndpoint": "enabled"},
        }
        response = api.patch(options_url, {"HttpEndpoint": "disabled"}, format="json")
        assert response.json()["InstanceMetadataOptions"]["HttpTokens"] == "optional"
        assert response.json()["InstanceMetadataOptions"]["HttpEndpoint"] == "disabled"

    def test_a_bad_value_is_invalid(self, api, instances_url, running):
        response = api.patch(
            instances_url + f"{running.instance_id}/metadata-options/", {"HttpTokens": "v1"}, format="json"
        )
        assert_error(response, 400, "InvalidParameterValue", "HttpTokens")


class TestMetadataService:
    """IMDS as curl on the instance sees it: IMDSv2 tokens, the role's name, its rotating credentials."""

    def imds(self, instances_url, instance) -> str:
        return instances_url + f"{instance.instance_id}/imds/"

    def token(self, api, instances_url, instance) -> str:
        response = api.put(self.imds(instances_url, instance) + "latest/api/token", **TOKEN_TTL)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    def test_it_serves_the_roles_credentials_with_an_imdsv2_token(self, api, instances_url, running):
        token = {"HTTP_X_AWS_EC2_METADATA_TOKEN": self.token(api, instances_url, running)}
        base = self.imds(instances_url, running) + "latest/meta-data/iam/security-credentials/"
        listing = api.get(base, **token)
        assert (listing.status_code, listing.content.decode()) == (200, "reader")
        document = json.loads(api.get(base + "reader", **token).content)
        assert set(document) == {"Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
        assert document["Code"] == "Success" and document["AccessKeyId"].startswith("ASIA")

    def test_the_sandboxs_own_proxy_header_does_not_reach_the_instance(self, api, instances_url, running):
        """A proxy in front of the sandbox adds X-Forwarded-For to every request; IMDS refuses token requests that
        carry one, so only the IMDS headers are passed on. No cache keeps the answer: it holds credentials."""
        url = self.imds(instances_url, running) + "latest/api/token"
        response = api.put(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **TOKEN_TTL)
        assert response.status_code == 200, response.content
        assert response["Cache-Control"] == "no-store"

    def test_imdsv2_is_required_without_a_token(self, api, instances_url, running):
        response = api.get(self.imds(instances_url, running) + "latest/meta-data/")
        assert response.status_code == 401
        assert response["Content-Type"].startswith("text/html")

    def test_a_wrong_ttl_is_a_bad_request(self, api, instances_url, running):
        response = api.put(
            self.imds(instances_url, running) + "latest/api/token", HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS="0"
        )
        assert response.status_code == 400

    def test_credentials_rotate_on_the_sandbox_clock_and_sign_requests(self, api, url, instances_url, running, sandbox):
        """New credentials are available well before the old expire; the old keep working until they do."""
        path = self.imds(instances_url, running) + "latest/meta-data/iam/security-credentials/reader"

        def fetch() -> dict:
            token = self.token(api, instances_url, running)
            return json.loads(api.get(path, HTTP_X_AWS_EC2_METADATA_TOKEN=token).content)

        first = fetch()
        assert fetch()["AccessKeyId"] == first["AccessKeyId"]
        clock.advance(sandbox, int(timedelta(hours=1, seconds=1).total_seconds()))
        second = fetch()
        assert second["AccessKeyId"] != first["AccessKeyId"]
        headers = signed(first["AccessKeyId"], first["SecretAccessKey"], first["Token"])
        identity = api.get(url + "sts/get-caller-identity/", **headers).json()
        assert identity["Arn"].endswith(f":assumed-role/reader/{running.instance_id}")

    def test_a_missing_path_is_imdss_own_404(self, api, instances_url, running):
        token = {"HTTP_X_AWS_EC2_METADATA_TOKEN": self.token(api, instances_url, running)}
        response = api.get(self.imds(instances_url, running) + "latest/meta-data/nothing-here", **token)
        assert response.status_code == 404
        assert b"404 - Not Found" in response.content

    def test_an_unknown_instance_answers_in_the_apis_shape(self, api, instances_url):
        response = api.get(instances_url + "i-0123456789abcdef0/imds/latest/meta-data/")
        assert_error(response, 400, "InvalidInstanceID.NotFound")

    def test_another_learner_finds_no_instance(self, other_api, instances_url, running):
        response = other_api.put(self.imds(instances_url, running) + "latest/api/token", **TOKEN_TTL)
        assert_error(response, 404, "NoSuchEntity", "cannot be found")

    def test_a_token_client_needs_no_csrf_token_to_start_a_session(self, learner, instances_url, running):
        """curl from a terminal sends the API token, not a session cookie."""
        client = APIClient(enforce_csrf_checks=True)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner).key}")
        response = client.put(self.imds(instances_url, running) + "latest/api/token", **TOKEN_TTL)
        assert response.status_code == 200, response.content

    def test_a_browser_session_needs_the_csrf_token_to_start_one(self, learner, instances_url, running):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(learner)
        response = client.put(self.imds(instances_url, running) + "latest/api/token", **TOKEN_TTL)
        assert_error(response, 403, "AccessDenied", "CSRF")


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("get", ""),
        ("post", "start/"),
        ("post", "stop/"),
        ("post", "reboot/"),
        ("post", "terminate/"),
        ("post", "tags/"),
        ("delete", "iam-instance-profile/"),
        ("patch", "metadata-options/"),
        ("get", "imds/latest/meta-data/"),
    ],
)
def test_another_learner_finds_no_instance_and_changes_nothing(other_api, instances_url, running, method, route):
    response = getattr(other_api, method)(instances_url + f"{running.instance_id}/{route}", {}, format="json")
    assert_error(response, 404, "NoSuchEntity", "cannot be found")
    assert Instance.objects.get().state == "running"


def test_a_session_needs_the_csrf_token_to_stop_an_instance(learner, instances_url, running):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    assert_error(client.post(instances_url + f"{running.instance_id}/stop/"), 403, "AccessDenied", "CSRF")
    assert Instance.objects.get().state == "running"


def test_the_instances_list_costs_the_same_for_10_as_for_300(api, instances_url, account, web_profile):
    profile = account.instance_profiles.get()
    now = clock.account_now(account)

    def launch_many(start: int, stop: int) -> None:
        Instance.objects.bulk_create(
            Instance(
                account=account,
                instance_id=f"i-0{n:016x}",
                state=Instance.State.RUNNING,
                launched_at=now,
                state_changed_at=now,
                instance_profile=profile if n % 2 else None,
                tags=[{"Key": "n", "Value": str(n)}],
            )
            for n in range(start, stop)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(instances_url + "?limit=1000").status_code == 200
        return len(captured)

    launch_many(0, 10)
    with_10 = queries()
    launch_many(10, 300)
    assert queries() == with_10
