"""The scenarios built in a learner's sandbox, and the root user's place in policy evaluation.

Cross-account: IAM User Guide, "Cross-account policy evaluation logic" (both sides must allow), "Cross account
resource access in IAM" (formerly "How IAM roles differ from resource-based policies": a principal that
assumes a role gives up its original permissions), "Permissions for AssumeRole, AssumeRoleWithSAML, and
AssumeRoleWithWebIdentity" and "How to use an external ID when granting access to your AWS resources to a
third party". Root: "AWS account root user", "Tasks that require root user credentials", and the S3 API
Reference's DeleteBucketPolicy (the owner's root user is never locked out of the bucket policy).
"""

from __future__ import annotations

import json

import pytest

from simulator.policy.decision import Stage
from simulator.sandbox import buckets, credentials, lifecycle, operations, scenarios
from simulator.sandbox.authorization import Actor, policies_for
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import Account, Bucket, DecisionRecord, IamUser, Role, Sandbox, UserPolicy

pytestmark = pytest.mark.django_db


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def cast(sandbox: Sandbox) -> scenarios.CrossAccount:
    return scenarios.set_up_cross_account(sandbox)


def records(outcome: scenarios.Outcome) -> list[DecisionRecord]:
    return list(DecisionRecord.objects.filter(pk__in=outcome.decision_ids).order_by("pk").select_related("account"))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Account, Bucket, IamUser, Role, UserPolicy)}


class TestCrossAccountSetup:
    def test_it_builds_both_accounts_as_each_root_user(self, sandbox, cast) -> None:
        first, second = sandbox.accounts.all()
        assert (cast.trusting, cast.trusted) == (first, second)
        assert cast.bucket.account == first and cast.bucket.name == f"shared-reports-{first.account_id}"
        assert cast.bucket.objects_stored.get().key == scenarios.REPORT_KEY
        assert cast.partner.account == second and cast.role.account == first
        assert cast.role.inline_policies.get().name == scenarios.ROLE_POLICY
        logged = DecisionRecord.objects.filter(account__sandbox=sandbox)
        assert {"s3:CreateBucket", "s3:PutBucketPolicy", "iam:CreateUser", "iam:CreateRole"} <= set(
            logged.values_list("action", flat=True)
        )
        assert set(logged.values_list("principal_arn", flat=True)) == {first.root_arn, second.root_arn}

    def test_it_starts_with_every_side_allowing(self, cast) -> None:
        assert scenarios.toggles(cast) == scenarios.Toggles(True, True, True, "", True)

    def test_running_it_again_reuses_everything_and_keeps_the_toggles(self, sandbox, cast) -> None:
        scenarios.set_resource_side(cast, bucket_allows_partner_account=False, partner_may_get_object=True)
        before = counts()
        again = scenarios.set_up_cross_account(sandbox)
        assert counts() == before
        assert (again.bucket, again.partner, again.role) == (cast.bucket, cast.partner, cast.role)
        assert scenarios.toggles(again).bucket_allows_partner_account is False

    def test_it_uses_the_second_account_when_there_is_one(self, sandbox) -> None:
        second = lifecycle.add_account(sandbox, "partners")
        assert scenarios.set_up_cross_account(sandbox).trusted == second
        assert sandbox.accounts.count() == 2

    def test_it_builds_again_what_was_deleted(self, sandbox, cast) -> None:
        partner_root = Actor(cast.trusted)
        operations.delete_user_policy(partner_root, "partner", scenarios.PARTNER_POLICY)
        operations.delete_user(partner_root, "partner")
        assert scenarios.cross_account(sandbox) is None
        assert scenarios.set_up_cross_account(sandbox).partner.name == "partner"

    def test_it_writes_nothing_when_a_step_fails(self, sandbox) -> None:
        """The bucket name taken by account B: BucketAlreadyExists, and nothing of the setup remains."""
        trusted = lifecycle.add_account(sandbox, "partners")
        trusting = sandbox.accounts.first()
        buckets.create_bucket(Actor(trusted), scenarios.reports_bucket_name(trusting))
        before = counts()
        with pytest.raises(AwsError) as raised:
            scenarios.set_up_cross_account(sandbox)
        assert raised.value.code == "BucketAlreadyExists"
        assert counts() == before


