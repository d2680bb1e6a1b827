"""AWS STS in the sandbox: temporary credentials from AssumeRole and GetSessionToken, GetCallerIdentity, and
resolving the identity behind a request signed with an access key.

Sources: STS API Reference (AssumeRole, GetSessionToken, GetCallerIdentity, Common Errors); IAM User Guide
"Role chaining" (roles_terms-and-concepts), "Passing session tags in AWS STS", "Session policies",
"Monitor and control actions taken with assumed roles" (source identity), "Permissions for GetSessionToken".

Every time here is the sandbox clock's, except MFA codes, which come from the learner's device (mfa.py).
A refusal writes nothing but its entry in the decision log.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from simulator.policy.decision import ALLOWED, IMPLICIT_DENY, Stage
from simulator.policy.model import PolicyType

from . import access_keys, clock, errors, mfa, sts_parameters
from .authorization import Actor, authorize, note_logged, policies_for
from .checks import check_document
from .identifiers import TEMPORARY_ACCESS_KEY_PREFIX
from .lookups import find_policy
from .models import AccessKey, Account, DecisionRecord, IamUser, Role, Sandbox, TemporaryCredential
from .resources import resource_policy

ROLE_CHAINING_LIMIT = 3600
DEFAULT_ROLE_SESSION = 3600
DEFAULT_SESSION_TOKEN = 43200
ROOT_SESSION_TOKEN_LIMIT = 3600
_ROLE_ARN = re.compile(r"arn:aws:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)")
# What GetSessionToken's credentials may still call in STS ("Permissions for GetSessionToken"); the two
# permissions-only actions come with AssumeRole.
_STS_WITH_SESSION_TOKEN = frozenset(
    {"sts:assumerole", "sts:getcalleridentity", "sts:tagsession", "sts:setsourceidentity"}
)
_ROOT_MFA_DEVICE = "root-account-mfa-device"
_INVALID_TOKEN = "The security token included in the request is invalid."


def invalid_client_token() -> errors.AwsError:
    """AWS's answer to an unknown, inactive or foreign key id, or a session token that does not match."""
    return errors.AwsError("InvalidClientTokenId", _INVALID_TOKEN, 403)


# --- the decision log for calls no policy decides ---


def _record(actor: Actor, action: str, resource: str, allowed: bool, sentence: str, source: str | None = None) -> None:
    """Log a call that STS answers without consulting a policy, so every call made with credentials is in the
    log. The trace holds no stages: nothing was evaluated, and the sentence says why."""
    result = ALLOWED if allowed else IMPLICIT_DENY
    trace = {
        "sentence": sentence,
        "decision": result,
        "stage": Stage.IDENTITY_BASED.value,
        "stages": [],
        "matchedStatements": [],
        "statements": [],
        "closest": [],
        "missingContextValues": [],
    }
    record = DecisionRecord.objects.create(
        account=actor.account,
        decided_at=clock.account_now(actor.account),
        source=source or actor.via,
        credentials=actor.credentials_kind,
        access_key_id=actor.access_key_id,
        principal_arn=actor.principal.arn,
        action=action,
        resource=resource,
        result=result,
        sentence=sentence,
        trace=trace,
    )
    note_logged(record)


def _refuse(actor: Actor, action: str, resource: str, message: str, why: str) -> errors.AwsError:
    """Log an AccessDenied STS gives before any policy is read; return it to raise."""
    _record(actor, action, resource, False, f"{actor.principal.arn} may not perform {action}: {why}")
    return errors.AwsError("AccessDenied", message, 403)


# --- GetSessionToken's credentials: what they may not do ---


def restriction(actor: Actor, action: str) -> errors.AwsError | None:
    """The refusal AWS gives credentials from GetSessionToken for ``action``, or None.

    "Permissions for GetSessionToken": they cannot call IAM API operations unless MFA information was
    included with the request for them, and no STS operation except AssumeRole and GetCallerIdentity.
    """
    credential = actor.credential
    if credential is None or credential.operation != TemporaryCredential.Operation.GET_SESSION_TOKEN:
        return None
    service, _, operation = action.partition(":")
    if service.lower() == "iam" and not credential.mfa_authenticated:
        return invalid_client_token()
    if service.lower() == "sts" and action.lower() not in _STS_WITH_SESSION_TOKEN:
        return errors.AwsError("AccessDenied", f"Cannot call {operation} with session credentials", 403)
    return None


