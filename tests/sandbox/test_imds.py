"""The instance metadata service: IMDSv2 session tokens, the metadata tree, and role credentials that EC2
issues, logs and rotates on the sandbox clock."""

import json
import re
from datetime import datetime, timedelta

import pytest

from simulator.policy.decision import ALLOWED, IMPLICIT_DENY
from simulator.sandbox import clock, ec2, errors, imds, operations, role_operations, sts
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import DecisionRecord, Instance, InstanceProfile, Sandbox, TemporaryCredential
from tests.documents import EC2_TRUST

LAMBDA_TRUST = EC2_TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
AWS_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HOUR = 3600

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(learner) -> Sandbox:
    sandbox = Sandbox.objects.create_with_account(learner)
    # A paused clock moves only when a test moves it, so every expiry below lands on the second.
    clock.set_rate(sandbox, 0)
    return sandbox


@pytest.fixture
def root(sandbox) -> Actor:
    return Actor(sandbox.accounts.get())


def _profile(root: Actor, name: str, trust: str = EC2_TRUST) -> InstanceProfile:
    operations.create_role(root, name, trust)
    role_operations.create_instance_profile(root, name)
    role_operations.add_role_to_instance_profile(root, name, name)
    return InstanceProfile.objects.get(account=root.account, name=name)


def _launch(root: Actor, profile: InstanceProfile | None = None, **fields) -> Instance:
    now = clock.account_now(root.account)
    return Instance.objects.create(
        account=root.account,
        state=Instance.State.RUNNING,
        launched_at=now,
        state_changed_at=now,
        instance_profile=profile,
        **fields,
    )


@pytest.fixture
def instance(root) -> Instance:
    return _launch(root, _profile(root, "web"))


