"""Who an API request acts as in the account its URL names.

Chosen per request, never remembered (the console remembers its choice in the session; an API client says
it each time): the ``X-Sandbox-Principal`` header, or the ``as`` query parameter where a header is awkward,
holds one of

    root                  the account's root user (the default)
    user/NAME             the IAM user NAME
    role/NAME             a session of the role NAME, named "api"
    role/NAME/SESSION     a session of the role NAME called SESSION

Every write is an AWS action decided by the engine as that identity.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from simulator.sandbox import errors
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import session_name_problems
from simulator.sandbox.models import Account, DecisionRecord

HEADER = "X-Sandbox-Principal"
QUERY = "as"
DEFAULT_SESSION_NAME = "api"
# Decisions made through the API say so in the decision log.
VIA = DecisionRecord.Source.API

_DESCRIPTION = (
    "Who this request acts as in the account: `root` (the default), `user/NAME`, `role/NAME` "
    "(a session named `api`) or `role/NAME/SESSION`. Writes are AWS actions the policy engine decides as this "
    "identity; a denial is an AccessDenied error naming the decision record that explains it."
)
PARAMETERS = [
    OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, description=_DESCRIPTION),
    OpenApiParameter(QUERY, str, OpenApiParameter.QUERY, description=f"The same as the {HEADER} header."),
]


def _unknown(chosen: str, account: Account) -> errors.AwsError:
    return errors.validation_error(
        f"{HEADER} {chosen!r} names no identity in account {account.account_id}: "
        "use root, user/NAME, role/NAME or role/NAME/SESSION"
    )


def acting_actor(request: Request, account: Account) -> Actor:
    """The identity the request names (the root user when it names none); ValidationError if it names nobody."""
    chosen = (request.headers.get(HEADER) or request.query_params.get(QUERY) or "root").strip()
    if chosen == "root":
        return Actor(account, via=VIA)
    kind, _, rest = chosen.partition("/")
    if kind == "user" and rest:
        user = account.users.filter(name__iexact=rest).first()
        if user is not None:
            return Actor(account, user=user, via=VIA)
    if kind == "role" and rest:
        name, _, session = rest.partition("/")
        session = session or DEFAULT_SESSION_NAME
        if session_name_problems(session):
            raise errors.validation_error(
                f"Role session name {session!r} is invalid: use 2 to 64 letters, digits and + = , . @ _ -"
            )
        role = account.roles.filter(name__iexact=name).first()
        if role is not None:
            return Actor(account, role=role, session_name=session, via=VIA)
    raise _unknown(chosen, account)
