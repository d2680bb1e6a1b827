"""One call per documented case: statements in, AWS's decision out.

Shared by the ``test_documented_*`` corpus, which turns the worked examples of
the IAM User Guide into one-line cases. Each case names its policies as lists
of statements; :func:`decide` parses them as the right policy type, evaluates
the request with and without the explanation (the two must agree) and returns
``"allowed"``, ``"explicitDeny"`` or ``"implicitDeny"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from simulator.policy.evaluate import evaluate
from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, PrincipalKind, make_request

Statements = Sequence[dict]


def decide(
    principal: Principal,
    action: str,
    resource: str = "*",
    *,
    identity: Statements = (),
    resource_policy: Statements = (),
    trust: Statements = (),
    boundary: Statements = (),
    session: Statements = (),
    scps: Sequence[Statements] = (),
    context: Mapping[str, str | Sequence[str]] | None = None,
    resource_account: str | None = None,
    version: str | None = "2012-10-17",
) -> str:
    """The decision for one request.

    ``scps`` lists the statements of each level from the organization root
    down; ``version`` is the identity-based and resource-based policies'
    Version element (``None`` leaves it out).
    """
    policies = PolicySet(
        [_policy(identity, PolicyType.IDENTITY, version)] if identity else [],
        resource=_resource(resource_policy, trust, version),
        permissions_boundary=[_policy(boundary, PolicyType.PERMISSIONS_BOUNDARY)] if boundary else [],
        session=[_policy(session, PolicyType.SESSION)] if session else [],
        service_control=[[_policy(level, PolicyType.SERVICE_CONTROL)] for level in scps],
    )
    request = make_request(principal, action, resource, context or {}, resource_account)
    full, fast = evaluate(request, policies, explain=True), evaluate(request, policies, explain=False)
    assert (fast.result, fast.stage) == (full.result, full.stage), "explained and fast evaluation disagree"
    return full.result


def _policy(statements: Statements, kind: PolicyType, version: str | None = "2012-10-17") -> Policy:
    document: dict = {"Version": version} if version else {}
    document["Statement"] = list(statements)
    return parse_policy(json.dumps(document, indent=2), kind, policy_id=kind.value)


def _resource(resource_policy: Statements, trust: Statements, version: str | None) -> Policy | None:
    if resource_policy:
        return _policy(resource_policy, PolicyType.RESOURCE, version)
    if trust:
        return _policy(trust, PolicyType.TRUST)
    return None


def federated_user(name: str, account: str, *, federated_by: str | None = None) -> Principal:
    """A GetFederationToken session; ``federated_by`` is the IAM user who federated (the engine's ``role_arn``)."""
    return Principal(
        f"arn:aws:sts::{account}:federated-user/{name}", PrincipalKind.FEDERATED_USER, account, role_arn=federated_by
    )


def identity_provider(name: str) -> Principal:
    """A web identity or SAML provider asking to assume a role (AssumeRoleWithWebIdentity / WithSAML)."""
    return Principal(name, PrincipalKind.IDENTITY_PROVIDER, "")


def anonymous() -> Principal:
    return Principal("anonymous", PrincipalKind.ANONYMOUS, "")
