"""A user's virtual MFA device on their security credentials page: assign one with two consecutive codes, see the
code it shows now, remove it.

While a device is being assigned its seed waits in the learner's session (as CreateVirtualMFADevice hands
the seed out once, before EnableMFADevice): the page shows it in base32 and as an otpauth:// URI, for a
real authenticator app, and the code it gives now, as a "simulated authenticator" for learners without a
phone at hand. Once assigned, the seed is never shown again; the simulated authenticator keeps showing codes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import mfa
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import IamUser, Sandbox

PARTIAL = "console/_mfa_device.html"
PAGE = "console/user_mfa.html"


def _pending_seed_key(user: IamUser) -> str:
    return f"mfa-pending-seed-{user.pk}"


def _pending_seed(request: HttpRequest, user: IamUser) -> str:
    """The seed of the device being assigned: made once, kept in the session until the device is assigned."""
    key = _pending_seed_key(user)
    if not request.session.get(key):
        request.session[key] = mfa.new_seed()
    return request.session[key]


def _context(request: HttpRequest, sandbox: Sandbox, actor: Actor, user: IamUser, **extra: Any) -> dict[str, Any]:
    # The simulated authenticator reads the real clock, as a phone would (see simulator.sandbox.mfa).
    now = timezone.now()
    seed = user.mfa_seed or _pending_seed(request, user)
    return {
        "sandbox": sandbox,
        "actor": actor,
        "iam_user": user,
        "mfa_device": {
            "assigned": bool(user.mfa_seed),
            "serial_number": mfa.serial_number(user),
            "seed": "" if user.mfa_seed else seed,
            "otpauth_uri": "" if user.mfa_seed else mfa.otpauth_uri(user, seed),
            "current_code": mfa.totp(seed, now),
            "seconds_left": mfa.seconds_to_next_code(now),
        },
        "mfa_error": None,
        "typed": {},
        **extra,
    }


def _operate(request: HttpRequest, actor: Actor, user: IamUser) -> AwsError | None:
    operation = request.POST.get("operation", "")
    try:
        if operation == "enable":
            seed = _pending_seed(request, user)
            mfa.enable_mfa_device(actor, user.name, request.POST.get("code1", ""), request.POST.get("code2", ""), seed)
            request.session.pop(_pending_seed_key(user), None)
        elif operation == "deactivate":
            mfa.deactivate_mfa_device(actor, user.name)
        else:
            raise BadRequest("No such operation.")
    except AwsError as error:
        return error
    return None


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def user_mfa(request: HttpRequest, sandbox_id: int, user_id: int) -> HttpResponse:
    """GET: the MFA panel (alone for htmx, as a page without JavaScript). POST ``operation`` "enable" (with
    ``code1`` and ``code2``, two consecutive codes) or "deactivate", as the acting identity."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    user = get_object_or_404(actor.account.users.select_related("account"), pk=user_id)
    error = None
    if request.method == "POST":
        error = _operate(request, actor, user)
        if error is None and not request.htmx:
            return redirect("console:user_credentials", sandbox.id, user.id)
        user.refresh_from_db()
    typed = {"code1": request.POST.get("code1", ""), "code2": request.POST.get("code2", "")} if error else {}
    context = _context(request, sandbox, actor, user, mfa_error=error, typed=typed)
    return render(request, PARTIAL if request.htmx else PAGE, context, status=error_status(request, error))
