"""The decision log: every decision the sandbox made, newest first, each with the explanation kept beside it.

Nothing here decides again. A logged decision is shown from the trace stored when it was made, so it says
what the engine said then, even after the policies have changed. Each entry also says what the request
was signed with (simulator.console.signed_with), as CloudTrail's userIdentity does; times are sandbox times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from simulator.console import signed_with
from simulator.console.decision_display import Flowchart, flowchart, split_statements
from simulator.console.views import get_sandbox_and_account
from simulator.policy import catalog
from simulator.policy.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY
from simulator.sandbox.models import Account, DecisionRecord

PAGE_SIZE = 50
RESULTS = ((ALLOWED, "Allowed"), (EXPLICIT_DENY, "Explicit deny"), (IMPLICIT_DENY, "Implicit deny"))
# What a request was signed with: the console session is stored as "", which a filter cannot tell from
# "any", so it has a name of its own here; a service acting as itself signs nothing of the learner's.
CONSOLE_SESSION = "console"
CREDENTIALS = (
    (CONSOLE_SESSION, DecisionRecord.Credentials.CONSOLE.label),
    (DecisionRecord.Credentials.LONG_TERM, DecisionRecord.Credentials.LONG_TERM.label),
    (DecisionRecord.Credentials.TEMPORARY, DecisionRecord.Credentials.TEMPORARY.label),
    (signed_with.SERVICE, "An AWS service itself"),
)


class DecisionFilterForm(forms.Form):
    """Which decisions to list; a blank field does not filter."""

    result = forms.ChoiceField(label="Result", choices=[("", "Any result"), *RESULTS], required=False)
    action = forms.CharField(label="Action contains", max_length=128, required=False)
    principal = forms.ChoiceField(label="Principal", required=False)
    source = forms.ChoiceField(
        label="Came through", choices=[("", "Anywhere"), *DecisionRecord.Source.choices], required=False
    )
    credentials = forms.ChoiceField(
        label="Signed with", choices=[("", "Any credentials"), *CREDENTIALS], required=False
    )

    def __init__(self, *args: Any, principal_arns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The part after the account ID names the principal: root, user/alice.
        named = [(arn, arn.rpartition(":")[2]) for arn in principal_arns]
        self.fields["principal"].choices = [("", "Any principal"), *named]

    def filter(self, decisions: QuerySet[DecisionRecord]) -> QuerySet[DecisionRecord]:
        """The decisions the filters select; none while a filter is invalid, as the form says why."""
        if not self.is_valid():
            return decisions.none()
        data = self.cleaned_data
        if data["result"]:
            decisions = decisions.filter(result=data["result"])
        if data["action"]:
            decisions = decisions.filter(action__icontains=data["action"])
        if data["principal"]:
            decisions = decisions.filter(principal_arn=data["principal"])
        if data["source"]:
            decisions = decisions.filter(source=data["source"])
        if data["credentials"]:
            decisions = _signed_with(decisions, data["credentials"])
        return decisions


def _signed_with(decisions: QuerySet[DecisionRecord], credentials: str) -> QuerySet[DecisionRecord]:
    # A service principal (ec2.amazonaws.com) is no ARN; every identity of an account is one.
    unsigned = decisions.filter(credentials=DecisionRecord.Credentials.CONSOLE)
    if credentials == CONSOLE_SESSION:
        return unsigned.filter(principal_arn__startswith="arn:")
    if credentials == signed_with.SERVICE:
        return unsigned.exclude(principal_arn__startswith="arn:")
    return decisions.filter(credentials=credentials)


def _principal_arns(account: Account) -> list[str]:
    # Ordered by the ARN alone: the model's default ordering would join the DISTINCT and repeat ARNs.
    return list(account.decisions.order_by("principal_arn").values_list("principal_arn", flat=True).distinct())


@dataclass(frozen=True)
class LoggedResult:
    """A logged decision in the shape console/_decision.html draws; the policy text is not kept, so no listings."""

    action: str
    trace: dict[str, Any]
    flowchart: Flowchart
    covering: list[dict]
    missing: list[dict]
    known: bool
    suggestion: str | None
    listings: tuple = ()

    @classmethod
    def of(cls, record: DecisionRecord) -> LoggedResult:
        covering, missing = split_statements(record.trace)
        known = catalog.action(record.action) is not None
        return cls(
            action=record.action,
            trace=record.trace,
            flowchart=flowchart(record.trace),
            covering=covering,
            missing=missing,
            known=known,
            suggestion=None if known else catalog.suggest_action(record.action),
        )


@login_required
@vary_on_headers("HX-Request")
@require_safe
def decision_log(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    form = DecisionFilterForm(request.GET, principal_arns=_principal_arns(account))
    # The list shows only the sentence; each trace is read on its own page.
    decisions = form.filter(account.decisions.defer("trace"))
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "sandbox": sandbox,
        "account": account,
        "form": form,
        "page": page,
        "entries": signed_with.entries(list(page.object_list), account, sandbox.id),
        "filtered": any(request.GET.get(name) for name in form.fields),
    }
    # Going back to a pushed URL, htmx asks for the whole page again.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "console/decision_log.html#decision-log", context)
    return render(request, "console/decision_log.html", context)


@login_required
@require_safe
def decision_detail(request: HttpRequest, sandbox_id: int, decision_id: int) -> HttpResponse:
    sandbox, account = get_sandbox_and_account(request, sandbox_id)
    record = get_object_or_404(account.decisions, pk=decision_id)
    (entry,) = signed_with.entries([record], account, sandbox.id)
    context = {
        "sandbox": sandbox,
        "account": account,
        "record": record,
        "signed": entry.signed,
        "result": LoggedResult.of(record),
    }
    return render(request, "console/decision.html", context)
