"""The instance terminal page and the role-or-keys comparison page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from simulator.sandbox import access_keys, buckets, clock, ec2, operations, role_operations
from simulator.sandbox.models import Instance
from tests.console.conftest import HTMX, queries_to_get
from tests.documents import EC2_TRUST, READ_REPORTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(sandbox, root) -> Instance:
    """A running instance with the role "web" (no policies), and a bucket "reports" holding one object."""
    operations.create_role(root, "web", EC2_TRUST)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "web")
    buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q3.csv", "<b>bold</b> & more")
    launched = ec2.run_instances(root, instance_profile_name="web")[0]
    clock.advance(sandbox, 10)
    return launched


def _url(sandbox, instance) -> str:
    return reverse("console:instance_terminal", args=[sandbox.id, instance.instance_id])


def _run(client: Client, sandbox, instance, line: str, htmx: bool = True):
    headers = {"headers": HTMX} if htmx else {}
    return client.post(_url(sandbox, instance), {"command": line}, **headers)


def test_it_shows_a_terminal_with_a_labelled_input_and_a_live_output(learner_client, sandbox, instance) -> None:
    page = learner_client.get(_url(sandbox, instance)).content.decode()
    assert '<label for="terminal-command"' in page and 'id="terminal-command"' in page
    assert 'role="log" aria-live="polite"' in page
    assert "[ec2-user@ip-10-" in page
    assert reverse("console:instance_keys_antipattern", args=[sandbox.id]) in page
    assert 'src="/static/js/terminal.js" defer' in page


def test_a_denied_command_shows_the_denial_in_place_then_the_fixed_policy_allows(
    learner_client, sandbox, root, instance
) -> None:
    """The role's policy is read per call: changed between two commands, it decides the second."""
    denied = _run(learner_client, sandbox, instance, "aws s3 cp s3://reports/q3.csv -").content.decode()
    assert "An error occurred (AccessDenied) when calling the GetObject operation" in denied
    assert "Why it was denied" in denied and 'class="flowchart' in denied
    assert "badge-deny" in denied and "temporary" in denied
    record = sandbox.accounts.get().decisions.filter(source="instance", action="s3:GetObject").get()
    assert reverse("console:decision", args=[sandbox.id, record.pk]) in denied
    operations.put_role_policy(root, "web", "read", READ_REPORTS)
    allowed = _run(learner_client, sandbox, instance, "aws s3 cp s3://reports/q3.csv -").content.decode()
    assert "badge-allow" in allowed and "Why it was denied" not in allowed