def enforce_restriction(actor: Actor, action: str, resource: str, source: str | None = None) -> None:
    """:func:`restriction` as the first step of every authorization: logged as a denial, then raised."""
    refusal = restriction(actor, action)
    if refusal is None:
        return
    why = (
        "credentials from GetSessionToken without MFA cannot call IAM API operations"
        if action.lower().startswith("iam:")
        else "credentials from GetSessionToken can call no STS operation but AssumeRole and GetCallerIdentity"
    )
    sentence = f"{actor.principal.arn} is not authorized to perform: {action} on resource: {resource}: {why}."
    _record(actor, action, resource, False, sentence, source)
    raise refusal


# --- credentials and the sandbox clock ---


def is_expired(credential: TemporaryCredential) -> bool:
    """Whether the credentials have expired on the sandbox clock (as read from ``credential.account.sandbox``:
    load it in the request that asks, or a clock moved since reads stale)."""
    return clock.account_now(credential.account) >= credential.expires_at


def seconds_left(credential: TemporaryCredential) -> int:
    """Whole seconds until the credentials expire on the sandbox clock; 0 once expired."""
    left = (credential.expires_at - clock.account_now(credential.account)).total_seconds()
    return max(0, int(left))


def live_sessions(account: Account) -> QuerySet[TemporaryCredential]:
    """The account's temporary credentials not yet expired at the sandbox's now, newest first."""
    now = clock.account_now(account)
    return TemporaryCredential.objects.filter(account=account, expires_at__gt=now).select_related(
        "account", "role", "user", "instance"
    )


def signed_actor(
    sandbox: Sandbox,
    access_key_id: str,
    secret_access_key: str,
    session_token: str = "",
    via: str = "api",
    service: str = "sts",
) -> Actor:
    """The identity a request signed with these credentials acts as, looked for in this sandbox only: another
    learner's key id is as unknown as a made-up one. A long-term key's last use is stamped (for ``service``).

    InvalidClientTokenId: unknown or inactive key, missing or wrong session token; SignatureDoesNotMatch:
    wrong secret; ExpiredToken: temporary credentials past their expiration on the sandbox clock.
    """
    if access_key_id.startswith(TEMPORARY_ACCESS_KEY_PREFIX):
        credential = (
            TemporaryCredential.objects.filter(account__sandbox=sandbox, access_key_id=access_key_id)
            .select_related("account__sandbox", "role", "user", "instance")
            .first()
        )
        if credential is None:
            raise invalid_client_token()
        _check_secret(credential.secret, secret_access_key)
        if not hmac.compare_digest(session_token.encode(), credential.session_token.encode()):
            raise invalid_client_token()
        if is_expired(credential):
            raise errors.AwsError("ExpiredToken", "The security token included in the request is expired", 403)
        return Actor.signed_with(credential, via)
    key = AccessKey.objects.filter(account__sandbox=sandbox, access_key_id=access_key_id).first()
    if key is None or key.status != AccessKey.Status.ACTIVE or session_token:
        raise invalid_client_token()
    _check_secret(key.secret, secret_access_key)
    key = access_keys.record_access_key_use(sandbox, access_key_id, service)
    return Actor.signed_with_key(key, via)


def _check_secret(expected: str, given: str) -> None:
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise errors.AwsError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            403,
        )


# --- GetCallerIdentity ---


def caller_identity(actor: Actor) -> dict[str, str]:
    """Who the caller is, as GetCallerIdentity answers: UserId (as aws:userid), Account and Arn. Reading it
    is not a call: pages show it without a log entry."""
    account_id = actor.account.account_id
    if actor.role is not None:
        user_id = f"{actor.role.unique_id}:{actor.session_name}"
    elif actor.user is not None:
        user_id = actor.user.unique_id
    else:
        user_id = account_id
    return {"UserId": user_id, "Account": account_id, "Arn": actor.principal.arn}


def get_caller_identity(actor: Actor) -> dict[str, str]:
    """GetCallerIdentity: no permission is needed and an explicit deny does not block it, so no policy is
    read; the call is still logged."""
    sentence = (
        f"{actor.principal.arn} may call sts:GetCallerIdentity: it needs no permission and no policy can deny it, "
        "as the same answer is in every AccessDenied message."
    )
    _record(actor, "sts:GetCallerIdentity", "*", True, sentence)
    return caller_identity(actor)


# --- MFA ---


def _assigned_device(actor: Actor) -> tuple[str, str] | None:
    """The caller's MFA device as (serial number, seed), None without one. A role session has none; the root
    user's is simulated (credentials.enable_root_mfa) and has no seed: any 6-digit code is its code."""
    if actor.user is not None:
        seed = IamUser.objects.filter(pk=actor.user.pk).values_list("mfa_seed", flat=True).first()
        return (mfa.serial_number(actor.user), seed) if seed else None
    if actor.is_root and Account.objects.filter(pk=actor.account.pk, root_mfa_enabled=True).exists():
        return f"arn:aws:iam::{actor.account.account_id}:mfa/{_ROOT_MFA_DEVICE}", ""
    return None


