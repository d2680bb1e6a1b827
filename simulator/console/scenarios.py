"""Scenarios: guided demonstrations built in the learner's sandbox, each step decided and explained.

The scenario's entities are real (simulator.sandbox.scenarios builds them through the ordinary
operations, as each account's root user), so every page of the console shows them too and every
decision lands in the decision log. The latest attempt of each step is remembered in the learner's
session by the ids of its decisions; they are read back only from this sandbox's accounts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.decision_display import Flowchart, flowchart
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import scenarios
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import DecisionRecord, Sandbox

PAGE = "console/scenario.html"
REGION = "scenario-region"
SESSION_KEY = "scenario_results"


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: str
    summary: str
    teaches: tuple[str, ...]


SCENARIOS = {
    scenario.slug: scenario
    for scenario in (
        Scenario(
            "cross-account",
            "Cross-account access: TO the resource, or FROM a role",
            "A user of a second account reads an object in your bucket, once through the bucket policy and once "
            "by assuming a role of yours.",
            (
                "Cross-account requests need both sides to allow: the resource's policy and the caller's own.",
                "A bucket policy lets the caller keep its own identity and permissions.",
                "Assuming a role gives them up for the session: the role's policies alone decide what it reads.",
                "A trust policy can demand an external ID before anyone from outside assumes the role.",
            ),
        ),
        Scenario(
            "root-user",
            "The root user: above identity-based policies, not above a Deny",
            "An IAM user without policies and the root user read the same object; then a bucket policy denies "
            "everyone.",
            (
                "The root user has no identity-based policies and needs none in its own account.",
                "A resource-based policy's explicit Deny stops the root user too.",
                "S3 never locks the owner's root user out of the bucket policy itself.",
                "Why to act as an IAM user or role, and keep the root user for the tasks only it can do.",
            ),
        ),
    )
}
CROSS_ACCOUNT_STEPS = (("setup", "Set up"), ("to", "Decide TO"), ("from", "Decide FROM"), ("compare", "Compare"))


@dataclass(frozen=True)
class ShownDecision:
    """One logged decision as a scenario draws it, with the account whose log keeps it."""

    record: DecisionRecord
    flowchart: Flowchart
    in_acting_account: bool

    @property
    def trace(self) -> dict[str, Any]:
        return self.record.trace


@dataclass(frozen=True)
class ShownOutcome:
    outcome: scenarios.Outcome
    decisions: tuple[ShownDecision, ...]
    label: str = ""


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    state: str  # "done", "current" or "todo"
    number: int


def _scenario(slug: str) -> Scenario:
    if slug not in SCENARIOS:
        raise Http404("No such scenario.")
    return SCENARIOS[slug]


def _key(sandbox: Sandbox, slug: str) -> str:
    return f"{sandbox.pk}:{slug}"


def _remember(request: HttpRequest, sandbox: Sandbox, slug: str, step: str, outcomes: list[dict]) -> None:
    stored = request.session.get(SESSION_KEY, {})
    results = {**stored.get(_key(sandbox, slug), {}), step: outcomes}
    request.session[SESSION_KEY] = {**stored, _key(sandbox, slug): results}


def _forget(request: HttpRequest, sandbox: Sandbox, slug: str) -> None:
    stored = dict(request.session.get(SESSION_KEY, {}))
    if stored.pop(_key(sandbox, slug), None) is not None:
        request.session[SESSION_KEY] = stored


def _shown(request: HttpRequest, sandbox: Sandbox, actor: Actor, slug: str) -> dict[str, list[ShownOutcome]]:
    """The remembered attempts of each step, their decisions read back in one query from this sandbox only.

    An attempt whose decisions are gone (the sandbox was reset) is forgotten.
    """
    results = request.session.get(SESSION_KEY, {}).get(_key(sandbox, slug), {})
    wanted = {pk for outcomes in results.values() for outcome in outcomes for pk in outcome["decision_ids"]}
    records = DecisionRecord.objects.filter(account__sandbox=sandbox, pk__in=wanted).select_related("account")
    by_id = {record.pk: record for record in records}
    shown: dict[str, list[ShownOutcome]] = {}
    for step, outcomes in results.items():
        drawn = []
        for stored in outcomes:
            ids = stored["decision_ids"]
            if not ids or any(pk not in by_id for pk in ids):
                break
            decisions = tuple(
                ShownDecision(by_id[pk], flowchart(by_id[pk].trace), by_id[pk].account_id == actor.account.pk)
                for pk in ids
            )
            fields = {name: value for name, value in stored.items() if name != "label"}
            outcome = scenarios.Outcome(**{**fields, "decision_ids": tuple(ids)})
            drawn.append(ShownOutcome(outcome, decisions, stored.get("label", "")))
        else:
            shown[step] = drawn
    return shown


def _progress(set_up: bool, shown: dict[str, list[ShownOutcome]]) -> list[Step]:
    done = {"setup": set_up, "to": "to" in shown, "from": "from" in shown}
    done["compare"] = done["to"] and done["from"]
    current = next((slug for slug, _ in CROSS_ACCOUNT_STEPS if not done[slug]), None)
    return [
        Step(slug, title, "done" if done[slug] else "current" if slug == current else "todo", number)
        for number, (slug, title) in enumerate(CROSS_ACCOUNT_STEPS, start=1)
    ]


def _context(request: HttpRequest, sandbox: Sandbox, actor: Actor, scenario: Scenario, **extra: Any) -> dict:
    shown = _shown(request, sandbox, actor, scenario.slug)
    context = {"sandbox": sandbox, "account": actor.account, "actor": actor, "scenario": scenario, "shown": shown}
    if scenario.slug == "cross-account":
        cast = scenarios.cross_account(sandbox)
        context |= {
            "cast": cast,
            "toggles": scenarios.toggles(cast) if cast is not None else None,
            "progress": _progress(cast is not None, shown),
            "passed_external_id": request.session.get(SESSION_KEY, {}).get(_key(sandbox, "external-id"), ""),
        }
    else:
        context["demo"] = scenarios.root_demo(sandbox)
    return context | extra


def _respond(request: HttpRequest, sandbox: Sandbox, actor: Actor, scenario: Scenario, **errors: Any):
    """After a POST: the region again for htmx, else back to the page (or the page with its error)."""
    error = next((value for value in errors.values() if value is not None), None)
    if error is None and not request.htmx:
        return redirect("console:scenario", sandbox.id, scenario.slug)
    context = _context(request, sandbox, actor, scenario, **errors)
    template = f"{PAGE}#{REGION}" if request.htmx else PAGE
    return render(request, template, context, status=error_status(request, error))


@login_required
@require_safe
def scenario_list(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    context = {"sandbox": sandbox, "account": actor.account, "scenarios": SCENARIOS.values()}
    return render(request, "console/scenarios.html", context)


@login_required
@require_safe
def scenario_detail(request: HttpRequest, sandbox_id: int, slug: str) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    return render(request, PAGE, _context(request, sandbox, actor, _scenario(slug)))


@login_required
@vary_on_headers("HX-Request")
@require_POST
def set_up(request: HttpRequest, sandbox_id: int, slug: str) -> HttpResponse:
    """Build the scenario (again): what exists is reused, and earlier attempts are forgotten."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    scenario = _scenario(slug)
    build = scenarios.set_up_cross_account if slug == "cross-account" else scenarios.set_up_root_demo
    try:
        build(sandbox)
    except AwsError as error:
        return _respond(request, sandbox, actor, scenario, setup_error=error)
    _forget(request, sandbox, slug)
    return _respond(request, sandbox, actor, scenario)


