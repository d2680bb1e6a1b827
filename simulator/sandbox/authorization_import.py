"""Load a GetAccountAuthorizationDetails dump into an account, all of it or nothing.

Importing is the learner restoring a dump into their own sandbox, like loading a backup, not an
IAM action performed by an identity inside the account: the policy engine is not asked, and the
decision log is left alone. The account must hold no IAM entities, unless the learner confirmed
that its users, groups, roles, instance profiles and customer managed policies are replaced (its
buckets, root user and decision log stay).

The whole dump is checked first (:mod:`.import_plan`); then everything is written in one
transaction. Ids are kept when well formed and still free: importing an account's dump back into
it keeps them, while a copy beside the original gets new ones (ids are unique across AWS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from . import identifiers
from .import_plan import IdentityPlan, Plan, PolicyPlan, PolicyRef, read_plan
from .import_reader import InvalidDump, Problem
from .models import (
    Account,
    Group,
    GroupPolicy,
    IamUser,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    Role,
    RolePolicy,
    UserPolicy,
)

MAX_DUMP_BYTES = 5 * 1024 * 1024

__all__ = ["MAX_DUMP_BYTES", "ImportSummary", "InvalidDump", "Problem", "import_account", "parse_dump"]


def _in_words(counts: tuple[tuple[int, str, str], ...], skip_none: bool = False) -> str:
    """("2 users, 1 group"...) from (count, singular, plural) triples."""
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n or not skip_none)


@dataclass(frozen=True)
class ImportSummary:
    users: int
    groups: int
    roles: int
    policies: int
    instance_profiles: int

    def __str__(self) -> str:
        return _in_words(
            (
                (self.users, "user", "users"),
                (self.groups, "group", "groups"),
                (self.roles, "role", "roles"),
                (self.policies, "customer managed policy", "customer managed policies"),
                (self.instance_profiles, "instance profile", "instance profiles"),
            )
        )


def parse_dump(raw: bytes) -> Any:
    """The JSON in an uploaded file, or InvalidDump saying why there is none."""
    if len(raw) > MAX_DUMP_BYTES:
        megabytes = MAX_DUMP_BYTES // (1024 * 1024)
        raise InvalidDump([Problem("$", "LimitExceeded", f"The file is larger than {megabytes} MB.")])
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidDump([Problem("$", "ValidationError", "The file is not UTF-8 text.")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InvalidDump([Problem("$", "ValidationError", f"The file is not JSON: {error.msg} ({where}).")]) from None


def _library() -> dict[tuple[str, str], ManagedPolicy]:
    return {(p.path, p.name.lower()): p for p in ManagedPolicy.objects.filter(account__isnull=True)}


def _iam_contents(account: Account) -> str:
    """What IAM entities the account holds, in words; empty when it holds none."""
    return _in_words(
        (
            (account.users.count(), "user", "users"),
            (account.groups.count(), "group", "groups"),
            (account.roles.count(), "role", "roles"),
            (account.policies.count(), "customer managed policy", "customer managed policies"),
            (account.instance_profiles.count(), "instance profile", "instance profiles"),
        ),
        skip_none=True,
    )


def _clear(account: Account) -> None:
    """Delete the account's IAM entities; what PROTECTs (instance profiles' roles, boundaries) goes first.

    EC2 instances are not IAM entities and stay, without the instance profiles they were associated with.
    """
    account.instances.update(instance_profile=None, association_id="")
    account.instance_profiles.all().delete()
    account.users.all().delete()
    account.roles.all().delete()
    account.groups.all().delete()
    account.policies.all().delete()


class _Ids:
    """Unique ids for new rows: the dump's own where no row of that kind has it yet."""

    def __init__(self, model: type, wanted: list[str]) -> None:
        self.taken = set(model.objects.filter(unique_id__in=wanted).values_list("unique_id", flat=True))

    def __call__(self, wanted: str) -> str:
        # Every planned id is well formed, so its first four letters are its kind's prefix (AIDA, AGPA...).
        chosen = wanted if wanted not in self.taken else identifiers.new_unique_id(wanted[:4])
        self.taken.add(chosen)
        return chosen


