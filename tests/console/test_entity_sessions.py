"""Live sessions and instances on the entity pages: a role's live sessions and the instances using it, an
instance profile's instances, and the instances holding a user's long-term access keys.

AWS: IAM User Guide, "Temporary security credentials in IAM" (credentials expire), "Use instance profiles";
EC2 User Guide, "IAM roles for Amazon EC2"; IAM User Guide, "Security best practices in IAM" (require workloads
to use temporary credentials; rotate access keys) and "Manage access keys for IAM users".
"""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from simulator.sandbox import access_keys, clock, operations
from simulator.sandbox.models import AccessKey, Instance, TemporaryCredential
from tests.documents import EC2_TRUST

from .conftest import HTMX, assert_queries_do_not_grow
from .sessions_display import ESCAPED, SCRIPT, instance_in, profile_with, session_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(sandbox):
    return sandbox.accounts.get()


@pytest.fixture
def web(root):
    return operations.create_role(root, "WebServer", EC2_TRUST)


@pytest.fixture
def profile(account, web):
    return profile_with(account, "WebProfile", web)


def role_url(sandbox, role) -> str:
    return reverse("console:role", args=[sandbox.id, role.id])


def profile_url(sandbox, profile) -> str:
    return reverse("console:instance_profile", args=[sandbox.id, profile.id])


def credentials_url(sandbox, user) -> str:
    return reverse("console:user_credentials", args=[sandbox.id, user.id])


def instance_url(sandbox, instance) -> str:
    return reverse("console:instance", args=[sandbox.id, instance.instance_id])


# The role page: live sessions


def test_the_role_page_lists_its_live_sessions_with_a_countdown(learner_client, sandbox, account, web, alice):
    clock.set_rate(sandbox, 0)
    session = session_of(web, "deploy", lasts=3600, issued_to=alice.arn)
    response = learner_client.get(role_url(sandbox, web))
    assertContains(response, '<h2 id="sessions-title">Live sessions <span class="count">1</span></h2>', html=True)
    assertContains(response, f'href="{reverse("console:session", args=[sandbox.id, session.id])}"')
    assertContains(response, f"arn:aws:sts::{account.account_id}:assumed-role/WebServer/deploy")
    assertContains(response, f'<code class="arn">{alice.arn}</code>', html=True)
    assertContains(response, '<span class="tag">AssumeRole</span>', html=True)
    iso = session.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The words read without JavaScript; static/js/clock.js keeps them counting down.
    assertContains(response, f'data-sandbox-expires="{iso}">expires in 1 h</span>')


def sessions_panel(response) -> str:
    content = response.content.decode()
    return content[content.index('id="sessions-title"') : content.index('id="role-instances-title"')]


def test_expired_sessions_and_other_roles_sessions_are_not_listed(learner_client, sandbox, root, web):
    other = operations.create_role(root, "Other", EC2_TRUST)
    session_of(web, "short", lasts=900)
    session_of(web, "long", lasts=7200)
    session_of(other, "elsewhere")
    clock.advance(sandbox, 1000)
    panel = sessions_panel(learner_client.get(role_url(sandbox, web)))
    assert '<span class="count">1</span>' in panel
    assert "assumed-role/WebServer/long" in panel
    assert "assumed-role/WebServer/short" not in panel and "elsewhere" not in panel


def test_an_instance_role_session_names_its_instance(learner_client, sandbox, account, web, profile):
    instance = instance_in(account, profile)
    session_of(
        web,
        instance.instance_id,
        operation=TemporaryCredential.Operation.INSTANCE_ROLE,
        issued_to="ec2.amazonaws.com",
        instance=instance,
    )
    response = learner_client.get(role_url(sandbox, web))
    assertContains(response, '<span class="tag">EC2 instance role</span>', html=True)
    assertContains(response, f'for instance <a href="{instance_url(sandbox, instance)}">{instance.instance_id}</a>')


def test_a_role_without_sessions_says_so(learner_client, sandbox, web):
    assertContains(learner_client.get(role_url(sandbox, web)), "No live session")


# The role page: instances using the role


def test_the_role_page_lists_instances_using_it_through_its_profiles(learner_client, sandbox, account, web, profile):
    running = instance_in(account, profile)
    stopped = instance_in(account, profile, state=Instance.State.STOPPED)
    unrelated = instance_in(account, profile_with(account, "Empty", None))
    response = learner_client.get(role_url(sandbox, web))
    assertContains(response, "Instances using this role <span", count=1)
    assertContains(response, '<span class="count">2</span>')
    for instance, state in ((running, "running"), (stopped, "stopped")):
        assertContains(response, f'<a href="{instance_url(sandbox, instance)}"><code>{instance.instance_id}</code></a>')
        assertContains(response, f'<span class="tag instance-state instance-state-{state}">{state}</span>', html=True)
    assertNotContains(response, unrelated.instance_id)
    assertContains(response, f'<a href="{profile_url(sandbox, profile)}">WebProfile</a>', html=True)