class TestAccessToTheResource:
    """partner reads A's object as itself: the bucket policy and partner's identity policy must both allow."""

    @pytest.mark.parametrize(
        ("bucket_allows", "partner_allows", "result", "stage"),
        [
            (True, True, "allowed", Stage.IDENTITY_BASED),
            (True, False, "implicitDeny", Stage.IDENTITY_BASED),
            (False, True, "implicitDeny", Stage.RESOURCE_BASED),
            (False, False, "implicitDeny", Stage.RESOURCE_BASED),
        ],
    )
    def test_both_sides_must_allow(self, cast, bucket_allows, partner_allows, result, stage) -> None:
        scenarios.set_resource_side(cast, bucket_allows, partner_allows)
        outcome = scenarios.read_directly(cast)
        [decision] = records(outcome)
        assert (decision.result, decision.trace["stage"]) == (result, stage.value)
        assert decision.action == "s3:GetObject" and decision.resource == cast.object_arn
        assert decision.principal_arn == cast.partner.arn == cast.partner_arn
        assert decision.account == cast.trusted
        assert outcome.succeeded is (result == "allowed")
        if outcome.succeeded:
            assert outcome.body == scenarios.REPORT_BODY
        else:
            assert outcome.error_code == "AccessDenied"

    def test_the_bucket_policy_names_account_b(self, cast) -> None:
        [statement] = json.loads(Bucket.objects.get(pk=cast.bucket.pk).policy)["Statement"]
        assert statement["Principal"] == {"AWS": cast.trusted.root_arn}


class TestAccessFromTheRolesSide:
    """partner assumes ReportsReader (cross-account: trust policy and partner's policy), then reads inside A."""

    @pytest.mark.parametrize(
        ("trusts", "partner_may_assume", "required", "passed", "assumed", "stage"),
        [
            (True, True, "", "", True, None),
            (False, True, "", "", False, Stage.RESOURCE_BASED),
            (True, False, "", "", False, Stage.IDENTITY_BASED),
            (False, False, "", "", False, Stage.RESOURCE_BASED),
            (True, True, "reports-2024", "", False, Stage.RESOURCE_BASED),
            (True, True, "reports-2024", "someone-else", False, Stage.RESOURCE_BASED),
            (True, True, "reports-2024", "reports-2024", True, None),
            (True, True, "", "not-asked-for", True, None),
        ],
    )
    def test_both_sides_must_allow_the_assume_role(
        self, cast, trusts, partner_may_assume, required, passed, assumed, stage
    ) -> None:
        scenarios.set_role_side(cast, trusts, required, partner_may_assume)
        outcome = scenarios.read_through_role(cast, passed)
        made = records(outcome)
        assume = made[0]
        assert (assume.action, assume.resource, assume.principal_arn) == (
            "sts:AssumeRole",
            cast.role.arn,
            cast.partner.arn,
        )
        assert assume.account == cast.trusted
        if not assumed:
            assert len(made) == 1 and assume.trace["stage"] == stage.value
            assert outcome.error_code == "AccessDenied"
            return
        read = made[1]
        assert read.principal_arn == cast.session_arn and read.account == cast.trusting
        assert read.credentials == DecisionRecord.Credentials.TEMPORARY
        assert outcome.body == scenarios.REPORT_BODY

    def test_in_the_session_partner_gives_up_its_own_permissions(self, cast) -> None:
        """Neither partner's s3:GetObject nor the bucket policy takes part: only the role's policies decide."""
        scenarios.set_resource_side(cast, bucket_allows_partner_account=False, partner_may_get_object=False)
        outcome = scenarios.read_through_role(cast)
        read = records(outcome)[-1]
        assert outcome.succeeded and read.trace["stage"] == Stage.IDENTITY_BASED.value
        assert {m["policyId"] for m in read.trace["matchedStatements"]} == {f"{scenarios.ROLE}/{scenarios.ROLE_POLICY}"}

    def test_without_the_roles_permission_the_session_cannot_read_whatever_partner_may(self, cast) -> None:
        operations.delete_role_policy(Actor(cast.trusting), scenarios.ROLE, scenarios.ROLE_POLICY)
        outcome = scenarios.read_through_role(cast)
        read = records(outcome)[-1]
        assert (read.action, read.result) == ("s3:GetObject", "implicitDeny")
        assert scenarios.read_directly(cast).succeeded, "partner itself still may, through the bucket policy"

    def test_the_toggles_read_back_what_they_wrote(self, cast) -> None:
        scenarios.set_role_side(cast, True, "reports-2024", False)
        scenarios.set_resource_side(cast, False, True)
        assert scenarios.toggles(cast) == scenarios.Toggles(False, True, True, "reports-2024", False)
        scenarios.set_resource_side(cast, True, False)
        assert not UserPolicy.objects.filter(user=cast.partner).exists(), "no statement left: no policy"

    @pytest.mark.parametrize("external_id", ["x", "spaces are not allowed", "a" * 1225])
    def test_a_malformed_external_id_is_refused_and_changes_nothing(self, cast, external_id) -> None:
        trust = Role.objects.get(pk=cast.role.pk).trust_policy
        with pytest.raises(AwsError) as raised:
            scenarios.set_role_side(cast, True, external_id, True)
        assert raised.value.code == "ValidationError"
        assert Role.objects.get(pk=cast.role.pk).trust_policy == trust
        with pytest.raises(AwsError):
            scenarios.read_through_role(cast, external_id)


