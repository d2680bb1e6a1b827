"""S3 actions on a sandbox's buckets and objects, authorized by the engine with the bucket policy.

Error codes and messages: Amazon S3 API Reference, CreateBucket, DeleteBucket, PutBucketPolicy,
GetBucketPolicy, DeleteBucketPolicy, PutObject, GetObject, DeleteObject, ListObjectsV2 and "Error
responses"; evaluation: IAM User Guide, "Policy evaluation for requests within a single account" and
"Cross-account policy evaluation logic"; S3 User Guide, "How Amazon S3 authorizes a request".
"""

import json

import pytest

from simulator.sandbox import buckets as s3
from simulator.sandbox.authorization import Actor
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import Account, Bucket, BucketObject, DecisionRecord, IamUser, Role, Sandbox, UserPolicy

pytestmark = pytest.mark.django_db

BUCKET = "arn:aws:s3:::reports"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def sandbox(learner) -> Sandbox:
    return Sandbox.objects.create_with_account(learner)


@pytest.fixture
def owner(sandbox) -> Account:
    return sandbox.accounts.get()


@pytest.fixture
def other_account(sandbox) -> Account:
    """A second account of the same sandbox: requests from it are cross-account."""
    return Account.objects.create(sandbox=sandbox)


@pytest.fixture
def root(owner) -> Actor:
    return Actor(owner)


@pytest.fixture
def bucket(root) -> Bucket:
    return s3.create_bucket(root, "reports")


def user_in(account: Account, name: str, *statements: dict) -> Actor:
    """An IAM user whose inline policy holds ``statements`` (none: no identity-based policy at all)."""
    user = IamUser.objects.create(account=account, name=name)
    if statements:
        UserPolicy.objects.create(user=user, name="inline", document=doc(*statements))
    return Actor(account, user=user)


def set_policy(bucket: Bucket, *statements: dict) -> None:
    """Written straight to the model: these tests are about the decisions, not PutBucketPolicy."""
    Bucket.objects.filter(pk=bucket.pk).update(policy=doc(*statements))


def code_of(call, *args) -> str:
    with pytest.raises(AwsError) as caught:
        call(*args)
    return caught.value.code


class TestBucketNames:
    """S3 User Guide, "General purpose bucket naming rules"."""

    @pytest.mark.parametrize("name", ["abc", "my-bucket", "my.bucket.2024", "1bucket", "a" * 63, "x1-s3aliasx"])
    def test_valid_names(self, name):
        assert s3.bucket_name_problem(name) is None

    @pytest.mark.parametrize(
        ("name", "rule"),
        [
            ("ab", "3 to 63"),
            ("a" * 64, "3 to 63"),
            ("My-Bucket", "lowercase"),
            ("my_bucket", "lowercase"),
            ("my bucket", "lowercase"),
            ("-bucket", "begins and ends"),
            ("bucket.", "begins and ends"),
            ("my..bucket", "two adjacent dots"),
            ("192.168.5.4", "IP address"),
            ("xn--bucket", "prefixes"),
            ("sthree-bucket", "prefixes"),
            ("amzn-s3-demo-bucket", "prefixes"),
            ("bucket-s3alias", "suffixes"),
            ("bucket--ol-s3", "suffixes"),
            ("bucket.mrap", "suffixes"),
            ("bucket--x-s3", "suffixes"),
            ("bucket--table-s3", "suffixes"),
        ],
    )
    def test_invalid_names_are_invalid_bucket_name(self, root, name, rule):
        assert rule in s3.bucket_name_problem(name)
        with pytest.raises(AwsError) as caught:
            s3.create_bucket(root, name)
        assert (caught.value.code, caught.value.status) == ("InvalidBucketName", 400)
        assert not Bucket.objects.exists()


