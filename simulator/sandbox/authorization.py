"""Who is acting, which policies bear on them, and the engine's decision for each action they attempt.

Every change in a sandbox is an AWS action performed by an acting identity;
this module asks the policy engine whether it is allowed and keeps the
decision in the account's decision log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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

from .models import Account, DecisionRecord, IamUser, ManagedPolicy, PolicyVersion


@dataclass(frozen=True)
class Actor:
    """The identity a learner is acting as: the account's root user, or one of its IAM users."""

    account: Account
    user: IamUser | None = None

    @property
    def principal(self) -> Principal:
        if self.user is None:
            return Principal(self.account.root_arn, PrincipalKind.ROOT, self.account.account_id)
        return Principal(self.user.arn, PrincipalKind.USER, self.account.account_id)

    def context(self) -> dict[str, str]:
        """The global condition keys AWS fills in from the caller ("AWS global condition context keys")."""
        context = {
            "aws:PrincipalArn": self.principal.arn,
            "aws:PrincipalAccount": self.account.account_id,
            "aws:PrincipalType": "Account" if self.user is None else "User",
            "aws:CurrentTime": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(timezone.now().timestamp())),
            "aws:SecureTransport": "true",
        }
        if self.user is not None:
            context["aws:username"] = self.user.name
            context["aws:userid"] = self.user.unique_id
        return context


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


def policies_for_user(user: IamUser) -> PolicySet:
    """Everything that bears on a user's requests: inline and attached policies, the groups', the boundary.

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
            Prefetch(
                "permissions_boundary__versions",
                queryset=PolicyVersion.objects.filter(is_default=True),
                to_attr="default_versions",
            ),
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
    boundary = (
        [_managed(user.permissions_boundary, PolicyType.PERMISSIONS_BOUNDARY)] if user.permissions_boundary else []
    )
    return PolicySet(identity, permissions_boundary=boundary)


def policies_for(actor: Actor) -> PolicySet:
    return PolicySet() if actor.user is None else policies_for_user(actor.user)


def authorize(
    actor: Actor,
    action: str,
    resource: str,
    policies: PolicySet | None = None,
    context: Mapping[str, str | Iterable[str]] | None = None,
) -> Decision:
    """Decide the actor's request with the engine and keep the decision in the account's decision log.

    ``context`` adds condition keys to (or overrides) the ones AWS fills in from the caller, as the
    access tester's learner types them.
    """
    request_context = {**actor.context(), **(context or {})}
    request = make_request(actor.principal, action, resource, request_context, actor.account.account_id)
    decision = evaluate(request, policies if policies is not None else policies_for(actor))
    trace = explain.trace(decision)
    DecisionRecord.objects.create(
        account=actor.account,
        principal_arn=actor.principal.arn,
        action=action,
        resource=resource,
        result=decision.result,
        sentence=trace["sentence"],
        trace=trace,
    )
    return decision
