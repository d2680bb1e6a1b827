"""The STS page: who the learner is (GetCallerIdentity), AssumeRole and GetSessionToken as the acting identity,
the account's live sessions; and the page of one set of temporary credentials.

Every call goes through simulator.sandbox.sts as the acting identity, so the page meets the same checks,
decisions and AWS errors as the API. A call's decisions are read back from the decision log to be drawn.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from simulator.console import acting, documents, sessions
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.policy import explain
from simulator.sandbox import clock, errors, sts
from simulator.sandbox.authorization import Actor, decisions_logged
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Account, ManagedPolicy, Role, Sandbox, TemporaryCredential

PAGE = "console/sts.html"
TAG_ROWS = 3
# The expired sessions listed under the live ones, newest first; older ones are in the decision log.
EXPIRED_SHOWN = 20
ASSUME_ROLE_FIELDS = (
    "role", "role_arn", "session_name", "duration", "external_id", "document", "other_policy_arns",
    "source_identity", "serial_number", "token_code",
)  # fmt: skip
SESSION_TOKEN_FIELDS = ("duration", "serial_number", "token_code")


def _optional(text: str) -> str | None:
    """A blank field is a parameter left out, as the CLI leaves out an option not given."""
    return text.strip() or None


def _duration(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.validation_failed(
            [errors.constraint(text, "durationSeconds", "Member must be a whole number of seconds")]
        ) from None


def _tags(form: QueryDict) -> tuple[list[dict[str, str]], list[str]]:
    """The tag rows filled in, and the keys of those marked transitive."""
    tags, transitive = [], []
    for row in range(TAG_ROWS):
        key, value = form.get(f"tag_key_{row}", ""), form.get(f"tag_value_{row}", "")
        if key or value:
            tags.append({"Key": key, "Value": value})
            if form.get(f"tag_transitive_{row}"):
                transitive.append(key)
    return tags, transitive


def _assume_role(actor: Actor, form: QueryDict) -> TemporaryCredential:
    """AssumeRole with what the form holds: the ARN typed wins over the role chosen from the list."""
    tags, transitive = _tags(form)
    other_arns = form.get("other_policy_arns", "").split()
    return sts.assume_role(
        actor,
        form.get("role_arn", "").strip() or form.get("role", ""),
        form.get("session_name", ""),
        duration_seconds=_duration(form.get("duration", "")),
        external_id=_optional(form.get("external_id", "")),
        policy=_optional(form.get("document", "")),
        policy_arns=[*form.getlist("policy_arns"), *other_arns],
        tags=tags,
        transitive_tag_keys=transitive,
        source_identity=_optional(form.get("source_identity", "")),
        serial_number=_optional(form.get("serial_number", "")),
        token_code=_optional(form.get("token_code", "")),
    )


def _get_session_token(actor: Actor, form: QueryDict) -> TemporaryCredential:
    return sts.get_session_token(
        actor,
        duration_seconds=_duration(form.get("duration", "")),
        serial_number=_optional(form.get("serial_number", "")),
        token_code=_optional(form.get("token_code", "")),
    )


OPERATIONS = {"assume-role": _assume_role, "get-session-token": _get_session_token}


def _typed(form: QueryDict, operation: str) -> dict[str, Any]:
    """What the learner typed, to put back in the form that was sent."""
    if operation == "get-session-token":
        return {"token": {name: form.get(name, "") for name in SESSION_TOKEN_FIELDS}}
    typed: dict[str, Any] = {name: form.get(name, "") for name in ASSUME_ROLE_FIELDS}
    typed["policy_arns"] = form.getlist("policy_arns")
    typed["tag_rows"] = _tag_rows(form)
    optional = ("external_id", "document", "other_policy_arns", "source_identity", "serial_number", "token_code")
    typed["more_open"] = (
        any(typed[name] for name in optional)
        or bool(typed["policy_arns"])
        or any(row["key"] or row["value"] for row in typed["tag_rows"])
    )
    return {"assume": typed}


def _tag_rows(form: QueryDict | None = None) -> list[dict[str, str]]:
    form = form or QueryDict()
    return [
        {
            "row": str(row),
            "key": form.get(f"tag_key_{row}", ""),
            "value": form.get(f"tag_value_{row}", ""),
            "transitive": form.get(f"tag_transitive_{row}", ""),
        }
        for row in range(TAG_ROWS)
    ]


def _sessions_context(sandbox: Sandbox, account: Account) -> dict[str, Any]:
    now = clock.now(sandbox)
    expired = TemporaryCredential.objects.filter(account=account, expires_at__lte=now)
    return {
        "live_sessions": sts.live_sessions(account),
        "expired_sessions": expired.select_related("account", "role", "user").order_by("-expires_at", "-id")[
            :EXPIRED_SHOWN
        ],
        "expired_count": expired.count(),
    }


def _page_context(request: HttpRequest, sandbox: Sandbox, actor: Actor, **overrides: Any) -> dict[str, Any]:
    roles = Role.objects.filter(account__sandbox=sandbox, service_linked="").select_related("account")
    managed = ManagedPolicy.objects.filter(account__sandbox=sandbox).select_related("account")
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "role_choices": [(role.arn, role.arn) for role in roles.order_by("account__account_id", "name")],
        "policy_choices": [(policy.arn, policy.arn) for policy in managed.order_by("account__account_id", "name")],
        "assume": {"tag_rows": _tag_rows(), "policy_arns": []},
        "token": {},
        "operation": "",
        "issued": None,
        "decisions": [],
        "error": None,
        "error_sides": [],
        **_sessions_context(sandbox, actor.account),
        **overrides,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def sts_page(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """GET: the page (htmx with ``region=sessions``: the sessions list alone, after a clock change).
    POST ``operation``: AssumeRole or GetSessionToken; the credentials and their decisions in place (htmx),
    or the new session's page (a plain form post)."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    if request.method != "POST":
        if request.htmx and request.GET.get("region") == "sessions":
            context = {"sandbox": sandbox, **_sessions_context(sandbox, actor.account)}
            return render(request, f"{PAGE}#sessions-region", context)
        context = _page_context(request, sandbox, actor, identity=sts.caller_identity(actor))
        return render(request, PAGE, context)
    operation = request.POST.get("operation", "")
    issued, error = None, None
    with decisions_logged() as logged:
        try:
            if operation not in OPERATIONS:
                raise AwsError("InvalidAction", "The action or operation requested is invalid.", 400)
            issued = OPERATIONS[operation](actor, request.POST)
        except AwsError as aws_error:
            error = aws_error
    decisions = sessions.sts_decisions(sandbox, ids=logged) if logged else []
    if issued is not None and not request.htmx:
        query = urlencode({"decisions": ",".join(str(d.record_id) for d in decisions)})
        return redirect(f"{reverse('console:session', args=[sandbox.id, issued.id])}?{query}")
    overrides: dict[str, Any] = {"operation": operation, "issued": issued, "error": error}
    if issued is not None:
        overrides["issued_cli"] = documents.highlight(sessions.cli_output(issued))
    if error is not None:
        overrides |= _typed(request.POST, operation)
        denied = getattr(error, "decision", None)
        if denied is not None:
            overrides["error_sides"] = sessions.sides(explain.trace(denied))
            decisions = [d for d in decisions if d.record_id != getattr(error, "record_id", None)]
    overrides["decisions"] = decisions
    context = _page_context(request, sandbox, actor, **overrides)
    template = f"{PAGE}#sts-region" if request.htmx else PAGE
    if not request.htmx:
        context["identity"] = sts.caller_identity(actor)
    return render(request, template, context, status=error_status(request, error))


def _decision_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()][:10]


@login_required
@require_http_methods(["GET", "HEAD"])
def session_detail(request: HttpRequest, sandbox_id: int, credential_id: int) -> HttpResponse:
    """One set of temporary credentials of any account of the sandbox: everything about them, their countdown,
    and acting as them while they last. ``?decisions=`` lists the decisions that issued them."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    credential = get_object_or_404(
        TemporaryCredential.objects.select_related("account", "role", "user", "instance"),
        account__sandbox=sandbox,
        pk=credential_id,
    )
    ids = _decision_ids(request.GET.get("decisions", ""))
    here = request.get_full_path()
    context = {
        "sandbox": sandbox,
        "account": actor.account,
        "credential": credential,
        "expired": clock.now(sandbox) >= credential.expires_at,
        "acting_as_it": actor.credential is not None and actor.credential.pk == credential.pk,
        "identity_value": f"{acting.SESSION_PREFIX}{credential.access_key_id}",
        "cli_output": documents.highlight(sessions.cli_output(credential)),
        "assumed_role_id": sessions.assumed_role_id(credential),
        "decisions": sessions.sts_decisions(sandbox, ids=ids) if ids else [],
        "next": here,
    }
    return render(request, "console/session.html", context)
