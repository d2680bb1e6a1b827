"""AWS's policy evaluation logic, stage by stage.

Sources, cited by the tests: IAM User Guide, "Policy evaluation logic",
"How AWS enforcement code logic evaluates requests to allow or deny access",
"Policy evaluation for requests within a single account", "Cross-account
policy evaluation logic" and "Permissions boundaries for IAM entities".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import conditions, matching
from .decision import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    MatchedStatement,
    Outcome,
    Stage,
    StageResult,
    StatementEvaluation,
)
from .policyset import Entry, PolicySet
from .request import Principal, PrincipalKind, Request

_NO_IDENTITY_POLICIES = (PrincipalKind.SERVICE, PrincipalKind.IDENTITY_PROVIDER, PrincipalKind.ANONYMOUS)


@dataclass(slots=True)
class _Found:
    """The applicable statements of one stage: denies, and allows with how they named the principal."""

    denies: list[Entry] = field(default_factory=list)
    allows: list[tuple[Entry, str]] = field(default_factory=list)

    def allowed_levels(self) -> set[int]:
        return {entry.level for entry, _ in self.allows}


def _stage_applies(stage: Stage, principal: Principal) -> bool:
    """Which policy types bear on this principal at all.

    SCPs restrict no service-linked role and nothing in the management
    account ("Service control policies (SCPs)": tasks and entities not
    restricted by SCPs); they and RCPs govern accounts' principals and
    resources, not AWS service principals.
    """
    kind = principal.kind
    if stage is Stage.SERVICE_CONTROL:
        return kind not in _NO_IDENTITY_POLICIES and not principal.service_linked and not principal.management_account
    if stage is Stage.RESOURCE_CONTROL:
        return kind is not PrincipalKind.SERVICE and not principal.service_linked
    if stage in (Stage.IDENTITY_BASED, Stage.PERMISSIONS_BOUNDARY, Stage.SESSION):
        return kind not in _NO_IDENTITY_POLICIES and kind is not PrincipalKind.ROOT
    return True


def _resource_ok(entry: Entry, request: Request) -> bool:
    if entry.any_resource:
        return True
    if entry.static_resources is not None:
        return any(p.fullmatch(request.resource) for p in entry.static_resources)
    return matching.check_resource(entry.statement, request.resource, request.context, entry.substitute).matched


def _applies_fast(entry: Entry, request: Request) -> str | None:
    """How the statement names the principal if it applies, else ``None``; no explanation kept."""
    if not _resource_ok(entry, request):
        return None
    how = "direct"
    statement = entry.statement
    if statement.principals is not None or statement.not_principals is not None:
        check, how = matching.check_principal(statement, request.principal)
        if not check.matched:
            return None
    if statement.conditions and not conditions.conditions_match(
        statement.conditions, request.context, entry.substitute
    ):
        return None
    return how


def _evaluate_entry(entry: Entry, request: Request) -> tuple[StatementEvaluation, str | None]:
    """Weigh one statement whose action matched, recording every element's verdict."""
    statement = entry.statement
    action = matching.check_action(statement, request.action)
    resource = matching.check_resource(statement, request.resource, request.context, entry.substitute)
    principal = how = None
    results: tuple = ()
    stopped = None
    if not resource.matched:
        stopped = "resource"
    else:
        if statement.principals is not None or statement.not_principals is not None:
            principal, how = matching.check_principal(statement, request.principal)
        else:
            how = "direct"
        if principal is not None and not principal.matched:
            stopped, how = "principal", None
        elif statement.conditions:
            ok, results = conditions.evaluate_conditions(statement.conditions, request.context, entry.substitute)
            if not ok:
                stopped, how = "condition", None
    return _evaluation(entry, action, resource, principal, results, stopped), how


def _evaluation(entry: Entry, action, resource, principal, results, stopped) -> StatementEvaluation:
    policy, statement = entry.policy, entry.statement
    return StatementEvaluation(
        policy_id=policy.policy_id,
        policy_type=entry.stage.value,
        source_type=policy.source_type,
        statement_index=statement.index,
        sid=statement.sid,
        effect=statement.effect,
        span=statement.span,
        action=action,
        resource=resource,
        principal=principal,
        conditions=results,
        applies=stopped is None,
        stopped_by=stopped,
    )


def _matched(entry: Entry) -> MatchedStatement:
    policy, statement = entry.policy, entry.statement
    return MatchedStatement(
        policy.policy_id,
        entry.stage.value,
        policy.source_type,
        statement.index,
        statement.sid,
        statement.effect,
        statement.span,
    )


