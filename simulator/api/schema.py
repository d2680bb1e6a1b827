"""The OpenAPI 3 schema's conventions: each operation titled by the AWS action it performs, tagged by the
entity it is about, with the acting-identity parameters and the error responses every endpoint can give."""

from __future__ import annotations

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema

from simulator.api import acting
from simulator.api.errors import ErrorSerializer
from simulator.api.scope import AccountView

DESCRIPTION = """\
The IAM Sandbox's entities and IAM actions as JSON, for scripts and other programs.

**Authentication.** Either the signed-in session (writes then need the `X-CSRFToken` header, as in this page's
"Try it out") or a token: `Authorization: Token <key>`. Create or rotate your token with `POST /api/token/`
while signed in (or ask an administrator to run `manage.py drf_create_token <username>`).

**Acting identity.** Every change is an AWS action the policy engine decides as an identity of the account in
the URL, named per request by the `X-Sandbox-Principal` header (or the `as` query parameter): `root` (the
default), `user/NAME`, `role/NAME` or `role/NAME/SESSION`. So are the reads that are the point of a lesson
(GetObject, ListObjectsV2, GetBucketPolicy, GetPolicyVersion, ListAccessKeys); listings of the account's users,
groups, roles and policies show it as it is, as the console does. Every decision lands in the decision log.

**Signed requests.** Instead of naming an identity, sign the request with credentials, as a program holding an
access key would: `X-Sandbox-Access-Key-Id` and `X-Sandbox-Secret-Access-Key` (plus `X-Sandbox-Session-Token`
for temporary `ASIA...` credentials from STS or an instance's metadata service). The request then acts as the
key's identity, with a session's policies and tags, until the credentials expire on the sandbox clock.

**Errors** all have AWS's shape: `{"Error": {"Type": "Sender", "Code": "EntityAlreadyExists", "Message": "..."},
"RequestId": "..."}` with AWS's status (409 for EntityAlreadyExists, 404 for NoSuchEntity, ...). An
`AccessDenied` decided by the engine says why in its message and links the decision record (`Error.Decision`).
Another learner's sandbox is a `NoSuchEntity`, exactly like one that does not exist.

**Lists** are paginated with `limit` and `offset`.
"""

ERRORS = {
    "400": "ValidationError, MalformedPolicyDocument, InvalidInput, ... (AWS's code is in Error.Code)",
    "401": "MissingAuthenticationToken or InvalidClientTokenId: no credentials, or a wrong token",
    "403": "AccessDenied (EC2: UnauthorizedOperation): the engine denied the action as the acting identity (see "
    "Error.Decision); InvalidClientTokenId, SignatureDoesNotMatch or ExpiredToken: the signing credentials were "
    "refused; or CSRF failed",
    "404": "NoSuchEntity: nothing by that name or id in your sandbox",
    "409": "EntityAlreadyExists, DeleteConflict, LimitExceeded",
}

