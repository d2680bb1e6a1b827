"""The instance metadata service (IMDS) of a simulated EC2 instance, in the shape of the real one.

Software on an instance reads http://169.254.169.254/latest/meta-data/... ("Use the Instance Metadata
Service to access instance metadata", EC2 User Guide). The terminal's ``curl`` and the console's
per-instance endpoint both call :func:`read`, which serves the same tree with the same answers.

The part that matters for IAM is ``iam/security-credentials/ROLE``: EC2 assumes the role of the
instance's profile (a decision in the log, made as ``ec2.amazonaws.com`` against the role's trust
policy) and hands out temporary credentials that it rotates by itself, well before they expire
("Retrieve security credentials from instance metadata"). Tokens and expiry run on the sandbox clock,
so fast-forwarding it expires IMDSv2 session tokens and rotates credentials as real time would.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.utils.html import escape

from simulator.policy.decision import Decision
from simulator.policy.policyset import PolicySet

from . import clock, ec2, identifiers, resources
from .authorization import authorize_service
from .lookups import locked
from .models import DecisionRecord, Instance, Role, Sandbox, TemporaryCredential

# EC2 issues instance role credentials for six hours and has the next set ready after one, so new
# credentials are available five hours before the old expire (AWS promises "at least five minutes").
CREDENTIAL_LIFETIME = timedelta(hours=6)
REFRESH_AFTER = timedelta(hours=1)
# "How Instance Metadata Service Version 2 works": a session token lasts one second to six hours.
TOKEN_TTL_MIN, TOKEN_TTL_MAX = 1, 21600
EC2_SERVICE = "ec2.amazonaws.com"
TOKEN_PATH = "latest/api/token"
TOKEN_HEADER = "x-aws-ec2-metadata-token"
TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"


def headers_reaching_the_instance(request_headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of an HTTP request to the sandbox that a program on the instance would have sent to IMDS.

    X-Forwarded-For is not among them: the sandbox's own reverse proxy adds it to every request, and that
    proxy is not on the instance (the terminal's curl is where a learner can send one and see it refused).
    """
    return {name: request_headers[name] for name in (TOKEN_HEADER, TTL_HEADER) if name in request_headers}


_WHOLE_SECONDS = re.compile(r"[0-9]+")
_TOKEN_SALT = "simulator.sandbox.imds.token"
# AWS's timestamp format in metadata documents: "2020-11-04T19:38:27Z".
_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
_TEXT = "text/plain"
_HTML = "text/html"


class NoRole(Exception):
    """The instance has no instance profile, or its profile holds no role: there are no credentials."""


class AssumeRoleFailed(Exception):
    """EC2 may not assume the profile's role: its trust policy does not let ec2.amazonaws.com in."""

    def __init__(self, role: Role, decision: Decision) -> None:
        super().__init__(f"EC2 cannot assume the role {role.name}.")
        self.role = role
        self.decision = decision


@dataclass(frozen=True)
class MetadataResponse:
    """One answer of the metadata service: HTTP status, body and content type, plus any response headers."""

    status: int
    body: str
    content_type: str = _TEXT
    headers: dict[str, str] = field(default_factory=dict)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIMESTAMP)


def _fresh(instance: Instance) -> Instance:
    """The instance as stored now, with its account, sandbox, profile and role: a caller's copy may hold a
    replaced profile or a sandbox whose clock has moved since it was loaded."""
    return Instance.objects.select_related("account__sandbox", "instance_profile__role").get(pk=instance.pk)


def _now(instance: Instance) -> datetime:
    return clock.now(Sandbox.objects.get(pk=instance.account.sandbox_id))


def _role_of(instance: Instance) -> Role | None:
    profile = instance.instance_profile
    return profile.role if profile is not None else None


def instance_credentials(instance: Instance) -> TemporaryCredential:
    """The instance's current credentials for its profile's role, as IMDS hands them out.

    Every call is a credential fetch and so a decision in the log: EC2 (``ec2.amazonaws.com``) asking
    for sts:AssumeRole on the role, decided by the role's trust policy alone. Allowed, the newest
    unexpired credentials for that role younger than REFRESH_AFTER are handed out again; older ones are
    replaced by new ones (the old stay valid until they expire, as in AWS: rotation does not revoke).
    Raises NoRole without a role, AssumeRoleFailed (carrying the decision) when the trust policy says no.
    """
    instance = _fresh(instance)
    role = _role_of(instance)
    if role is None:
        raise NoRole(f"Instance {instance.instance_id} has no IAM role.")
    account = instance.account
    trust = resources.resource_policy(account.sandbox, role.arn)
    policies = PolicySet(resource=trust.policy if trust is not None else None)
    decision = authorize_service(
        account, EC2_SERVICE, "sts:AssumeRole", role.arn, policies, source=DecisionRecord.Source.METADATA
    )
    if not decision.allowed:
        raise AssumeRoleFailed(role, decision)
    with transaction.atomic():
        # One fetch at a time per instance, so two racing reads cannot both issue new credentials.
        locked(instance)
        now = clock.account_now(account)
        current = (
            TemporaryCredential.objects.filter(
                instance=instance,
                role=role,
                operation=TemporaryCredential.Operation.INSTANCE_ROLE,
                issued_at__gt=now - REFRESH_AFTER,
                expires_at__gt=now,
            )
            .select_related("role", "account")
            .first()
        )
        if current is not None:
            return current
        return TemporaryCredential.objects.create(
            account=account,
            operation=TemporaryCredential.Operation.INSTANCE_ROLE,
            role=role,
            instance=instance,
            session_name=instance.instance_id,
            issued_to=EC2_SERVICE,
            issued_at=now,
            expires_at=now + CREDENTIAL_LIFETIME,
        )


