"""A learner's sandboxes: created from a template, reset to it, deleted, given more accounts."""

import pytest

from simulator.sandbox import lifecycle, operations
from simulator.sandbox.authorization import Actor
from simulator.sandbox.authorization_details import export_account
from simulator.sandbox.demo import EC2_TRUST, READ_REPORTS, create_demo_sandbox
from simulator.sandbox.errors import AwsError
from simulator.sandbox.models import (
    Account,
    Bucket,
    BucketObject,
    DecisionRecord,
    IamUser,
    InstanceProfile,
    ManagedPolicy,
    Sandbox,
)
from tests.sandbox.exports import without_ids_and_dates

pytestmark = pytest.mark.django_db


def _resources() -> dict[str, list]:
    """What the export leaves out: buckets with their policies and objects, and every instance profile."""
    return {
        "buckets": list(Bucket.objects.values_list("name", "policy")),
        "objects": list(BucketObject.objects.values_list("bucket__name", "key", "body")),
        "instance profiles": list(InstanceProfile.objects.values_list("name", "role__name")),
    }


def _rich(sandbox: Sandbox) -> Account:
    """Fill the sandbox's first account with what a reset or a delete must clear away, PROTECTed rows included."""
    account = sandbox.accounts.first()
    root = Actor(account)
    operations.create_user(root, "mallory")
    boundary = operations.create_policy(root, "Cap", READ_REPORTS)
    operations.put_user_permissions_boundary(root, "mallory", boundary.arn)
    role = operations.create_role(root, "Runner", EC2_TRUST)
    operations.put_role_permissions_boundary(root, "Runner", boundary.arn)
    InstanceProfile.objects.create(account=account, name="Runner", role=role)
    bucket = Bucket.objects.create(sandbox=sandbox, account=account, name="scratch")
    BucketObject.objects.create(bucket=bucket, key="q1.csv", body="a,b")
    account.alias = "renamed"
    account.save()
    lifecycle.add_account(sandbox, "second")
    return account


class TestCreate:
    def test_an_empty_sandbox_has_one_account_with_nothing_in_it(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "  Scratch  ", Sandbox.Template.EMPTY)
        account = sandbox.accounts.get()
        assert (sandbox.name, sandbox.template) == ("Scratch", "empty")
        assert not account.users.exists() and not account.policies.exists()

    def test_a_demo_sandbox_holds_the_demo_account(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "Demo", Sandbox.Template.DEMO)
        assert sandbox.template == "demo"
        assert sorted(sandbox.accounts.get().users.values_list("name", flat=True)) == ["alice", "bob", "carol"]

    def test_the_seeded_demo_sandbox_remembers_its_template(self, learner):
        assert create_demo_sandbox(learner).template == Sandbox.Template.DEMO

    def test_a_learner_can_have_several(self, learner):
        lifecycle.create_sandbox(learner, "One")
        lifecycle.create_sandbox(learner, "Two", Sandbox.Template.DEMO)
        assert Sandbox.objects.for_user(learner).count() == 2

    @pytest.mark.parametrize(
        ("name", "template", "message"),
        [
            ("", "empty", "Give the sandbox a name."),
            ("   ", "empty", "Give the sandbox a name."),
            ("x" * 101, "empty", "at most 100 characters"),
            ("Fine", "prod", "Unknown template 'prod'"),
        ],
    )
    def test_it_refuses_a_bad_name_or_template(self, learner, name, template, message):
        with pytest.raises(AwsError, match=message) as refused:
            lifecycle.create_sandbox(learner, name, template)
        assert refused.value.code == "ValidationError"
        assert not Sandbox.objects.exists()

    def test_names_are_unique_per_learner_regardless_of_case(self, learner, other_learner):
        lifecycle.create_sandbox(learner, "Playground")
        with pytest.raises(AwsError) as refused:
            lifecycle.create_sandbox(learner, "playground")
        assert refused.value.code == "EntityAlreadyExists"
        lifecycle.create_sandbox(other_learner, "Playground")

    def test_a_learner_has_at_most_ten(self, learner):
        for number in range(lifecycle.SANDBOXES_PER_LEARNER):
            Sandbox.objects.create(owner=learner, name=f"S{number}")
        with pytest.raises(AwsError) as refused:
            lifecycle.create_sandbox(learner, "One too many")
        assert refused.value.code == "LimitExceeded"


