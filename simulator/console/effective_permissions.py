"""Where an IAM user's or a role's permissions come from, and what they add up to, service by service.

The sandbox's counterpart of the IAM console's Permissions tab and its policy summaries ("Policy summary
(list of services)" and "Understanding access level summaries within policy summaries" in the IAM User
Guide): every policy that grants permissions (attached directly, inline, through each group) and the
permissions boundary that caps them. Nothing is decided here: the summary reads the statements, and the
access tester, linked from each service, asks the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from simulator.console.access_tester import TESTER_SESSION_NAME
from simulator.console.views import get_sandbox_and_actor
from simulator.policy import catalog
from simulator.policy.model import Policy, PolicyType, Statement
from simulator.policy.parse import parse_policy
from simulator.policy.wildcards import has_wildcard, pattern_regex
from simulator.sandbox.authorization import Actor
from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, PolicyVersion, Role

ALL_SERVICES = "*"
# The IAM console's access levels, in its order.
ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
TEST_ACTIONS = 5


@dataclass(frozen=True)
class Source:
    """One policy the principal's permissions come from; ``managed_id`` links a managed policy to its page."""

    name: str
    kind: str
    policy: Policy
    managed_id: int | None = None


@dataclass(frozen=True)
class GroupSources:
    group: Group
    sources: list[Source]


@dataclass(frozen=True)
class Grant:
    """What one statement allows or denies in one service, in the words it was written with."""

    effect: str
    actions: tuple[str, ...]
    every_action_but: bool
    resources: tuple[str, ...]
    conditional: bool
    policy_name: str
    not_resource: bool = False

    @property
    def narrowed_to(self) -> tuple[str, ...]:
        """The resources, unless the statement reaches every resource (``"Resource": "*"``)."""
        return () if self.resources == ("*",) and not self.not_resource else self.resources


@dataclass
class ServiceSummary:
    service: str
    title: str
    allows: list[Grant] = field(default_factory=list)
    denies: list[Grant] = field(default_factory=list)
    access: str = ""
    outside_boundary: bool = False
    test_url: str = ""


def _with_default_version(lookup: str) -> Prefetch:
    default = Prefetch("versions", queryset=PolicyVersion.objects.filter(is_default=True), to_attr="default_versions")
    managed = ManagedPolicy.objects.select_related("account").prefetch_related(default)
    return Prefetch(lookup, queryset=managed)


def _boundary_version() -> Prefetch:
    default = PolicyVersion.objects.filter(is_default=True)
    return Prefetch("permissions_boundary__versions", queryset=default, to_attr="default_versions")


def _users(account: Account) -> QuerySet[IamUser]:
    """A user and everything its permissions come from, in a fixed number of queries."""
    return account.users.select_related("account", "permissions_boundary__account").prefetch_related(
        "inline_policies",
        _with_default_version("managed_policies"),
        Prefetch("groups", queryset=Group.objects.order_by("name")),
        "groups__inline_policies",
        _with_default_version("groups__managed_policies"),
        _boundary_version(),
    )


def _roles(account: Account) -> QuerySet[Role]:
    return account.roles.select_related("account", "permissions_boundary__account").prefetch_related(
        "inline_policies", _with_default_version("managed_policies"), _boundary_version()
    )


def _managed(policy: ManagedPolicy, policy_type: PolicyType = PolicyType.IDENTITY) -> Source:
    (version,) = policy.default_versions
    kind = "AWS managed" if policy.aws_managed else "Customer managed"
    return Source(policy.name, kind, parse_policy(version.document, policy_type, policy_id=policy.arn), policy.pk)


def _inline(owner: str, name: str, document: str) -> Source:
    return Source(name, "Inline", parse_policy(document, PolicyType.IDENTITY, policy_id=f"{owner}/{name}"))


def _direct(entity: IamUser | Role) -> list[Source]:
    managed = [_managed(p) for p in entity.managed_policies.all()]
    return managed + [_inline(entity.name, p.name, p.document) for p in entity.inline_policies.all()]


def _groups(user: IamUser) -> list[GroupSources]:
    return [
        GroupSources(
            group,
            [_managed(p) for p in group.managed_policies.all()]
            + [_inline(group.name, p.name, p.document) for p in group.inline_policies.all()],
        )
        for group in user.groups.all()
    ]


def _service_of(pattern: str) -> str:
    prefix, colon, _ = pattern.partition(":")
    return prefix.lower() if colon and not has_wildcard(prefix) else ALL_SERVICES


