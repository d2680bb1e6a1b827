"""Every list answers in the same number of queries for 10 rows as for 300 (all on one page)."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simulator.sandbox import identifiers
from simulator.sandbox.models import (
    Account,
    Bucket,
    BucketObject,
    DecisionRecord,
    Group,
    IamUser,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    Role,
    Sandbox,
)

from .conftest import EC2_TRUST, READ_REPORTS

pytestmark = pytest.mark.django_db


def _users(account: Account, start: int, stop: int) -> list[IamUser]:
    return IamUser.objects.bulk_create(
        IamUser(account=account, name=f"user{n}", unique_id=identifiers.new_unique_id(identifiers.USER_PREFIX))
        for n in range(start, stop)
    )


def _groups(account: Account, start: int, stop: int) -> None:
    Group.objects.bulk_create(
        Group(account=account, name=f"group{n}", unique_id=identifiers.new_unique_id(identifiers.GROUP_PREFIX))
        for n in range(start, stop)
    )


def _roles(account: Account, start: int, stop: int) -> list[Role]:
    return Role.objects.bulk_create(
        Role(
            account=account,
            name=f"role{n}",
            trust_policy=EC2_TRUST,
            unique_id=identifiers.new_unique_id(identifiers.ROLE_PREFIX),
        )
        for n in range(start, stop)
    )


def _policies(account: Account, start: int, stop: int) -> None:
    policies = ManagedPolicy.objects.bulk_create(
        ManagedPolicy(
            account=account, name=f"policy{n}", unique_id=identifiers.new_unique_id(identifiers.POLICY_PREFIX)
        )
        for n in range(start, stop)
    )
    PolicyVersion.objects.bulk_create(
        PolicyVersion(policy=p, number=1, document=READ_REPORTS, is_default=True) for p in policies
    )
    user = IamUser.objects.filter(account=account).first() or _users(account, 1000, 1001)[0]
    user.managed_policies.add(*policies[:10])


def _instance_profiles(account: Account, start: int, stop: int) -> None:
    roles = _roles(account, start, stop)
    InstanceProfile.objects.bulk_create(
        InstanceProfile(
            account=account,
            name=f"profile{n}",
            role=role,
            unique_id=identifiers.new_unique_id(identifiers.INSTANCE_PROFILE_PREFIX),
        )
        for n, role in zip(range(start, stop), roles, strict=True)
    )


def _buckets(account: Account, start: int, stop: int) -> None:
    Bucket.objects.bulk_create(
        Bucket(sandbox_id=account.sandbox_id, account=account, name=f"bucket-{n}") for n in range(start, stop)
    )


def _objects(account: Account, start: int, stop: int) -> None:
    bucket = Bucket.objects.get_or_create(sandbox_id=account.sandbox_id, account=account, name="reports")[0]
    BucketObject.objects.bulk_create(BucketObject(bucket=bucket, key=f"key{n}", body="x") for n in range(start, stop))


def _decisions(account: Account, start: int, stop: int) -> None:
    DecisionRecord.objects.bulk_create(
        DecisionRecord(
            account=account,
            principal_arn=account.root_arn,
            action="iam:CreateUser",
            resource=f"arn:aws:iam::{account.account_id}:user/u{n}",
            result="allowed",
            sentence="allowed",
            trace={},
        )
        for n in range(start, stop)
    )


def _group_members(account: Account, start: int, stop: int) -> None:
    group = Group.objects.get_or_create(account=account, name="everyone", defaults={"unique_id": "AGPAEVERYONE"})[0]
    group.members.add(*_users(account, start, stop))


def _policy_users(account: Account, start: int, stop: int) -> None:
    policy = ManagedPolicy.objects.get(account=None, name="ReadOnlyAccess")
    policy.users.add(*_users(account, start, stop))


LISTS: list[tuple[str, Callable[[Account, int, int], None]]] = [
    ("users/", _users),
    ("groups/", _groups),
    ("roles/", _roles),
    ("policies/", _policies),
    ("policies/?Scope=Local", _policies),
    ("instance-profiles/", _instance_profiles),
    ("buckets/", _buckets),
    ("buckets/reports/objects/", _objects),
    ("decisions/", _decisions),
    ("decisions/?EvalDecision=allowed&Action=user", _decisions),
    ("groups/everyone/members/", _group_members),
    ("aws-managed-policies/ReadOnlyAccess/entities/", _policy_users),
]


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(("path", "make"), LISTS)
def test_a_list_costs_the_same_for_10_as_for_300(api, url, account, path, make):
    make(account, 0, 10)
    page = url + path + ("&" if "?" in path else "?") + "limit=1000"
    with_10 = _queries(api, page)
    make(account, 10, 300)
    assert _queries(api, page) == with_10


def test_the_sandboxes_list_costs_the_same_for_1_as_for_10(api, learner):
    """A learner has at most 10 sandboxes."""
    Sandbox.objects.create_with_account(learner, name="first")
    with_1 = _queries(api, "/api/sandboxes/")
    for n in range(9):
        Sandbox.objects.create_with_account(learner, name=f"more{n}")
    assert _queries(api, "/api/sandboxes/") == with_1
