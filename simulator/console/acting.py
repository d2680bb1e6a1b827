"""Who the learner is acting as in a sandbox: which account, and root, an IAM user or a role session.

The choice lives in the learner's session, per sandbox, so two sandboxes (or a lesson's sandbox beside the
playground) each keep their own. An identity deleted since it was chosen falls back to the account's root
user, and an account that is gone falls back to the sandbox's first account.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Sandbox

SESSION_KEY = "acting"
DEFAULT_SESSION_NAME = "console"


def _choices(request: HttpRequest) -> dict[str, dict[str, str]]:
    return request.session.get(SESSION_KEY, {})


def _account(sandbox: Sandbox, account_id: str | None) -> Account:
    accounts = list(sandbox.accounts.all())
    if not accounts:
        raise Http404("This sandbox has no account.")
    return next((a for a in accounts if a.account_id == account_id), accounts[0])


def acting_actor(request: HttpRequest, sandbox: Sandbox) -> Actor:
    """The identity the learner chose for this sandbox; the first account's root user until they choose."""
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


def act_as(request: HttpRequest, sandbox: Sandbox, actor: Actor) -> None:
    """Remember ``actor`` as who the learner is in this sandbox from now on."""
    choice = {"account": actor.account.account_id}
    if actor.role is not None:
        choice |= {"role": actor.role.name, "session": actor.session_name}
    elif actor.user is not None:
        choice["user"] = actor.user.name
    request.session[SESSION_KEY] = {**_choices(request), str(sandbox.pk): choice}