class TestCreateAndDeleteBucket:
    """S3 API Reference, CreateBucket and DeleteBucket."""

    def test_the_root_user_creates_a_bucket_in_its_account(self, root, owner):
        bucket = s3.create_bucket(root, "reports")
        assert (bucket.arn, bucket.account, bucket.policy) == (BUCKET, owner, "")
        record = DecisionRecord.objects.get()
        assert (record.action, record.resource, record.result) == ("s3:CreateBucket", BUCKET, "allowed")

    def test_creating_a_bucket_you_own_again_is_bucket_already_owned_by_you(self, root, bucket):
        with pytest.raises(AwsError) as caught:
            s3.create_bucket(root, "reports")
        assert (caught.value.code, caught.value.status) == ("BucketAlreadyOwnedByYou", 409)

    def test_a_name_another_account_of_the_sandbox_holds_is_bucket_already_exists(self, bucket, other_account):
        assert code_of(s3.create_bucket, Actor(other_account), "reports") == "BucketAlreadyExists"

    def test_another_sandbox_has_its_own_namespace(self, bucket, other_learner):
        elsewhere = Sandbox.objects.create_with_account(other_learner).accounts.get()
        assert s3.create_bucket(Actor(elsewhere), "reports").account == elsewhere

    def test_a_user_without_permission_is_denied_and_nothing_is_created(self, owner):
        alice = user_in(owner, "alice")
        with pytest.raises(AccessDenied) as caught:
            s3.create_bucket(alice, "reports")
        assert "is not authorized to perform: s3:CreateBucket" in caught.value.message
        assert not Bucket.objects.exists()

    def test_a_bucket_with_objects_cannot_be_deleted(self, root, bucket):
        s3.put_object(root, "reports", "a.txt", "hello")
        with pytest.raises(AwsError) as caught:
            s3.delete_bucket(root, "reports")
        assert (caught.value.code, caught.value.status) == ("BucketNotEmpty", 409)
        s3.delete_object(root, "reports", "a.txt")
        s3.delete_bucket(root, "reports")
        assert not Bucket.objects.exists()

    def test_an_unknown_bucket_is_no_such_bucket(self, root):
        with pytest.raises(AwsError) as caught:
            s3.delete_bucket(root, "missing")
        assert (caught.value.code, caught.value.status) == ("NoSuchBucket", 404)


PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}


