"""Who the learner is acting as in a sandbox: which account, and root, an IAM user or a role session.

The choice lives in the learner's session, per sandbox, so two sandboxes (or a lesson's sandbox beside the
playground) each keep their own. An identity deleted since it was chosen falls back to the account's root
user, and an account that is gone falls back to the sandbox's first account.

Choosing is a shortcut of the simulation: in AWS one becomes an IAM user by signing in with its
credentials, and a role session by calling sts:AssumeRole.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from simulator.sandbox import errors
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import session_name_problems
from simulator.sandbox.models import Account, Sandbox

SESSION_KEY = "acting"
DEFAULT_SESSION_NAME = "console"
ROOT = "root"
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


def _stored_actor(request: HttpRequest, sandbox: Sandbox) -> Actor:
    choice = _choices(request).get(str(sandbox.pk), {})
    account = _account(sandbox, choice.get("account"))
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
    if actor.role is not None:
        choice |= {"role": actor.role.name, "session": actor.session_name}
    elif actor.user is not None:
        choice["user"] = actor.user.name
    request.session[SESSION_KEY] = {**_choices(request), str(sandbox.pk): choice}
    _remembered(request)[sandbox.pk] = actor


def identity_value(actor: Actor) -> str:
    """How the identity picker names an identity: ``root``, ``user:NAME`` or ``role:NAME``."""
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


@dataclass(frozen=True)
class Picker:
    """What the identity picker offers: every identity of the acting account, and who is acting now."""

    actor: Actor
    current: str
    session_name: str
    user_names: list[str]
    role_names: list[str]

    @property
    def is_root(self) -> bool:
        return self.current == ROOT


def picker(request: HttpRequest, sandbox: Sandbox) -> Picker:
    """Two queries for the names, however many users and roles the account holds.

    Service-linked roles are left out: only their service can assume them.
    """
    actor = acting_actor(request, sandbox)
    return Picker(
        actor=actor,
        current=identity_value(actor),
        session_name=actor.session_name or DEFAULT_SESSION_NAME,
        user_names=list(actor.account.users.order_by("name").values_list("name", flat=True)),
        role_names=list(actor.account.roles.filter(service_linked="").order_by("name").values_list("name", flat=True)),
    )
