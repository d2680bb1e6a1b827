"""The access tester: ask the engine whether an identity in the sandbox may perform actions on a resource.

The sandbox's counterpart of AWS's IAM policy simulator ("Testing IAM policies with the IAM policy
simulator"). A GET with the form's query string decides, so a result is a link; the only write is the
decision log, which keeps every decision the sandbox makes. A resource with its own policy (a bucket's
policy; for sts:AssumeRole, a role's trust policy) takes part as AWS would read it, and the condition keys
the policies use are listed to be given values, as GetContextKeysForPrincipalPolicy lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.decision_display import Flowchart, Listing, flowchart, policy_listings, split_statements
from simulator.console.views import get_sandbox_and_account
from simulator.policy import catalog
from simulator.policy.context_keys import context_keys
from simulator.policy.decision import Decision
from simulator.policy.policyset import PolicySet
from simulator.sandbox.authorization import Actor, LoggedDecision, authorize, policies_for
from simulator.sandbox.models import Account, DecisionRecord, Sandbox
from simulator.sandbox.resources import ResourcePolicy, resource_policy, taking_part

MAX_ACTIONS = 20
SUGGESTED_SERVICES = ("iam", "s3", "sts")
SOURCE = DecisionRecord.Source.ACCESS_TESTER
# Each role is tested as a session of this name (a role's permissions are used through a session).
TESTER_SESSION_NAME = "access-tester"
# Context keys given one by one arrive as key:NAME=value, beside the free-form box.
KEY_FIELD_PREFIX = "key:"
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+")
_SEPARATORS = re.compile(r"[\s,]+")


def _context_line_ok(key: str) -> bool:
    return ":" in key and " " not in key


def principals(account: Account) -> dict[str, Actor]:
    """Who can be tested, by principal ARN: the root user, every IAM user, and a session of every role."""
    actors = {account.root_arn: Actor(account)}
    actors |= {user.arn: Actor(account, user=user) for user in account.users.order_by("name")}
    for role in account.roles.order_by("name"):
        actor = Actor(account, role=role, session_name=TESTER_SESSION_NAME)
        actors[actor.session_arn] = actor
    return actors


class AccessTestForm(forms.Form):
    """What to ask: who, which actions, on what, with which extra condition keys. Every error is collected."""

    principal = forms.ChoiceField(label="Principal")
    actions = forms.CharField(label="Actions", max_length=4000)
    resource = forms.CharField(label="Resource", max_length=2048, required=False, initial="*")
    context = forms.CharField(label="Context keys", max_length=4000, required=False)

    def __init__(self, *args: Any, actors: dict[str, Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actors = actors
        # What each key's own field held (lower-cased key), to show in it again.
        self.key_fields: dict[str, list[str]] = {}
        groups: dict[str, list[tuple[str, str]]] = {"Root user": [], "IAM users": [], "Roles": []}
        for arn, actor in actors.items():
            if actor.role is not None:
                groups["Roles"].append((arn, f"{actor.role.name} (session {TESTER_SESSION_NAME})"))
            elif actor.user is not None:
                groups["IAM users"].append((arn, actor.user.name))
            else:
                groups["Root user"].append((arn, "Root user"))
        self.fields["principal"].choices = [(label, options) for label, options in groups.items() if options]

    def clean_actions(self) -> list[str]:
        actions = list(dict.fromkeys(a for a in _SEPARATORS.split(self.cleaned_data["actions"]) if a))
        malformed = [a for a in actions if not _ACTION.fullmatch(a)]
        if malformed:
            example = "for example s3:GetObject"
            raise forms.ValidationError(f"Write each action as service:Action, {example}; not {', '.join(malformed)}.")
        if len(actions) > MAX_ACTIONS:
            raise forms.ValidationError(f"Test at most {MAX_ACTIONS} actions at a time.")
        return actions

    def clean_resource(self) -> str:
        return self.cleaned_data["resource"].strip() or "*"

    def clean_context(self) -> dict[str, list[str]]:
        """``key=value`` lines, and the keys given one by one; a key given several times has several values."""
        context: dict[str, list[str]] = {}
        malformed = []
        for line in self.cleaned_data["context"].splitlines():
            if not line.strip():
                continue
            key, equals, value = line.partition("=")
            if not equals or not _context_line_ok(key.strip()):
                malformed.append(line.strip())
                continue
            context.setdefault(key.strip(), []).append(value.strip())
        for field, values in self.data.lists():
            key = field.removeprefix(KEY_FIELD_PREFIX)
            given = [v.strip() for v in values if v.strip()]
            if field.startswith(KEY_FIELD_PREFIX) and given:
                if _context_line_ok(key):
                    self.key_fields[key.lower()] = given
                    context.setdefault(key, []).extend(given)
                else:
                    malformed.append(key)
        if malformed:
            raise forms.ValidationError(f"Write each context key as prefix:name=value; not {'; '.join(malformed)}.")
        # The same value in the box and in the key's own field is one value, not a multivalued key.
        return {key: list(dict.fromkeys(values)) for key, values in context.items()}

    def actor(self) -> Actor:
        return self.actors[self.cleaned_data["principal"]]


@dataclass(frozen=True)
class Result:
    """One action's decision, with everything the page draws from it."""

    action: str
    decision: Decision
    trace: dict[str, Any]
    flowchart: Flowchart
    covering: list[dict]
    missing: list[dict]
    listings: list[Listing]
    suggestion: str | None
    known: bool
    resource_policy: ResourcePolicy | None
    record_id: int | None