def evaluate(request: Request, policies: PolicySet, *, explain: bool = True) -> Decision:
    """Decide ``request`` against ``policies`` the way AWS does.

    With ``explain`` off only the result, the stage and the deciding
    statements are worked out, as fast as possible; with it on the decision
    also carries every stage, every statement considered and why, the
    statements that came closest, and the missing context keys.
    """
    principal = request.principal
    found = {stage: _Found() for stage in Stage}
    evaluations: list[StatementEvaluation] = []
    for entry in policies.candidates(request.action):
        if not _stage_applies(entry.stage, principal):
            continue
        if explain:
            evaluation, how = _evaluate_entry(entry, request)
            evaluations.append(evaluation)
        else:
            how = _applies_fast(entry, request)
        if how is None:
            continue
        if entry.allow:
            found[entry.stage].allows.append((entry, how))
        else:
            found[entry.stage].denies.append(entry)

    result, stage, matched, stages = _decide(request, policies, found)
    if not explain:
        return Decision(request, result, stage, matched, policy_types_present=policies.present)
    considered = {(e.policy_id, e.policy_type, e.statement_index) for e in evaluations}
    evaluations.extend(_action_misses(request, policies, considered))
    missing = tuple(dict.fromkeys(key for e in evaluations for key in e.missing_keys))
    closest = _closest(evaluations) if result == IMPLICIT_DENY else ()
    return Decision(
        request, result, stage, matched, tuple(stages), tuple(evaluations), closest, missing, policies.present
    )


def _action_misses(request: Request, policies: PolicySet, considered) -> list[StatementEvaluation]:
    misses = []
    for entry in policies.entries:
        if not _stage_applies(entry.stage, request.principal):
            continue
        key = (entry.policy.policy_id, entry.stage.value, entry.statement.index)
        if key in considered:
            continue
        action = matching.check_action(entry.statement, request.action)
        misses.append(_evaluation(entry, action, None, None, (), "action"))
    return misses


_NEARNESS = {"condition": 0, "principal": 1, "resource": 2, "action": 3}


def _closest(evaluations: list[StatementEvaluation], limit: int = 3) -> tuple[StatementEvaluation, ...]:
    """The Allow statements that came nearest to applying: those stopped latest in the statement first."""
    allows = [e for e in evaluations if e.effect == "Allow" and not e.applies]
    allows.sort(key=lambda e: _NEARNESS[e.stopped_by or "action"])
    return tuple(allows[:limit])


