"""Who is acting, which policies bear on them, and the engine's decision for each action they attempt.

Every change in a sandbox is an AWS action performed by an acting identity;
this module asks the policy engine whether it is allowed and keeps the
decision in the account's decision log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, Value

from simulator.policy import explain
from simulator.policy.decision import Decision
from simulator.policy.evaluate import evaluate
from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, PrincipalKind, make_request

from . import clock, errors
from .models import (
    AccessKey,
    Account,
    DecisionRecord,
    Group,
    GroupPolicy,
    IamUser,
    PolicyVersion,
    Role,
    RolePolicy,
    TemporaryCredential,
    UserPolicy,
)


@dataclass(frozen=True)
class Actor:
    """The identity a learner is acting as: the account's root user, one of its IAM users, or a session
    of one of its roles (``session_name`` names the session, as RoleSessionName does). ``via`` is the front
    door the learner came through ("console" or "api"), kept with every decision in the log.

    ``credential`` is set when the request is signed with temporary credentials (its session policies,
    session tags, source identity and MFA then take part); ``access_key`` when it is signed with a
    long-term access key. Neither: the learner acting in the console.
    """

    account: Account
    user: IamUser | None = None
    role: Role | None = None
    session_name: str = ""
    via: str = "console"
    credential: TemporaryCredential | None = None
    access_key: AccessKey | None = None

    @classmethod
    def signed_with(cls, credential: TemporaryCredential, via: str) -> Actor:
        """The identity temporary credentials act as."""
        return cls(
            credential.account,
            user=credential.user,
            role=credential.role,
            session_name=credential.session_name,
            via=via,
            credential=credential,
        )

    @classmethod
    def signed_with_key(cls, key: AccessKey, via: str) -> Actor:
        """The identity a long-term access key belongs to (the root user for a root key)."""
        return cls(key.account, user=key.user, via=via, access_key=key)

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

    @property
    def credentials_kind(self) -> str:
        """What the request is signed with, as the decision log records it."""
        if self.credential is not None:
            return DecisionRecord.Credentials.TEMPORARY
        if self.access_key is not None:
            return DecisionRecord.Credentials.LONG_TERM
        return DecisionRecord.Credentials.CONSOLE

    @property
    def access_key_id(self) -> str:
        if self.credential is not None:
            return self.credential.access_key_id
        return self.access_key.access_key_id if self.access_key is not None else ""

    def context(self) -> dict[str, str]:
        """The global condition keys AWS fills in from the caller ("AWS global condition context keys"),
        at the sandbox's time."""
        now = clock.account_now(self.account)
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
        if self.credential is not None:
            context |= _session_context(self.credential, now)
        return context


def _session_context(credential: TemporaryCredential, now: datetime) -> dict[str, str]:
    """The keys temporary credentials add: a session tag overrides the role's tag of the same key
    ("Passing session tags in AWS STS"), MFA and its age, the token's issue time, the source identity."""
    context = {f"aws:PrincipalTag/{tag['Key']}": tag["Value"] for tag in credential.tags}
    context["aws:TokenIssueTime"] = credential.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    context["aws:MultiFactorAuthPresent"] = "true" if credential.mfa_authenticated else "false"
    if credential.mfa_authenticated_at is not None:
        context["aws:MultiFactorAuthAge"] = str(max(0, int((now - credential.mfa_authenticated_at).total_seconds())))
    if credential.source_identity:
        context["aws:SourceIdentity"] = credential.source_identity
    if credential.instance_id is not None:
        context["ec2:SourceInstanceARN"] = credential.instance.arn
    return context


def session_policies(credential: TemporaryCredential | None) -> list[Policy]:
    """The session policies packed into temporary credentials, parsed."""
    if credential is None:
        return []
    return [
        _parsed(policy["Document"], PolicyType.SESSION, policy["Id"], "session")
        for policy in credential.session_policies
    ]


_collecting: ContextVar[list[int] | None] = ContextVar("collecting_decision_ids", default=None)


