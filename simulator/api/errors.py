"""Every API error in one shape, AWS's: ``{"Error": {"Type", "Code", "Message"}, "RequestId"}``.

An AwsError from an operation keeps its code, message and status. The API's own failures are given the
AWS code closest in meaning: bad input is ValidationError, a missing thing NoSuchEntity, a missing or
wrong token MissingAuthenticationToken / InvalidClientTokenId ("IAM API Reference: Common Errors").
An AccessDenied decided by the engine also names the decision record that explains it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from simulator.sandbox.authorization_import import InvalidDump
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import Account

_CODES = {
    exceptions.ValidationError: "ValidationError",
    exceptions.ParseError: "ValidationError",
    exceptions.NotAuthenticated: "MissingAuthenticationToken",
    exceptions.AuthenticationFailed: "InvalidClientTokenId",
    exceptions.PermissionDenied: "AccessDenied",
    exceptions.NotFound: "NoSuchEntity",
    exceptions.MethodNotAllowed: "MethodNotAllowed",
    exceptions.NotAcceptable: "NotAcceptable",
    exceptions.UnsupportedMediaType: "UnsupportedMediaType",
    exceptions.Throttled: "Throttling",
}


class DecisionLinkSerializer(serializers.Serializer):
    """The decision record explaining an AccessDenied: its id and where to read it."""

    Id = serializers.IntegerField()
    Url = serializers.CharField()
    EvalDecision = serializers.CharField(help_text="allowed, explicitDeny or implicitDeny")


class ProblemSerializer(serializers.Serializer):
    Path = serializers.CharField(help_text="Where in the dump, as a JSON path")
    Code = serializers.CharField()
    Message = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    Type = serializers.ChoiceField(choices=["Sender", "Receiver"])
    Code = serializers.CharField(help_text="AWS's error code, e.g. EntityAlreadyExists, NoSuchEntity, AccessDenied")
    Message = serializers.CharField(help_text="For AccessDenied, the engine's sentence saying why")
    Decision = DecisionLinkSerializer(required=False, help_text="AccessDenied only: the decision that denied")
    Problems = ProblemSerializer(many=True, required=False, help_text="An import only: everything wrong in the dump")


class ErrorSerializer(serializers.Serializer):
    """The shape of every error this API answers with."""

    Error = ErrorDetailSerializer()
    RequestId = serializers.UUIDField()


def error_body(code: str, message: str, status: int, **extra: Any) -> dict[str, Any]:
    kind = "Receiver" if status >= 500 else "Sender"
    return {"Error": {"Type": kind, "Code": code, "Message": message, **extra}, "RequestId": str(uuid.uuid4())}


def _response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, headers={"x-amzn-RequestId": body["RequestId"], **(headers or {})})


def decision_url(account: Account, record_id: int) -> str:
    """Where the API serves ``account``'s decision log record ``record_id``."""
    return reverse("api:decision", args=[account.sandbox_id, account.account_id, record_id])


def _decision_link(denied: AccessDenied, context: dict[str, Any]) -> dict[str, Any] | None:
    """The decision log's record of an AccessDenied the engine decided (None when no decision was logged).

    The record is in the acting identity's account, and the API acts only as identities of the account its
    URL names: the view's account.
    """
    account = getattr(context.get("view"), "account", None)
    if denied.record_id is None or account is None:
        return None
    return {
        "Id": denied.record_id,
        "Url": decision_url(account, denied.record_id),
        "EvalDecision": denied.decision.result,
    }


def _messages(detail: Any, prefix: str = "") -> list[str]:
    """Every message in a DRF error detail, each after the field it is about."""
    if isinstance(detail, dict):
        return [m for field, value in detail.items() for m in _messages(value, f"{prefix}{field}.")]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value, prefix)]
    where = prefix.rstrip(".")
    return [f"{where}: {detail}" if where and where != "non_field_errors" else str(detail)]


def _invalid_dump(invalid: InvalidDump) -> Response:
    """Every problem of a dump at once; the code is theirs when they share one (EntityAlreadyExists: a 409)."""
    codes = {problem.code for problem in invalid.problems}
    code = codes.pop() if len(codes) == 1 else "ValidationError"
    status = 409 if code == "EntityAlreadyExists" else 400
    problems = [{"Path": p.path, "Code": p.code, "Message": p.message} for p in invalid.problems]
    message = "; ".join(f"{p.path}: {p.message}" for p in invalid.problems)
    return _response(error_body(code, message, status, Problems=problems), status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: AWS errors and DRF's own, all in the one shape; anything else is a 500."""
    if isinstance(exc, AwsError):
        link = _decision_link(exc, context) if isinstance(exc, AccessDenied) else None
        extra = {"Decision": link} if link is not None else {}
        return _response(error_body(exc.code, exc.message, exc.status, **extra), exc.status)
    if isinstance(exc, InvalidDump):
        return _invalid_dump(exc)
    if isinstance(exc, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        message = f"The request body is larger than the API accepts ({megabytes:g} MB)."
        return _response(error_body("LimitExceeded", message, 413), 413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if not isinstance(exc, exceptions.APIException):
        return None
    code = next((code for kind, code in _CODES.items() if isinstance(exc, kind)), "ServiceFailure")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"
    message = "; ".join(_messages(exc.detail))
    return _response(error_body(code, message, exc.status_code), exc.status_code, headers)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 handler: a URL under /api/ that names nothing answers in the API's shape."""
    if request.path.startswith("/api/"):
        body = error_body("NoSuchEntity", f"No API resource at {request.path}.", 404)
        return JsonResponse(body, status=404, headers={"x-amzn-RequestId": body["RequestId"]})
    return defaults.page_not_found(request, exception)
