"""An instance's metadata service over HTTP: the console's stand-in for http://169.254.169.254/ on the instance.

Answers exactly what the instance's IMDS would (:func:`simulator.sandbox.imds.read`): plain-text listings
and documents, AWS's error pages and status codes. It is the learner's own, behind their session: another
learner's instance is a 404, and the PUT that starts an IMDSv2 session is a write, so it needs the CSRF
token like every other (htmx sends it; a hand-made request must send the X-CSRFToken header).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from simulator.console.views import get_sandbox_and_actor
from simulator.sandbox import imds
from simulator.sandbox.models import Instance


@login_required
@require_http_methods(["GET", "HEAD", "PUT"])
def instance_metadata(request: HttpRequest, sandbox_id: int, instance_id: str, path: str) -> HttpResponse:
    """GET a metadata path, or PUT latest/api/token for a session token, on one of the learner's instances."""
    _, actor = get_sandbox_and_actor(request, sandbox_id)
    instance = get_object_or_404(Instance, account=actor.account, instance_id=instance_id)
    answer = imds.read(instance, request.method, path, imds.headers_reaching_the_instance(request.headers))
    response = HttpResponse(answer.body, status=answer.status, content_type=f"{answer.content_type}; charset=utf-8")
    for name, value in answer.headers.items():
        response[name] = value
    # Credentials are in these answers: no cache should keep them.
    response["Cache-Control"] = "no-store"
    return response