def test_command_text_and_object_bodies_are_escaped(learner_client, sandbox, root, instance) -> None:
    operations.put_role_policy(root, "web", "read", READ_REPORTS)
    _run(learner_client, sandbox, instance, "echo '<script>alert(1)</script>'")
    _run(learner_client, sandbox, instance, "aws s3 cp s3://reports/q3.csv -")
    page = learner_client.get(_url(sandbox, instance)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in page


def test_without_htmx_a_command_redirects_to_the_transcript(learner_client, sandbox, instance) -> None:
    response = _run(learner_client, sandbox, instance, "echo kept", htmx=False)
    assert response.status_code == 302 and response["Location"] == _url(sandbox, instance)
    assert "kept" in learner_client.get(_url(sandbox, instance)).content.decode()


def test_the_transcript_keeps_the_last_fifty_and_clear_empties_it(learner_client, sandbox, instance) -> None:
    for number in range(52):
        _run(learner_client, sandbox, instance, f"echo line-{number}")
    page = learner_client.get(_url(sandbox, instance)).content.decode()
    assert "line-1<" not in page and "line-2<" in page and "line-51<" in page
    cleared = _run(learner_client, sandbox, instance, "clear")
    assert cleared["HX-Reswap"] == "innerHTML"
    assert "line-51" not in learner_client.get(_url(sandbox, instance)).content.decode()


def test_variables_live_in_the_session_per_instance(learner_client, sandbox, root, instance) -> None:
    other = ec2.run_instances(root)[0]
    clock.advance(sandbox, 10)
    _run(learner_client, sandbox, instance, "NAME=web-one")
    assert "web-one" in _run(learner_client, sandbox, instance, "echo $NAME").content.decode()
    assert "web-one" not in _run(learner_client, sandbox, other, "echo $NAME").content.decode()


def test_the_page_costs_the_same_queries_for_few_or_many_entries(learner_client, sandbox, instance) -> None:
    for _ in range(3):
        _run(learner_client, sandbox, instance, "aws s3 ls s3://reports")
    few = queries_to_get(learner_client, _url(sandbox, instance))
    for _ in range(30):
        _run(learner_client, sandbox, instance, "aws s3 ls s3://reports")
    assert queries_to_get(learner_client, _url(sandbox, instance)) == few


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_learner_gets_404(other_client, sandbox, instance, method) -> None:
    for url in (_url(sandbox, instance), reverse("console:instance_keys_antipattern", args=[sandbox.id])):
        response = getattr(other_client, method)(url, {"command": "aws s3 ls", "action": "run"}, headers=HTMX)
        assert response.status_code == 404
    assert not sandbox.accounts.get().decisions.filter(source="instance").exists()


def test_a_post_without_the_csrf_token_is_refused(learner, sandbox, instance) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(_url(sandbox, instance), {"command": "aws s3 ls"}, headers=HTMX)
    assert response.status_code == 403
    assert not sandbox.accounts.get().decisions.filter(source="instance").exists()


# --- The role-or-keys comparison ---


def _compare_url(sandbox) -> str:
    return reverse("console:instance_keys_antipattern", args=[sandbox.id])


def test_launching_a_pair_puts_a_users_key_on_one_and_the_role_on_the_other(learner_client, sandbox, root) -> None:
    """ "Use an IAM role to grant permissions to applications running on Amazon EC2 instances" against the
    anti-pattern it replaces: long-term keys stored on the instance."""
    operations.create_role(root, "web", EC2_TRUST)
    role_operations.create_instance_profile(root, "web")
    role_operations.add_role_to_instance_profile(root, "web", "web")
    operations.create_user(root, "alice")
    response = learner_client.post(_compare_url(sandbox), {"action": "launch", "profile": "web", "user": "alice"})
    assert response.status_code == 302
    with_role, with_keys = Instance.objects.filter(account__sandbox=sandbox).order_by("pk")
    assert with_role.instance_profile.name == "web" and not with_role.stored_access_key_id
    assert with_keys.stored_access_key_id == access_keys.list_access_keys(root, "alice")[0].access_key_id
    assert with_role.instance_id in response["Location"] and with_keys.instance_id in response["Location"]


@pytest.fixture
def pair(sandbox, root, instance):
    operations.create_user(root, "alice")
    key = access_keys.create_access_key(root, "alice")
    with_keys = ec2.run_instances(root)[0]
    clock.advance(sandbox, 10)
    ec2.store_access_key(root, with_keys.instance_id, key.access_key_id, key.secret)
    return instance, with_keys, key


def test_running_who_am_i_on_both_shows_role_and_user(learner_client, sandbox, pair) -> None:
    with_role, with_keys, _ = pair
    chosen = {"with_role": with_role.instance_id, "with_keys": with_keys.instance_id}
    page = learner_client.post(_compare_url(sandbox), {"action": "run", **chosen}, headers=HTMX).content.decode()
    assert f"assumed-role/web/{with_role.instance_id}" in page
    assert ":user/alice" in page
    assert "Never by itself" in page and "Automatic" in page


def test_deleting_the_users_key_breaks_only_the_instance_holding_it(learner_client, sandbox, root, pair) -> None:
    with_role, with_keys, key = pair
    access_keys.delete_access_key(root, "alice", key.access_key_id)
    chosen = {"with_role": with_role.instance_id, "with_keys": with_keys.instance_id}
    page = learner_client.post(_compare_url(sandbox), {"action": "run", **chosen}, headers=HTMX).content.decode()
    assert "(InvalidClientTokenId) when calling the GetCallerIdentity operation" in page
    assert f"assumed-role/web/{with_role.instance_id}" in page
    assert "a key that no longer exists in IAM" in page


def test_a_failed_launch_shows_the_aws_error(learner_client, sandbox, root) -> None:
    response = learner_client.post(_compare_url(sandbox), {"action": "launch", "profile": "nope", "user": "nobody"})
    assert response.status_code >= 400
    assert "aws-error" in response.content.decode()
    assert not Instance.objects.filter(account__sandbox=sandbox).exists()
