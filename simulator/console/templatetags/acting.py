"""The identity picker in every sandbox page's navigation bar: who the learner acts as, and a form to switch."""

from __future__ import annotations

from typing import Any

from django import template

from simulator.console import acting

register = template.Library()


@register.inclusion_tag("console/_identity_picker.html", takes_context=True)
def identity_picker(context: template.Context) -> dict[str, Any]:
    """Needs ``request`` and ``sandbox`` in the page's context, as every sandbox page has them."""
    request = context["request"]
    sandbox = context["sandbox"]
    # After a failed form post the page's own URL answers a GET too: coming back there is safe.
    here = request.get_full_path() if request.method == "GET" else request.path
    return {"sandbox": sandbox, "picker": acting.picker(request, sandbox), "next": here, "prefix": "nav-act-as"}
