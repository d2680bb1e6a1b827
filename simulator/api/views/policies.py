"""Managed policies: the account's own (customer managed) and AWS's, with their versions.

Both are mounted twice, under policies/ (the account's own) and aws-managed-policies/ (AWS's, read-only: the
operations refuse every change to them with AWS's AccessDenied, whoever asks).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.queries import policies_with_counts
from simulator.api.scope import AccountView, created, named, valid
from simulator.api.serializers.policies import (
    PolicyEntitiesOutput,
    PolicyFilter,
    PolicyInput,
    PolicyOutput,
    VersionInput,
    VersionOutput,
)
from simulator.sandbox import operations, policy_operations


class PoliciesView(AccountView):
    aws_actions = {"GET": "ListPolicies", "POST": "CreatePolicy"}

    @extend_schema(parameters=[PolicyFilter], responses=PolicyOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        scope = valid(PolicyFilter, request.query_params)["Scope"]
        return self.listed(policies_with_counts(self.account, scope), PolicyOutput)

    @extend_schema(request=PolicyInput, responses={201: PolicyOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(PolicyInput, request.data)
        policy = operations.create_policy(
            self.actor, data["PolicyName"], data["PolicyDocument"], data["Path"], data["Description"]
        )
        return created(policies_with_counts(self.account, "Local").get(pk=policy.pk), PolicyOutput)


class _PolicyView(AccountView):
    """A view of one policy, named by the URL parameter ``name_parameter``: the account's own, or with
    ``scope="AWS"`` an AWS managed one."""

    scope = "Local"
    name_parameter = "managed_policy_name"

    def policy(self) -> Any:
        return named(policies_with_counts(self.account, self.scope), "Policy", self.kwargs[self.name_parameter])


class PolicyView(_PolicyView):
    aws_actions = {"GET": "GetPolicy", "DELETE": "DeletePolicy"}

    @extend_schema(responses=PolicyOutput)
    def get(self, request: Request, **ids: str) -> Response:
        return Response(PolicyOutput(self.policy()).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, **ids: str) -> Response:
        """Detach it from everyone, stop using it as a boundary and delete its other versions first (DeleteConflict)."""
        policy_operations.delete_policy(self.actor, self.policy().arn)
        return Response(status=204)


class PolicyEntitiesView(_PolicyView):
    aws_actions = {"GET": "ListEntitiesForPolicy"}

    @extend_schema(responses=PolicyEntitiesOutput)
    def get(self, request: Request, **ids: str) -> Response:
        policy = self.policy()
        entities = {
            "PolicyUsers": self.account.users.filter(managed_policies=policy),
            "PolicyGroups": self.account.groups.filter(managed_policies=policy),
            "PolicyRoles": self.account.roles.filter(managed_policies=policy),
        }
        return Response(PolicyEntitiesOutput(entities).data)


class VersionsView(_PolicyView):
    aws_actions = {"GET": "ListPolicyVersions", "POST": "CreatePolicyVersion"}

    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request: Request, **ids: str) -> Response:
        return self.listed(self.policy().versions.all(), VersionOutput)

    @extend_schema(request=VersionInput, responses={201: VersionOutput})
    def post(self, request: Request, **ids: str) -> Response:
        """A policy keeps at most five versions: delete one before creating a sixth (LimitExceeded)."""
        data = valid(VersionInput, request.data)
        arn = self.policy().arn
        version = operations.create_policy_version(self.actor, arn, data["PolicyDocument"], data["SetAsDefault"])
        return created(version, VersionOutput)


class VersionView(_PolicyView):
    aws_actions = {"GET": "GetPolicyVersion", "DELETE": "DeletePolicyVersion"}

    @extend_schema(responses=VersionOutput)
    def get(self, request: Request, version_id: str, **ids: str) -> Response:
        version = policy_operations.get_policy_version(self.actor, self.policy().arn, version_id)
        return Response(VersionOutput(version).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, version_id: str, **ids: str) -> Response:
        """The default version goes only with the policy (DeleteConflict)."""
        policy_operations.delete_policy_version(self.actor, self.policy().arn, version_id)
        return Response(status=204)


class DefaultVersionView(_PolicyView):
    aws_actions = {"POST": "SetDefaultPolicyVersion"}

    @extend_schema(request=None, responses=VersionOutput)
    def post(self, request: Request, version_id: str, **ids: str) -> Response:
        """From now on this version is what the policy grants, wherever it is attached."""
        version = policy_operations.set_default_policy_version(self.actor, self.policy().arn, version_id)
        return Response(VersionOutput(version).data)