def issue_token(instance: Instance, ttl_seconds: int) -> str:
    """An IMDSv2 session token for this instance only, valid for ``ttl_seconds`` of sandbox time."""
    expires = _now(instance) + timedelta(seconds=ttl_seconds)
    return signing.dumps({"instance": instance.instance_id, "expires": expires.timestamp()}, salt=_TOKEN_SALT)


def token_valid(instance: Instance, token: str) -> bool:
    """Whether ``token`` is a session token this instance issued and its TTL has not run out on the sandbox
    clock. A token from another instance is not valid here, as each instance's IMDS signs its own."""
    try:
        claims = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return False
    if not isinstance(claims, dict) or claims.get("instance") != instance.instance_id:
        return False
    return _now(instance).timestamp() < claims.get("expires", 0)


def _error(status: int, reason: str, explanation: str = "") -> MetadataResponse:
    """IMDS answers errors with a small HTML page naming the status ("404 - Not Found"); the sandbox adds a
    sentence where the real service would leave the learner guessing."""
    title = f"{status} - {reason}"
    detail = f"<p>{escape(explanation)}</p>" if explanation else ""
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
        '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
        f" <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n  {detail}\n </body>\n</html>\n"
    )
    return MetadataResponse(status, body, _HTML)


def _document(fields: dict[str, str]) -> MetadataResponse:
    """A JSON document as IMDS prints it ("Code" : "Success", two-space indent), served as text/plain."""
    return MetadataResponse(200, json.dumps(fields, indent=2, separators=(",", " : ")))


def _put_token(instance: Instance, path: str, headers: Mapping[str, str]) -> MetadataResponse:
    """PUT /latest/api/token ("How Instance Metadata Service Version 2 works")."""
    if path != TOKEN_PATH:
        return _error(403, "Forbidden", "Only /latest/api/token accepts PUT: it starts an IMDSv2 session.")
    if "x-forwarded-for" in headers:
        # IMDSv2 will not hand a token to a request that went through a reverse proxy (AWS Security Blog,
        # "Add defense in depth against open firewalls, reverse proxies, and SSRF vulnerabilities").
        return _error(403, "Forbidden", "A token request carrying X-Forwarded-For is refused: it came through a proxy.")
    ttl = headers.get(TTL_HEADER, "").strip()
    if not _WHOLE_SECONDS.fullmatch(ttl) or not TOKEN_TTL_MIN <= int(ttl) <= TOKEN_TTL_MAX:
        return _error(
            400,
            "Bad Request",
            f"X-aws-ec2-metadata-token-ttl-seconds must be a whole number of seconds from {TOKEN_TTL_MIN} "
            f"to {TOKEN_TTL_MAX} (six hours).",
        )
    return MetadataResponse(200, issue_token(instance, int(ttl)), headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl})


def _listing(entries: list[str]) -> MetadataResponse:
    return MetadataResponse(200, "\n".join(entries))


def private_address(instance: Instance) -> str:
    """The instance's private IPv4 address (local-ipv4), stable and derived from its id: there is no network
    to allocate it from."""
    digest = hashlib.sha256(instance.instance_id.encode()).digest()
    return f"10.0.{digest[0]}.{digest[1] % 254 + 1}"


def _iam_failure(error: AssumeRoleFailed, now: datetime) -> MetadataResponse:
    """What IMDS shows when EC2 may not assume the role ("Troubleshoot IAM and Amazon EC2", IAM User Guide)."""
    message = (
        f"EC2 cannot assume the role {error.role.name}. Its trust policy must allow ec2.amazonaws.com to "
        "perform sts:AssumeRole. Credentials issued before stay valid until they expire."
    )
    return _document({"Code": "AssumeRoleUnauthorizedAccess", "Message": message, "LastUpdated": _timestamp(now)})