class TestPutBucketPolicy:
    """S3 API Reference, PutBucketPolicy ("Errors": MalformedPolicy) and GetBucketPolicy, DeleteBucketPolicy;
    S3 User Guide, "Bucket policy examples"; bucket policies are limited to 20 KB."""

    @pytest.mark.parametrize(
        "statement",
        [
            PUBLIC_READ,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": ["s3:ListBucket", "s3:GetObject"],
                "Resource": [BUCKET, f"{BUCKET}/*"],
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {"Sid": "any-text is fine in S3", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": BUCKET},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "NotAction": "s3:Get*", "Resource": BUCKET},
        ],
    )
    def test_valid_policies_are_stored(self, root, bucket, statement):
        s3.put_bucket_policy(root, "reports", doc(statement))
        assert json.loads(s3.get_bucket_policy(root, "reports"))["Statement"] == [statement]

    @pytest.mark.parametrize(
        ("statement", "message"),
        [
            ({**PUBLIC_READ, "Resource": "arn:aws:s3:::other/*"}, "Policy has invalid resource"),
            ({**PUBLIC_READ, "Resource": "*"}, "Policy has invalid resource"),
            ({**PUBLIC_READ, "Resource": "arn:aws:s3:::reports-2/*"}, "Policy has invalid resource"),
            ({**PUBLIC_READ, "Resource": "reports/*"}, "Policy has invalid resource"),
            ({**PUBLIC_READ, "Principal": {"AWS": "bob"}}, "Invalid principal in policy"),
            ({**PUBLIC_READ, "Action": "iam:CreateUser"}, "Policy has invalid action"),
            ({**PUBLIC_READ, "Action": "s3:GetObjcet"}, "Policy has invalid action"),
            ({**PUBLIC_READ, "Action": "s3:ListBucket"}, "Action does not apply to any resource(s) in statement"),
            ({**PUBLIC_READ, "Resource": BUCKET}, "Action does not apply to any resource(s) in statement"),
            ({key: v for key, v in PUBLIC_READ.items() if key != "Principal"}, "Missing required field Principal"),
        ],
    )
    def test_policies_s3_refuses_are_malformed_policy(self, root, bucket, statement, message):
        with pytest.raises(AwsError) as caught:
            s3.put_bucket_policy(root, "reports", doc(statement))
        assert (caught.value.code, caught.value.status) == ("MalformedPolicy", 400)
        assert caught.value.message.startswith(message)
        assert Bucket.objects.get().policy == ""

    def test_a_document_that_is_not_json_is_malformed_policy(self, root, bucket):
        assert code_of(s3.put_bucket_policy, root, "reports", '{"Statement": [') == "MalformedPolicy"

    def test_a_principal_of_the_sandbox_must_exist(self, root, owner, bucket):
        alice = user_in(owner, "alice").user
        Role.objects.create(account=owner, name="Reader", trust_policy="{}")
        named = {"AWS": [alice.arn, f"arn:aws:iam::{owner.account_id}:role/Reader"]}
        s3.put_bucket_policy(root, "reports", doc({**PUBLIC_READ, "Principal": named}))
        ghost = f"arn:aws:iam::{owner.account_id}:user/ghost"
        with pytest.raises(AwsError) as caught:
            s3.put_bucket_policy(root, "reports", doc({**PUBLIC_READ, "Principal": {"AWS": ghost}}))
        assert caught.value.message.startswith("Invalid principal in policy")
        assert ghost in caught.value.message

    def test_a_policy_over_20_kb_is_refused(self, root, bucket):
        statements = [{**PUBLIC_READ, "Sid": f"S{n}", "Resource": f"{BUCKET}/{'k' * 200}{n}"} for n in range(100)]
        assert code_of(s3.put_bucket_policy, root, "reports", doc(*statements)) == "MalformedPolicy"

    def test_a_bucket_without_a_policy_is_no_such_bucket_policy(self, root, bucket):
        with pytest.raises(AwsError) as caught:
            s3.get_bucket_policy(root, "reports")
        assert (caught.value.code, caught.value.status) == ("NoSuchBucketPolicy", 404)

    def test_deleting_the_policy_succeeds_whether_or_not_there_is_one(self, root, bucket):
        s3.put_bucket_policy(root, "reports", doc(PUBLIC_READ))
        s3.delete_bucket_policy(root, "reports")
        s3.delete_bucket_policy(root, "reports")
        assert Bucket.objects.get().policy == ""


DENY_EVERYONE = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]}


class TestBucketOwnerRules:
    """S3 API Reference, PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy ("Permissions"): the owner's root
    user can always use them, even when the policy denies it; other accounts get 405 Method Not Allowed."""

    def test_the_owners_root_user_cannot_be_locked_out_of_the_bucket_policy(self, root, bucket):
        s3.put_bucket_policy(root, "reports", doc(DENY_EVERYONE))
        assert "Deny" in s3.get_bucket_policy(root, "reports")
        s3.put_bucket_policy(root, "reports", doc(DENY_EVERYONE))
        s3.delete_bucket_policy(root, "reports")
        assert Bucket.objects.get().policy == ""

    def test_the_deny_still_stops_the_owners_root_user_from_everything_else(self, root, bucket):
        set_policy(bucket, DENY_EVERYONE)
        with pytest.raises(AccessDenied) as caught:
            s3.put_object(root, "reports", "a.txt", "hello")
        assert "with an explicit deny in a resource-based policy: bucket policy of reports" in caught.value.message

    def test_an_iam_user_of_the_owner_is_not_exempt(self, owner, bucket):
        admin = user_in(owner, "admin", allow("s3:*"))
        set_policy(bucket, DENY_EVERYONE)
        assert code_of(s3.get_bucket_policy, admin, "reports") == "AccessDenied"

    def test_another_account_allowed_on_both_sides_gets_method_not_allowed(self, bucket, other_account):
        bob = user_in(other_account, "bob", allow("s3:*"))
        principal = {"AWS": f"arn:aws:iam::{other_account.account_id}:root"}
        set_policy(bucket, {"Effect": "Allow", "Principal": principal, "Action": "s3:*", "Resource": BUCKET})
        with pytest.raises(AwsError) as caught:
            s3.get_bucket_policy(bob, "reports")
        assert (caught.value.code, caught.value.status) == ("MethodNotAllowed", 405)
        assert code_of(s3.get_bucket_policy, user_in(other_account, "eve"), "reports") == "AccessDenied"


