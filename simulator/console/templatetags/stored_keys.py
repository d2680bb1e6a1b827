"""The instances holding a user's access keys on their disk, for the user's security credentials page."""

from __future__ import annotations

from django import template

from simulator.console import workloads
from simulator.sandbox import clock
from simulator.sandbox.models import AccessKey, Instance

register = template.Library()


@register.simple_tag(takes_context=True)
def instances_holding_keys(context: template.Context, keys: list[AccessKey]) -> list[tuple[AccessKey, list[Instance]]]:
    """Each of ``keys`` stored on at least one instance, with those instances; needs ``account`` and ``sandbox``
    in the page's context. One query, however many keys and instances (and three to settle instance states)."""
    holding = workloads.instances_holding(context["account"], keys, clock.now(context["sandbox"]))
    return [(key, holding[key.access_key_id]) for key in keys if key.access_key_id in holding]
