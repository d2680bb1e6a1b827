"""What is being asked: who asks, for which action on which resource, in which context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum


class PrincipalKind(str, Enum):
    ROOT = "root"
    USER = "user"
    ROLE_SESSION = "role-session"
    FEDERATED_USER = "federated-user"
    SERVICE = "service"
    IDENTITY_PROVIDER = "identity-provider"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    """The identity making the request.

    ``arn`` is the identity's own ARN (``arn:aws:iam::111122223333:user/alice``,
    ``arn:aws:sts::111122223333:assumed-role/Admin/alice``,
    ``arn:aws:iam::111122223333:root``; for a service, its principal name such
    as ``ec2.amazonaws.com``; for an identity provider asking to assume a role,
    the provider's ARN or name). ``role_arn`` is the role behind a role session:
    a resource-based policy that names the role applies to its sessions.
    ``service_linked`` marks a service-linked role's session, which service
    control policies do not restrict.
    ``management_account`` marks identities of an Organizations management
    account, which service control policies do not restrict either.
    """

    arn: str
    kind: PrincipalKind
    account: str
    role_arn: str | None = None
    service_linked: bool = False
    management_account: bool = False

    @property
    def name(self) -> str:
        """What enhanced AccessDenied messages call the principal kind."""
        return {
            PrincipalKind.ROOT: "Root user",
            PrincipalKind.USER: "User",
            PrincipalKind.ROLE_SESSION: "User",
            PrincipalKind.FEDERATED_USER: "User",
            PrincipalKind.SERVICE: "Service",
            PrincipalKind.IDENTITY_PROVIDER: "Federated user",
            PrincipalKind.ANONYMOUS: "Anonymous user",
        }[self.kind]


def normalise_context(context: Mapping[str, str | Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Context keys compare case-insensitively; every value becomes a tuple of strings."""
    normalised: dict[str, tuple[str, ...]] = {}
    for key, value in context.items():
        values = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
        normalised[key.lower()] = values
    return normalised


@dataclass(frozen=True, slots=True)
class Request:
    """One request: ``context`` maps lower-cased condition keys to their values.

    ``resource_account`` is the account that owns the resource; ``None``
    means the principal's own account. Build it with :func:`make_request`
    so context keys are normalised.
    """

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    resource_account: str | None = None

    @property
    def is_cross_account(self) -> bool:
        return self.resource_account is not None and self.resource_account != self.principal.account


def make_request(
    principal: Principal,
    action: str,
    resource: str = "*",
    context: Mapping[str, str | Iterable[str]] | None = None,
    resource_account: str | None = None,
) -> Request:
    return Request(principal, action, resource, normalise_context(context or {}), resource_account)
