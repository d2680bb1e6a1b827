"""AWS's evaluation flowchart, walked over the statements that applied to a request.

Sources, cited by the tests: IAM User Guide, "How AWS enforcement code logic
evaluates requests to allow or deny access", "Policy evaluation for requests
within a single account", "Cross-account policy evaluation logic",
"Permissions boundaries for IAM entities" and "Service control policies".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, MatchedStatement, Outcome, Stage, StageResult
from .policyset import Entry, PolicySet
from .request import Principal, PrincipalKind, Request

NO_IDENTITY_POLICIES = (PrincipalKind.SERVICE, PrincipalKind.IDENTITY_PROVIDER, PrincipalKind.ANONYMOUS)
_STAGES = tuple(Stage)


@dataclass(slots=True)
class Found:
    """The applicable statements of one stage: denies, and allows with how they named the principal."""

    denies: list[Entry] = field(default_factory=list)
    allows: list[tuple[Entry, str]] = field(default_factory=list)


_NOTHING = Found()


@lru_cache(maxsize=64)
def _applicable_stages(kind: PrincipalKind, service_linked: bool, management_account: bool) -> frozenset[Stage]:
    stages = {Stage.EXPLICIT_DENY, Stage.RESOURCE_BASED}
    if kind not in NO_IDENTITY_POLICIES and not service_linked and not management_account:
        stages.add(Stage.SERVICE_CONTROL)
    if kind is not PrincipalKind.SERVICE and not service_linked:
        stages.add(Stage.RESOURCE_CONTROL)
    if kind not in NO_IDENTITY_POLICIES and kind is not PrincipalKind.ROOT:
        stages.update((Stage.IDENTITY_BASED, Stage.PERMISSIONS_BOUNDARY, Stage.SESSION))
    return frozenset(stages)


def applicable_stages(principal: Principal) -> frozenset[Stage]:
    """Which policy types bear on a principal at all.

    SCPs restrict no service-linked role and nothing in the management
    account ("Service control policies (SCPs)": tasks and entities not
    restricted by SCPs); they and RCPs govern accounts' principals and
    resources, not AWS service principals. The root user, services and
    anonymous callers have no identity-based policies, boundaries or
    session policies.
    """
    return _applicable_stages(principal.kind, principal.service_linked, principal.management_account)


class _Trail:
    """Collects a :class:`StageResult` per stage, or nothing at all on the fast path."""

    def __init__(self, keep: bool) -> None:
        self.results: list[StageResult] | None = [] if keep else None
        self.keeping = keep

    def note(self, stage: Stage, outcome: Outcome, detail: str) -> None:
        if self.results is not None:
            self.results.append(StageResult(stage, outcome, detail))

    def close(self) -> tuple[StageResult, ...]:
        if self.results is None:
            return ()
        reached = {result.stage for result in self.results}
        for stage in _STAGES:
            if stage not in reached:
                self.results.append(
                    StageResult(stage, Outcome.NOT_REACHED, "not reached: the decision was already made")
                )
        return tuple(self.results)


def decide(
    request: Request, policies: PolicySet, found: dict[Stage, Found], *, keep_trail: bool
) -> tuple[str, Stage, tuple[MatchedStatement, ...], tuple[StageResult, ...]]:
    """Walk AWS's flowchart over what applied: (result, deciding stage, matched statements, stage results)."""
    trail = _Trail(keep_trail)
    result, stage, matched = _walk(request, policies, found, trail)
    return result, stage, tuple(entry.matched for entry in matched), trail.close()


