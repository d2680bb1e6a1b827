"""Who is acting, which policies bear on them, and the engine's decision for each action they attempt.

Every change in a sandbox is an AWS action performed by an acting identity;
this module asks the policy engine whether it is allowed and keeps the
decision in the account's decision log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

from django.db.models import Prefetch
from django.utils import timezone

from simulator.policy import explain
from simulator.policy.decision import Decision
from simulator.policy.evaluate import evaluate
from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, PrincipalKind, make_request

from . import errors
from .models import Account, DecisionRecord, IamUser, ManagedPolicy, PolicyVersion, Role


@dataclass(frozen=True)
class Actor:
    """The identity a learner is acting as: the account's root user, one of its IAM users, or a session
    of one of its roles (``session_name`` names the session, as RoleSessionName does). ``via`` is the front
    door the learner came through ("console" or "api"), kept with every decision in the log."""

    account: Account
    user: IamUser | None = None
    role: Role | None = None
    session_name: str = ""
    via: str = "console"

    @property
    def is_root(self) -> bool:
        return self.user is None and self.role is None

    @property
    def principal(self) -> Principal:
        account_id = self.account.account_id
        if self.role is not None:
            return Principal(
                self.session_arn, PrincipalKind.ROLE_SESSION, account_id, self.role.arn, bool(self.role.service_linked)
            )
        if self.user is not None:
            return Principal(self.user.arn, PrincipalKind.USER, account_id)
        return Principal(self.account.root_arn, PrincipalKind.ROOT, account_id)

    @property
    def session_arn(self) -> str:
        """A role session's ARN has no path, whatever the role's ("IAM identifiers": assumed-role ARNs)."""
        assert self.role is not None
        return f"arn:aws:sts::{self.account.account_id}:assumed-role/{self.role.name}/{self.session_name}"

    @property
    def label(self) -> str:
        """Who is acting, in the console's words."""
        if self.role is not None:
            return f"role session {self.role.name}/{self.session_name}"
        if self.user is not None:
            return f"IAM user {self.user.name}"
        return "root user"

    def context(self) -> dict[str, str]:
        """The global condition keys AWS fills in from the caller ("AWS global condition context keys")."""
        now = timezone.now()
        context = {
            "aws:PrincipalArn": self.principal.role_arn or self.principal.arn,
            "aws:PrincipalAccount": self.account.account_id,
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:SecureTransport": "true",
        }
        if self.role is not None:
            context["aws:PrincipalType"] = "AssumedRole"
            context["aws:userid"] = f"{self.role.unique_id}:{self.session_name}"
            tags = self.role.tags
        elif self.user is not None:
            context["aws:PrincipalType"] = "User"
            context["aws:username"] = self.user.name
            context["aws:userid"] = self.user.unique_id
            tags = self.user.tags
        else:
            context["aws:PrincipalType"] = "Account"
            tags = []
        for tag in tags:
            context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
        return context


@dataclass(frozen=True, slots=True)
class LoggedDecision(Decision):
    """A decision as :func:`authorize` returns it: ``record_id`` is its entry in the decision log, so a page
    showing the decision (an AccessDenied in place, say) can link to it."""

    record_id: int | None = None


@lru_cache(maxsize=4096)
def _parsed(text: str, policy_type: PolicyType, policy_id: str, source_type: str) -> Policy:
    """Stored documents were validated when written; parsing each text once serves every later decision."""
    return parse_policy(text, policy_type, policy_id=policy_id, source_type=source_type)


def _default_versions() -> Prefetch:
    return Prefetch("versions", queryset=PolicyVersion.objects.filter(is_default=True), to_attr="default_versions")


def _managed(policy: ManagedPolicy, policy_type: PolicyType = PolicyType.IDENTITY) -> Policy:
    (version,) = policy.default_versions
    source = "aws-managed" if policy.aws_managed else "user-managed"
    return _parsed(version.document, policy_type, policy.arn, source)


def _boundary(entity: IamUser | Role) -> list[Policy]:
    if entity.permissions_boundary is None:
        return []
    return [_managed(entity.permissions_boundary, PolicyType.PERMISSIONS_BOUNDARY)]