@contextmanager
def decisions_logged() -> Iterator[list[int]]:
    """The ids of the decision records this request logs inside the block, in order, in whichever account:
    for a page showing every decision one call caused (an AssumeRole's TagSession, a command's credential
    fetch). Another request's decisions at the same moment are not among them."""
    ids: list[int] = []
    token = _collecting.set(ids)
    try:
        yield ids
    finally:
        _collecting.reset(token)


def note_logged(record: DecisionRecord) -> None:
    """Count ``record`` in the :func:`decisions_logged` block being run, if any."""
    collected = _collecting.get()
    if collected is not None:
        collected.append(record.pk)


@dataclass(frozen=True, slots=True)
class LoggedDecision(Decision):
    """A decision as :func:`authorize` returns it: ``record_id`` is its entry in the decision log, so a page
    showing the decision (an AccessDenied in place, say) can link to it; ``trace`` is the explanation kept
    there (:func:`explain.trace`), built once for the log and every page that shows the decision."""

    record_id: int | None = None
    trace: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=4096)
def _parsed(text: str, policy_type: PolicyType, policy_id: str, source_type: str) -> Policy:
    """Stored documents were validated when written; parsing each text once serves every later decision."""
    return parse_policy(text, policy_type, policy_id=policy_id, source_type=source_type)


def _managed_and_boundary(attached: QuerySet, boundary: QuerySet) -> tuple[list[Policy], list[Policy]]:
    """The default versions of the managed policies whose ids ``attached`` selects, and of the permissions
    boundary ``boundary`` selects, parsed, in one query: (identity policies, boundary policies).

    A policy can be both attached and the boundary; it then takes part twice, as AWS evaluates it twice.
    """
    versions = (
        PolicyVersion.objects.filter(Q(policy_id__in=attached) | Q(policy_id__in=boundary), is_default=True)
        .annotate(
            is_attached=ExpressionWrapper(Q(policy_id__in=attached), output_field=BooleanField()),
            is_boundary=ExpressionWrapper(Q(policy_id__in=boundary), output_field=BooleanField()),
        )
        .select_related("policy__account")
        .order_by("policy__name", "policy_id")
    )
    identity: list[Policy] = []
    bounding: list[Policy] = []
    for version in versions:
        policy = version.policy
        source = "aws-managed" if policy.aws_managed else "user-managed"
        if version.is_attached:
            identity.append(_parsed(version.document, PolicyType.IDENTITY, policy.arn, source))
        if version.is_boundary:
            bounding.append(_parsed(version.document, PolicyType.PERMISSIONS_BOUNDARY, policy.arn, source))
    return identity, bounding


def policies_for_user(user: IamUser, resource: Policy | None = None) -> PolicySet:
    """Everything that bears on a user's requests: inline and attached policies, the groups', the boundary,
    and the resource's own policy when it has one.

    Two queries, however many policies and groups there are: this runs before every action a user takes.
    """
    own_inline = UserPolicy.objects.filter(user_id=user.pk).annotate(owner=Value(user.name), kind=Value("user"))
    groups_inline = GroupPolicy.objects.filter(group__members=user.pk)
    group_inline = groups_inline.annotate(owner=F("group__name"), kind=Value("group"))
    columns = ("kind", "owner", "name", "document")
    # A compound query's parts may not be ordered (the models' default ordering would be).
    inline = own_inline.order_by().values_list(*columns).union(group_inline.order_by().values_list(*columns), all=True)
    # The user's own inline policies first, then each group's, as the console lists them.
    identity = [
        _parsed(document, PolicyType.IDENTITY, f"{owner}/{name}", kind)
        for kind, owner, name, document in sorted(inline, key=lambda row: (row[0] != "user", row[1], row[2]))
    ]
    attached = (
        IamUser.managed_policies.through.objects.filter(iamuser_id=user.pk)
        .values("managedpolicy_id")
        .union(Group.managed_policies.through.objects.filter(group__members=user.pk).values("managedpolicy_id"))
    )
    managed, boundary = _managed_and_boundary(
        attached, IamUser.objects.filter(pk=user.pk).values("permissions_boundary_id")
    )
    return PolicySet(identity + managed, resource=resource, permissions_boundary=boundary)


