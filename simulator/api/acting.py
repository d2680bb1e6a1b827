"""Who an API request acts as in the account its URL names.

Chosen per request, never remembered (the console remembers its choice in the session; an API client says
it each time): the ``X-Sandbox-Principal`` header, or the ``as`` query parameter where a header is awkward,
holds one of

    root                  the account's root user (the default)
    user/NAME             the IAM user NAME
    role/NAME             a session of the role NAME, named "api"
    role/NAME/SESSION     a session of the role NAME called SESSION

Or the request is signed with credentials, as a program holding an access key signs its calls: the headers
``X-Sandbox-Access-Key-Id`` and ``X-Sandbox-Secret-Access-Key`` (and ``X-Sandbox-Session-Token`` with
temporary ASIA... credentials) make it act as the key's identity, with the session policies and tags of
temporary credentials. Credentials of another sandbox do not exist here (InvalidClientTokenId); expired ones
are refused on the sandbox clock (ExpiredToken). Naming an identity and signing too is refused: which should
win would be a guess.

Every write is an AWS action decided by the engine as that identity.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from simulator.sandbox import errors, sts
from simulator.sandbox.authorization import Actor
from simulator.sandbox.checks import session_name_problems
from simulator.sandbox.models import Account, DecisionRecord

HEADER = "X-Sandbox-Principal"
QUERY = "as"
ACCESS_KEY_HEADER = "X-Sandbox-Access-Key-Id"
SECRET_HEADER = "X-Sandbox-Secret-Access-Key"
TOKEN_HEADER = "X-Sandbox-Session-Token"
DEFAULT_SESSION_NAME = "api"
# Decisions made through the API say so in the decision log.
VIA = DecisionRecord.Source.API

_DESCRIPTION = (
    "Who this request acts as in the account: `root` (the default), `user/NAME`, `role/NAME` "
    "(a session named `api`) or `role/NAME/SESSION`. Writes are AWS actions the policy engine decides as this "
    "identity; a denial is an AccessDenied error naming the decision record that explains it."
)
_SIGNED = (
    f"Sign the request with credentials instead of naming an identity in {HEADER}: it acts as the key's "
    "identity. InvalidClientTokenId for a key this sandbox does not hold, SignatureDoesNotMatch for a wrong "
    "secret, ExpiredToken for temporary credentials past their expiration on the sandbox clock."
)
PARAMETERS = [
    OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, description=_DESCRIPTION),
    OpenApiParameter(QUERY, str, OpenApiParameter.QUERY, description=f"The same as the {HEADER} header."),
    OpenApiParameter(
        ACCESS_KEY_HEADER, str, OpenApiParameter.HEADER, description=f"An access key id: AKIA... or ASIA.... {_SIGNED}"
    ),
    OpenApiParameter(SECRET_HEADER, str, OpenApiParameter.HEADER, description=f"The key's secret. {_SIGNED}"),
    OpenApiParameter(
        TOKEN_HEADER, str, OpenApiParameter.HEADER, description="The session token, with temporary (ASIA...) keys."
    ),
]


def _unknown(chosen: str, account: Account) -> errors.AwsError:
    return errors.validation_error(
        f"{HEADER} {chosen!r} names no identity in account {account.account_id}: "
        "use root, user/NAME, role/NAME or role/NAME/SESSION"
    )


# The AWS service each part of an account's URLs stands for, as an access key's last use records it; the rest is
# IAM's.
_SERVICES = {"buckets": "s3", "instances": "ec2", "sts": "sts"}


def _service(request: Request) -> str:
    """The service a request to this URL calls: s3 for .../accounts/ID/buckets/..., and so on."""
    after_account = request.path.partition("/accounts/")[2].split("/")
    return _SERVICES.get(after_account[1] if len(after_account) > 1 else "", "iam")


def _signed_actor(request: Request, account: Account) -> Actor:
    """The identity of the credentials the request is signed with, which must be of the account in the URL."""
    key_id = request.headers.get(ACCESS_KEY_HEADER, "").strip()
    secret = request.headers.get(SECRET_HEADER, "")
    if not key_id or not secret:
        missing = SECRET_HEADER if key_id else ACCESS_KEY_HEADER
        raise errors.AwsError("IncompleteSignature", f"The request is signed without {missing}.", 400)
    token = request.headers.get(TOKEN_HEADER, "").strip()
    actor = sts.signed_actor(account.sandbox, key_id, secret, token, via=VIA, service=_service(request))
    if actor.account.pk != account.pk:
        # Each account's URL acts in that account alone, as the decision log it links to is that account's.
        raise errors.validation_error(
            f"The access key {key_id} belongs to account {actor.account.account_id}: send the request to that "
            f"account's URL, not account {account.account_id}'s."
        )
    return actor


def acting_actor(request: Request, account: Account) -> Actor:
    """The identity the request names or signs with (the root user when neither); ValidationError if it names
    nobody, InvalidParameterCombination if it does both."""
    named = request.headers.get(HEADER) or request.query_params.get(QUERY)
    signed = any(request.headers.get(header) for header in (ACCESS_KEY_HEADER, SECRET_HEADER, TOKEN_HEADER))
    if signed and named:
        raise errors.AwsError(
            "InvalidParameterCombination",
            f"The request both names an identity ({HEADER} or ?{QUERY}=) and is signed with credentials "
            f"({ACCESS_KEY_HEADER}): send one of them.",
            400,
        )
    if signed:
        return _signed_actor(request, account)
    chosen = (named or "root").strip()
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