def _mfa_verified(actor: Actor, serial_number: str | None, token_code: str | None, action: str, resource: str) -> bool:
    """Whether MFA was given (and verified) with this request; AccessDenied (logged) for a device that is not
    the caller's or a wrong code, in STS's words."""
    if not serial_number and not token_code:
        return False
    device = _assigned_device(actor)
    if device is None or serial_number != device[0] or not token_code:
        raise _refuse(
            actor,
            action,
            resource,
            "MultiFactorAuthentication failed, unable to validate MFA code. "
            "Please verify your MFA serial number is valid and associated with this user.",
            f"no MFA device {serial_number!r} is assigned to the caller",
        )
    seed = device[1]
    if seed and not mfa.verify(seed, token_code, timezone.now()):  # the device's clock: real time
        raise _refuse(
            actor,
            action,
            resource,
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            "the MFA code is not the one the device shows now",
        )
    return True


# --- GetSessionToken ---


def get_session_token(
    actor: Actor,
    *,
    duration_seconds: int | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
) -> TemporaryCredential:
    """Temporary credentials acting as the caller (an IAM user or the root user, with long-term credentials),
    with MFA context when a device code is given. 900 to 129,600 seconds, 43,200 by default; the root user's
    last at most an hour (a longer request gets an hour). No permission is needed (GetSessionToken)."""
    duration = DEFAULT_SESSION_TOKEN if duration_seconds is None else duration_seconds
    problems = sts_parameters.session_token_problems(duration, serial_number, token_code)
    if problems:
        raise errors.validation_failed(problems)
    if actor.credential is not None or actor.role is not None:
        raise _refuse(
            actor,
            "sts:GetSessionToken",
            "*",
            "Cannot call GetSessionToken with session credentials",
            "GetSessionToken must be called with long-term credentials",
        )
    if actor.is_root:
        duration = min(duration, ROOT_SESSION_TOKEN_LIMIT)
    verified = _mfa_verified(actor, serial_number, token_code, "sts:GetSessionToken", "*")
    _record(
        actor,
        "sts:GetSessionToken",
        "*",
        True,
        f"{actor.principal.arn} may call sts:GetSessionToken: it needs no permission, as its purpose is to "
        "authenticate the caller (with MFA), and policies do not control authentication.",
    )
    now = clock.account_now(actor.account)
    with transaction.atomic():
        return TemporaryCredential.objects.create(
            account=actor.account,
            operation=TemporaryCredential.Operation.GET_SESSION_TOKEN,
            user=actor.user,
            issued_at=now,
            expires_at=now + timedelta(seconds=duration),
            issued_to=actor.principal.arn,
            mfa_authenticated=verified,
            mfa_authenticated_at=now if verified else None,
        )


# --- AssumeRole ---


def _find_role(sandbox: Sandbox, role_arn: str) -> Role | None:
    """The role ``role_arn`` names in any account of this sandbox (path included), None if there is none."""
    parts = _ROLE_ARN.fullmatch(role_arn)
    if parts is None:
        return None
    candidates = Role.objects.filter(
        account__sandbox=sandbox, account__account_id=parts["account"], name=parts["name"]
    ).select_related("account")
    return next((role for role in candidates if role.arn == role_arn), None)


def _role_duration(actor: Actor, role: Role, duration: int) -> int:
    if actor.role is not None and duration > ROLE_CHAINING_LIMIT:
        raise errors.validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    if duration > role.max_session_duration:
        raise errors.validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return duration


def _session_policies(role: Role, policy: str | None, policy_arns: Sequence[str]) -> list[dict[str, str]]:
    """The session policies as the credentials keep them: the inline one, then each managed one's default
    version (AWS managed, or of the role's account: "Session policies")."""
    packed = []
    if policy is not None:
        check_document(policy, PolicyType.SESSION, sts_parameters.SESSION_POLICY_LENGTH)
        packed.append({"Id": "inline", "Document": policy})
    # find_policy looks in the account its actor acts in: here, the role's.
    in_role_account = Actor(role.account)
    for arn in policy_arns:
        managed = find_policy(in_role_account, arn)
        packed.append({"Id": managed.arn, "Document": managed.versions.get(is_default=True).document})
    return packed


def _source_identity(actor: Actor, requested: str | None, role_arn: str) -> str:
    """The session's source identity: once set it carries into chained sessions and cannot be changed."""
    inherited = actor.credential.source_identity if actor.credential is not None else ""
    if inherited and requested is not None and requested != inherited:
        raise _refuse(
            actor,
            "sts:SetSourceIdentity",
            role_arn,
            f"User: {actor.principal.arn} is not authorized to perform: sts:SetSourceIdentity on resource: {role_arn}",
            f"the calling session's source identity {inherited!r} cannot be changed",
        )
    return inherited or requested or ""