def policies_for_role(role: Role, resource: Policy | None = None) -> PolicySet:
    """What bears on a role session's requests: the role's inline and attached policies and its boundary."""
    identity = [
        _parsed(document, PolicyType.IDENTITY, f"{role.name}/{name}", "role")
        for name, document in RolePolicy.objects.filter(role_id=role.pk).values_list("name", "document")
    ]
    managed, boundary = _managed_and_boundary(
        Role.managed_policies.through.objects.filter(role_id=role.pk).values("managedpolicy_id"),
        Role.objects.filter(pk=role.pk).values("permissions_boundary_id"),
    )
    return PolicySet(identity + managed, resource=resource, permissions_boundary=boundary)


def policies_for(actor: Actor, resource: Policy | None = None) -> PolicySet:
    """The actor's policies, with ``resource`` the resource-based policy of what it asks for, if any,
    and the session policies of the credentials it signs with."""
    if actor.role is not None:
        policies = policies_for_role(actor.role, resource)
    elif actor.user is not None:
        policies = policies_for_user(actor.user, resource)
    else:
        policies = PolicySet(resource=resource)
    session = session_policies(actor.credential)
    if not session:
        return policies
    return PolicySet(
        policies.identity, resource=resource, permissions_boundary=policies.permissions_boundary, session=session
    )


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
    from .sts import enforce_restriction  # sts builds on this module: imported here to avoid a cycle

    enforce_restriction(actor, action, resource, source)
    request_context = {**actor.context(), **(context or {})}
    owner = resource_account or actor.account.account_id
    request = make_request(actor.principal, action, resource, request_context, owner)
    decision = evaluate(request, policies if policies is not None else policies_for(actor))
    return _logged(
        actor.account,
        decision,
        source=source or actor.via,
        credentials=actor.credentials_kind,
        access_key_id=actor.access_key_id,
    )


def authorize_service(
    account: Account, service: str, action: str, resource: str, policies: PolicySet, source: str
) -> LoggedDecision:
    """Decide a request an AWS service makes as itself (``ec2.amazonaws.com`` assuming an instance's role,
    say): only resource-based policies can let a service principal in. Logged in ``account``'s log."""
    principal = Principal(service, PrincipalKind.SERVICE, "")
    now = clock.account_now(account)
    context = {"aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "aws:EpochTime": str(int(now.timestamp()))}
    context |= {"aws:PrincipalServiceName": service, "aws:PrincipalIsAWSService": "true"}
    request = make_request(principal, action, resource, context, account.account_id)
    return _logged(account, evaluate(request, policies), source=source)


def _logged(
    account: Account, decision: Decision, source: str, credentials: str = "", access_key_id: str = ""
) -> LoggedDecision:
    """Keep ``decision`` in the account's decision log, stamped with the sandbox's time."""
    trace = explain.trace(decision)
    record = DecisionRecord.objects.create(
        account=account,
        decided_at=clock.account_now(account),
        source=source,
        credentials=credentials,
        access_key_id=access_key_id,
        principal_arn=decision.request.principal.arn,
        action=decision.request.action,
        resource=decision.request.resource,
        result=decision.result,
        sentence=trace["sentence"],
        trace=trace,
    )
    note_logged(record)
    return LoggedDecision(
        **{f.name: getattr(decision, f.name) for f in fields(Decision)}, record_id=record.pk, trace=trace
    )


def allow(actor: Actor, action: str, resource: str, context: Mapping[str, str | Iterable[str]] | None = None) -> None:
    """:func:`authorize` as an IAM action's first step: AccessDenied, carrying the decision, unless allowed."""
    decision = authorize(actor, action, resource, context=context)
    if not decision.allowed:
        raise errors.AccessDenied(decision)
