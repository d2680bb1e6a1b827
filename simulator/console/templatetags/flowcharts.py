"""The evaluation flowchart as SVG, drawn once per distinct chart.

A chart depends only on the stages' outcomes and words, which most decisions share, and the template that
draws it reads hundreds of coordinates: rendering it anew for every decision cost more than deciding.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from simulator.console.decision_display import Flowchart

register = template.Library()


@register.simple_tag
@lru_cache(maxsize=512)
def flowchart_svg(chart: Flowchart, number: int | str, action: str) -> SafeString:
    """console/_flowchart.html for ``chart``; ``number`` keeps its element ids unique on the page."""
    return render_to_string("console/_flowchart.html", {"chart": chart, "number": number, "action": action})
