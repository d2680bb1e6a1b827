"""Read-side queries of the API that the console has no twin of, each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from simulator.sandbox.models import Account, Group, IamUser, ManagedPolicy, PolicyVersion, Role

# ListPolicies' Scope: AWS managed, the account's own (Local), or both.
SCOPES = ("All", "AWS", "Local")


def _count(through: Any, **filters: Any) -> Coalesce:
    """How many rows of ``through`` match, as a subquery: joining every count would multiply rows."""
    key = next(iter(filters))
    rows = through.objects.filter(**filters).order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


def policies_with_counts(account: Account, scope: str = "All") -> QuerySet[ManagedPolicy]:
    """The managed policies ``account`` can attach (ListPolicies), with GetPolicy's default version and counts.

    An AWS managed policy is shared by every account: its counts are of this account's attachments only.
    """
    policy = OuterRef("pk")
    own = Q(account=account)
    chosen = {"All": own | Q(account=None), "AWS": Q(account=None), "Local": own}[scope]
    return (
        ManagedPolicy.objects.filter(chosen)
        .select_related("account")
        .annotate(
            default_version=Subquery(PolicyVersion.objects.filter(policy=policy, is_default=True).values("number")[:1]),
            attachment_count=_count(IamUser.managed_policies.through, managedpolicy=policy, iamuser__account=account)
            + _count(Group.managed_policies.through, managedpolicy=policy, group__account=account)
            + _count(Role.managed_policies.through, managedpolicy=policy, role__account=account),
            boundary_count=_count(IamUser, permissions_boundary=policy, account=account)
            + _count(Role, permissions_boundary=policy, account=account),
        )
        .order_by("name", "id")
    )
