"""Read-side queries for the console pages, each a fixed number of queries however big the account.

They read like queryset methods and could move onto the sandbox models' querysets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, PolicyVersion, Role, Sandbox


def sandboxes_with_accounts(user) -> QuerySet[Sandbox]:
    return Sandbox.objects.for_user(user).prefetch_related("accounts")


def first_account(sandbox: Sandbox) -> Account:
    """The account the console works in; every sandbox is created with one."""
    account = sandbox.accounts.first()
    if account is None:
        raise Http404("This sandbox has no account.")
    return account


def users_with_groups(account: Account) -> QuerySet[IamUser]:
    return account.users.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


def groups_with_member_counts(account: Account) -> QuerySet[Group]:
    return account.groups.annotate(member_count=Count("members"))


def _count(through: Any, **outer: OuterRef) -> Coalesce:
    """How many rows of ``through`` point at the outer row, as a subquery: joining every count would multiply rows."""
    rows = through.objects.filter(**outer).order_by().values(*outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


def policies_with_counts(account: Account) -> QuerySet[ManagedPolicy]:
    """The account's customer managed policies with default version and counts, in one query."""
    policy = OuterRef("pk")
    return account.policies.annotate(
        default_version=Subquery(PolicyVersion.objects.filter(policy=policy, is_default=True).values("number")[:1]),
        version_count=_count(PolicyVersion, policy=policy),
        attachment_count=_count(IamUser.managed_policies.through, managedpolicy=policy)
        + _count(Group.managed_policies.through, managedpolicy=policy)
        + _count(Role.managed_policies.through, managedpolicy=policy),
    ).select_related("account")
