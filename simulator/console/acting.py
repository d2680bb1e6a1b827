"""Who the learner is acting as in a sandbox: which account, and root, an IAM user or a role session.

The choice lives in the learner's session, per sandbox, so two sandboxes (or a lesson's sandbox beside the
playground) each keep their own. An identity deleted since it was chosen falls back to the account's root
user, and an account that is gone falls back to the sandbox's first account.

Choosing is a shortcut of the simulation: in AWS one becomes an IAM user by signing in with its
credentials, and a role session by calling sts:AssumeRole. The learner can also act as live temporary
credentials from the STS page (stored by access key id): they act as them while they are valid on the
sandbox clock, then fall back to the root user, and the next page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404, HttpRequest

from simulator.sandbox import clock, errors, sts
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import session_name_problems
from simulator.sandbox.models import Account, Sandbox, TemporaryCredential

SESSION_KEY = "acting"
DEFAULT_SESSION_NAME = "console"
ROOT = "root"
SESSION_PREFIX = "session:"
# Per sandbox: the temporary credentials the learner acted as that expired, until a page has said so.
EXPIRED_KEY = "acting_expired"
# Set on the request: the acting identity, per sandbox, for the rest of the request (the nav asks again).
_REMEMBERED = "_acting_actors"


def _choices(request: HttpRequest) -> dict[str, dict[str, str]]:
    return request.session.get(SESSION_KEY, {})


def _account(sandbox: Sandbox, account_id: str | None) -> Account:
    accounts = list(sandbox.accounts.all())
    if not accounts:
        raise Http404("This sandbox has no account.")
    return next((a for a in accounts if a.account_id == account_id), accounts[0])


def _remembered(request: HttpRequest) -> dict[int, Actor]:
    if not hasattr(request, _REMEMBERED):
        setattr(request, _REMEMBERED, {})
    return getattr(request, _REMEMBERED)


def _credential_actor(request: HttpRequest, sandbox: Sandbox, account: Account, access_key_id: str) -> Actor:
    """Acting as temporary credentials while they are valid on the sandbox clock; once they have expired (or
    are gone with a reset), the account's root user again, remembered so, with a notice for the next page."""
    credential = (
        account.temporary_credentials.filter(access_key_id=access_key_id).select_related("role", "user").first()
    )
    if credential is not None and clock.now(sandbox) < credential.expires_at:
        return Actor.signed_with(credential, via="console")
    if credential is not None:
        expired = {"arn": credential.arn, "expired_at": credential.expires_at.isoformat()}
        request.session[EXPIRED_KEY] = {**request.session.get(EXPIRED_KEY, {}), str(sandbox.pk): expired}
    root = Actor(account)
    act_as(request, sandbox, root)
    return root


def _stored_actor(request: HttpRequest, sandbox: Sandbox) -> Actor:
    choice = _choices(request).get(str(sandbox.pk), {})
    account = _account(sandbox, choice.get("account"))
    if choice.get("credential"):
        return _credential_actor(request, sandbox, account, choice["credential"])
    if choice.get("role"):
        role = account.roles.filter(name=choice["role"]).first()
        if role is not None:
            return Actor(account, role=role, session_name=choice.get("session") or DEFAULT_SESSION_NAME)
    if choice.get("user"):
        user = account.users.filter(name=choice["user"]).first()
        if user is not None:
            return Actor(account, user=user)
    return Actor(account)


def acting_actor(request: HttpRequest, sandbox: Sandbox) -> Actor:
    """The identity the learner chose for this sandbox; the first account's root user until they choose.

    Looked up once per request: the page's view and its navigation bar both ask.
    """
    remembered = _remembered(request)
    if sandbox.pk not in remembered:
        remembered[sandbox.pk] = _stored_actor(request, sandbox)
    return remembered[sandbox.pk]


def act_as(request: HttpRequest, sandbox: Sandbox, actor: Actor) -> None:
    """Remember ``actor`` as who the learner is in this sandbox from now on."""
    choice = {"account": actor.account.account_id}
    if actor.credential is not None:
        choice["credential"] = actor.credential.access_key_id
    elif actor.role is not None:
        choice |= {"role": actor.role.name, "session": actor.session_name}
    elif actor.user is not None:
        choice["user"] = actor.user.name
    request.session[SESSION_KEY] = {**_choices(request), str(sandbox.pk): choice}
    _remembered(request)[sandbox.pk] = actor