class TestObjects:
    """S3 API Reference, PutObject, GetObject, DeleteObject and ListObjectsV2."""

    def test_put_get_and_overwrite(self, root, bucket):
        s3.put_object(root, "reports", "2024/q1.txt", "first", "text/csv")
        s3.put_object(root, "reports", "2024/q1.txt", "second")
        stored = s3.get_object(root, "reports", "2024/q1.txt")
        assert (stored.body, stored.content_type) == ("second", "text/plain")
        assert BucketObject.objects.count() == 1

    @pytest.mark.parametrize(
        ("key", "body", "code"),
        [
            ("", "x", "InvalidArgument"),
            ("k" * 1025, "x", "KeyTooLongError"),
            ("é" * 513, "x", "KeyTooLongError"),
            ("big.txt", "x" * (s3.MAX_OBJECT_SIZE + 1), "EntityTooLarge"),
        ],
    )
    def test_invalid_uploads_are_refused(self, root, bucket, key, body, code):
        assert code_of(s3.put_object, root, "reports", key, body) == code
        assert not BucketObject.objects.exists()

    def test_a_missing_key_is_no_such_key_to_whoever_may_list_the_bucket(self, root, bucket):
        with pytest.raises(AwsError) as caught:
            s3.get_object(root, "reports", "missing.txt")
        assert (caught.value.code, caught.value.status) == ("NoSuchKey", 404)

    def test_a_missing_key_is_access_denied_to_whoever_may_not_list_it(self, owner, bucket):
        reader = user_in(owner, "reader", allow("s3:GetObject", f"{BUCKET}/*"))
        with pytest.raises(AccessDenied) as caught:
            s3.get_object(reader, "reports", "missing.txt")
        assert caught.value.status == 403
        assert "s3:ListBucket" in caught.value.message

    def test_deleting_a_missing_key_succeeds(self, root, bucket):
        s3.delete_object(root, "reports", "never-there.txt")

    def test_listing_filters_by_a_case_sensitive_prefix(self, root, bucket):
        for key in ("logs/a", "logs/b", "Logs/c", "other"):
            s3.put_object(root, "reports", key, key)
        assert [o.key for o in s3.list_objects(root, "reports", "logs/")] == ["logs/a", "logs/b"]
        assert len(s3.list_objects(root, "reports")) == 4

    def test_the_prefix_is_the_s3_prefix_condition_key(self, owner, root, bucket):
        condition = {"StringLike": {"s3:prefix": "home/alice/*"}}
        alice = user_in(owner, "alice", allow("s3:ListBucket", BUCKET, Condition=condition))
        s3.put_object(root, "reports", "home/alice/notes", "mine")
        assert [o.key for o in s3.list_objects(alice, "reports", "home/alice/")] == ["home/alice/notes"]
        assert code_of(s3.list_objects, alice, "reports", "home/bob/") == "AccessDenied"
        assert code_of(s3.list_objects, alice, "reports") == "AccessDenied"


def account_principal(account: Account) -> dict:
    return {"AWS": f"arn:aws:iam::{account.account_id}:root"}