class TestReset:
    @pytest.mark.parametrize("template", [Sandbox.Template.EMPTY, Sandbox.Template.DEMO])
    def test_it_rebuilds_exactly_the_template(self, learner, template):
        sandbox = lifecycle.create_sandbox(learner, "Mine", template)
        fresh = export_account(sandbox.accounts.get())
        fresh_decisions = DecisionRecord.objects.count()
        fresh_resources = _resources()
        first = _rich(sandbox)

        lifecycle.reset_sandbox(sandbox)

        account = sandbox.accounts.get()
        assert account.account_id == first.account_id
        assert account.alias == ""
        assert without_ids_and_dates(export_account(account)) == without_ids_and_dates(fresh)
        assert DecisionRecord.objects.filter(account=account).count() == fresh_decisions
        assert _resources() == fresh_resources
        assert Sandbox.objects.get() == sandbox

    def test_only_the_chosen_sandbox_is_reset(self, learner, other_learner):
        mine = lifecycle.create_sandbox(learner, "Mine")
        theirs = lifecycle.create_sandbox(other_learner, "Theirs", Sandbox.Template.DEMO)
        operations.create_user(Actor(theirs.accounts.get()), "dave")
        lifecycle.reset_sandbox(mine)
        assert theirs.accounts.get().users.filter(name="dave").exists()

    def test_a_failing_rebuild_changes_nothing(self, learner, monkeypatch):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        _rich(sandbox)

        def broken(account):
            raise RuntimeError("template broke")

        monkeypatch.setitem(lifecycle.TEMPLATES, Sandbox.Template.EMPTY, broken)
        with pytest.raises(RuntimeError):
            lifecycle.reset_sandbox(sandbox)
        assert sandbox.accounts.count() == 2
        assert IamUser.objects.filter(name="mallory").exists()
        assert Bucket.objects.filter(name="scratch").exists()


class TestDelete:
    def test_it_needs_the_name_typed_exactly(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        with pytest.raises(AwsError, match="type its name") as refused:
            lifecycle.delete_sandbox(sandbox, "mine")
        assert refused.value.code == "ValidationError"
        assert Sandbox.objects.filter(pk=sandbox.pk).exists()

    def test_it_deletes_the_sandbox_and_everything_in_it(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "Mine", Sandbox.Template.DEMO)
        _rich(sandbox)
        lifecycle.delete_sandbox(sandbox, "Mine")
        assert not Sandbox.objects.exists()
        assert not Account.objects.exists()
        assert not IamUser.objects.exists()
        assert not ManagedPolicy.objects.filter(account__isnull=False).exists()
        assert not Bucket.objects.exists()


class TestAddAccount:
    """AWS IAM API Reference, "CreateAccountAlias": 3 to 63 lowercase letters, digits and single hyphens."""

    @pytest.mark.parametrize("alias", ["abc", "my-test-1", "a" * 63, "0-0"])
    def test_a_valid_alias_makes_a_new_account(self, learner, alias):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        account = lifecycle.add_account(sandbox, alias)
        assert (account.sandbox, account.alias) == (sandbox, alias)
        assert len(account.account_id) == 12
        assert sandbox.accounts.count() == 2

    @pytest.mark.parametrize("alias", ["", "ab", "a" * 64, "-abc", "abc-", "a--b", "Abc", "a_b", "a b", "abc\n"])
    def test_an_invalid_alias_is_a_validation_error(self, learner, alias):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        with pytest.raises(AwsError, match="accountAlias") as refused:
            lifecycle.add_account(sandbox, alias)
        assert refused.value.code == "ValidationError"
        assert sandbox.accounts.count() == 1

    def test_an_alias_is_unique_in_the_sandbox(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        lifecycle.add_account(sandbox, "prod")
        with pytest.raises(AwsError) as refused:
            lifecycle.add_account(sandbox, "prod")
        assert refused.value.code == "EntityAlreadyExists"

    def test_a_sandbox_holds_at_most_five_accounts(self, learner):
        sandbox = lifecycle.create_sandbox(learner, "Mine")
        for number in range(lifecycle.ACCOUNTS_PER_SANDBOX - 1):
            lifecycle.add_account(sandbox, f"account-{number}")
        with pytest.raises(AwsError) as refused:
            lifecycle.add_account(sandbox, "one-too-many")
        assert refused.value.code == "LimitExceeded"
        assert sandbox.accounts.count() == lifecycle.ACCOUNTS_PER_SANDBOX