def _iam(instance: Instance, rest: str) -> MetadataResponse | None:
    """The iam/ subtree: present only while the instance has a role ("Instance metadata categories")."""
    role = _role_of(instance)
    if role is None:
        return None
    if rest in ("", "/"):
        return _listing(["info", "security-credentials/"])
    if rest.rstrip("/") == "security-credentials":
        return _listing([role.name])
    if rest not in ("info", f"security-credentials/{role.name}"):
        return None
    try:
        credential = instance_credentials(instance)
    except AssumeRoleFailed as error:
        return _iam_failure(error, clock.account_now(instance.account))
    if rest == "info":
        profile = instance.instance_profile
        return _document(
            {
                "Code": "Success",
                "LastUpdated": _timestamp(credential.issued_at),
                "InstanceProfileArn": profile.arn,
                "InstanceProfileId": profile.unique_id,
            }
        )
    return _document(
        {
            "Code": "Success",
            "LastUpdated": _timestamp(credential.issued_at),
            "Type": "AWS-HMAC",
            "AccessKeyId": credential.access_key_id,
            "SecretAccessKey": credential.secret,
            "Token": credential.session_token,
            "Expiration": _timestamp(credential.expires_at),
        }
    )


def _meta_data(instance: Instance, rest: str) -> MetadataResponse | None:
    """latest/meta-data/...: the categories a simulated instance has, each a leaf or a listing."""
    address = private_address(instance)
    hostname = f"ip-{address.replace('.', '-')}.ec2.internal"
    leaves = {
        "ami-id": instance.image_id,
        "ami-launch-index": "0",
        "hostname": hostname,
        "instance-action": "none",
        "instance-id": instance.instance_id,
        "instance-life-cycle": "spot" if instance.spot else "on-demand",
        "instance-type": instance.instance_type,
        "local-hostname": hostname,
        "local-ipv4": address,
        "placement/availability-zone": f"{identifiers.REGION}a",
        "placement/region": identifiers.REGION,
        "services/domain": "amazonaws.com",
        "services/partition": "aws",
    }
    if rest == "iam" or rest.startswith("iam/"):
        return _iam(instance, rest[len("iam/") :] if rest.startswith("iam/") else "")
    if rest in leaves:
        return MetadataResponse(200, leaves[rest])
    directory = rest.rstrip("/")
    prefix = f"{directory}/" if directory else ""
    children = [name[len(prefix) :] for name in leaves if name.startswith(prefix)]
    if not children:
        return None
    # A listing names its own entries; the ones holding more end with "/", as IMDS lists directories.
    entries = {child.split("/")[0] + ("/" if "/" in child else "") for child in children}
    if not prefix and _role_of(instance) is not None:
        entries.add("iam/")
    return _listing(sorted(entries))


def _get(instance: Instance, path: str) -> MetadataResponse | None:
    if path in ("", "/"):
        return _listing(["latest"])
    if path in ("latest", "latest/"):
        return _listing(["meta-data/"])
    if path == "latest/meta-data" or path.startswith("latest/meta-data/"):
        return _meta_data(instance, path[len("latest/meta-data/") :])
    return None


def read(instance: Instance, method: str, path: str, headers: Mapping[str, str]) -> MetadataResponse:
    """Answer one HTTP request to the instance's metadata service, as the real one would.

    ``path`` is the URL path after 169.254.169.254 (a leading slash is optional); ``headers`` are the
    request's, in any letter case. PUT /latest/api/token starts an IMDSv2 session; a GET needs a valid
    token when the instance requires IMDSv2 (HttpTokens required), and a token it does send must be
    valid even where IMDSv1 is allowed. The metadata endpoint exists only while the instance runs and
    its HTTP endpoint is enabled.
    """
    instance = ec2.settled(_fresh(instance))
    headers = {name.lower(): value for name, value in headers.items()}
    path = path.lstrip("/")
    if instance.state != Instance.State.RUNNING:
        return _error(
            503,
            "Service Unavailable",
            f"Instance {instance.instance_id} is {instance.state}: the metadata service answers only a running "
            "instance.",
        )
    if not instance.metadata_enabled:
        # The real endpoint does not even accept the connection; a clear 403 says why instead.
        return _error(
            403, "Forbidden", f"The instance metadata endpoint is disabled for {instance.instance_id} (HttpEndpoint)."
        )
    if method.upper() == "PUT":
        return _put_token(instance, path, headers)
    if method.upper() not in ("GET", "HEAD"):
        return _error(405, "Method Not Allowed")
    if path == TOKEN_PATH:
        return MetadataResponse(405, "", _TEXT, headers={"Allow": "PUT"})
    token = headers.get(TOKEN_HEADER)
    if token is not None and not token_valid(instance, token):
        return _error(401, "Unauthorized", "The session token is missing its signature, expired or another instance's.")
    if token is None and instance.metadata_http_tokens == Instance.HttpTokens.REQUIRED:
        return _error(
            401,
            "Unauthorized",
            "This instance requires IMDSv2: PUT /latest/api/token first and send the token as "
            "X-aws-ec2-metadata-token.",
        )
    return _get(instance, path) or _error(404, "Not Found")
