"""The per-instance metadata endpoint: the console's http://169.254.169.254/, the learner's only."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from simulator.sandbox import clock, operations, role_operations
from simulator.sandbox.models import DecisionRecord, Instance, InstanceProfile, TemporaryCredential
from tests.documents import EC2_TRUST

pytestmark = pytest.mark.django_db

TTL = {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}


@pytest.fixture
def instance(root) -> Instance:
    operations.create_role(root, "web", EC2_TRUST)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "web")
    now = clock.account_now(root.account)
    return Instance.objects.create(
        account=root.account,
        state=Instance.State.RUNNING,
        launched_at=now,
        state_changed_at=now,
        instance_profile=InstanceProfile.objects.get(name="web"),
    )


def imds_url(sandbox, instance: Instance, path: str) -> str:
    return reverse(
        "console:instance_metadata",
        kwargs={"sandbox_id": sandbox.pk, "instance_id": instance.instance_id, "path": path},
    )


def _token(client: Client, sandbox, instance: Instance) -> str:
    response = client.put(imds_url(sandbox, instance, "latest/api/token"), headers=TTL)
    assert response.status_code == 200
    return response.content.decode()


class TestTheEndpoint:
    """EC2 User Guide, "Use the Instance Metadata Service to access instance metadata" and "How Instance
    Metadata Service Version 2 works": a PUT for a session token, GETs with it, answers in plain text."""

    def test_imdsv2_end_to_end(self, learner_client, sandbox, instance) -> None:
        token = _token(learner_client, sandbox, instance)
        headers = {"X-aws-ec2-metadata-token": token}
        listing = learner_client.get(
            imds_url(sandbox, instance, "latest/meta-data/iam/security-credentials/"), headers=headers
        )
        assert listing.content.decode() == "web"
        response = learner_client.get(
            imds_url(sandbox, instance, "latest/meta-data/iam/security-credentials/web"), headers=headers
        )
        document = json.loads(response.content)
        assert (document["Code"], document["Type"]) == ("Success", "AWS-HMAC")
        assert TemporaryCredential.objects.get().access_key_id == document["AccessKeyId"]
        assert DecisionRecord.objects.filter(source=DecisionRecord.Source.METADATA).count() == 1

    @pytest.mark.parametrize(
        ("path", "status", "content_type"),
        [
            ("latest/meta-data/", 200, "text/plain"),
            ("latest/meta-data/instance-id", 200, "text/plain"),
            # IMDS serves its JSON documents as text/plain too; nothing here is ever read as HTML.
            ("latest/meta-data/iam/security-credentials/web", 200, "text/plain"),
            ("latest/meta-data/iam/info", 200, "text/plain"),
            ("latest/meta-data/no-such-thing", 404, "text/html"),
        ],
    )
    def test_answers_keep_the_content_types_of_imds(
        self, learner_client, sandbox, instance, path, status, content_type
    ):
        headers = {"X-aws-ec2-metadata-token": _token(learner_client, sandbox, instance)}
        response = learner_client.get(imds_url(sandbox, instance, path), headers=headers)
        assert response.status_code == status
        assert response["Content-Type"] == f"{content_type}; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"

    def test_a_read_without_a_token_is_unauthorized_where_imdsv2_is_required(
        self, learner_client, sandbox, instance
    ) -> None:
        response = learner_client.get(imds_url(sandbox, instance, "latest/meta-data/instance-id"))
        assert response.status_code == 401
        assert b"requires IMDSv2" in response.content

    def test_imdsv1_reads_where_tokens_are_optional(self, learner_client, sandbox, instance) -> None:
        Instance.objects.filter(pk=instance.pk).update(metadata_http_tokens=Instance.HttpTokens.OPTIONAL)
        response = learner_client.get(imds_url(sandbox, instance, "latest/meta-data/instance-id"))
        assert response.content.decode() == instance.instance_id

    @pytest.mark.parametrize(("ttl", "status"), [("0", 400), ("1", 200), ("21600", 200), ("21601", 400)])
    def test_the_token_ttl_is_bounded(self, learner_client, sandbox, instance, ttl, status) -> None:
        headers = {"X-aws-ec2-metadata-token-ttl-seconds": ttl}
        assert (
            learner_client.put(imds_url(sandbox, instance, "latest/api/token"), headers=headers).status_code == status
        )

    def test_the_sandboxs_own_proxy_header_does_not_block_the_token(self, learner_client, sandbox, instance) -> None:
        """The sandbox's reverse proxy is not on the instance: X-Forwarded-For is not passed to the IMDS here."""
        headers = {**TTL, "X-Forwarded-For": "203.0.113.7"}
        assert learner_client.put(imds_url(sandbox, instance, "latest/api/token"), headers=headers).status_code == 200

    def test_a_disabled_endpoint_says_so(self, learner_client, sandbox, instance) -> None:
        Instance.objects.filter(pk=instance.pk).update(metadata_enabled=False)
        response = learner_client.put(imds_url(sandbox, instance, "latest/api/token"), headers=TTL)
        assert response.status_code == 403
        assert b"metadata endpoint is disabled" in response.content

    def test_post_is_not_a_metadata_method(self, learner_client, sandbox, instance) -> None:
        assert learner_client.post(imds_url(sandbox, instance, "latest/api/token"), headers=TTL).status_code == 405

    def test_an_unknown_instance_is_404(self, learner_client, sandbox, instance) -> None:
        url = imds_url(sandbox, instance, "latest/meta-data/").replace(instance.instance_id, "i-0123456789abcdef0")
        assert learner_client.get(url).status_code == 404


class TestPrivacy:
    """A learner's metadata service, like their instances, is reachable by that learner only."""

    @pytest.mark.parametrize("method", ["get", "put"])
    def test_another_learner_gets_404(self, other_client, sandbox, instance, method) -> None:
        Instance.objects.filter(pk=instance.pk).update(metadata_http_tokens=Instance.HttpTokens.OPTIONAL)
        url = imds_url(sandbox, instance, "latest/meta-data/iam/security-credentials/web")
        assert getattr(other_client, method)(url, headers=TTL).status_code == 404
        assert not TemporaryCredential.objects.exists()
        assert not DecisionRecord.objects.filter(source=DecisionRecord.Source.METADATA).exists()

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, sandbox, instance) -> None:
        response = client.put(imds_url(sandbox, instance, "latest/api/token"), headers=TTL)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")

    def test_a_token_put_needs_the_csrf_token(self, learner, sandbox, instance) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        url = imds_url(sandbox, instance, "latest/api/token")
        assert client.put(url, headers={**TTL, "HX-Request": "true"}).status_code == 403
        client.get(reverse("console:users", kwargs={"sandbox_id": sandbox.pk}))
        csrf = client.cookies["csrftoken"].value
        response = client.put(url, headers={**TTL, "X-CSRFToken": csrf})
        assert response.status_code == 200
        # Reads stay plain GETs, as curl sends them.
        token = response.content.decode()
        read = client.get(
            imds_url(sandbox, instance, "latest/meta-data/instance-id"), headers={"X-aws-ec2-metadata-token": token}
        )
        assert read.content.decode() == instance.instance_id