def _decide(request: Request, policies: PolicySet, found: dict[Stage, _Found]):
    """Walk AWS's flowchart over what applied; returns (result, stage, matched, stage results)."""
    principal = request.principal
    stages: list[StageResult] = []

    def finish(result: str, stage: Stage, matched_entries: list[Entry]):
        reached = {s.stage for s in stages}
        for later in Stage:
            if later not in reached:
                stages.append(StageResult(later, Outcome.NOT_REACHED, "not reached: the decision was already made"))
        return result, stage, tuple(_matched(e) for e in matched_entries), stages

    denies = [e for stage in Stage for e in found[stage].denies]
    if denies:
        stages.append(StageResult(Stage.EXPLICIT_DENY, Outcome.DENY, f"{len(denies)} Deny statement(s) apply"))
        return finish(EXPLICIT_DENY, Stage.EXPLICIT_DENY, denies)
    stages.append(StageResult(Stage.EXPLICIT_DENY, Outcome.PASS, "no Deny statement applies"))

    matched: list[Entry] = []
    for stage, levels in (
        (Stage.RESOURCE_CONTROL, policies.resource_control),
        (Stage.SERVICE_CONTROL, policies.service_control),
    ):
        if not levels or not _stage_applies(stage, principal):
            stages.append(StageResult(stage, Outcome.NOT_APPLICABLE, _absent_reason(stage, levels, principal)))
            continue
        missing_levels = set(range(len(levels))) - found[stage].allowed_levels()
        if missing_levels:
            stages.append(StageResult(stage, Outcome.NO_ALLOW, f"no {stage.singular} allows the action"))
            return finish(IMPLICIT_DENY, stage, [])
        stages.append(StageResult(stage, Outcome.ALLOW, "allowed at every level of the organization"))
        matched.extend(entry for entry, _ in found[stage].allows)

    resource_allows = found[Stage.RESOURCE_BASED].allows
    resource_grant = _resource_grant(principal, resource_allows)
    cross_account = request.is_cross_account
    if policies.resource is None:
        stages.append(StageResult(Stage.RESOURCE_BASED, Outcome.NOT_APPLICABLE, "the resource has no policy"))
    elif not resource_allows:
        stages.append(StageResult(Stage.RESOURCE_BASED, Outcome.NO_ALLOW, "the resource-based policy does not allow"))
    else:
        stages.append(StageResult(Stage.RESOURCE_BASED, Outcome.ALLOW, _grant_words(resource_grant)))
        matched.extend(entry for entry, _ in resource_allows)

    needs_resource = cross_account or policies.requires_resource_allow or principal.kind in _NO_IDENTITY_POLICIES
    if needs_resource and not resource_allows:
        return finish(IMPLICIT_DENY, Stage.RESOURCE_BASED, [])
    if not cross_account and resource_grant == "final":
        return finish(ALLOWED, Stage.RESOURCE_BASED, matched)
    if principal.kind in _NO_IDENTITY_POLICIES:
        return finish(ALLOWED, Stage.RESOURCE_BASED, matched)

    identity_allows = found[Stage.IDENTITY_BASED].allows
    if principal.kind is PrincipalKind.ROOT:
        stages.append(
            StageResult(Stage.IDENTITY_BASED, Outcome.ALLOW, "the root user has complete access to its account")
        )
        return finish(ALLOWED, Stage.IDENTITY_BASED, matched)
    by_resource = not cross_account and resource_grant == "bounded"
    if identity_allows:
        stages.append(StageResult(Stage.IDENTITY_BASED, Outcome.ALLOW, "an identity-based policy allows the action"))
        matched.extend(entry for entry, _ in identity_allows)
    elif by_resource:
        stages.append(
            StageResult(
                Stage.IDENTITY_BASED,
                Outcome.NO_ALLOW,
                "no identity-based policy allows, but the resource-based policy grants it (still bounded below)",
            )
        )
    else:
        stages.append(StageResult(Stage.IDENTITY_BASED, Outcome.NO_ALLOW, "no identity-based policy allows the action"))
        return finish(IMPLICIT_DENY, Stage.IDENTITY_BASED, [])

    last = Stage.RESOURCE_BASED if by_resource and not identity_allows else Stage.IDENTITY_BASED
    for stage, present in (
        (Stage.PERMISSIONS_BOUNDARY, policies.permissions_boundary),
        (Stage.SESSION, policies.session),
    ):
        if not present:
            stages.append(StageResult(stage, Outcome.NOT_APPLICABLE, f"no {stage.title.lower()} is set"))
            continue
        allows = found[stage].allows
        if not allows:
            stages.append(StageResult(stage, Outcome.NO_ALLOW, f"the {stage.title.lower()} does not allow the action"))
            return finish(IMPLICIT_DENY, stage, [])
        stages.append(StageResult(stage, Outcome.ALLOW, f"the {stage.title.lower()} allows the action"))
        matched.extend(entry for entry, _ in allows)
        last = stage
    return finish(ALLOWED, last, matched)


def _resource_grant(principal: Principal, allows: list[tuple[Entry, str]]) -> str | None:
    """What a same-account resource-based policy's Allow is worth for this principal.

    ``"final"``: allowed outright, whatever identity policies, boundary or
    session policies say — the policy names an IAM user, a role session or
    a federated user session itself. ``"bounded"``: it stands in for an
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
        if "direct" in hows:
            return "final"
        if hows & {"role", "everyone"}:
            return "bounded"
    if kind in _NO_IDENTITY_POLICIES and hows & {"direct", "everyone"}:
        return "final"
    return None


def _grant_words(grant: str | None) -> str:
    return {
        "final": "the resource-based policy allows this principal by name",
        "bounded": "the resource-based policy allows the role; a boundary or session policy can still limit it",
        None: "the resource-based policy allows the principal's account, which leaves it to identity-based policies",
    }[grant]


def _absent_reason(stage: Stage, levels, principal: Principal) -> str:
    if not levels:
        return f"no {stage.title.lower()} apply"
    if principal.service_linked:
        return f"{stage.title} do not restrict service-linked roles"
    if principal.management_account:
        return f"{stage.title} do not restrict the management account"
    return f"{stage.title} do not restrict this kind of principal"