# The root user. AWS account root user: "complete access to all AWS services and resources in the account";
# it has no identity-based policies, but a resource-based policy's explicit Deny applies to it.

DENY_EVERYONE = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}


def allow_account(account: Account) -> dict:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": account.account_id},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*",
    }


def deny_account(account: Account) -> dict:
    return {
        "Effect": "Deny",
        "Principal": {"AWS": account.root_arn},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*",
    }


@pytest.fixture
def other(sandbox) -> Account:
    return lifecycle.add_account(sandbox, "others")


@pytest.fixture
def reports(root) -> Bucket:
    bucket = buckets.create_bucket(root, "reports")
    buckets.put_object(root, "reports", "q3.csv", "a,b\n")
    return bucket


class TestRootUser:
    def test_the_root_user_has_no_identity_based_policies(self, root) -> None:
        policies = policies_for(root)
        assert (policies.identity, policies.permissions_boundary, policies.session) == ((), (), ())

    @pytest.mark.parametrize(
        ("who", "statements", "result", "stage"),
        [
            # Its own account's root user: no identity policy needed, but any explicit Deny stops it.
            ("owner", [], "allowed", Stage.IDENTITY_BASED),
            ("owner", [DENY_EVERYONE], "explicitDeny", Stage.EXPLICIT_DENY),
            ("owner", ["deny-owner"], "explicitDeny", Stage.EXPLICIT_DENY),
            ("owner", ["deny-other"], "allowed", Stage.IDENTITY_BASED),
            # Another account's root user: the bucket policy must allow its account, and a Deny still wins.
            ("other", [], "implicitDeny", Stage.RESOURCE_BASED),
            ("other", ["allow-other"], "allowed", Stage.IDENTITY_BASED),
            ("other", ["allow-other", DENY_EVERYONE], "explicitDeny", Stage.EXPLICIT_DENY),
            ("other", ["allow-other", "deny-other"], "explicitDeny", Stage.EXPLICIT_DENY),
        ],
    )
    def test_root_bypasses_identity_policies_but_not_a_resource_based_deny(
        self, root, other, reports, who, statements, result, stage
    ) -> None:
        named = {
            "deny-owner": deny_account(root.account),
            "deny-other": deny_account(other),
            "allow-other": allow_account(other),
        }
        if statements:
            document = doc(*(named.get(s, s) if isinstance(s, str) else s for s in statements))
            buckets.put_bucket_policy(root, "reports", document)
        actor = root if who == "owner" else Actor(other)
        mark = DecisionRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
        if result == "allowed":
            assert buckets.get_object(actor, "reports", "q3.csv").body == "a,b\n"
            decision = DecisionRecord.objects.filter(pk__gt=mark).get()
            trace = decision.trace
        else:
            with pytest.raises(AccessDenied) as raised:
                buckets.get_object(actor, "reports", "q3.csv")
            trace = raised.value.decision.trace
        assert (trace["decision"], trace["stage"]) == (result, stage.value)

    def test_the_owners_root_user_can_always_remove_a_policy_that_locks_everyone_out(self, root, reports) -> None:
        """DeleteBucketPolicy: the root principal of the owner "can perform the GetBucketPolicy, PutBucketPolicy,
        and DeleteBucketPolicy API actions, even if their bucket policy explicitly denies" it."""
        lockout = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
        }
        buckets.put_bucket_policy(root, "reports", doc(lockout))
        with pytest.raises(AccessDenied):
            buckets.get_object(root, "reports", "q3.csv")
        assert "Deny" in buckets.get_bucket_policy(root, "reports")
        buckets.delete_bucket_policy(root, "reports")
        assert buckets.get_object(root, "reports", "q3.csv").body == "a,b\n"

    def test_another_accounts_root_user_may_never_change_the_bucket_policy(self, root, other, reports) -> None:
        grant = {
            "Effect": "Allow",
            "Principal": {"AWS": other.account_id},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::reports",
        }
        buckets.put_bucket_policy(root, "reports", doc(grant))
        with pytest.raises(AwsError) as raised:
            buckets.delete_bucket_policy(Actor(other), "reports")
        assert raised.value.code == "MethodNotAllowed"

    @pytest.mark.parametrize(
        "task",
        [
            lambda actor: credentials.set_root_email(actor, "owner@example.com"),
            credentials.disable_root_mfa,
        ],
        ids=["change the root email", "deactivate the root MFA device"],
    )
    def test_tasks_that_require_root_credentials_refuse_even_an_administrator(self, root, task) -> None:
        """Tasks that require root user credentials: no IAM policy grants them."""
        admin = operations.create_user(root, "admin")
        operations.put_user_policy(
            root, "admin", "everything", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
        )
        with pytest.raises(AwsError) as raised:
            task(Actor(root.account, user=admin))
        assert raised.value.code == "AccessDenied"