def _walk(request: Request, policies: PolicySet, found: dict[Stage, Found], trail: _Trail):
    principal = request.principal

    def of(stage: Stage) -> Found:
        return found.get(stage, _NOTHING)

    if any(group.denies for group in found.values()):
        denies = sorted((e for group in found.values() for e in group.denies), key=lambda e: e.order)
        trail.note(Stage.EXPLICIT_DENY, Outcome.DENY, f"{len(denies)} Deny statement(s) apply")
        return EXPLICIT_DENY, Stage.EXPLICIT_DENY, denies
    trail.note(Stage.EXPLICIT_DENY, Outcome.PASS, "no Deny statement applies")

    applicable = applicable_stages(principal)
    matched: list[Entry] = []
    for stage, levels in policies.organization_levels:
        if not levels or stage not in applicable:
            if trail.keeping:
                trail.note(stage, Outcome.NOT_APPLICABLE, _absent_reason(stage, levels, principal))
            continue
        if {entry.level for entry, _ in of(stage).allows} != set(range(len(levels))):
            trail.note(stage, Outcome.NO_ALLOW, f"no {stage.singular} allows the action at some level")
            return IMPLICIT_DENY, stage, []
        trail.note(stage, Outcome.ALLOW, "allowed at every level of the organization")
        matched.extend(entry for entry, _ in of(stage).allows)

    resource_allows = of(Stage.RESOURCE_BASED).allows
    grant = _resource_grant(principal, resource_allows)
    cross_account = request.is_cross_account
    if policies.resource is None:
        trail.note(Stage.RESOURCE_BASED, Outcome.NOT_APPLICABLE, "the resource has no resource-based policy")
    elif not resource_allows:
        trail.note(Stage.RESOURCE_BASED, Outcome.NO_ALLOW, "the resource-based policy does not allow this principal")
    else:
        trail.note(Stage.RESOURCE_BASED, Outcome.ALLOW, _GRANT_WORDS[grant])
        matched.extend(entry for entry, _ in resource_allows)

    needs_resource = cross_account or policies.requires_resource_allow or principal.kind in NO_IDENTITY_POLICIES
    if needs_resource and not resource_allows:
        return IMPLICIT_DENY, Stage.RESOURCE_BASED, []
    if principal.kind in NO_IDENTITY_POLICIES or (not cross_account and grant == "final"):
        return ALLOWED, Stage.RESOURCE_BASED, matched

    if principal.kind is PrincipalKind.ROOT:
        trail.note(Stage.IDENTITY_BASED, Outcome.ALLOW, "the root user has complete access to its account")
        return ALLOWED, Stage.IDENTITY_BASED, matched
    identity_allows = of(Stage.IDENTITY_BASED).allows
    by_resource = not cross_account and grant == "bounded"
    if identity_allows:
        trail.note(Stage.IDENTITY_BASED, Outcome.ALLOW, "an identity-based policy allows the action")
        matched.extend(entry for entry, _ in identity_allows)
        last = Stage.IDENTITY_BASED
    elif by_resource:
        trail.note(
            Stage.IDENTITY_BASED,
            Outcome.NO_ALLOW,
            "no identity-based policy allows, but the resource-based policy grants the role (still bounded below)",
        )
        last = Stage.RESOURCE_BASED
    else:
        trail.note(Stage.IDENTITY_BASED, Outcome.NO_ALLOW, "no identity-based policy allows the action")
        return IMPLICIT_DENY, Stage.IDENTITY_BASED, []

    for stage, present in (
        (Stage.PERMISSIONS_BOUNDARY, policies.permissions_boundary),
        (Stage.SESSION, policies.session),
    ):
        if not present:
            trail.note(stage, Outcome.NOT_APPLICABLE, f"no {stage.singular} is set")
            continue
        allows = of(stage).allows
        if not allows:
            trail.note(stage, Outcome.NO_ALLOW, f"the {stage.singular} does not allow the action")
            return IMPLICIT_DENY, stage, []
        trail.note(stage, Outcome.ALLOW, f"the {stage.singular} allows the action")
        matched.extend(entry for entry, _ in allows)
        last = stage
    return ALLOWED, last, matched


def _resource_grant(principal: Principal, allows: list[tuple[Entry, str]]) -> str | None:
    """What a same-account resource-based policy's Allow is worth for this principal.

    ``"final"``: allowed outright, whatever identity policies, boundary or
    session policies say — the policy names an IAM user, a role session or
    a federated user session itself, or everyone (``"*"``). ``"bounded"``: it stands in for an
    identity-based allow but a permissions boundary and session policies
    still limit it — the policy names the role (so every session of it).
    ``None``: nothing granted by itself — the policy names only the
    account, which delegates to the account's identity-based policies.
    ("Policy evaluation for requests within a single account"; the
    resource-based policies step of "How AWS enforcement code logic
    evaluates requests".)
    """
    hows = {how for _, how in allows}
    if not hows:
        return None
    kind = principal.kind
    if kind in (PrincipalKind.USER, PrincipalKind.ROOT) and hows & {"direct", "everyone"}:
        return "final"
    if kind in (PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER):
        # "Permissions boundaries and session policies do not limit permissions granted
        # using the aws:PrincipalArn condition key with a wildcard (*) in the Principal element."
        if hows & {"direct", "everyone"}:
            return "final"
        if "role" in hows:
            return "bounded"
    if kind in NO_IDENTITY_POLICIES and hows & {"direct", "everyone"}:
        return "final"
    return None


_GRANT_WORDS = {
    "final": "the resource-based policy allows this principal by name",
    "bounded": "the resource-based policy allows the role; a permissions boundary or session policy can still limit it",
    None: "the resource-based policy allows the principal's account, which leaves it to identity-based policies",
}


def _absent_reason(stage: Stage, levels, principal: Principal) -> str:
    if not levels:
        return f"no {stage.title.lower()} apply"
    if principal.service_linked:
        return f"{stage.title} do not restrict service-linked roles"
    if principal.management_account:
        return f"{stage.title} do not restrict the management account"
    return f"{stage.title} do not restrict this kind of principal"
