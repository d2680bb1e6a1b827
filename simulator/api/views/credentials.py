"""Credentials: users' console passwords and access keys, the root user's keys, MFA and email, and the account's
password policy and alias. Only the root user manages the root user's credentials: no policy can grant that."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import AccountView, created, named, valid
from simulator.api.serializers.credentials import (
    AccessKeyOutput,
    AccessKeyUpdate,
    AliasesOutput,
    AliasInput,
    LoginProfileInput,
    LoginProfileOutput,
    LoginProfileUpdate,
    MfaInput,
    NewAccessKeyOutput,
    PasswordPolicy,
    RootEmailInput,
)
from simulator.api.serializers.sandboxes import AccountOutput
from simulator.sandbox import access_keys, credentials, errors, password_policy


class LoginProfileView(AccountView):
    aws_actions = {
        "GET": "GetLoginProfile",
        "POST": "CreateLoginProfile",
        "PATCH": "UpdateLoginProfile",
        "DELETE": "DeleteLoginProfile",
    }

    @extend_schema(responses=LoginProfileOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        user = named(self.account.users, "User", user_name)
        if not user.password:
            raise errors.AwsError("NoSuchEntity", f"Login Profile for User {user.name} cannot be found.", 404)
        return Response(LoginProfileOutput(user).data)

    @extend_schema(request=LoginProfileInput, responses={201: LoginProfileOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        """A console password, checked against the account's password policy (PasswordPolicyViolation)."""
        data = valid(LoginProfileInput, request.data)
        user = password_policy.create_login_profile(
            self.actor, user_name, data["Password"], data["PasswordResetRequired"]
        )
        return created(user, LoginProfileOutput)

    @extend_schema(request=LoginProfileUpdate, responses=LoginProfileOutput)
    def patch(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        data = valid(LoginProfileUpdate, request.data)
        user = password_policy.update_login_profile(
            self.actor, user_name, data.get("Password"), data.get("PasswordResetRequired")
        )
        return Response(LoginProfileOutput(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        """The user can no longer sign in to the console; their access keys stay."""
        password_policy.delete_login_profile(self.actor, user_name)
        return Response(status=204)


class _KeysView(AccountView):
    """Mounted for a user's keys (the URL names the user) and with ``root=True`` for the root user's."""

    root = False

    def owner(self, kwargs: dict[str, Any]) -> str | None:
        return None if self.root else kwargs["user_name"]


class AccessKeysView(_KeysView):
    aws_actions = {"GET": "ListAccessKeys", "POST": "CreateAccessKey"}

    @extend_schema(responses=AccessKeyOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, **kwargs: str) -> Response:
        return self.listed(access_keys.list_access_keys(self.actor, self.owner(kwargs)), AccessKeyOutput)

    @extend_schema(request=None, responses={201: NewAccessKeyOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str, **kwargs: str) -> Response:
        """A new Active key; its secret is in this answer only. Two keys at most (LimitExceeded)."""
        return created(access_keys.create_access_key(self.actor, self.owner(kwargs)), NewAccessKeyOutput)


class AccessKeyView(_KeysView):
    aws_actions = {"PATCH": "UpdateAccessKey", "DELETE": "DeleteAccessKey"}

    @extend_schema(request=AccessKeyUpdate, responses=AccessKeyOutput)
    def patch(self, request: Request, sandbox_id: int, account_id: str, access_key_id: str, **kwargs: str) -> Response:
        """Deactivate a key before deleting it, to see that nothing still uses it."""
        status = valid(AccessKeyUpdate, request.data)["Status"]
        key = access_keys.update_access_key(self.actor, self.owner(kwargs), access_key_id, status)
        return Response(AccessKeyOutput(key).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, access_key_id: str, **kwargs: str) -> Response:
        access_keys.delete_access_key(self.actor, self.owner(kwargs), access_key_id)
        return Response(status=204)


class PasswordPolicyView(AccountView):
    aws_actions = {
        "GET": "GetAccountPasswordPolicy",
        "PUT": "UpdateAccountPasswordPolicy",
        "DELETE": "DeleteAccountPasswordPolicy",
    }

    @extend_schema(responses=PasswordPolicy)
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """NoSuchEntity while the account has no policy of its own (AWS's default policy applies)."""
        return Response(password_policy.get_account_password_policy(self.account))

    @extend_schema(request=PasswordPolicy, responses=PasswordPolicy)
    def put(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        # The fields go to the operation as sent: it checks names, types and ranges with AWS's messages.
        if not isinstance(request.data, dict):
            raise errors.validation_error("The request body must be a JSON object of password policy fields.")
        return Response(password_policy.update_account_password_policy(self.actor, **request.data))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        password_policy.delete_account_password_policy(self.actor)
        return Response(status=204)


class AliasesView(AccountView):
    aws_actions = {"GET": "ListAccountAliases", "POST": "CreateAccountAlias"}

    @extend_schema(responses=AliasesOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return Response({"AccountAliases": [self.account.alias] if self.account.alias else []})

    @extend_schema(request=AliasInput, responses={201: AccountOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """One alias an account (LimitExceeded), unique across the sandbox's accounts."""
        account = credentials.create_account_alias(self.actor, valid(AliasInput, request.data)["AccountAlias"])
        return created(account, AccountOutput)


class AliasView(AccountView):
    aws_actions = {"DELETE": "DeleteAccountAlias"}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, alias: str) -> Response:
        credentials.delete_account_alias(self.actor, alias)
        return Response(status=204)


class RootEmailView(AccountView):
    """The root user's sign-in email: a setting of the root user alone, which no IAM action covers."""

    @extend_schema(summary="Change the root user's email", request=RootEmailInput, responses=AccountOutput)
    def put(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        email = valid(RootEmailInput, request.data)["EmailAddress"]
        return Response(AccountOutput(credentials.set_root_email(self.actor, email)).data)


class RootMfaView(AccountView):
    aws_actions = {"POST": "EnableMFADevice (root user)", "DELETE": "DeactivateMFADevice (root user)"}

    @extend_schema(request=MfaInput, responses=AccountOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(MfaInput, request.data)
        account = credentials.enable_root_mfa(self.actor, data["AuthenticationCode1"], data["AuthenticationCode2"])
        return Response(AccountOutput(account).data)

    @extend_schema(responses=AccountOutput)
    def delete(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return Response(AccountOutput(credentials.disable_root_mfa(self.actor)).data)
