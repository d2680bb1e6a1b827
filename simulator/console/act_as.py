"""The identity picker's page: choose who to act as in a sandbox, then go back where you were.

Every console page is drawn and every action authorized as the chosen identity (see
:mod:`simulator.console.acting`). The same form sits in each sandbox page's navigation bar.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from simulator.console import acting
from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Sandbox


def _next_url(request: HttpRequest, sandbox: Sandbox) -> str:
    """Where to go after choosing: the page the learner came from, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("console:users", args=[sandbox.id])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def choose_identity(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    next_url = _next_url(request, sandbox)
    session_name = actor.session_name or acting.DEFAULT_SESSION_NAME
    error, typed = None, {"identity": acting.identity_value(actor), "session_name": session_name}
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name in typed}
        try:
            chosen = acting.chosen_actor(actor.account, typed["identity"], typed["session_name"])
        except AwsError as aws_error:
            error = aws_error
        else:
            acting.act_as(request, sandbox, chosen)
            return redirect(next_url)
    context = {
        "sandbox": sandbox,
        "account": actor.account,
        "picker": acting.picker(request, sandbox),
        "typed": typed,
        "next": next_url,
        "error": error,
    }
    return render(request, "console/act_as.html", context, status=error_status(request, error))