@dataclass(frozen=True)
class ContextKey:
    """A key the policies use: the values given for it, what the sandbox fills in, whether a decision lacked it."""

    name: str
    given: tuple[str, ...]
    in_field: str
    from_sandbox: str | None
    missing: bool

    @property
    def field_name(self) -> str:
        return KEY_FIELD_PREFIX + self.name


def _result(action: str, decision: LoggedDecision, listings: list[Listing], used: ResourcePolicy | None) -> Result:
    trace = decision.trace
    covering, missing = split_statements(trace)
    known = catalog.action(action) is not None
    return Result(
        action=action,
        decision=decision,
        trace=trace,
        flowchart=flowchart(trace),
        covering=covering,
        missing=missing,
        listings=listings,
        suggestion=None if known else catalog.suggest_action(action),
        known=known,
        resource_policy=used,
        record_id=decision.record_id,
    )


def decide(form: AccessTestForm, sandbox: Sandbox) -> tuple[list[Result], list[PolicySet]]:
    """Each action decided by the engine (and logged), against the principal's policies as they are now.

    Also returns every policy set the decisions read, for the context keys they use.
    """
    actor = form.actor()
    data = form.cleaned_data
    found = resource_policy(sandbox, data["resource"])
    policy_sets: dict[bool, PolicySet] = {}
    results = []
    # The log entries of one test are written in one commit: each commit waits for the disk and, on SQLite,
    # for the database's one write lock, which every learner's writes share.
    with transaction.atomic():
        for action in data["actions"]:
            used = taking_part(found, action)
            with_resource = used is not None
            if with_resource not in policy_sets:
                policy_sets[with_resource] = policies_for(actor, resource=used.policy if used else None)
            policies = policy_sets[with_resource]
            owner = used.account_id if used else None
            decision = authorize(
                actor,
                action,
                data["resource"],
                policies,
                context=data["context"],
                resource_account=owner,
                source=SOURCE,
            )
            results.append(_result(action, decision, policy_listings(policies, decision), used))
    return results, list(policy_sets.values())


def used_context_keys(form: AccessTestForm, results: list[Result], policy_sets: list[PolicySet]) -> list[ContextKey]:
    """The keys the policies read, in GetContextKeysForPrincipalPolicy's terms, each marked for the page.

    AWS's call lists the keys of the principal's identity-based policies; the tester adds those of the
    permissions boundary and the resource-based policy, which take part in its decisions too.
    """
    policies = [
        policy
        for policy_set in policy_sets
        for policy in (*policy_set.identity, *policy_set.permissions_boundary, policy_set.resource)
        if policy is not None
    ]
    given = {key.lower(): tuple(values) for key, values in form.cleaned_data["context"].items()}
    from_sandbox = {key.lower(): value for key, value in form.actor().context().items()}
    missing = {key.lower() for result in results for key in result.decision.missing_context_values}
    return [
        ContextKey(
            name=key,
            given=given.get(key.lower(), ()),
            in_field=form.key_fields.get(key.lower(), [""])[0],
            from_sandbox=from_sandbox.get(key.lower()),
            missing=key.lower() in missing,
        )
        for key in context_keys(policies)
    ]


@cache
def suggested_actions() -> SafeString:
    """The catalog's actions of the suggested services as <option>s, built once: the catalog never changes
    while the server runs, and looping over hundreds of them in the template cost more than deciding."""
    actions = [a for a in catalog.all_actions() if a.partition(":")[0] in SUGGESTED_SERVICES]
    return format_html_join("", '<option value="{}">', ((action,) for action in actions))


@login_required
@vary_on_headers("HX-Request")
@require_safe
def access_tester(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    # A HEAD asks only for headers: it must not decide, nor write to the decision log.
    asked = request.method == "GET" and "actions" in request.GET
    actors = principals(account)
    # A link may name the principal (and more) without asking yet: the form starts from it.
    form = AccessTestForm(request.GET, actors=actors) if asked else AccessTestForm(initial=request.GET, actors=actors)
    results, keys = [], []
    if asked and form.is_valid():
        results, policy_sets = decide(form, sandbox)
        keys = used_context_keys(form, results, policy_sets)
    context = {"sandbox": sandbox, "account": account, "form": form, "asked": asked, "results": results, "keys": keys}
    # Going back to a pushed URL, htmx asks for the whole page again.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "console/access_tester.html#access-results", context)
    context["suggested_actions"] = suggested_actions()
    return render(request, "console/access_tester.html", context)
