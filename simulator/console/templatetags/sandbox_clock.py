"""The sandbox clock in every sandbox page's heading, and live expiry countdowns on the sandbox's time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from simulator.console import clock as console_clock
from simulator.sandbox import clock

register = template.Library()


@register.inclusion_tag("console/_clock.html", takes_context=True)
def sandbox_clock(context: template.Context) -> dict[str, Any]:
    """Needs ``request`` and ``sandbox`` in the page's context; ``clock_error`` (a refused change) opens
    the controls and shows why."""
    error = context.get("clock_error")
    return console_clock.widget_context(context["request"], context["sandbox"], error=error)


@register.simple_tag(takes_context=True)
def expiry_countdown(context: template.Context, expires_at: datetime) -> SafeString:
    """``<span data-sandbox-expires="ISO">expires in 54 min 10 s</span>``: the words as of the sandbox's time now,
    kept counting down by static/js/clock.js against the clock in the page's heading."""
    sandbox = context.get("sandbox")
    now = clock.now(sandbox) if sandbox is not None else timezone.now()
    words = console_clock.countdown_words(expires_at, now)
    state = "countdown countdown-expired" if words == "expired" else "countdown"
    iso = expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return format_html('<span class="{}" data-sandbox-expires="{}">{}</span>', state, iso, words)