def identity_value(actor: Actor) -> str:
    """How the identity picker names an identity: ``root``, ``user:NAME``, ``role:NAME`` or
    ``session:ACCESS_KEY_ID`` (temporary credentials)."""
    if actor.credential is not None:
        return f"{SESSION_PREFIX}{actor.credential.access_key_id}"
    if actor.role is not None:
        return f"role:{actor.role.name}"
    if actor.user is not None:
        return f"user:{actor.user.name}"
    return ROOT


def check_session_name(name: str) -> None:
    """RoleSessionName's constraints, every broken one reported at once as STS words them."""
    broken = session_name_problems(name)
    if broken:
        raise errors.validation_failed([errors.constraint(name, "roleSessionName", rule) for rule in broken])


def chosen_actor(account: Account, identity: str, session_name: str) -> Actor:
    """The identity the picker names in ``account``, or the AWS error saying what is wrong with the choice.

    A blank session name is the console's default one.
    """
    kind, _, name = identity.partition(":")
    if identity == ROOT:
        return Actor(account)
    if kind == "session":
        return _live_credential_actor(account.sandbox, name)
    if kind == "user":
        user = account.users.filter(name=name).first()
        if user is None:
            raise errors.no_such_entity("User", name)
        return Actor(account, user=user)
    if kind == "role":
        session_name = session_name.strip() or DEFAULT_SESSION_NAME
        check_session_name(session_name)
        role = account.roles.filter(name=name).first()
        if role is None:
            raise errors.no_such_entity("Role", name)
        if role.service_linked:
            message = f"Only {role.service_linked} can assume the service-linked role {role.name}."
            raise errors.AwsError("AccessDenied", message, 403)
        return Actor(account, role=role, session_name=session_name)
    raise errors.validation_error("Choose the root user, an IAM user or a role to act as.")


def _live_credential_actor(sandbox: Sandbox, access_key_id: str) -> Actor:
    """Temporary credentials of any account of the sandbox, as STS answers a request signed with them."""
    credential = (
        TemporaryCredential.objects.filter(account__sandbox=sandbox, access_key_id=access_key_id)
        .select_related("account__sandbox", "role", "user")
        .first()
    )
    if credential is None:
        raise sts.invalid_client_token()
    if sts.is_expired(credential):
        raise errors.AwsError("ExpiredToken", "The security token included in the request is expired", 403)
    return Actor.signed_with(credential, via="console")


@dataclass(frozen=True)
class ExpiredSession:
    """Temporary credentials the learner was acting as, which expired: the next page says so once."""

    arn: str
    expired_at: datetime


@dataclass(frozen=True)
class Picker:
    """What the identity picker offers: every identity of the acting account, its live sessions, and who is
    acting now."""

    actor: Actor
    current: str
    session_name: str
    user_names: list[str]
    role_names: list[str]
    sessions: list[TemporaryCredential] = field(default_factory=list)
    expired: ExpiredSession | None = None

    @property
    def session_choices(self) -> list[tuple[str, str]]:
        """(value, label) for each live session: its ARN and when it expires on the sandbox clock."""
        return [
            (f"{SESSION_PREFIX}{session.access_key_id}", f"{session.arn} (expires {session.expires_at:%H:%M:%S} UTC)")
            for session in self.sessions
        ]

    @property
    def is_root(self) -> bool:
        return self.current == ROOT


def _expired_notice(request: HttpRequest, sandbox: Sandbox) -> ExpiredSession | None:
    """The expired session to tell the learner about, once: taking it clears it."""
    notices = request.session.get(EXPIRED_KEY, {})
    notice = notices.get(str(sandbox.pk))
    if notice is None:
        return None
    request.session[EXPIRED_KEY] = {key: value for key, value in notices.items() if key != str(sandbox.pk)}
    return ExpiredSession(notice["arn"], datetime.fromisoformat(notice["expired_at"]))


def picker(request: HttpRequest, sandbox: Sandbox) -> Picker:
    """Three queries for the names and live sessions, however many the account holds.

    Service-linked roles are left out: only their service can assume them.
    """
    actor = acting_actor(request, sandbox)
    return Picker(
        actor=actor,
        current=identity_value(actor),
        session_name=actor.session_name or DEFAULT_SESSION_NAME,
        user_names=list(actor.account.users.order_by("name").values_list("name", flat=True)),
        role_names=list(actor.account.roles.filter(service_linked="").order_by("name").values_list("name", flat=True)),
        sessions=list(sts.live_sessions(actor.account).order_by("expires_at", "id")),
        expired=_expired_notice(request, sandbox),
    )