def test_an_instance_settles_before_it_is_shown(learner_client, sandbox, account, web, profile):
    """EC2 User Guide, "Amazon EC2 instance state changes": pending becomes running."""
    instance = instance_in(account, profile, state=Instance.State.PENDING)
    clock.advance(sandbox, 60)
    response = learner_client.get(role_url(sandbox, web))
    assertContains(response, "instance-state-running")
    instance.refresh_from_db()
    assert instance.state == Instance.State.RUNNING


def test_the_role_region_re_rendered_by_htmx_keeps_the_lists(learner_client, sandbox, web):
    session_of(web, "deploy")
    response = learner_client.post(
        reverse("console:role_change", args=[sandbox.id, web.id, "tag"]), {"key": "team", "value": "web"}, headers=HTMX
    )
    assertContains(response, "assumed-role/WebServer/deploy")


def test_the_role_page_costs_the_same_queries_for_10_or_300_sessions_and_instances(
    learner_client, sandbox, account, web, profile
):
    def add(first: int, last: int) -> None:
        for number in range(first, last):
            session_of(web, f"s{number}")
            instance_in(account, profile)

    assert_queries_do_not_grow(learner_client, role_url(sandbox, web), add)


# The instance profile page


def test_the_profile_page_lists_its_instances(learner_client, sandbox, account, profile):
    mine = instance_in(account, profile, state=Instance.State.STOPPED)
    other = instance_in(account)
    response = learner_client.get(profile_url(sandbox, profile))
    assertContains(response, '<h2 id="profile-instances-title">Instances <span class="count">1</span></h2>', html=True)
    assertContains(response, f'<a href="{instance_url(sandbox, mine)}"><code>{mine.instance_id}</code></a>')
    assertContains(response, "instance-state-stopped")
    assertNotContains(response, other.instance_id)


def test_the_profile_page_costs_the_same_queries_for_10_or_300_instances(learner_client, sandbox, account, profile):
    def add(first: int, last: int) -> None:
        for _ in range(first, last):
            instance_in(account, profile)

    assert_queries_do_not_grow(learner_client, profile_url(sandbox, profile), add)


# The user's credentials page: keys stored on instances


def test_a_key_stored_on_instances_is_flagged_with_the_anti_pattern(learner_client, sandbox, root, account, alice):
    key = access_keys.create_access_key(root, "alice")
    spare = access_keys.create_access_key(root, "alice")
    first, second = (
        instance_in(account, stored_key=key.access_key_id),
        instance_in(account, stored_key=key.access_key_id),
    )
    response = learner_client.get(credentials_url(sandbox, alice))
    assertContains(response, "long-term keys are stored on instances")
    assertContains(response, f'href="{reverse("console:instance_keys_antipattern", args=[sandbox.id])}"')
    for instance in (first, second):
        assertContains(response, f'<a href="{instance_url(sandbox, instance)}"><code>{instance.instance_id}</code></a>')
    assertContains(response, f"<code>{key.access_key_id}</code> (active) is stored on")
    assertNotContains(response, f"<code>{spare.access_key_id}</code> (active) is stored on")


def test_no_warning_when_no_key_is_on_an_instance_or_the_instance_is_terminated(
    learner_client, sandbox, root, account, alice
):
    key = access_keys.create_access_key(root, "alice")
    instance_in(account, stored_key=key.access_key_id, state=Instance.State.TERMINATED)
    instance_in(account)
    response = learner_client.get(credentials_url(sandbox, alice))
    assertNotContains(response, "keys-on-instances")


def test_another_users_key_on_an_instance_is_not_flagged_here(learner_client, sandbox, root, account, alice):
    operations.create_user(root, "bob")
    bobs = access_keys.create_access_key(root, "bob")
    instance_in(account, stored_key=bobs.access_key_id)
    assertNotContains(learner_client.get(credentials_url(sandbox, alice)), "keys-on-instances")


def test_the_credentials_page_costs_the_same_queries_for_10_or_300_instances_holding_keys(
    learner_client, sandbox, root, account, alice
):
    keys = [AccessKey.objects.create(account=account, user=alice) for _ in range(2)]

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            instance_in(account, stored_key=keys[number % 2].access_key_id)

    assert_queries_do_not_grow(learner_client, credentials_url(sandbox, alice), add)


# Escaping and privacy


def test_session_names_and_issuers_are_escaped(learner_client, sandbox, web):
    session_of(web, SCRIPT, issued_to=SCRIPT)
    response = learner_client.get(role_url(sandbox, web))
    assertNotContains(response, SCRIPT)
    assertContains(response, ESCAPED)


def test_another_learner_sees_none_of_these_pages(other_client: Client, sandbox, root, account, web, profile, alice):
    session_of(web, "deploy")
    instance_in(account, profile)
    for url in (role_url(sandbox, web), profile_url(sandbox, profile), credentials_url(sandbox, alice)):
        assert other_client.get(url).status_code == 404