class TestRootScenario:
    def test_alice_without_policies_is_denied_and_the_root_user_is_allowed(self, sandbox) -> None:
        demo = scenarios.set_up_root_demo(sandbox)
        as_alice, as_root = scenarios.read_as_user_and_root(demo)
        [alice_decision], [root_decision] = records(as_alice), records(as_root)
        assert (alice_decision.result, alice_decision.trace["stage"]) == ("implicitDeny", Stage.IDENTITY_BASED.value)
        assert (root_decision.result, root_decision.trace["stage"]) == ("allowed", Stage.IDENTITY_BASED.value)
        identity_stage = next(s for s in root_decision.trace["stages"] if s["stage"] == Stage.IDENTITY_BASED.value)
        assert "root user has complete access" in identity_stage["detail"]
        assert as_root.body == scenarios.ROOT_DEMO_BODY and not as_alice.succeeded

    def test_a_deny_for_everyone_stops_the_root_user_too_until_it_removes_it(self, sandbox) -> None:
        demo = scenarios.set_up_root_demo(sandbox)
        scenarios.set_deny_everyone(demo, True)
        demo = scenarios.root_demo(sandbox)
        assert demo.denies_everyone
        results = [records(outcome)[0].result for outcome in scenarios.read_as_user_and_root(demo)]
        assert results == ["explicitDeny", "explicitDeny"]
        scenarios.set_deny_everyone(demo, False)
        assert scenarios.read_as_user_and_root(demo)[1].succeeded

    def test_setup_reuses_an_existing_alice_and_bucket(self, sandbox, root) -> None:
        operations.create_user(root, "alice")
        first = scenarios.set_up_root_demo(sandbox)
        before = counts()
        assert scenarios.set_up_root_demo(sandbox).bucket == first.bucket
        assert counts() == before
