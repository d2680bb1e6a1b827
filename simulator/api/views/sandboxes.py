"""The learner's sandboxes and the accounts in them, and their lifecycle: create, reset, delete, add an account,
export an account as GetAccountAuthorizationDetails prints it and import such a dump.

These are the learner managing their own sandboxes, not IAM actions inside an account: the engine is not asked.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from simulator.api.scope import ListMixin, SandboxView, account_for, created, valid
from simulator.api.serializers.sandboxes import (
    AccountInput,
    AccountOutput,
    ImportOptions,
    ImportSummaryOutput,
    SandboxDeletion,
    SandboxInput,
    SandboxOutput,
)
from simulator.sandbox import lifecycle
from simulator.sandbox.authorization_details import export_account
from simulator.sandbox.authorization_import import import_account
from simulator.sandbox.models import Sandbox


class SandboxesView(ListMixin, APIView):
    @extend_schema(summary="List your sandboxes", responses=SandboxOutput(many=True))
    def get(self, request: Request) -> Response:
        sandboxes = Sandbox.objects.for_user(request.user).prefetch_related("accounts")
        return self.listed(sandboxes, SandboxOutput)

    @extend_schema(summary="Create a sandbox", request=SandboxInput, responses={201: SandboxOutput})
    def post(self, request: Request) -> Response:
        """Its one account built from the template: empty, or the demo's users, groups, roles and policies."""
        data = valid(SandboxInput, request.data)
        return created(lifecycle.create_sandbox(request.user, data["Name"], data["Template"]), SandboxOutput)


class SandboxDetailView(SandboxView):
    @extend_schema(summary="Get a sandbox", responses=SandboxOutput)
    def get(self, request: Request, sandbox_id: int) -> Response:
        return Response(SandboxOutput(self.sandbox).data)

    @extend_schema(summary="Delete a sandbox", parameters=[SandboxDeletion], responses={204: None})
    def delete(self, request: Request, sandbox_id: int) -> Response:
        """Everything in it goes, every account with all it holds."""
        lifecycle.delete_sandbox(self.sandbox, valid(SandboxDeletion, request.query_params)["ConfirmName"])
        return Response(status=204)


class ResetView(SandboxView):
    @extend_schema(summary="Reset a sandbox", request=None, responses=SandboxOutput)
    def post(self, request: Request, sandbox_id: int) -> Response:
        """Back to exactly its template; the first account keeps its ID, every other account goes."""
        sandbox = lifecycle.reset_sandbox(self.sandbox)
        return Response(SandboxOutput(Sandbox.objects.prefetch_related("accounts").get(pk=sandbox.pk)).data)


class AccountsView(SandboxView):
    @extend_schema(summary="List the sandbox's accounts", responses=AccountOutput(many=True))
    def get(self, request: Request, sandbox_id: int) -> Response:
        return self.listed(self.sandbox.accounts.all(), AccountOutput)

    @extend_schema(summary="Add an account", request=AccountInput, responses={201: AccountOutput})
    def post(self, request: Request, sandbox_id: int) -> Response:
        """Another account, for cross-account access; its alias is unique in the sandbox."""
        alias = valid(AccountInput, request.data)["AccountAlias"]
        return created(lifecycle.add_account(self.sandbox, alias), AccountOutput)


class AccountDetailView(SandboxView):
    @extend_schema(summary="Get an account", responses=AccountOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return Response(AccountOutput(account_for(request, sandbox_id, account_id)).data)


class ExportView(SandboxView):
    @extend_schema(summary="GetAccountAuthorizationDetails (export)", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The account's users, groups, roles and policies as `aws iam get-account-authorization-details` prints
        them: what POST .../import/ reads back."""
        return Response(export_account(account_for(request, sandbox_id, account_id)))


class ImportView(SandboxView):
    @extend_schema(
        summary="Import an authorization details dump",
        parameters=[ImportOptions],
        request=OpenApiTypes.OBJECT,
        responses={201: ImportSummaryOutput},
    )
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The body is a GetAccountAuthorizationDetails response (the CLI's output or an export), at most
        2.5 MB (Django's DATA_UPLOAD_MAX_MEMORY_SIZE). All of it is written or none: every problem is listed in
        Error.Problems, each at its JSON path."""
        replace = valid(ImportOptions, request.query_params)["Replace"]
        summary = import_account(account_for(request, sandbox_id, account_id), request.data, replace=replace)
        return created(summary, ImportSummaryOutput)