def _checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) == "on"


def _as_stored(outcome: scenarios.Outcome, label: str = "") -> dict:
    return {**asdict(outcome), "decision_ids": list(outcome.decision_ids), "label": label}


NOT_SET_UP = "Set the scenario up first: something it needs is missing (deleted, or the sandbox was reset)."


def _decide_cross_account(request: HttpRequest, cast: scenarios.CrossAccount, step: str) -> AwsError | None:
    sandbox = cast.trusting.sandbox
    try:
        if step == "to":
            scenarios.set_resource_side(cast, _checked(request, "bucket_allows"), _checked(request, "partner_gets"))
            outcome = scenarios.read_directly(cast)
        else:
            required = request.POST.get("required_external_id", "").strip()
            may_assume = _checked(request, "partner_assumes")
            scenarios.set_role_side(cast, _checked(request, "trust_allows"), required, may_assume)
            passed = request.POST.get("external_id", "").strip()
            # Shown back in the form next time, as the learner typed it.
            request.session[SESSION_KEY] = {
                **request.session.get(SESSION_KEY, {}),
                _key(sandbox, "external-id"): passed,
            }
            outcome = scenarios.read_through_role(cast, passed)
    except AwsError as error:
        return error
    _remember(request, sandbox, "cross-account", step, [_as_stored(outcome)])
    return None


def _decide_root(request: HttpRequest, demo: scenarios.RootDemo) -> AwsError | None:
    try:
        scenarios.set_deny_everyone(demo, _checked(request, "deny_everyone"))
    except AwsError as error:
        return error
    as_alice, as_root = scenarios.read_as_user_and_root(demo)
    outcomes = [_as_stored(as_alice, f"As IAM user {demo.user.name}"), _as_stored(as_root, "As the root user")]
    _remember(request, demo.account.sandbox, "root-user", "read", outcomes)
    return None


@login_required
@vary_on_headers("HX-Request")
@require_POST
def decide(request: HttpRequest, sandbox_id: int, slug: str) -> HttpResponse:
    """Apply a column's toggles, then make its requests: each decided by the engine and logged."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    scenario = _scenario(slug)
    step = request.POST.get("step", "")
    if step not in (("to", "from") if slug == "cross-account" else ("read",)):
        raise Http404("No such step.")
    built = scenarios.cross_account(sandbox) if slug == "cross-account" else scenarios.root_demo(sandbox)
    if built is None:
        return _respond(request, sandbox, actor, scenario, setup_error=AwsError("NoSuchEntity", NOT_SET_UP, 404))
    if slug == "cross-account":
        error = _decide_cross_account(request, built, step)
        return _respond(request, sandbox, actor, scenario, **{f"{step}_error": error})
    return _respond(request, sandbox, actor, scenario, read_error=_decide_root(request, built))