class TestWhoMayRead:
    """IAM User Guide, "Policy evaluation for requests within a single account" (either side may allow) and
    "Cross-account policy evaluation logic" (both sides must allow); an explicit Deny on either side wins."""

    @pytest.mark.parametrize(
        ("identity_allows", "bucket_allows", "same_account", "allowed"),
        [
            (False, False, True, False),
            (True, False, True, True),
            (False, True, True, True),
            (True, True, True, True),
            (False, False, False, False),
            (True, False, False, False),
            (False, True, False, False),
            (True, True, False, True),
        ],
    )
    def test_a_user_reads_an_object(
        self, root, owner, other_account, bucket, identity_allows, bucket_allows, same_account, allowed
    ):
        account = owner if same_account else other_account
        s3.put_object(root, "reports", "a.txt", "hello")
        reader = user_in(account, "reader", *([allow("s3:GetObject", f"{BUCKET}/*")] if identity_allows else []))
        if bucket_allows:
            principal = {"AWS": reader.user.arn}
            set_policy(bucket, {**PUBLIC_READ, "Principal": principal})
        if allowed:
            assert s3.get_object(reader, "reports", "a.txt").body == "hello"
        else:
            assert code_of(s3.get_object, reader, "reports", "a.txt") == "AccessDenied"
        record = DecisionRecord.objects.filter(action="s3:GetObject").latest("id")
        assert (record.account, record.resource) == (account, f"{BUCKET}/a.txt")

    def test_a_bucket_policy_naming_an_account_leaves_its_users_to_their_own_policies(
        self, root, other_account, bucket
    ):
        set_policy(bucket, {**PUBLIC_READ, "Principal": account_principal(other_account)})
        s3.put_object(root, "reports", "a.txt", "hello")
        assert s3.get_object(Actor(other_account), "reports", "a.txt").body == "hello"
        assert code_of(s3.get_object, user_in(other_account, "nobody"), "reports", "a.txt") == "AccessDenied"
        reader = user_in(other_account, "reader", allow("s3:GetObject"))
        assert s3.get_object(reader, "reports", "a.txt").body == "hello"

    def test_another_accounts_root_user_needs_the_bucket_policy(self, root, other_account, bucket):
        s3.put_object(root, "reports", "a.txt", "hello")
        with pytest.raises(AccessDenied) as caught:
            s3.get_object(Actor(other_account), "reports", "a.txt")
        assert "no resource-based policy allows" in caught.value.message

    def test_a_role_session_from_another_account(self, root, other_account, bucket):
        role = Role.objects.create(account=other_account, name="Auditor", trust_policy="{}")
        role.inline_policies.create(name="read", document=doc(allow("s3:GetObject")))
        session = Actor(other_account, role=role, session_name="audit")
        s3.put_object(root, "reports", "a.txt", "hello")
        assert code_of(s3.get_object, session, "reports", "a.txt") == "AccessDenied"
        set_policy(bucket, {**PUBLIC_READ, "Principal": {"AWS": role.arn}})
        assert s3.get_object(session, "reports", "a.txt").body == "hello"

    def test_an_explicit_deny_in_the_bucket_policy_beats_an_identity_allow(self, owner, root, bucket):
        admin = user_in(owner, "admin", allow("s3:*"))
        s3.put_object(root, "reports", "a.txt", "hello")
        set_policy(bucket, {**DENY_EVERYONE, "Principal": {"AWS": admin.user.arn}})
        assert code_of(s3.get_object, admin, "reports", "a.txt") == "AccessDenied"
        assert s3.get_object(root, "reports", "a.txt").body == "hello"

    def test_the_resource_account_condition_key_is_the_owners(self, owner, other_account, root, bucket):
        condition = {"StringEquals": {"aws:ResourceAccount": other_account.account_id}}
        alice = user_in(owner, "alice", allow("s3:GetObject", "*", Condition=condition))
        s3.put_object(root, "reports", "a.txt", "hello")
        assert code_of(s3.get_object, alice, "reports", "a.txt") == "AccessDenied"
