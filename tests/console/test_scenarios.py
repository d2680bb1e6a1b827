"""The Scenarios pages and the root user banner.

Cross-account access as the IAM User Guide explains it: "Cross-account policy evaluation logic" and
"Cross account resource access in IAM" (formerly "How IAM roles differ from resource-based policies").
The banner follows "AWS account root user" and "Root user best practices for your AWS account": use the
root user only for the tasks that require it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from simulator.sandbox import scenarios
from simulator.sandbox.models import Account, DecisionRecord, IamUser, Role, Sandbox

from .conftest import HTMX, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

SCRIPT = '"><script>alert(1)</script>'


def page(sandbox: Sandbox, slug: str = "cross-account") -> str:
    return reverse("console:scenario", args=[sandbox.id, slug])


def setup_url(sandbox: Sandbox, slug: str = "cross-account") -> str:
    return reverse("console:scenario_setup", args=[sandbox.id, slug])


def decide_url(sandbox: Sandbox, slug: str = "cross-account") -> str:
    return reverse("console:scenario_decide", args=[sandbox.id, slug])


def decide_to(client: Client, sandbox: Sandbox, bucket: bool = True, partner: bool = True, **headers):
    data = {"step": "to", **({"bucket_allows": "on"} if bucket else {}), **({"partner_gets": "on"} if partner else {})}
    return client.post(decide_url(sandbox), data, headers=headers)


def decide_from(client: Client, sandbox: Sandbox, required: str = "", passed: str = "", **headers):
    data = {"step": "from", "trust_allows": "on", "partner_assumes": "on", "required_external_id": required}
    return client.post(decide_url(sandbox), {**data, "external_id": passed}, headers=headers)


def step_states(response) -> list[str]:
    return [step.state for step in response.context["progress"]]


class TestScenarioList:
    def test_it_lists_each_scenario_with_what_it_teaches(self, learner_client, sandbox) -> None:
        response = learner_client.get(reverse("console:scenarios", args=[sandbox.id]))
        assertContains(response, page(sandbox))
        assertContains(response, page(sandbox, "root-user"))
        assertContains(response, "both sides to allow")
        assertContains(response, "A resource-based policy&#x27;s explicit Deny stops the root user too.")

    def test_every_sandbox_page_links_to_the_scenarios(self, learner_client, sandbox) -> None:
        response = learner_client.get(reverse("console:users", args=[sandbox.id]))
        assertContains(response, f'href="{reverse("console:scenarios", args=[sandbox.id])}"')

    def test_an_unknown_scenario_is_a_404(self, learner_client, sandbox) -> None:
        assert learner_client.get(page(sandbox, "nothing-here")).status_code == 404
        assert learner_client.post(setup_url(sandbox, "nothing-here")).status_code == 404


class TestCrossAccountPage:
    def test_before_setup_it_offers_the_setup_only(self, learner_client, sandbox) -> None:
        response = learner_client.get(page(sandbox))
        assert step_states(response) == ["current", "todo", "todo", "todo"]
        assertContains(response, "Set up the scenario")
        assertNotContains(response, 'name="step"')

    def test_setup_builds_the_second_account_and_moves_on(self, learner_client, sandbox) -> None:
        assertRedirects(learner_client.post(setup_url(sandbox)), page(sandbox))
        assert sandbox.accounts.count() == 2
        response = learner_client.get(page(sandbox))
        assert step_states(response) == ["done", "current", "todo", "todo"]
        assertContains(response, "Set up again")
        assertContains(response, 'id="bucket-allows" name="bucket_allows" type="checkbox" checked')

    def test_setup_twice_builds_nothing_new(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        before = (Account.objects.count(), IamUser.objects.count(), Role.objects.count())
        assert learner_client.post(setup_url(sandbox), headers=HTMX).status_code == 200
        assert (Account.objects.count(), IamUser.objects.count(), Role.objects.count()) == before

    @pytest.mark.parametrize(
        ("bucket", "partner", "verdict"),
        [(True, True, "allowed"), (True, False, "implicitDeny"), (False, True, "implicitDeny")],
    )
    def test_deciding_to_the_resource_applies_the_toggles_and_explains(
        self, learner_client, sandbox, bucket, partner, verdict
    ) -> None:
        learner_client.post(setup_url(sandbox))
        response = decide_to(learner_client, sandbox, bucket, partner, **HTMX)
        assert response.status_code == 200
        [attempt] = response.context["shown"]["to"]
        [shown] = attempt.decisions
        assert shown.record.result == verdict
        assertContains(response, f'class="badge {"badge-allow" if verdict == "allowed" else "badge-implicit"}"')
        assertContains(response, "Read." if verdict == "allowed" else "AccessDenied")
        assertContains(response, 'class="flowchart"')
        assert step_states(response)[1] == "done"

    def test_the_from_column_shows_both_decisions_and_the_compare_step_completes(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        decide_to(learner_client, sandbox)
        response = decide_from(learner_client, sandbox, required="reports-2024", passed="reports-2024", **HTMX)
        [attempt] = response.context["shown"]["from"]
        assert [d.record.action for d in attempt.decisions] == ["sts:AssumeRole", "s3:GetObject"]
        assert step_states(response) == ["done", "done", "done", "done"]
        cast = scenarios.cross_account(sandbox)
        assertContains(response, cast.session_arn)
        assertContains(response, 'value="reports-2024"', count=2)

    def test_a_wrong_external_id_is_denied_by_the_trust_policy(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        response = decide_from(learner_client, sandbox, required="reports-2024", passed="guess", **HTMX)
        [attempt] = response.context["shown"]["from"]
        [assume] = attempt.decisions
        assert (assume.record.action, assume.record.result) == ("sts:AssumeRole", "implicitDeny")

    def test_a_plain_post_redirects_back_to_the_page(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        assertRedirects(decide_to(learner_client, sandbox), page(sandbox))
        assert "to" in learner_client.get(page(sandbox)).context["shown"]

    def test_deciding_before_setup_says_so(self, learner_client, sandbox) -> None:
        response = decide_to(learner_client, sandbox)
        assertContains(response, "Set the scenario up first", status_code=404)
        assertContains(response, "NoSuchEntity", status_code=404)

    def test_an_unknown_step_is_a_404(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        assert learner_client.post(decide_url(sandbox), {"step": "sideways"}).status_code == 404

    def test_typed_external_ids_are_escaped(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        response = decide_from(learner_client, sandbox, required=SCRIPT)
        assert response.status_code == 400
        assertContains(response, "ValidationError", status_code=400)
        assertContains(response, escape(SCRIPT), status_code=400)
        assertNotContains(response, SCRIPT, status_code=400)

    def test_decisions_of_another_sandbox_are_never_shown(self, learner_client, sandbox, other_learner) -> None:
        theirs = Sandbox.objects.create_with_account(other_learner)
        scenarios.set_up_cross_account(theirs)
        foreign = DecisionRecord.objects.filter(account__sandbox=theirs).values_list("pk", flat=True)
        session = learner_client.session
        stored = {"decision_ids": list(foreign), "body": "secret", "error_code": "", "error_message": ""}
        session["scenario_results"] = {f"{sandbox.pk}:cross-account": {"to": [stored]}}
        session.save()
        response = learner_client.get(page(sandbox))
        assert response.context["shown"] == {}
        assertNotContains(response, "secret")

    def test_the_page_costs_the_same_queries_however_long_the_log(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox))
        decide_to(learner_client, sandbox)
        decide_from(learner_client, sandbox)
        account = sandbox.accounts.first()

        def add(first: int, last: int) -> None:
            DecisionRecord.objects.bulk_create(
                DecisionRecord(
                    account=account,
                    principal_arn="p",
                    action="s3:GetObject",
                    resource="r",
                    result="allowed",
                    sentence="s",
                    trace={},
                )
                for _ in range(first, last)
            )

        assert_queries_do_not_grow(learner_client, page(sandbox), add)


class TestRootUserPage:
    def test_alice_is_denied_and_root_allowed_then_a_deny_stops_both(self, learner_client, sandbox) -> None:
        learner_client.post(setup_url(sandbox, "root-user"))
        response = learner_client.post(decide_url(sandbox, "root-user"), {"step": "read"}, headers=HTMX)
        alice, root = response.context["shown"]["read"]
        assert (alice.label, alice.decisions[0].record.result) == ("As IAM user alice", "implicitDeny")
        assert (root.label, root.decisions[0].record.result) == ("As the root user", "allowed")
        assertContains(response, "identity-based policies do not limit it")
        data = {"step": "read", "deny_everyone": "on"}
        response = learner_client.post(decide_url(sandbox, "root-user"), data, headers=HTMX)
        assert [a.decisions[0].record.result for a in response.context["shown"]["read"]] == ["explicitDeny"] * 2
        assertContains(response, "the root\n        user is not above it")


class TestRootBanner:
    BANNER = "You are acting as the root user"

    def test_it_shows_on_every_sandbox_page_while_acting_as_root(self, learner_client, sandbox) -> None:
        for name in ("console:users", "console:roles", "console:scenarios"):
            response = learner_client.get(reverse(name, args=[sandbox.id]))
            assertContains(response, self.BANNER)
            assertContains(response, f"{reverse('console:account', args=[sandbox.id])}#checklist-title")
            assertContains(response, f"{reverse('console:act_as', args=[sandbox.id])}?next=")

    def test_it_goes_away_while_acting_as_an_iam_user(self, learner_client, sandbox, alice) -> None:
        learner_client.post(reverse("console:act_as", args=[sandbox.id]), {"identity": "user:alice"})
        assertNotContains(learner_client.get(reverse("console:users", args=[sandbox.id])), self.BANNER)


class TestPrivacy:
    @pytest.mark.parametrize("slug", ["cross-account", "root-user"])
    def test_another_learner_gets_404_and_builds_nothing(self, other_learner, sandbox, slug) -> None:
        client = Client()
        client.force_login(other_learner)
        before = (Account.objects.count(), IamUser.objects.count(), DecisionRecord.objects.count())
        assert client.get(reverse("console:scenarios", args=[sandbox.id])).status_code == 404
        assert client.get(page(sandbox, slug)).status_code == 404
        assert client.post(setup_url(sandbox, slug), headers=HTMX).status_code == 404
        assert client.post(decide_url(sandbox, slug), {"step": "to"}, headers=HTMX).status_code == 404
        assert (Account.objects.count(), IamUser.objects.count(), DecisionRecord.objects.count()) == before

    @pytest.mark.parametrize("url", [setup_url, decide_url])
    def test_an_htmx_post_without_the_csrf_token_is_refused(self, learner, sandbox, url) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        assert client.post(url(sandbox), {"step": "to"}, headers=HTMX).status_code == 403
        assert sandbox.accounts.count() == 1
