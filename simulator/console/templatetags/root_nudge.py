"""The banner every sandbox page shows while the learner acts as the root user."""

from __future__ import annotations

from django import template

from simulator.console import acting

register = template.Library()


@register.simple_tag(takes_context=True)
def root_is_acting(context: template.Context) -> bool:
    """Whether the learner acts as a root user in the page's sandbox (no query: the acting identity is
    looked up once per request, and the identity picker has already asked)."""
    request, sandbox = context.get("request"), context.get("sandbox")
    if request is None or sandbox is None:
        return False
    return acting.acting_actor(request, sandbox).is_root