def _token(instance: Instance, ttl: str = "21600") -> str:
    answer = imds.read(instance, "PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
    assert answer.status == 200, answer.body
    return answer.body


def _get(instance: Instance, path: str) -> imds.MetadataResponse:
    return imds.read(instance, "GET", path, {"X-aws-ec2-metadata-token": _token(instance)})


def _credentials(instance: Instance, role: str = "web") -> dict:
    answer = _get(instance, f"/latest/meta-data/iam/security-credentials/{role}")
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


class TestSessionTokens:
    """EC2 User Guide, "How Instance Metadata Service Version 2 works" and "Use IMDSv2": a PUT to
    /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1 to 21,600) starts a session; reads send
    the token as X-aws-ec2-metadata-token; a missing or invalid token where IMDSv2 is required is a 401; an
    invalid PUT a 400. AWS Security Blog, "Add defense in depth against open firewalls, reverse proxies, and
    SSRF vulnerabilities with enhancements to the EC2 Instance Metadata Service": no token for a request
    carrying X-Forwarded-For. The re:Post article "How do I troubleshoot instance metadata issues on my EC2
    Linux instance?" lists the codes (400 bad PUT, 401 bad token, 403 not allowed or IMDS turned off)."""

    @pytest.mark.parametrize(
        ("ttl", "status"),
        [
            ("1", 200),
            ("21600", 200),
            ("300", 200),
            ("0", 400),
            ("21601", 400),
            ("-5", 400),
            ("1.5", 400),
            ("abc", 400),
            ("²", 400),
            ("99999999999999999999", 400),
            ("", 400),
        ],
    )
    def test_the_ttl_runs_from_one_second_to_six_hours(self, instance, ttl, status) -> None:
        answer = imds.read(instance, "PUT", "latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
        assert answer.status == status
        if status == 200:
            assert answer.headers["X-aws-ec2-metadata-token-ttl-seconds"] == ttl
            assert imds.token_valid(instance, answer.body)

    def test_a_token_request_without_the_ttl_header_is_a_bad_request(self, instance) -> None:
        assert imds.read(instance, "PUT", "latest/api/token", {}).status == 400

    def test_a_token_request_through_a_proxy_is_refused(self, instance) -> None:
        headers = {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.7"}
        answer = imds.read(instance, "PUT", "latest/api/token", headers)
        assert answer.status == 403
        assert "X-Forwarded-For" in answer.body

    @pytest.mark.parametrize("path", ["latest/meta-data/", "latest/api/token/extra", "latest/meta-data/instance-id"])
    def test_put_goes_only_to_the_token_path(self, instance, path) -> None:
        assert imds.read(instance, "PUT", path, {"X-aws-ec2-metadata-token-ttl-seconds": "60"}).status == 403

    def test_the_token_path_answers_only_put(self, instance) -> None:
        answer = imds.read(instance, "GET", "latest/api/token", {"X-aws-ec2-metadata-token": _token(instance)})
        assert (answer.status, answer.headers["Allow"]) == (405, "PUT")

    def test_header_names_are_matched_in_any_letter_case(self, instance) -> None:
        token = imds.read(instance, "PUT", "latest/api/token", {"x-AWS-ec2-metadata-token-ttl-seconds": "60"}).body
        answer = imds.read(instance, "GET", "latest/meta-data/instance-id", {"X-AWS-EC2-METADATA-TOKEN": token})
        assert answer.body == instance.instance_id

    @pytest.mark.parametrize(
        ("http_tokens", "token", "status"),
        [
            ("required", None, 401),
            ("required", "valid", 200),
            ("required", "expired", 401),
            ("required", "other-instance", 401),
            ("required", "forged", 401),
            ("required", "", 401),
            ("optional", None, 200),
            ("optional", "valid", 200),
            ("optional", "expired", 401),
            ("optional", "forged", 401),
        ],
    )
    def test_imdsv1_reads_only_where_tokens_are_optional(self, sandbox, root, http_tokens, token, status) -> None:
        instance = _launch(root, metadata_http_tokens=http_tokens)
        tokens = {
            "valid": lambda: _token(instance),
            "expired": lambda: _token(instance, "1"),
            "other-instance": lambda: _token(_launch(root)),
            "forged": lambda: _token(instance)[:-2] + "xx",
            "": lambda: "",
        }
        headers = {} if token is None else {"X-aws-ec2-metadata-token": tokens[token]()}
        if token == "expired":
            clock.advance(sandbox, 1)
        answer = imds.read(instance, "GET", "latest/meta-data/instance-id", headers)
        assert answer.status == status
        expected = instance.instance_id if status == 200 else "<title>401 - Unauthorized</title>"
        assert expected in answer.body

    def test_a_token_lasts_its_ttl_on_the_sandbox_clock(self, sandbox, instance) -> None:
        token = _token(instance, "60")
        clock.advance(sandbox, 59)
        assert imds.token_valid(instance, token)
        clock.advance(sandbox, 1)
        assert not imds.token_valid(instance, token)
        headers = {"X-aws-ec2-metadata-token": token}
        assert imds.read(instance, "GET", "latest/meta-data/", headers).status == 401

    def test_a_token_is_valid_only_on_the_instance_that_issued_it(self, root, instance) -> None:
        assert not imds.token_valid(_launch(root), imds.issue_token(instance, 60))


class TestMetadataTree:
    """EC2 User Guide, "Instance metadata categories" and "Access instance metadata for an EC2 instance": each
    path is a value or a listing whose directory entries end with "/"; an unknown path is a 404."""

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/latest/meta-data/ami-id", "ami-0abcdef1234567890"),
            ("latest/meta-data/instance-type", "t3.micro"),
            ("latest/meta-data/instance-life-cycle", "on-demand"),
            ("latest/meta-data/placement/", "availability-zone\nregion"),
            ("latest/meta-data/placement", "availability-zone\nregion"),
            ("latest/meta-data/placement/region", "us-east-1"),
            ("latest/meta-data/placement/availability-zone", "us-east-1a"),
            ("latest/meta-data/services/domain", "amazonaws.com"),
            ("latest/meta-data/iam/", "info\nsecurity-credentials/"),
            ("latest/meta-data/iam/security-credentials/", "web"),
            ("latest/meta-data/iam/security-credentials", "web"),
            ("latest/", "meta-data/"),
        ],
    )
    def test_each_path_answers_its_value(self, instance, path, expected) -> None:
        answer = _get(instance, path)
        assert (answer.status, answer.body, answer.content_type) == (200, expected, "text/plain")

    def test_the_top_listing_marks_directories(self, instance) -> None:
        entries = _get(instance, "latest/meta-data/").body.split("\n")
        assert {"ami-id", "instance-id", "instance-type", "iam/", "placement/", "services/"} <= set(entries)
        assert entries == sorted(entries)

    def test_the_instance_id_is_the_instances(self, instance) -> None:
        assert _get(instance, "latest/meta-data/instance-id").body == instance.instance_id

    def test_the_address_and_host_names_agree(self, instance) -> None:
        address = _get(instance, "latest/meta-data/local-ipv4").body
        assert address == imds.private_address(instance)
        assert re.fullmatch(r"10\.0\.\d{1,3}\.\d{1,3}", address)
        hostname = f"ip-{address.replace('.', '-')}.ec2.internal"
        assert _get(instance, "latest/meta-data/hostname").body == hostname
        assert _get(instance, "latest/meta-data/local-hostname").body == hostname

    @pytest.mark.parametrize(
        "path",
        [
            "latest/meta-data/nothing-here",
            "latest/meta-data/ami-id/",
            "latest/meta-data/iam/security-credentials/someone-else",
            "latest/meta-data/iam/nothing",
            "latest/user-data",
            "2009-04-04/meta-data/",
        ],
    )
    def test_an_unknown_path_is_not_found(self, instance, path) -> None:
        answer = _get(instance, path)
        assert (answer.status, answer.content_type) == (404, "text/html")
        assert "<title>404 - Not Found</title>" in answer.body

    def test_an_instance_without_a_role_has_no_iam_category(self, root) -> None:
        instance = _launch(root)
        assert "iam/" not in _get(instance, "latest/meta-data/").body.split("\n")
        assert _get(instance, "latest/meta-data/iam/").status == 404
        assert _get(instance, "latest/meta-data/iam/security-credentials/").status == 404

    def test_iam_info_names_the_instance_profile(self, instance) -> None:
        info = json.loads(_get(instance, "latest/meta-data/iam/info").body)
        profile = instance.instance_profile
        assert list(info) == ["Code", "LastUpdated", "InstanceProfileArn", "InstanceProfileId"]
        assert info["Code"] == "Success"
        assert info["InstanceProfileArn"] == profile.arn
        assert info["InstanceProfileId"] == profile.unique_id
        assert AWS_TIMESTAMP.fullmatch(info["LastUpdated"])

    @pytest.mark.parametrize("state", [Instance.State.STOPPED, Instance.State.TERMINATED])
    def test_an_instance_that_is_not_running_has_no_metadata_service(self, root, state) -> None:
        instance = _launch(root, _profile(root, "web"))
        Instance.objects.filter(pk=instance.pk).update(state=state)
        answer = imds.read(instance, "PUT", "latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        assert answer.status == 503
        assert f"is {state}" in answer.body
        assert not TemporaryCredential.objects.exists()

    def test_a_disabled_endpoint_says_so(self, root) -> None:
        """EC2 User Guide, "Configure the instance metadata options": HttpEndpoint disabled turns IMDS off."""
        instance = _launch(root, _profile(root, "web"), metadata_enabled=False)
        for method, headers in [("PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "60"}), ("GET", {})]:
            answer = imds.read(instance, method, "latest/meta-data/iam/security-credentials/web", headers)
            assert answer.status == 403
            assert "metadata endpoint is disabled" in answer.body
        assert not TemporaryCredential.objects.exists()


class TestRoleCredentials:
    """EC2 User Guide, "Retrieve security credentials from instance metadata": iam/security-credentials/ROLE
    holds Code, LastUpdated, Type (AWS-HMAC), AccessKeyId, SecretAccessKey, Token and Expiration; the
    credentials rotate by themselves and "We make new credentials available at least five minutes before
    the expiration of the old credentials". IAM User Guide, "Troubleshoot IAM and Amazon EC2": when EC2
    cannot assume the role, the document's Code is AssumeRoleUnauthorizedAccess."""

    def test_the_document_has_the_fields_and_formats_of_aws(self, sandbox, instance) -> None:
        document = _credentials(instance)
        assert list(document) == [
            "Code",
            "LastUpdated",
            "Type",
            "AccessKeyId",
            "SecretAccessKey",
            "Token",
            "Expiration",
        ]
        assert (document["Code"], document["Type"]) == ("Success", "AWS-HMAC")
        assert document["AccessKeyId"].startswith("ASIA") and len(document["AccessKeyId"]) == 20
        assert AWS_TIMESTAMP.fullmatch(document["LastUpdated"]) and AWS_TIMESTAMP.fullmatch(document["Expiration"])
        assert _parse(document["Expiration"]) - _parse(document["LastUpdated"]) == imds.CREDENTIAL_LIFETIME

    def test_it_is_printed_as_imds_prints_it(self, instance) -> None:
        body = _get(instance, "latest/meta-data/iam/security-credentials/web").body
        assert body.startswith('{\n  "Code" : "Success",\n  "LastUpdated" : "')

    def test_the_credentials_are_a_session_of_the_role_for_the_instance(self, instance) -> None:
        document = _credentials(instance)
        credential = TemporaryCredential.objects.get(access_key_id=document["AccessKeyId"])
        assert credential.operation == TemporaryCredential.Operation.INSTANCE_ROLE
        assert (credential.role.name, credential.instance, credential.session_name) == (
            "web",
            instance,
            instance.instance_id,
        )
        assert credential.issued_to == "ec2.amazonaws.com"
        assert (credential.secret, credential.session_token) == (document["SecretAccessKey"], document["Token"])
        assert credential.arn.endswith(f":assumed-role/web/{instance.instance_id}")

    def test_they_rotate_on_the_sandbox_clock_and_the_old_stay_valid(self, sandbox, instance) -> None:
        first = _credentials(instance)
        clock.advance(sandbox, 30 * 60)
        assert _credentials(instance)["AccessKeyId"] == first["AccessKeyId"]
        clock.advance(sandbox, 30 * 60 + 1)
        second = _credentials(instance)
        assert second["AccessKeyId"] != first["AccessKeyId"]
        assert _parse(second["LastUpdated"]) == _parse(first["LastUpdated"]) + timedelta(seconds=HOUR + 1)
        # The new set is there hours (AWS promises at least five minutes) before the old one expires.
        assert _parse(first["Expiration"]) - _parse(second["LastUpdated"]) >= timedelta(minutes=5)
        old = TemporaryCredential.objects.get(access_key_id=first["AccessKeyId"])
        assert old.expires_at > clock.now(sandbox), "rotation does not revoke the old credentials"
        assert _credentials(instance)["AccessKeyId"] == second["AccessKeyId"]

    def test_old_credentials_stop_working_when_they_expire(self, sandbox, instance) -> None:
        first = _credentials(instance)
        signed = sts.signed_actor(sandbox, first["AccessKeyId"], first["SecretAccessKey"], first["Token"])
        assert signed.role.name == "web"
        clock.advance(sandbox, 6 * HOUR + 1)
        assert _credentials(instance)["AccessKeyId"] != first["AccessKeyId"]
        with pytest.raises(errors.AwsError) as refused:
            sts.signed_actor(sandbox, first["AccessKeyId"], first["SecretAccessKey"], first["Token"])
        assert refused.value.code == "ExpiredToken"

    def test_every_fetch_is_a_decision_in_the_log(self, instance) -> None:
        for _ in range(3):
            _credentials(instance)
        fetches = DecisionRecord.objects.filter(account=instance.account, source=DecisionRecord.Source.METADATA)
        assert fetches.count() == 3
        assert set(fetches.values_list("principal_arn", "action", "resource", "result")) == {
            ("ec2.amazonaws.com", "sts:AssumeRole", instance.instance_profile.role.arn, ALLOWED)
        }
        assert TemporaryCredential.objects.count() == 1, "three fetches, one set of credentials"

    def test_a_trust_policy_without_ec2_gives_assume_role_unauthorized_access(self, root, sandbox) -> None:
        instance = _launch(root, _profile(root, "web", trust=LAMBDA_TRUST))
        for path in ("iam/security-credentials/web", "iam/info"):
            answer = _get(instance, f"latest/meta-data/{path}")
            document = json.loads(answer.body)
            assert (answer.status, document["Code"]) == (200, "AssumeRoleUnauthorizedAccess")
            assert "EC2 cannot assume the role web" in document["Message"]
            assert "AccessKeyId" not in document
        denied = DecisionRecord.objects.filter(source=DecisionRecord.Source.METADATA, result=IMPLICIT_DENY)
        assert denied.count() == 2
        assert not TemporaryCredential.objects.exists()
        with pytest.raises(imds.AssumeRoleFailed) as failed:
            imds.instance_credentials(instance)
        assert failed.value.decision.result == IMPLICIT_DENY

    def test_a_trust_policy_that_stops_allowing_ec2_stops_new_credentials(self, root, sandbox, instance) -> None:
        first = _credentials(instance)
        role_operations.update_assume_role_policy(root, "web", LAMBDA_TRUST)
        clock.advance(sandbox, HOUR + 1)
        assert _credentials(instance)["Code"] == "AssumeRoleUnauthorizedAccess"
        assert list(TemporaryCredential.objects.values_list("access_key_id", flat=True)) == [first["AccessKeyId"]]

    def test_a_replaced_profile_switches_roles_on_the_next_fetch(self, sandbox, root) -> None:
        """EC2 User Guide, "Attach an IAM role to an instance": replacing the profile of a running instance."""
        _profile(root, "web")
        _profile(root, "batch")
        [launched] = ec2.run_instances(root, instance_profile_name="web")
        clock.advance(sandbox, 5)
        first = _credentials(launched, "web")
        ec2.replace_iam_instance_profile_association(root, launched.association_id, "batch")
        assert _get(launched, "latest/meta-data/iam/security-credentials/").body == "batch"
        assert _get(launched, "latest/meta-data/iam/security-credentials/web").status == 404
        second = _credentials(launched, "batch")
        assert TemporaryCredential.objects.get(access_key_id=second["AccessKeyId"]).role.name == "batch"
        old = TemporaryCredential.objects.get(access_key_id=first["AccessKeyId"])
        assert old.expires_at > clock.now(sandbox), "the old role's credentials live out their hours"

    @pytest.mark.parametrize("detach", ["profile", "role"])
    def test_no_profile_or_an_empty_one_means_no_role(self, root, instance, detach) -> None:
        if detach == "profile":
            Instance.objects.filter(pk=instance.pk).update(instance_profile=None)
        else:
            role_operations.remove_role_from_instance_profile(root, "web", "web")
        with pytest.raises(imds.NoRole):
            imds.instance_credentials(instance)
        assert _get(instance, "latest/meta-data/iam/security-credentials/web").status == 404


class TestInstanceLifecycle:
    """EC2 User Guide, "Amazon EC2 instance state changes" and "Configure the instance metadata options": the
    metadata service answers a running instance, as ModifyInstanceMetadataOptions last set it."""

    def test_a_launched_instance_answers_once_it_is_running(self, sandbox, root) -> None:
        [launched] = ec2.run_instances(root, http_tokens="optional")
        answer = imds.read(launched, "GET", "latest/meta-data/instance-id", {})
        assert (answer.status, "is pending" in answer.body) == (503, True)
        clock.advance(sandbox, 5)
        assert imds.read(launched, "GET", "latest/meta-data/instance-id", {}).body == launched.instance_id

    def test_the_metadata_options_apply_at_once(self, root, instance) -> None:
        path = "latest/meta-data/instance-id"
        assert imds.read(instance, "GET", path, {}).status == 401
        ec2.modify_instance_metadata_options(root, instance.instance_id, http_tokens="optional")
        assert imds.read(instance, "GET", path, {}).status == 200
        ec2.modify_instance_metadata_options(root, instance.instance_id, http_endpoint="disabled")
        assert imds.read(instance, "GET", path, {}).status == 403

    def test_a_stopped_instance_has_no_metadata_service(self, sandbox, root, instance) -> None:
        ec2.stop_instances(root, [instance.instance_id])
        clock.advance(sandbox, 10)
        answer = imds.read(instance, "PUT", "latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        assert (answer.status, "is stopped" in answer.body) == (503, True)
