"""The access tester: ask the engine whether an identity in the sandbox may perform actions on a resource.

The sandbox's counterpart of AWS's IAM policy simulator. A GET with the form's query string decides, so a
result is a link; the only write is the decision log, which keeps every decision the sandbox makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console.decision_display import Flowchart, Listing, flowchart, policy_listings, split_statements
from simulator.console.views import get_sandbox_and_account
from simulator.policy import catalog, explain
from simulator.policy.decision import Decision
from simulator.sandbox.authorization import Actor, authorize, policies_for
from simulator.sandbox.models import Account, IamUser

MAX_ACTIONS = 20
SUGGESTED_SERVICES = ("iam", "s3", "sts")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+")
_SEPARATORS = re.compile(r"[\s,]+")


class AccessTestForm(forms.Form):
    """What to ask: who, which actions, on what, with which extra condition keys. Every error is collected."""

    principal = forms.ChoiceField(label="Principal")
    actions = forms.CharField(label="Actions", max_length=4000)
    resource = forms.CharField(label="Resource", max_length=2048, required=False, initial="*")
    context = forms.CharField(label="Context keys", max_length=4000, required=False)

    def __init__(self, *args: Any, account: Account, users: list[IamUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.users = {user.arn: user for user in users}
        self.fields["principal"].choices = [(account.root_arn, "Root user")] + [(u.arn, u.name) for u in users]

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
        """``key=value`` lines; a key given on several lines has several values (a multivalued key)."""
        context: dict[str, list[str]] = {}
        malformed = []
        for line in self.cleaned_data["context"].splitlines():
            if not line.strip():
                continue
            key, equals, value = line.partition("=")
            if not equals or ":" not in key.strip() or " " in key.strip():
                malformed.append(line.strip())
                continue
            context.setdefault(key.strip(), []).append(value.strip())
        if malformed:
            raise forms.ValidationError(f"Write each context key as prefix:name=value; not {'; '.join(malformed)}.")
        return context

    def actor(self) -> Actor:
        return Actor(self.account, self.users.get(self.cleaned_data["principal"]))


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


def _result(action: str, decision: Decision, listings: list[Listing]) -> Result:
    trace = explain.trace(decision)
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
    )


def decide(form: AccessTestForm) -> list[Result]:
    """Each action decided by the engine (and logged), against the principal's policies as they are now."""
    actor = form.actor()
    policies = policies_for(actor)
    data = form.cleaned_data
    results = []
    for action in data["actions"]:
        decision = authorize(actor, action, data["resource"], policies, context=data["context"])
        results.append(_result(action, decision, policy_listings(policies, decision)))
    return results


def suggested_actions() -> list[str]:
    return [a for a in catalog.all_actions() if a.partition(":")[0] in SUGGESTED_SERVICES]


@login_required
@vary_on_headers("HX-Request")
@require_safe
def access_tester(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    users = list(account.users.order_by("name"))
    asked = "actions" in request.GET
    form = AccessTestForm(request.GET if asked else None, account=account, users=users)
    context = {
        "sandbox": sandbox,
        "account": account,
        "form": form,
        "asked": asked,
        "results": decide(form) if asked and form.is_valid() else [],
    }
    # Going back to a pushed URL, htmx asks for the whole page again.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "console/access_tester.html#access-results", context)
    context["suggested_actions"] = suggested_actions()
    return render(request, "console/access_tester.html", context)
