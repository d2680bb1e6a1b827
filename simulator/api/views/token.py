"""The learner's API token: create or rotate it while signed in, or revoke it.

One token per learner (DRF's TokenAuthentication); rotating replaces it, so a token that leaked stops working.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenOutput(serializers.Serializer):
    Token = serializers.CharField(source="key", help_text="Send it as the header Authorization: Token <key>")
    CreateDate = serializers.DateTimeField(source="created")


class TokenView(APIView):
    @extend_schema(
        summary="Create or rotate your API token",
        description="Any earlier token stops working. Shown once: keep it somewhere safe.",
        request=None,
        responses={201: TokenOutput},
    )
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
        return Response(TokenOutput(token).data, status=201)

    @extend_schema(summary="Revoke your API token", responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)
