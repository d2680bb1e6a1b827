"""STS: AssumeRole and GetSessionToken hand out temporary credentials, GetCallerIdentity says who is calling, and
the account's live sessions list what is out there until it expires (on the sandbox clock).

The caller is the acting identity (X-Sandbox-Principal, or credentials the request is signed with): chaining
roles is assuming a role while acting as a role session.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import AccountView, valid
from simulator.api.serializers.sts import (
    AssumeRoleInput,
    AssumeRoleOutput,
    CallerIdentityOutput,
    GetSessionTokenInput,
    GetSessionTokenOutput,
    SessionOutput,
)
from simulator.sandbox import sts


class AssumeRoleView(AccountView):
    aws_actions = {"POST": "AssumeRole"}

    @extend_schema(request=AssumeRoleInput, responses=AssumeRoleOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """Both sides decide: the role's trust policy must trust the caller, and (in another account, or for a
        user) the caller's own policies must allow sts:AssumeRole on the role. Session policies (Policy,
        PolicyArns) can only narrow what the role's policies allow; session tags become aws:PrincipalTag."""
        data = valid(AssumeRoleInput, request.data)
        credential = sts.assume_role(
            self.actor,
            data["RoleArn"],
            data["RoleSessionName"],
            duration_seconds=data.get("DurationSeconds"),
            external_id=data.get("ExternalId"),
            policy=data.get("Policy"),
            policy_arns=[descriptor["arn"] for descriptor in data["PolicyArns"]],
            tags=[dict(tag) for tag in data["Tags"]],
            transitive_tag_keys=data["TransitiveTagKeys"],
            source_identity=data.get("SourceIdentity"),
            serial_number=data.get("SerialNumber"),
            token_code=data.get("TokenCode"),
        )
        return Response(AssumeRoleOutput(credential).data)


class GetSessionTokenView(AccountView):
    aws_actions = {"POST": "GetSessionToken"}

    @extend_schema(request=GetSessionTokenInput, responses=GetSessionTokenOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """Temporary credentials for the calling user (or root user), with MFA when a code is given: what a
        policy asking for aws:MultiFactorAuthPresent lets through. A role session cannot call it."""
        data = valid(GetSessionTokenInput, request.data)
        credential = sts.get_session_token(
            self.actor,
            duration_seconds=data.get("DurationSeconds"),
            serial_number=data.get("SerialNumber"),
            token_code=data.get("TokenCode"),
        )
        return Response(GetSessionTokenOutput(credential).data)


class GetCallerIdentityView(AccountView):
    """Who the request acts as. No policy can deny it (IAM User Guide, "GetCallerIdentity")."""

    aws_actions = {"GET": "GetCallerIdentity", "POST": "GetCallerIdentity"}

    @extend_schema(responses=CallerIdentityOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return Response(CallerIdentityOutput(sts.get_caller_identity(self.actor)).data)

    @extend_schema(request=None, responses=CallerIdentityOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return Response(CallerIdentityOutput(sts.get_caller_identity(self.actor)).data)


class SessionsView(AccountView):
    @extend_schema(summary="List live temporary credentials", responses=SessionOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The account's temporary credentials not yet expired on the sandbox clock: role sessions, session
        tokens and instance role credentials, newest first. Their secrets are never listed."""
        sessions = sts.live_sessions(self.account).select_related(
            "account__sandbox", "role__account", "user__account", "instance__account"
        )
        return self.listed(sessions, SessionOutput)