# The order of the docs' sections, and which section a path's noun belongs to when it is not its own.
TAGS = [
    {
        "name": "sandboxes",
        "description": "Your sandboxes and their accounts: create, reset, delete, export, import; the sandbox clock",
    },
    {"name": "token", "description": "Your API token"},
    {"name": "users", "description": "IAM users, their policies, tags, boundary, password and access keys"},
    {"name": "groups", "description": "IAM groups, their members and policies"},
    {"name": "roles", "description": "IAM roles (and service-linked roles), their trust and permissions policies"},
    {"name": "instance-profiles", "description": "The containers EC2 instances get a role through"},
    {"name": "sts", "description": "Temporary credentials: AssumeRole, GetSessionToken, GetCallerIdentity, sessions"},
    {
        "name": "instances",
        "description": "EC2 instances, their state, tags and instance profile, and their metadata service (IMDS)",
    },
    {"name": "policies", "description": "Managed policies, yours and AWS's, and their versions"},
    {"name": "buckets", "description": "S3 buckets, bucket policies and objects"},
    {"name": "account", "description": "The account's password policy and alias; the root user's email, MFA, keys"},
    {"name": "decisions", "description": "The decision log: every decision, with its explanation"},
    {"name": "simulate", "description": "A principal's effective decision for actions on resources"},
]
_SECTION_OF = {
    "export": "sandboxes",
    "import": "sandboxes",
    "service-linked-roles": "roles",
    "aws-managed-policies": "policies",
    "password-policy": "account",
    "aliases": "account",
    "root": "account",
}
_PATH_PARAMETERS = {
    "sandbox_id": "Your sandbox's id (GET /api/sandboxes/).",
    "account_id": "The 12-digit account ID.",
    "user_name": "The IAM user's name (IAM names ignore case).",
    "group_name": "The group's name (IAM names ignore case).",
    "role_name": "The role's name (IAM names ignore case).",
    "policy_name": "The inline policy's name.",
    "managed_policy_name": "The name of one of the account's own (customer managed) policies.",
    "aws_policy_name": "The AWS managed policy's name, e.g. ReadOnlyAccess.",
    "instance_profile_name": "The instance profile's name (IAM names ignore case).",
    "version_id": "A policy version's id: v1, v2, ...",
    "access_key_id": "The access key's id: AKIA...",
    "bucket_name": "The bucket's name: unique across the sandbox's accounts.",
    "key": "The object's key; it may hold slashes (q1/summary.txt).",
    "instance_id": "The EC2 instance's id: i-0...",
    "path": "The metadata path after http://169.254.169.254/, e.g. latest/meta-data/iam/security-credentials/",
    "decision_id": "The decision record's id (DecisionId in a simulation, Error.Decision.Id in an AccessDenied).",
}


class SandboxAutoSchema(AutoSchema):
    """Views say which AWS action each method performs in ``aws_actions`` (``{noun}`` is filled with their
    kind's noun: ``Attach{noun}Policy`` mounted for roles is AttachRolePolicy)."""

    def get_summary(self) -> str | None:
        actions = getattr(self.view, "aws_actions", {})
        if self.method not in actions:
            return None
        kind = getattr(self.view, "kind", None)
        return actions[self.method].format(noun=kind.noun if kind else "")

    def get_description(self) -> str:
        """The method's own docstring, else the view class's own: never one inherited from a base view."""
        method = getattr(self.view, self.method.lower(), None)
        doc = getattr(method, "__doc__", None) or type(self.view).__dict__.get("__doc__")
        return inspect.cleandoc(doc) if doc else ""

    def get_tags(self) -> list[str]:
        """The noun the path is about: users for .../accounts/{account_id}/users/{name}/tags/."""
        tokens = self._tokenize_path()
        nouns = [t for t in tokens if not t.startswith("{")]
        noun = nouns[2] if "accounts" in nouns and len(nouns) > 2 else nouns[0]
        return [_SECTION_OF.get(noun, noun)]

    def get_override_parameters(self) -> list[Any]:
        parameters = super().get_override_parameters()
        if isinstance(self.view, AccountView):
            parameters = [*parameters, *acting.PARAMETERS]
        return parameters

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] in _PATH_PARAMETERS:
                parameter["description"] = _PATH_PARAMETERS[parameter["name"]]
        return parameters

    def _possible_errors(self) -> dict[str, str]:
        """Any request can lack credentials; one naming something can name nothing; a read of an account can
        name a bad acting identity (400); a write can also be denied, conflict or be refused as invalid."""
        if self.method in ("GET", "HEAD"):
            possible = {"401"}
            if "{" in self.path:
                possible.add("404")
            if isinstance(self.view, AccountView):
                possible.add("400")
        else:
            possible = set(ERRORS)
        return {status: description for status, description in ERRORS.items() if status in possible}

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in self._possible_errors().items():
            if status not in responses:
                responses[status] = {
                    **self._get_response_for_code(ErrorSerializer, status, direction=direction),
                    "description": description,
                }
        return responses
