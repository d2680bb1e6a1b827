"""The sandbox clock in the console: what it reads, and the controls that pause, speed up or move it forward.

Changing the clock manages the sandbox rather than acting in AWS: no policy decides it, but only the
sandbox's owner can (anyone else gets a 404). The widget ticks in the browser (static/js/clock.js) from the
reading it was drawn with, so nothing polls the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from simulator.console.views import error_status, get_sandbox_and_actor
from simulator.sandbox import clock, errors
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import Sandbox

# The jumps offered as buttons, in seconds, with their labels; any number of minutes can be typed too.
JUMPS = ((300, "+5 min"), (3600, "+1 h"), (21600, "+6 h"), (86400, "+1 day"))
# The event an htmx answer to a clock change fires, so a region showing expiry can refresh itself.
CHANGED_EVENT = "sandbox-clock-changed"


def duration_words(seconds: float) -> str:
    """A duration as the widget says it, largest two units: "2 d 3 h", "54 min 10 s", "8 s".

    static/js/clock.js words durations the same way.
    """
    left = int(abs(seconds))
    days, left = divmod(left, 86400)
    hours, left = divmod(left, 3600)
    minutes, secs = divmod(left, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    first = next((i for i, (amount, _unit) in enumerate(parts) if amount), len(parts) - 1)
    return " ".join(f"{amount} {unit}" for amount, unit in parts[first : first + 2] if amount or first == 3)


def countdown_words(expires_at: datetime, now: datetime) -> str:
    """ "expires in 54 min 10 s", or "expired" once ``now`` has reached ``expires_at``."""
    left = (expires_at - now).total_seconds()
    return f"expires in {duration_words(left)}" if left >= 1 else "expired"


@dataclass(frozen=True)
class ClockFace:
    """One reading of a sandbox's clock, as the widget draws it."""

    now: datetime
    real_now: datetime
    rate: float

    @classmethod
    def of(cls, sandbox: Sandbox) -> ClockFace:
        real_now = timezone.now()
        return cls(clock.reading(sandbox, real_now), real_now, sandbox.clock_rate)

    @property
    def now_ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    @property
    def ahead_ms(self) -> int:
        return int((self.now - self.real_now).total_seconds() * 1000)

    @property
    def speed(self) -> str:
        return "paused" if self.rate == 0 else f"{self.rate:g}×"

    @property
    def ahead(self) -> str:
        """How far the sandbox is from real time, in words (clock.js keeps it up to date)."""
        seconds = self.ahead_ms / 1000
        if abs(seconds) < 1:
            return "on real time"
        return f"{duration_words(seconds)} {'ahead of' if seconds > 0 else 'behind'} real time"


def _next_url(request: HttpRequest, sandbox: Sandbox) -> str:
    """Back to the page the clock was changed on, if it is on this site."""
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("console:users", args=[sandbox.id])


def _number(text: str, what: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise errors.validation_error(f"{what} must be a number.") from None
    if not math.isfinite(number):
        raise errors.validation_error(f"{what} must be a number.")
    return number


def _change(sandbox: Sandbox, form: dict[str, str]) -> None:
    """Apply the change the form asks for; the clock module refuses what is out of range."""
    action = form.get("action", "")
    if action == "rate":
        clock.set_rate(sandbox, _number(form.get("rate", ""), "The speed"))
    elif action == "advance":
        minutes = form.get("minutes", "").strip()
        if minutes:
            clock.advance(sandbox, _number(minutes, "The number of minutes") * 60)
        else:
            clock.advance(sandbox, _number(form.get("seconds", ""), "The number of seconds"))
    elif action == "resync":
        clock.resync(sandbox)
    else:
        raise errors.validation_error("Choose a speed, a jump forward, or going back to real time.")


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def sandbox_clock(request: HttpRequest, sandbox_id: int) -> HttpResponse:
    """GET: the widget (htmx) or a page about the clock; POST: change it, then the widget or back to ``next``."""
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    error: AwsError | None = None
    if request.method == "POST":
        try:
            _change(sandbox, request.POST.dict())
        except AwsError as aws_error:
            error = aws_error
        else:
            if not request.htmx:
                return redirect(_next_url(request, sandbox))
    if request.htmx:
        context = widget_context(request, sandbox, error=error, open_controls=request.method == "POST")
        response = render(request, "console/_clock.html", context, status=error_status(request, error))
        if request.method == "POST" and error is None:
            response["HX-Trigger"] = CHANGED_EVENT
        return response
    # Without JavaScript a refused change needs a page to be explained on: the widget in its heading shows it.
    context = {"sandbox": sandbox, "account": actor.account, "clock_error": error}
    return render(request, "console/clock.html", context, status=error_status(request, error))


def widget_context(
    request: HttpRequest, sandbox: Sandbox, *, error: AwsError | None = None, open_controls: bool = False
) -> dict:
    """What console/_clock.html draws: the reading, the controls, and where a plain form post returns to."""
    # After a failed form post the page's own URL answers a GET too: coming back there is safe.
    here = request.get_full_path() if request.method == "GET" else request.path
    if request.htmx:
        # An htmx request's own URL is the widget's; the page it sits in is the one to come back to.
        here = request.POST.get("next") or request.headers.get("HX-Current-URL", "") or here
    return {
        "sandbox": sandbox,
        "face": ClockFace.of(sandbox),
        "jumps": JUMPS,
        "rates": [
            (f"{rate:g}", "Pause" if rate == 0 else f"{rate:g}×", rate == sandbox.clock_rate) for rate in clock.RATES
        ],
        "next": here,
        "clock_error": error,
        "open_controls": open_controls or error is not None,
    }