def assume_role(
    actor: Actor,
    role_arn: str,
    session_name: str,
    *,
    duration_seconds: int | None = None,
    external_id: str | None = None,
    policy: str | None = None,
    policy_arns: Sequence[str] = (),
    tags: Iterable[Mapping[str, str]] = (),
    transitive_tag_keys: Sequence[str] = (),
    source_identity: str | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
) -> TemporaryCredential:
    """Credentials for a session of the role ``role_arn`` (in any account of the sandbox).

    Decided as sts:AssumeRole on the role with the caller's own policies and the role's trust policy (for a
    role in another account both must allow); passing tags also needs sts:TagSession and a source identity
    sts:SetSourceIdentity, each a decision of its own. A role session calling this is role chaining (at most
    an hour). Nothing is written unless every check passes; every decision is logged.
    """
    duration = DEFAULT_ROLE_SESSION if duration_seconds is None else duration_seconds
    policy_arns, transitive_tag_keys = list(policy_arns), list(transitive_tag_keys)
    problems = sts_parameters.assume_role_problems(
        role_arn, session_name, duration, external_id, policy, policy_arns, transitive_tag_keys, source_identity
    )
    problems += sts_parameters.mfa_problems(serial_number, token_code)
    if problems:
        raise errors.validation_failed(problems)
    if actor.is_root:
        raise _refuse(
            actor,
            "sts:AssumeRole",
            role_arn,
            "Roles may not be assumed by root accounts.",
            "the root user cannot assume a role",
        )
    not_authorized = f"User: {actor.principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    role = _find_role(actor.account.sandbox, role_arn)
    if role is None:
        raise _refuse(actor, "sts:AssumeRole", role_arn, not_authorized, "no role with this ARN exists in the sandbox")
    if role.service_linked:
        why = f'only {role.service_linked} may assume a service-linked role ("Using service-linked roles")'
        raise _refuse(actor, "sts:AssumeRole", role_arn, not_authorized, why)
    duration = _role_duration(actor, role, duration)
    session_tags, transitive = sts_parameters.session_tags(actor.credential, tags, transitive_tag_keys)
    sts_parameters.check_packed_size(policy, policy_arns, session_tags)
    packed_policies = _session_policies(role, policy, policy_arns)
    source = _source_identity(actor, source_identity, role.arn)
    verified = _mfa_verified(actor, serial_number, token_code, "sts:AssumeRole", role.arn)
    context = _assume_role_context(session_name, external_id, session_tags, transitive, source, verified)
    trust = resource_policy(actor.account.sandbox, role.arn)
    policies = policies_for(actor, resource=trust.policy if trust else None)
    owner = role.account.account_id
    actions = (
        ["sts:AssumeRole"]
        + (["sts:TagSession"] if session_tags else [])
        + (["sts:SetSourceIdentity"] if source else [])
    )
    for action in actions:
        decision = authorize(actor, action, role.arn, policies, context=context, resource_account=owner)
        if not decision.allowed:
            raise errors.AccessDenied(decision)
    now = clock.account_now(role.account)
    # A session started with MFA passes its MFA context on to the session it assumes.
    calling = actor.credential
    mfa_at = now if verified else (calling.mfa_authenticated_at if calling and calling.mfa_authenticated else None)
    with transaction.atomic():
        return TemporaryCredential.objects.create(
            account=role.account,
            operation=TemporaryCredential.Operation.ASSUME_ROLE,
            role=role,
            session_name=session_name,
            issued_at=now,
            expires_at=now + timedelta(seconds=duration),
            issued_to=actor.principal.arn,
            chained=actor.role is not None,
            source_identity=source,
            tags=session_tags,
            transitive_tag_keys=transitive,
            session_policies=packed_policies,
            mfa_authenticated=mfa_at is not None,
            mfa_authenticated_at=mfa_at,
        )


def _assume_role_context(
    session_name: str,
    external_id: str | None,
    tags: list[dict[str, str]],
    transitive: list[str],
    source: str,
    mfa_verified: bool,
) -> dict[str, str | list[str]]:
    """The keys an AssumeRole request carries besides the caller's ("IAM and AWS STS condition context keys")."""
    context: dict[str, str | list[str]] = {"sts:RoleSessionName": session_name}
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if source:
        context["sts:SourceIdentity"] = source
    if tags:
        context |= {f"aws:RequestTag/{tag['Key']}": tag["Value"] for tag in tags}
        context["aws:TagKeys"] = [tag["Key"] for tag in tags]
    if transitive:
        context["sts:TransitiveTagKeys"] = transitive
    if mfa_verified:
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = "0"
    return context
