"""The instance terminal: the learner types commands that run on a simulated instance, as the instance.

Each AWS call a command makes is shown under it: the credentials it was signed with (the instance role's
temporary credentials, or a long-term key stored on the disk), and the engine's decision, explained in
place when it is a denial. Policies are read per call, so a role policy edited in another tab decides the
next command. The transcript and the shell's variables live in the learner's session, per instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap

from simulator.console.decision_display import flowchart
from simulator.console.templatetags.denials import Denial
from simulator.console.views import get_sandbox_and_actor
from simulator.policy.decision import ALLOWED
from simulator.sandbox import imds
from simulator.sandbox.authorization import Actor
from simulator.sandbox.aws_cli import Call
from simulator.sandbox.ec2 import settled
from simulator.sandbox.models import AccessKey, DecisionRecord, Instance, Sandbox
from simulator.sandbox.terminal import CommandResult, run_command

PAGE = "console/instance_terminal.html"
SESSION_KEY = "terminal"
KEEP_ENTRIES = 50
LONGEST_LINE = 2000
# What one entry keeps of a command's output: the session holds fifty of them.
KEEP_OUTPUT_LINES = 200
KEEP_OUTPUT_CHARACTERS = 20_000


def find_instance(actor: Actor, instance_id: str) -> Instance:
    """The acting account's instance, settled, or 404: another learner's (or account's) does not exist here."""
    instance = get_object_or_404(
        Instance.objects.select_related("account__sandbox", "instance_profile__role"),
        account=actor.account,
        instance_id=instance_id,
    )
    return settled(instance)


def prompt(instance: Instance) -> str:
    """Amazon Linux's prompt, with the host name EC2 gives the instance's private address."""
    host = "ip-" + imds.private_address(instance).replace(".", "-")
    return f"[ec2-user@{host} ~]$"


def shell_of(request: HttpRequest, instance: Instance) -> dict[str, Any]:
    """This instance's shell in the learner's session: {"entries": [...], "variables": {...}}."""
    shells = request.session.get(SESSION_KEY, {})
    return shells.get(f"{instance.account.sandbox_id}/{instance.instance_id}", {"entries": [], "variables": {}})


def run_in_shell(request: HttpRequest, instance: Instance, line: str) -> tuple[CommandResult, list[dict]]:
    """Run ``line`` in the instance's shell and keep it in the transcript (the last KEEP_ENTRIES; ``clear``
    empties it): the result and the transcript's entries after it."""
    shell = shell_of(request, instance)
    variables = dict(shell["variables"])
    result = run_command(instance, line, variables)
    entries = [] if result.clear else [*shell["entries"], _stored_entry(result)][-KEEP_ENTRIES:]
    shells = request.session.get(SESSION_KEY, {})
    key = f"{instance.account.sandbox_id}/{instance.instance_id}"
    request.session[SESSION_KEY] = {**shells, key: {"entries": entries, "variables": variables}}
    return result, entries


def _stored_call(call: Call) -> dict[str, Any]:
    """A call as the session keeps it (JSON): the decisions stay in the log and are read back by id."""
    used = call.credentials
    credentials = None
    if used is not None:
        credentials = {
            "kind": used.kind,
            "source": used.source,
            "access_key_id": used.access_key_id,
            "arn": used.arn,
            "role_id": used.role_id,
            "role_name": used.role_name,
            "session_name": used.session_name,
            "expires_at": used.expires_at.isoformat() if used.expires_at else None,
        }
    error = {"code": call.error.code, "message": call.error.message} if call.error is not None else None
    return {
        "operation": call.operation,
        "credentials": credentials,
        "decision_ids": call.decision_ids,
        "error": error,
        "note": call.note,
    }


def _kept_output(lines: list[str]) -> list[str]:
    """The output as the transcript keeps it: a long one (a large object printed) is cut, saying so."""
    kept = lines[:KEEP_OUTPUT_LINES]
    while kept and sum(len(line) for line in kept) > KEEP_OUTPUT_CHARACTERS:
        kept = kept[: len(kept) // 2]
    if len(kept) < len(lines):
        kept.append(f"... ({len(lines) - len(kept)} more lines not kept in the transcript)")
    return kept


def _stored_entry(result: CommandResult) -> dict[str, Any]:
    return {
        "line": result.command,
        "output": _kept_output(result.output),
        "status": result.status,
        "calls": [_stored_call(call) for call in result.calls],
    }


@dataclass(frozen=True)
class ShownDecision:
    record: DecisionRecord
    denial: Denial | None

    @property
    def allowed(self) -> bool:
        return self.record.result == ALLOWED

    @property
    def dom_id(self) -> str:
        return f"denial-{self.record.pk}"

    @property
    def by_ec2(self) -> bool:
        """EC2 fetching the role's credentials (a decision the metadata service made), not the call itself."""
        return self.record.source == DecisionRecord.Source.METADATA


@dataclass(frozen=True)
class ShownCall:
    operation: str
    credentials: dict[str, Any] | None
    expires_at: datetime | None
    decisions: list[ShownDecision]
    error: dict[str, str] | None
    note: str


@dataclass(frozen=True)
class ShownEntry:
    number: int
    line: str
    output: str
    status: int
    calls: list[ShownCall]


def shown_entries(instance: Instance, entries: list[dict], first: int = 1) -> list[ShownEntry]:
    """The transcript's entries with their decisions read back from the log, in one query."""
    ids = {pk for entry in entries for call in entry["calls"] for pk in call["decision_ids"]}
    # A key stored on the instance may be another account's of the sandbox: its decisions are logged there.
    in_sandbox = DecisionRecord.objects.filter(account__sandbox_id=instance.account.sandbox_id, pk__in=ids)
    records = {record.pk: record for record in in_sandbox} if ids else {}
    shown = []
    for number, entry in enumerate(entries, start=first):
        calls = []
        for call in entry["calls"]:
            decisions = [
                ShownDecision(record, None if record.result == ALLOWED else _denial(record))
                for pk in call["decision_ids"]
                if (record := records.get(pk)) is not None
            ]
            credentials = call["credentials"]
            expires = credentials and credentials["expires_at"]
            expires_at = datetime.fromisoformat(expires) if expires else None
            calls.append(ShownCall(call["operation"], credentials, expires_at, decisions, call["error"], call["note"]))
        shown.append(ShownEntry(number, entry["line"], "\n".join(entry["output"]), entry["status"], calls))
    return shown


def _denial(record: DecisionRecord) -> Denial:
    """A logged denial explained as an AccessDenied is in place, from the trace the log keeps."""
    return Denial(record.action, record.trace, flowchart(record.trace), record.pk)


def stored_key(instance: Instance) -> AccessKey | None:
    """The IAM access key written on the instance's disk, if it still exists in the sandbox."""
    if not instance.stored_access_key_id:
        return None
    return (
        AccessKey.objects.filter(
            account__sandbox_id=instance.account.sandbox_id, access_key_id=instance.stored_access_key_id
        )
        .select_related("user")
        .first()
    )


def _context(sandbox: Sandbox, actor: Actor, instance: Instance, entries: list[dict]) -> dict[str, Any]:
    return {
        "sandbox": sandbox,
        "account": actor.account,
        "actor": actor,
        "instance": instance,
        "role": instance.instance_profile.role if instance.instance_profile else None,
        "key": stored_key(instance),
        "prompt": prompt(instance),
        "entries": shown_entries(instance, entries),
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def instance_terminal(request: HttpRequest, sandbox_id: int, instance_id: str) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    instance = find_instance(actor, instance_id)
    if request.method != "POST":
        return render(request, PAGE, _context(sandbox, actor, instance, shell_of(request, instance)["entries"]))
    result, entries = run_in_shell(request, instance, request.POST.get("command", "")[:LONGEST_LINE])
    if not request.htmx:
        return redirect("console:instance_terminal", sandbox.id, instance.instance_id)
    context = _context(sandbox, actor, find_instance(actor, instance_id), [])
    if result.clear:
        return reswap(render(request, f"{PAGE}#side-panel", {**context, "oob": True}), "innerHTML")
    context["entries"] = shown_entries(instance, entries[-1:], first=len(entries))
    return render(request, f"{PAGE}#new-entry", {**context, "oob": True})