def _boundary_versions() -> Prefetch:
    return Prefetch(
        "permissions_boundary__versions",
        queryset=PolicyVersion.objects.filter(is_default=True),
        to_attr="default_versions",
    )


def policies_for_user(user: IamUser, resource: Policy | None = None) -> PolicySet:
    """Everything that bears on a user's requests: inline and attached policies, the groups', the boundary,
    and the resource's own policy when it has one.

    A fixed number of queries, however many policies and groups there are.
    """
    managed = ManagedPolicy.objects.select_related("account").prefetch_related(_default_versions())
    user = (
        IamUser.objects.select_related("account", "permissions_boundary__account")
        .prefetch_related(
            "inline_policies",
            Prefetch("managed_policies", queryset=managed),
            "groups__inline_policies",
            Prefetch("groups__managed_policies", queryset=managed),
            _boundary_versions(),
        )
        .get(pk=user.pk)
    )
    identity = [
        _parsed(p.document, PolicyType.IDENTITY, f"{user.name}/{p.name}", "user") for p in user.inline_policies.all()
    ]
    identity += [_managed(p) for p in user.managed_policies.all()]
    for group in user.groups.all():
        identity += [
            _parsed(p.document, PolicyType.IDENTITY, f"{group.name}/{p.name}", "group")
            for p in group.inline_policies.all()
        ]
        identity += [_managed(p) for p in group.managed_policies.all()]
    return PolicySet(identity, resource=resource, permissions_boundary=_boundary(user))


def policies_for_role(role: Role, resource: Policy | None = None) -> PolicySet:
    """What bears on a role session's requests: the role's inline and attached policies and its boundary."""
    managed = ManagedPolicy.objects.select_related("account").prefetch_related(_default_versions())
    role = (
        Role.objects.select_related("account", "permissions_boundary__account")
        .prefetch_related("inline_policies", Prefetch("managed_policies", queryset=managed), _boundary_versions())
        .get(pk=role.pk)
    )
    identity = [
        _parsed(p.document, PolicyType.IDENTITY, f"{role.name}/{p.name}", "role") for p in role.inline_policies.all()
    ]
    identity += [_managed(p) for p in role.managed_policies.all()]
    return PolicySet(identity, resource=resource, permissions_boundary=_boundary(role))


def policies_for(actor: Actor, resource: Policy | None = None) -> PolicySet:
    """The actor's policies, with ``resource`` the resource-based policy of what it asks for, if any."""
    if actor.role is not None:
        return policies_for_role(actor.role, resource)
    if actor.user is not None:
        return policies_for_user(actor.user, resource)
    return PolicySet(resource=resource)


def authorize(
    actor: Actor,
    action: str,
    resource: str,
    policies: PolicySet | None = None,
    context: Mapping[str, str | Iterable[str]] | None = None,
    resource_account: str | None = None,
    source: str | None = None,
) -> LoggedDecision:
    """Decide the actor's request with the engine and keep the decision in the account's decision log.

    ``context`` adds condition keys to (or overrides) the ones AWS fills in from the caller, as the
    access tester's learner types them. ``resource_account`` is the account owning the resource when
    it is not the actor's (cross-account access needs both sides to allow). ``source`` says which
    front door asked when it is not the actor's own (the access tester), for the log.
    """
    request_context = {**actor.context(), **(context or {})}
    owner = resource_account or actor.account.account_id
    request = make_request(actor.principal, action, resource, request_context, owner)
    decision = evaluate(request, policies if policies is not None else policies_for(actor))
    trace = explain.trace(decision)
    record = DecisionRecord.objects.create(
        account=actor.account,
        source=source or actor.via,
        principal_arn=actor.principal.arn,
        action=action,
        resource=resource,
        result=decision.result,
        sentence=trace["sentence"],
        trace=trace,
    )
    return LoggedDecision(**{f.name: getattr(decision, f.name) for f in fields(Decision)}, record_id=record.pk)


def allow(actor: Actor, action: str, resource: str, context: Mapping[str, str | Iterable[str]] | None = None) -> None:
    """:func:`authorize` as an IAM action's first step: AccessDenied, carrying the decision, unless allowed."""
    decision = authorize(actor, action, resource, context=context)
    if not decision.allowed:
        raise errors.AccessDenied(decision)