def _grants(statement: Statement, policy_name: str) -> Iterable[tuple[str, Grant]]:
    """The statement's actions split by service; a NotAction statement reaches every service."""
    common = {
        "resources": statement.resources or statement.not_resources or (),
        "not_resource": statement.not_resources is not None,
        "conditional": bool(statement.conditions),
        "policy_name": policy_name,
    }
    if statement.not_actions is not None:
        yield ALL_SERVICES, Grant(statement.effect, statement.not_actions, True, **common)
        return
    by_service: dict[str, list[str]] = {}
    for pattern in statement.actions or ():
        by_service.setdefault(_service_of(pattern), []).append(pattern)
    for service, patterns in by_service.items():
        yield service, Grant(statement.effect, tuple(patterns), False, **common)


def _access(service: str, allows: list[Grant]) -> str:
    """The IAM console's access level summary: full access, or limited to some access levels."""
    if not allows:
        return "None"
    patterns = [p for grant in allows if not grant.every_action_but for p in grant.actions]
    if any(p == "*" or p.lower() == f"{service}:*" for p in patterns):
        return "Full access"
    if service == ALL_SERVICES:
        return "Limited: some actions of every service"
    levels = {action.access_level for p in patterns for action in catalog.actions_matching(p)}
    named = [level for level in ACCESS_LEVELS if level in levels]
    return f"Limited: {', '.join(named)}" if named else "Limited: actions AWS does not define"


def _boundary_reaches(boundary: list[Policy], service: str) -> bool:
    """Whether any Allow statement of the boundary names an action of ``service`` (or of every service)."""
    for statement in (s for policy in boundary for s in policy.statements if s.effect == "Allow"):
        if statement.not_actions is not None or service == ALL_SERVICES:
            return True
        for pattern in statement.actions or ():
            prefix = pattern.partition(":")[0]
            if pattern == "*" or pattern_regex(prefix, ignore_case=True).fullmatch(service):
                return True
    return False


def _test_actions(grants: list[Grant]) -> list[str]:
    """A few concrete actions to try in the access tester: those named, or the catalog's for a wildcard."""
    names: list[str] = []
    for pattern in (p for grant in grants if not grant.every_action_but for p in grant.actions):
        names += [a.full_name for a in catalog.actions_matching(pattern)] if has_wildcard(pattern) else [pattern]
    return list(dict.fromkeys(names))[:TEST_ACTIONS]


def service_summaries(sources: list[Source], boundary: list[Policy]) -> list[ServiceSummary]:
    """Per service, what the policies allow and deny; a service the boundary never allows is marked as capped."""
    summaries: dict[str, ServiceSummary] = {}
    for source in sources:
        for statement in source.policy.statements:
            for service, grant in _grants(statement, source.name):
                found = catalog.service(service) if service != ALL_SERVICES else None
                title = found.name if found else ("All services" if service == ALL_SERVICES else service)
                summary = summaries.setdefault(service, ServiceSummary(service, title))
                (summary.allows if grant.effect == "Allow" else summary.denies).append(grant)
    for summary in summaries.values():
        summary.access = _access(summary.service, summary.allows)
        summary.outside_boundary = bool(boundary) and not _boundary_reaches(boundary, summary.service)
    return sorted(summaries.values(), key=lambda s: (s.service != ALL_SERVICES, s.title.lower()))


def tester_url(sandbox_id: int, principal_arn: str, actions: list[str]) -> str:
    """The access tester with the principal (and actions, when given) filled in."""
    query = {"principal": principal_arn} | ({"actions": ", ".join(actions)} if actions else {})
    return f"{reverse('console:access_tester', args=[sandbox_id])}?{urlencode(query)}"


@login_required
@require_safe
def effective_permissions(request: HttpRequest, sandbox_id: int, kind: str, entity_id: int) -> HttpResponse:
    sandbox, actor = get_sandbox_and_actor(request, sandbox_id)
    account = actor.account
    if kind == "user":
        entity = get_object_or_404(_users(account), pk=entity_id)
        principal_arn, groups = entity.arn, _groups(entity)
    elif kind == "role":
        entity = get_object_or_404(_roles(account), pk=entity_id)
        principal_arn = Actor(account, role=entity, session_name=TESTER_SESSION_NAME).session_arn
        groups = []
    else:
        raise Http404("Effective permissions are shown for users and roles.")
    direct = _direct(entity)
    boundary = (
        _managed(entity.permissions_boundary, PolicyType.PERMISSIONS_BOUNDARY) if entity.permissions_boundary else None
    )
    summaries = service_summaries(
        direct + [s for g in groups for s in g.sources], [boundary.policy] if boundary else []
    )
    for summary in summaries:
        summary.test_url = tester_url(sandbox.id, principal_arn, _test_actions(summary.allows + summary.denies))
    context = {
        "sandbox": sandbox,
        "account": account,
        "kind": kind,
        "entity": entity,
        "direct": direct,
        "groups": groups,
        "boundary": boundary,
        "summaries": summaries,
        "tester_url": tester_url(sandbox.id, principal_arn, []),
    }
    return render(request, "console/effective_permissions.html", context)