def _write_policies(account: Account, plans: list[PolicyPlan]) -> dict[tuple[str, str], ManagedPolicy]:
    ids = _Ids(ManagedPolicy, [plan.unique_id for plan in plans])
    policies = {
        plan.key: ManagedPolicy(
            account=account, name=plan.name, path=plan.path, description=plan.description, unique_id=ids(plan.unique_id)
        )
        for plan in plans
    }
    ManagedPolicy.objects.bulk_create(policies.values())
    PolicyVersion.objects.bulk_create(
        PolicyVersion(policy=policies[plan.key], number=v.number, document=v.document, is_default=v.is_default)
        for plan in plans
        for v in plan.versions
    )
    return policies


def _write_identities(
    account: Account,
    model: type[IamUser] | type[Group] | type[Role],
    plans: list[IdentityPlan],
    policies: dict[tuple[str, str], ManagedPolicy],
) -> dict[str, Any]:
    """Create users, groups or roles with their inline policies, attachments and boundaries; by lowercased name."""

    def policy(ref: PolicyRef) -> ManagedPolicy:
        return ref if isinstance(ref, ManagedPolicy) else policies[ref]

    ids = _Ids(model, [plan.unique_id for plan in plans])
    entities = {}
    for plan in plans:
        fields: dict[str, Any] = {"account": account, "name": plan.name, "path": plan.path}
        if model is not Group:
            boundary = policy(plan.boundary) if plan.boundary is not None else None
            fields |= {"tags": plan.tags, "permissions_boundary": boundary}
        if model is Role:
            fields |= {"trust_policy": plan.trust_policy, "service_linked": plan.service_linked}
        entities[plan.name.lower()] = model(unique_id=ids(plan.unique_id), **fields)
    model.objects.bulk_create(entities.values())

    owner = model.arn_kind
    inline_model = {IamUser: UserPolicy, Group: GroupPolicy, Role: RolePolicy}[model]
    inline_model.objects.bulk_create(
        inline_model(name=inline.name, document=inline.document, **{owner: entities[plan.name.lower()]})
        for plan in plans
        for inline in plan.inline
    )
    through = model.managed_policies.through
    through.objects.bulk_create(
        through(**{model._meta.model_name: entities[plan.name.lower()], "managedpolicy": policy(ref)})
        for plan in plans
        for ref in plan.attached
    )
    return entities


def _write(account: Account, plan: Plan) -> None:
    policies = _write_policies(account, plan.policies)
    groups = _write_identities(account, Group, plan.groups, policies)
    users = _write_identities(account, IamUser, plan.users, policies)
    Group.members.through.objects.bulk_create(
        Group.members.through(group=groups[group_name], iamuser=users[user.name.lower()])
        for user in plan.users
        for group_name in user.group_names
    )
    roles = _write_identities(account, Role, plan.roles, policies)
    profiles = [(role, profile) for role in plan.roles for profile in role.instance_profiles]
    ids = _Ids(InstanceProfile, [profile.unique_id for _, profile in profiles])
    InstanceProfile.objects.bulk_create(
        InstanceProfile(
            account=account,
            name=profile.name,
            path=profile.path,
            unique_id=ids(profile.unique_id),
            role=roles[role.name.lower()],
        )
        for role, profile in profiles
    )


def import_account(account: Account, data: Any, replace: bool = False) -> ImportSummary:
    """Create everything the dump holds in ``account``, or raise InvalidDump and write nothing.

    ``replace`` is the learner's confirmation that the account's IAM entities may be replaced.
    """
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        plan = read_plan(data, _library())
        holds = _iam_contents(account)
        if holds and not replace:
            message = f"Account {account.account_id} already holds {holds}: confirm that the import replaces them."
            raise InvalidDump([Problem("$", "EntityAlreadyExists", message)])
        _clear(account)
        _write(account, plan)
    return ImportSummary(
        users=len(plan.users),
        groups=len(plan.groups),
        roles=len(plan.roles),
        policies=len(plan.policies),
        instance_profiles=sum(len(role.instance_profiles) for role in plan.roles),
    )
