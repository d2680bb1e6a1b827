"""Read-side queries for the console pages, each a fixed number of queries however big the account.

They would sit on the sandbox models' querysets; they live here while models.py is being reworked.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from simulator.sandbox.models import Account, Group, IamUser, Sandbox


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
