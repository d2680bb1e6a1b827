"""No page or endpoint lets one learner read or change another learner's sandbox.

Walks every URL pattern of the console (and of the API, once it exists) instead of a hand-kept list, so a new
route is covered the moment it is added: its ids are filled in from a sandbox holding one of everything, the
other learner asks for it with GET and with POST, and must get a 404 with nothing changed. A route whose
parameters this test cannot fill fails, naming the parameter to add to ``_ids``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from simulator.sandbox import clock, operations, password_policy
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import (
    AccessKey,
    Bucket,
    BucketObject,
    Instance,
    InstanceProfile,
    PolicyVersion,
    Sandbox,
    TemporaryCredential,
)

pytestmark = pytest.mark.django_db

PRIVATE_NAMESPACES = ("console", "api")
# Routes that name no sandbox: they list or create the signed-in learner's own things.
NOT_SANDBOX_SCOPED = {"console:index", "console:create_sandbox", "api:schema", "api:docs", "api:token", "api:sandboxes"}
DOCUMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
BUCKET_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}'  # noqa: E501
TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'  # noqa: E501


def _routes(patterns=None, namespace: str = "") -> list[tuple[str, list[str]]]:
    """Every named route under the private namespaces, with the names of its parameters."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            found += _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace.split(":")[0] in PRIVATE_NAMESPACES:
            found.append((f"{namespace}:{pattern.name}", list(pattern.pattern.converters)))
    return found


ROUTES = [route for route in _routes() if route[0] not in NOT_SANDBOX_SCOPED]


@pytest.fixture
def everything(learner) -> dict[str, object]:
    """A sandbox holding one of every kind of thing a route can name, keyed by the route parameter's name."""
    sandbox = Sandbox.objects.create_with_account(learner)
    account = sandbox.accounts.get()
    account.alias = "learners-account"
    account.save()
    root = Actor(account)
    user = operations.create_user(root, "alice")
    group = operations.create_group(root, "admins")
    role = operations.create_role(root, "web", TRUST)
    policy = operations.create_policy(root, "s3-all", DOCUMENT)
    bucket = Bucket.objects.create(sandbox=sandbox, account=account, name="reports")
    operations.put_user_policy(root, "alice", "inline", DOCUMENT)
    operations.put_group_policy(root, "admins", "inline", DOCUMENT)
    operations.put_role_policy(root, "web", "inline", DOCUMENT)
    bucket.policy = BUCKET_POLICY
    bucket.save()
    password_policy.update_account_password_policy(root, MinimumPasswordLength=12)
    password_policy.create_login_profile(root, "alice", "a-Long-password-1")
    profile = InstanceProfile.objects.create(account=account, name="web", role=role)
    now = clock.now(sandbox)
    instance = Instance.objects.create(
        account=account, state=Instance.State.RUNNING, launched_at=now, state_changed_at=now, instance_profile=profile
    )
    # The metadata routes answer the owner's plain GET only where IMDSv1 is allowed: where IMDSv2 is required a
    # read without a session token is a 401, as on AWS.
    Instance.objects.filter(pk=instance.pk).update(metadata_http_tokens=Instance.HttpTokens.OPTIONAL)
    credential = TemporaryCredential.objects.create(
        account=account,
        operation=TemporaryCredential.Operation.ASSUME_ROLE,
        role=role,
        session_name="alice",
        issued_to=user.arn,
        issued_at=now,
        expires_at=now + timedelta(hours=1),
    )
    ids = {
        "sandbox_id": sandbox.pk,
        "account_id": account.account_id,
        "user_id": user.pk,
        "group_id": group.pk,
        "role_id": role.pk,
        "policy_id": policy.pk,
        "version_id": "v1",
        "bucket_id": bucket.pk,
        "object_id": BucketObject.objects.create(bucket=bucket, key="q3.csv").pk,
        "instance_profile_id": profile.pk,
        "profile_id": profile.pk,
        "key": "q3.csv",
        "managed_policy_name": "s3-all",
        "aws_policy_name": "ReadOnlyAccess",
        "aws_policy_version_id": PolicyVersion.objects.get(policy__name="ReadOnlyAccess", is_default=True).version_id,
        "instance_profile_name": "web",
        "policy_name": "inline",
        "alias": "learners-account",
        # Every entity page's forms post to .../change/<change>/; each kind of entity can be deleted.
        "change": "delete",
        "access_key_id": AccessKey.objects.create(account=account, user=user).access_key_id,
        "decision_id": account.decisions.first().pk,
        "entity_id": user.pk,
        "kind": "user",
        "name": "alice",
        "user_name": "alice",
        "group_name": "admins",
        "role_name": "web",
        "bucket_name": "reports",
        "instance_id": instance.instance_id,
        "credential_id": credential.pk,
        "path": "latest/meta-data/",
        "slug": "cross-account",
    }
    return ids


def _snapshot() -> dict[str, int]:
    """How many rows each sandbox model holds: a refused request must leave every count as it was."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("sandbox").get_models()}


# Routes whose parameter takes another of the fixture's values than the one named like it.
ROUTE_IDS = {"api:aws_policy_version": {"version_id": "aws_policy_version_id"}}


def _url(name: str, parameters: list[str], ids: dict[str, object]) -> str:
    ids = {**ids, **{parameter: ids[key] for parameter, key in ROUTE_IDS.get(name, {}).items()}}
    missing = [p for p in parameters if p not in ids]
    if missing:
        pytest.fail(f"{name} takes {missing}: add a value for it to the `everything` fixture")
    return reverse(name, kwargs={p: ids[p] for p in parameters})


def test_the_walk_finds_the_console_routes() -> None:
    names = {name for name, _ in ROUTES}
    assert {"console:users", "console:policy", "console:decision"} <= names


@pytest.mark.parametrize(("name", "parameters"), ROUTES, ids=[name for name, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_learner_gets_404_and_changes_nothing(other_learner, everything, name, parameters, method) -> None:
    client = Client()
    client.force_login(other_learner)
    url = _url(name, parameters, everything)
    before = _snapshot()
    response = getattr(client, method)(url, {"name": "mallory", "document": DOCUMENT}, HTTP_HX_REQUEST="true")
    # 405 comes from the method check, before any lookup, whoever owns the ids: it tells nothing.
    assert response.status_code in (404, 405), f"{method.upper()} {url} answered {response.status_code}"
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "parameters"), ROUTES, ids=[name for name, _ in ROUTES])
def test_a_post_without_the_csrf_token_changes_nothing(learner, everything, name, parameters) -> None:
    """Session-authenticated writes need the CSRF token, htmx requests included (it sends it as a header)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    url = _url(name, parameters, everything)
    before = _snapshot()
    response = client.post(url, {"name": "mallory", "document": DOCUMENT}, HTTP_HX_REQUEST="true")
    assert response.status_code in (403, 405), f"POST {url} answered {response.status_code}"
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "parameters"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_opens_for_its_owner(learner, everything, name, parameters) -> None:
    """The same walk from the owner's side: each readable route answers 200 (POST-only ones 405, and htmx-only
    ones redirect a plain GET to their page in the same sandbox)."""
    client = Client()
    client.force_login(learner)
    response = client.get(_url(name, parameters, everything))
    if response.status_code == 302:
        assert response["Location"].startswith(f"/console/{everything['sandbox_id']}/"), name
    else:
        assert response.status_code in (200, 405), f"{name} answered {response.status_code}"
