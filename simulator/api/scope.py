"""The views' common ground: the signed-in learner's sandbox or account from the URL (else NoSuchEntity),
who the request acts as there, and paginated lists.

Queries start from the learner: another learner's sandbox answers exactly as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from simulator.api.acting import acting_actor
from simulator.sandbox import errors
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Sandbox


def no_such(kind: str, identifier: object) -> errors.AwsError:
    return errors.AwsError("NoSuchEntity", f"The {kind} with ID {identifier} cannot be found.", 404)


def sandbox_for(request: Request, sandbox_id: int) -> Sandbox:
    sandbox = Sandbox.objects.for_user(request.user).filter(pk=sandbox_id).first()
    if sandbox is None:
        raise no_such("sandbox", sandbox_id)
    return sandbox


def account_for(request: Request, sandbox_id: int, account_id: str) -> Account:
    account = (
        Account.objects.filter(sandbox__owner=request.user, sandbox_id=sandbox_id, account_id=account_id)
        .select_related("sandbox")
        .first()
    )
    if account is None:
        raise no_such("account", account_id)
    return account


def named(queryset: QuerySet, kind: str, name: str) -> Any:
    """The entity called ``name`` (IAM names ignore case), else AWS's NoSuchEntity for a ``kind``."""
    entity = queryset.filter(name__iexact=name).first()
    if entity is None:
        raise errors.no_such_entity(kind, name)
    return entity


class ListMixin:
    """Every list is paginated alike (limit/offset, REST_FRAMEWORK's PAGE_SIZE)."""

    request: Request
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    def listed(self, rows: QuerySet | list, serializer: type[Serializer]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, self.request, view=self)
        return paginator.get_paginated_response(serializer(page, many=True).data)


class SandboxView(ListMixin, APIView):
    """A view under /api/sandboxes/{sandbox_id}/: ``self.sandbox`` is the learner's, or the request is a 404."""

    sandbox: Sandbox

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.sandbox = sandbox_for(request, kwargs["sandbox_id"])


class AccountView(ListMixin, APIView):
    """A view under /api/sandboxes/{sandbox_id}/accounts/{account_id}/: ``self.account`` is the learner's
    (else a 404) and ``self.actor`` whom the request acts as (see simulator/api/acting.py)."""

    account: Account
    actor: Actor

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.account = account_for(request, kwargs["sandbox_id"], kwargs["account_id"])
        self.actor = acting_actor(request, self.account)


def valid(serializer: type[Serializer], data: Any) -> dict[str, Any]:
    """The request's input checked by ``serializer``; every problem at once, as a ValidationError."""
    checked = serializer(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


def created(instance: Model | dict, serializer: type[Serializer]) -> Response:
    return Response(serializer(instance).data, status=201)
