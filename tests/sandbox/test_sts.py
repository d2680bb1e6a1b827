"""STS: AssumeRole, GetSessionToken, GetCallerIdentity, requests signed with access keys, and the sandbox clock.

Each group cites the AWS page its rules come from: the STS API Reference (AssumeRole, GetSessionToken,
GetCallerIdentity, Common Errors) and the IAM User Guide ("Role chaining", "Passing session tags in AWS STS",
"Session policies", "Monitor and control actions taken with assumed roles", "Permissions for GetSessionToken").
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from simulator.sandbox import access_keys, clock, mfa, operations, role_operations, sts
from simulator.sandbox.authorization import Actor, authorize, decisions_logged
from simulator.sandbox.errors import AccessDenied, AwsError
from simulator.sandbox.models import Account, DecisionRecord, IamUser, Sandbox, TemporaryCredential

pytestmark = pytest.mark.django_db

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
S3_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def trust(principal: str, actions=("sts:AssumeRole",), condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def fail(call, *args, **kwargs) -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def alice(root) -> Actor:
    """An IAM user allowed every action by her own policy."""
    user = operations.create_user(root, "alice")
    operations.put_user_policy(root, "alice", "everything", ALLOW_ALL)
    return Actor(root.account, user)


@pytest.fixture
def bob(root) -> Actor:
    """An IAM user with no policy at all."""
    return Actor(root.account, operations.create_user(root, "bob"))


def make_role(root: Actor, name: str, document: str, **kwargs):
    role = operations.create_role(root, name, document, **kwargs)
    operations.put_role_policy(root, name, "everything", ALLOW_ALL)
    return role


@pytest.fixture
def admin_role(root):
    """A role any identity of the account its own policies allow may assume, allowed every action."""
    return make_role(root, "Admin", trust(root.account.root_arn, ("sts:AssumeRole", "sts:TagSession")))


def session(credential: TemporaryCredential) -> Actor:
    return Actor.signed_with(credential, "api")


def reloaded(credential: TemporaryCredential) -> TemporaryCredential:
    """The credentials as a new request loads them, reading the sandbox clock as it is now."""
    return TemporaryCredential.objects.select_related("account__sandbox").get(pk=credential.pk)


def last_decision(action: str) -> DecisionRecord:
    return DecisionRecord.objects.filter(action=action).order_by("-id").first()


# --- AssumeRole (STS API Reference); "How to use trust policies with IAM roles" ---


@pytest.mark.parametrize(
    ("trusted", "identity_allows", "allowed"),
    [
        ("user", False, True),  # a trust policy naming the user grants it by itself in the same account
        ("account", True, True),  # naming the account delegates to the caller's own policies
        ("account", False, False),
        ("nobody", True, False),  # the trust policy must let the caller in, whatever the caller's policies say
    ],
)
def test_same_account_assume_role_needs_the_trust_policy(root, bob, trusted, identity_allows, allowed):
    """AssumeRole (STS API Reference); "How to use trust policies with IAM roles" (IAM User Guide)."""
    principal = {
        "user": bob.user.arn,
        "account": root.account.root_arn,
        "nobody": "arn:aws:iam::123456789012:root",
    }[trusted]
    role = make_role(root, "Target", trust(principal))
    if identity_allows:
        operations.put_user_policy(root, "bob", "assume", ALLOW_ALL)
    if allowed:
        credential = sts.assume_role(bob, role.arn, "bob-session")
        assert credential.role == role and credential.issued_to == bob.user.arn
    else:
        error = fail(sts.assume_role, bob, role.arn, "bob-session")
        assert isinstance(error, AccessDenied) and error.code == "AccessDenied"
        assert not TemporaryCredential.objects.exists()
    record = last_decision("sts:AssumeRole")
    assert (record.result == "allowed") is allowed and record.resource == role.arn


@pytest.fixture
def second_account(sandbox) -> Account:
    return Account.objects.create(sandbox=sandbox)


@pytest.mark.parametrize(
    ("trust_names_caller", "identity_allows", "allowed"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_cross_account_needs_both_sides(root, bob, second_account, trust_names_caller, identity_allows, allowed):
    """ "Cross-account policy evaluation logic": the caller's policies and the role's trust policy must both allow."""
    other_root = Actor(second_account)
    principal = root.account.root_arn if trust_names_caller else "arn:aws:iam::123456789012:root"
    role = make_role(other_root, "Partner", trust(principal))
    if identity_allows:
        operations.put_user_policy(root, "bob", "assume", ALLOW_ALL)
    if allowed:
        credential = sts.assume_role(bob, role.arn, "partner")
        assert credential.account == second_account
        assert (
            session(credential).principal.arn
            == f"arn:aws:sts::{second_account.account_id}:assumed-role/Partner/partner"
        )
    else:
        assert isinstance(fail(sts.assume_role, bob, role.arn, "partner"), AccessDenied)
    stages = {stage["stage"] for stage in last_decision("sts:AssumeRole").trace["stages"]}
    assert {"resource-based-policies", "identity-based-policies"} <= stages, "both sides are explained"


@pytest.mark.parametrize(("external_id", "allowed"), [(None, False), ("wrong-id", False), ("Example987", True)])
def test_an_external_id_condition_in_the_trust_policy(root, alice, second_account, external_id, allowed):
    """IAM User Guide, "Access to AWS accounts owned by third parties": sts:ExternalId in the trust policy."""
    condition = {"StringEquals": {"sts:ExternalId": "Example987"}}
    role = make_role(Actor(second_account), "Vendor", trust(root.account.root_arn, condition=condition))
    if allowed:
        assert sts.assume_role(alice, role.arn, "vendor", external_id=external_id).role == role
    else:
        assert isinstance(fail(sts.assume_role, alice, role.arn, "vendor", external_id=external_id), AccessDenied)


def test_root_cannot_assume_a_role(root, admin_role):
    error = fail(sts.assume_role, root, admin_role.arn, "root-session")
    assert (error.code, error.message, error.status) == (
        "AccessDenied",
        "Roles may not be assumed by root accounts.",
        403,
    )
    assert last_decision("sts:AssumeRole").result == "implicitDeny"
    assert not TemporaryCredential.objects.exists()


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::{account}:role/DoesNotExist",
        "arn:aws:iam::123456789012:role/Admin",  # another learner's or nobody's account
        "arn:aws:iam::{account}:role/other/path/Admin",  # the right name with the wrong path
    ],
)
def test_a_role_that_does_not_exist_is_access_denied(root, alice, admin_role, arn):
    """STS answers AccessDenied, not NoSuchEntity, for a role it cannot find: it does not say which roles exist."""
    arn = arn.format(account=root.account.account_id)
    error = fail(sts.assume_role, alice, arn, "s1")
    assert error.code == "AccessDenied"
    assert error.message == f"User: {alice.user.arn} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    assert last_decision("sts:AssumeRole").resource == arn


def test_a_role_in_another_learners_sandbox_is_not_found(root, alice, other_learner):
    foreign = Sandbox.objects.create_with_account(other_learner).accounts.get()
    role = make_role(Actor(foreign), "Open", trust("*"))
    assert fail(sts.assume_role, alice, role.arn, "s1").code == "AccessDenied"


def test_only_its_service_may_assume_a_service_linked_role(root, alice):
    """ "Using service-linked roles": the role trusts its service alone."""
    role = role_operations.create_service_linked_role(root, "autoscaling.amazonaws.com")
    error = fail(sts.assume_role, alice, role.arn, "s1")
    assert error.code == "AccessDenied"
    assert "service-linked" in last_decision("sts:AssumeRole").sentence


@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("a", "Member must have length greater than or equal to 2"),
        ("x" * 65, "Member must have length less than or equal to 64"),
        ("has space", "Member must satisfy regular expression pattern"),
        ("semi;colon", "Member must satisfy regular expression pattern"),
    ],
)
def test_role_session_name_rules(alice, admin_role, name, broken):
    """AssumeRole: RoleSessionName is 2 to 64 characters of [\\w+=,.@-]."""
    error = fail(sts.assume_role, alice, admin_role.arn, name)
    assert (
        error.code == "ValidationError"
        and f"at 'roleSessionName' failed to satisfy constraint: {broken}" in error.message
    )
    assert error.message.startswith("1 validation error detected")


@pytest.mark.parametrize(
    ("duration", "max_session", "message"),
    [
        (899, 3600, "Member must have value greater than or equal to 900"),
        (43201, 43200, "Member must have value less than or equal to 43200"),
        (3601, 3600, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
        (7201, 7200, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    ],
)
def test_duration_seconds_out_of_range(root, alice, duration, max_session, message):
    """AssumeRole: DurationSeconds from 900 up to the role's maximum session duration."""
    role = make_role(root, "Long", trust(root.account.root_arn), max_session_duration=max_session)
    error = fail(sts.assume_role, alice, role.arn, "s1", duration_seconds=duration)
    assert error.code == "ValidationError" and message in error.message
    assert not TemporaryCredential.objects.exists()


@pytest.mark.parametrize(("duration", "expected"), [(None, 3600), (900, 900), (43200, 43200)])
def test_duration_defaults_to_an_hour_and_reaches_the_roles_maximum(root, alice, duration, expected):
    role = make_role(root, "Long", trust(root.account.root_arn), max_session_duration=43200)
    credential = sts.assume_role(alice, role.arn, "s1", duration_seconds=duration)
    assert credential.expires_at - credential.issued_at == timedelta(seconds=expected)
    assert credential.access_key_id.startswith("ASIA") and credential.session_token and len(credential.secret) == 40


# --- "Role chaining" (IAM User Guide, roles terms and concepts) ---


@pytest.fixture
def second_role(root):
    return make_role(
        root, "Second", trust(root.account.root_arn, ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"))
    )


def test_role_chaining_is_limited_to_an_hour(root, alice, admin_role, second_role):
    """ "Role chaining" (IAM User Guide): a session assuming a role lasts at most an hour."""
    first = session(sts.assume_role(alice, admin_role.arn, "first"))
    error = fail(sts.assume_role, first, second_role.arn, "second", duration_seconds=3601)
    assert (
        error.message
        == "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    chained = sts.assume_role(first, second_role.arn, "second")
    assert chained.chained and chained.issued_to == first.principal.arn
    assert chained.expires_at - chained.issued_at == timedelta(seconds=sts.ROLE_CHAINING_LIMIT)


# --- "Session policies" (IAM User Guide); AssumeRole Policy and PolicyArns ---


def test_an_inline_session_policy_narrows_the_session(root, alice, admin_role):
    """ "Session policies" (IAM User Guide): the session gets the intersection of the role's and the session's."""
    credential = sts.assume_role(alice, admin_role.arn, "narrow", policy=S3_ONLY)
    assert credential.session_policies == [{"Id": "inline", "Document": S3_ONLY}]
    narrowed = session(credential)
    assert authorize(narrowed, "s3:GetObject", "arn:aws:s3:::b/k").allowed
    assert not authorize(narrowed, "iam:CreateUser", "*").allowed, "the role allows it; the session policy does not"


def test_managed_session_policies_are_copied_at_issue(root, alice, admin_role):
    """The default version's document is packed in: a later change does not reach a live session."""
    policy = operations.create_policy(root, "S3Only", S3_ONLY)
    credential = sts.assume_role(alice, admin_role.arn, "managed", policy_arns=[policy.arn])
    assert credential.session_policies == [{"Id": policy.arn, "Document": S3_ONLY}]
    operations.create_policy_version(root, policy.arn, ALLOW_ALL, set_as_default=True)
    assert not authorize(session(credential), "iam:CreateUser", "*").allowed


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"policy": '{"Version": "2012-10-17", "Statement": []'}, "MalformedPolicyDocument"),
        ({"policy": "x" * 2049}, "ValidationError"),
        ({"policy_arns": [f"arn:aws:iam::aws:policy/P{n}" for n in range(11)]}, "ValidationError"),
        ({"policy_arns": ["arn:aws:iam::aws:policy/NoSuchPolicy"]}, "NoSuchEntity"),
    ],
)
def test_bad_session_policies_are_refused_and_nothing_is_written(alice, admin_role, kwargs, code):
    assert fail(sts.assume_role, alice, admin_role.arn, "s1", **kwargs).code == code
    assert not TemporaryCredential.objects.exists()


def test_a_customer_managed_session_policy_must_be_in_the_roles_account(root, alice, second_account):
    policy = operations.create_policy(root, "Mine", S3_ONLY)
    role = make_role(Actor(second_account), "Partner", trust(root.account.root_arn))
    assert fail(sts.assume_role, alice, role.arn, "s1", policy_arns=[policy.arn]).code == "NoSuchEntity"


# --- "Passing session tags in AWS STS" (IAM User Guide) ---


def test_session_tags_need_sts_tag_session_and_become_principal_tags(root, alice):
    """ "Passing session tags in AWS STS": sts:TagSession is needed; session tags override the role's tags."""
    without_tag_session = make_role(root, "NoTags", trust(root.account.root_arn))
    tags = [{"Key": "Project", "Value": "Blue"}]
    assert isinstance(fail(sts.assume_role, alice, without_tag_session.arn, "s1", tags=tags), AccessDenied)
    assert last_decision("sts:TagSession").result != "allowed"
    assert not TemporaryCredential.objects.exists()
    operations.tag_role(root, "NoTags", [{"Key": "Project", "Value": "Red"}])
    role = make_role(root, "Tags", trust(root.account.root_arn, ("sts:AssumeRole", "sts:TagSession")))
    operations.tag_role(root, "Tags", [{"Key": "Project", "Value": "Red"}])
    credential = sts.assume_role(alice, role.arn, "s1", tags=tags)
    assert session(credential).context()["aws:PrincipalTag/Project"] == "Blue", "a session tag overrides the role's"


def test_a_call_collects_exactly_the_decisions_it_logged(root, alice, admin_role):
    """A page shows every decision one AssumeRole made (here sts:AssumeRole and sts:TagSession); decisions logged
    before or after the block, by this or another request, are not among them."""
    authorize(alice, "s3:ListBucket", "arn:aws:s3:::before")
    with decisions_logged() as logged:
        sts.assume_role(alice, admin_role.arn, "s1", tags=[{"Key": "Project", "Value": "Blue"}])
    authorize(alice, "s3:ListBucket", "arn:aws:s3:::after")
    actions = DecisionRecord.objects.filter(pk__in=logged).order_by("pk").values_list("action", flat=True)
    assert list(actions) == ["sts:AssumeRole", "sts:TagSession"]


def test_tag_session_conditions_see_the_request_tags(root, alice):
    condition = {"StringEquals": {"aws:RequestTag/Department": "Engineering"}}
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": root.account.root_arn}, "Action": "sts:AssumeRole"},
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": root.account.root_arn},
                    "Action": "sts:TagSession",
                    "Condition": condition,
                },
            ],
        }
    )
    role = make_role(root, "Dept", document)
    assert fail(sts.assume_role, alice, role.arn, "s1", tags=[{"Key": "Department", "Value": "Sales"}]).code
    assert sts.assume_role(alice, role.arn, "s1", tags=[{"Key": "Department", "Value": "Engineering"}])


@pytest.mark.parametrize(
    ("tags", "transitive", "code"),
    [
        ([{"Key": f"k{n}", "Value": "v"} for n in range(51)], [], "ValidationError"),
        ([{"Key": "aws:reserved", "Value": "v"}], [], "InvalidInput"),
        ([{"Key": "a", "Value": "v"}, {"Key": "A", "Value": "w"}], [], "InvalidInput"),
        ([{"Key": "bad#key", "Value": "v"}], [], "ValidationError"),
        ([{"Key": "a", "Value": "v"}], ["b"], "InvalidParameterValue"),
        ([{"Key": f"{n:03}" + "k" * 125, "Value": "v" * 256} for n in range(20)], [], "PackedPolicyTooLarge"),
    ],
)
def test_session_tag_rules(alice, admin_role, tags, transitive, code):
    """At most 50 tags, IAM's tag rules, transitive keys among the tags, and the packed size limit."""
    error = fail(sts.assume_role, alice, admin_role.arn, "s1", tags=tags, transitive_tag_keys=transitive)
    assert error.code == code
    if code == "PackedPolicyTooLarge":
        assert (
            error.message.startswith("Packed size of session tags consumes") and "% of allotted space" in error.message
        )
    assert not TemporaryCredential.objects.exists()


def test_transitive_tags_pass_along_a_role_chain_and_cannot_be_overridden(root, alice, admin_role, second_role):
    """ "Passing session tags in AWS STS", Chaining roles with session tags (the Star/Heart example)."""
    tags = [{"Key": "Star", "Value": "1"}, {"Key": "Heart", "Value": "1"}, {"Key": "Moon", "Value": "1"}]
    first = session(sts.assume_role(alice, admin_role.arn, "one", tags=tags, transitive_tag_keys=["Star", "Heart"]))
    chained = sts.assume_role(first, second_role.arn, "two")
    assert chained.tags == tags[:2] and chained.transitive_tag_keys == ["Star", "Heart"]
    assert "aws:PrincipalTag/Moon" not in session(chained).context(), "a tag not set transitive stays behind"
    error = fail(sts.assume_role, first, second_role.arn, "two", tags=[{"Key": "heart", "Value": "3"}])
    assert error.code == "InvalidParameterValue" and "conflicts with a transitive tag key" in error.message


def test_transitive_tags_need_tag_session_on_the_next_role(root, alice, admin_role):
    untagged = make_role(root, "Plain", trust(root.account.root_arn))
    first = session(
        sts.assume_role(alice, admin_role.arn, "one", tags=[{"Key": "A", "Value": "1"}], transitive_tag_keys=["A"])
    )
    assert isinstance(fail(sts.assume_role, first, untagged.arn, "two"), AccessDenied)
    assert last_decision("sts:TagSession").resource == untagged.arn


# --- "Monitor and control actions taken with assumed roles" (source identity, IAM User Guide) ---


def test_source_identity_needs_set_source_identity_and_carries_into_chains(root, alice, admin_role, second_role):
    """ "Monitor and control actions taken with assumed roles": sts:SetSourceIdentity; set once, never changed."""
    assert isinstance(fail(sts.assume_role, alice, admin_role.arn, "s1", source_identity="alice"), AccessDenied)
    assert last_decision("sts:SetSourceIdentity").result != "allowed"
    first = session(sts.assume_role(alice, second_role.arn, "one", source_identity="alice"))
    assert first.context()["aws:SourceIdentity"] == "alice"
    third = make_role(root, "Third", trust(root.account.root_arn, ("sts:AssumeRole", "sts:SetSourceIdentity")))
    chained = sts.assume_role(first, third.arn, "two")
    assert chained.source_identity == "alice", "set once, it persists in role chaining"
    assert sts.assume_role(first, third.arn, "three", source_identity="alice").source_identity == "alice"
    error = fail(sts.assume_role, first, third.arn, "four", source_identity="mallory")
    assert error.code == "AccessDenied", "a source identity cannot be changed"
    assert not plain_chain_without_set_source_identity(root, first)


def plain_chain_without_set_source_identity(root, caller) -> bool:
    """A session carrying a source identity can only chain into a role that allows sts:SetSourceIdentity."""
    plain = make_role(root, "NoSource", trust(root.account.root_arn))
    try:
        sts.assume_role(caller, plain.arn, "xx")
    except AccessDenied:
        return False
    return True


@pytest.mark.parametrize("value", ["a", "x" * 65, "aws:name", "with space"])
def test_source_identity_rules(alice, admin_role, value):
    assert fail(sts.assume_role, alice, admin_role.arn, "s1", source_identity=value).code == "ValidationError"


# --- MFA in AssumeRole and GetSessionToken ("Configuring MFA-protected API access") ---


@pytest.fixture
def alice_with_mfa(alice) -> tuple[Actor, str]:
    seed = mfa.new_seed()
    IamUser.objects.filter(pk=alice.user.pk).update(mfa_seed=seed)
    return alice, seed


def test_a_role_that_requires_mfa(root, alice_with_mfa):
    """ "Configuring MFA-protected API access"; AssumeRole SerialNumber and TokenCode."""
    alice, seed = alice_with_mfa
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    role = make_role(root, "Guarded", trust(root.account.root_arn, condition=condition))
    assert isinstance(fail(sts.assume_role, alice, role.arn, "s1"), AccessDenied)
    serial = mfa.serial_number(alice.user)
    error = fail(sts.assume_role, alice, role.arn, "s1", serial_number=serial, token_code="000000")
    if error.message != "MultiFactorAuthentication failed with invalid MFA one time pass code.":
        pytest.skip("000000 happened to be the current code")
    credential = sts.assume_role(alice, role.arn, "s1", serial_number=serial, token_code=mfa.totp(seed, timezone.now()))
    assert credential.mfa_authenticated and session(credential).context()["aws:MultiFactorAuthPresent"] == "true"


def test_an_mfa_device_that_is_not_the_callers(root, alice_with_mfa, admin_role):
    alice, seed = alice_with_mfa
    code = mfa.totp(seed, timezone.now())
    error = fail(
        sts.assume_role, alice, admin_role.arn, "s1", serial_number="arn:aws:iam::123456789012:mfa/x", token_code=code
    )
    assert error.message.startswith("MultiFactorAuthentication failed, unable to validate MFA code.")
    assert not TemporaryCredential.objects.exists()


def test_mfa_from_get_session_token_opens_a_role_that_requires_it(root, alice_with_mfa):
    """ "Configuring MFA-protected API access": GetSessionToken with MFA, then AssumeRole with those credentials."""
    alice, seed = alice_with_mfa
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    role = make_role(root, "Guarded", trust(root.account.root_arn, condition=condition))
    code = mfa.totp(seed, timezone.now())
    with_mfa = session(sts.get_session_token(alice, serial_number=mfa.serial_number(alice.user), token_code=code))
    assert sts.assume_role(with_mfa, role.arn, "guarded").mfa_authenticated, "the MFA context passes on"


def test_a_role_session_has_no_mfa_device_and_the_refusal_is_logged(alice, admin_role):
    caller = session(sts.assume_role(alice, admin_role.arn, "first"))
    error = fail(
        sts.assume_role, caller, admin_role.arn, "again", serial_number="arn:aws:iam::1:mfa/x", token_code="123456"
    )
    assert error.code == "AccessDenied" and error.message.startswith("MultiFactorAuthentication failed")
    assert "no MFA device" in last_decision("sts:AssumeRole").sentence


@pytest.mark.parametrize(("root_mfa", "allowed"), [(True, True), (False, False)])
def test_the_root_users_simulated_device_in_get_session_token(root, root_mfa, allowed):
    """The root user's virtual device is simulated (any 6-digit code): only its serial number must be right."""
    Account.objects.filter(pk=root.account.pk).update(root_mfa_enabled=root_mfa)
    serial = f"arn:aws:iam::{root.account.account_id}:mfa/root-account-mfa-device"
    if allowed:
        assert sts.get_session_token(root, serial_number=serial, token_code="123456").mfa_authenticated
    else:
        assert fail(sts.get_session_token, root, serial_number=serial, token_code="123456").code == "AccessDenied"


# --- GetSessionToken (STS API Reference); "Permissions for GetSessionToken" ---


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(None, 43200), (900, 900), (129600, 129600), (899, None), (129601, None)],
)
def test_get_session_token_durations(alice, duration, expected):
    """GetSessionToken (STS API Reference): 900 to 129,600 seconds, 43,200 by default."""
    if expected is None:
        assert fail(sts.get_session_token, alice, duration_seconds=duration).code == "ValidationError"
        return
    credential = sts.get_session_token(alice, duration_seconds=duration)
    assert credential.expires_at - credential.issued_at == timedelta(seconds=expected)
    assert credential.user == alice.user and credential.role is None and not credential.mfa_authenticated
    assert session(credential).principal.arn == alice.user.arn, "the credentials act as the user"


def test_the_root_users_session_token_lasts_at_most_an_hour(root):
    credential = sts.get_session_token(root, duration_seconds=7200)
    assert credential.expires_at - credential.issued_at == timedelta(seconds=sts.ROOT_SESSION_TOKEN_LIMIT)


def test_get_session_token_needs_long_term_credentials(alice, admin_role):
    for caller in (session(sts.get_session_token(alice)), session(sts.assume_role(alice, admin_role.arn, "s1"))):
        error = fail(sts.get_session_token, caller)
        assert (error.code, error.message) == ("AccessDenied", "Cannot call GetSessionToken with session credentials")
    assert TemporaryCredential.objects.count() == 2


def test_get_session_token_with_mfa(alice_with_mfa):
    alice, seed = alice_with_mfa
    credential = sts.get_session_token(
        alice, serial_number=mfa.serial_number(alice.user), token_code=mfa.totp(seed, timezone.now())
    )
    assert credential.mfa_authenticated and credential.mfa_authenticated_at == credential.issued_at
    assert session(credential).context()["aws:MultiFactorAuthPresent"] == "true"


@pytest.mark.parametrize(
    ("action", "with_mfa", "code"),
    [
        ("iam:ListUsers", False, "InvalidClientTokenId"),
        ("iam:ListUsers", True, None),
        ("s3:ListBucket", False, None),
        ("sts:GetFederationToken", True, "AccessDenied"),
        ("sts:AssumeRole", False, None),
    ],
)
def test_what_session_token_credentials_may_call(alice_with_mfa, action, with_mfa, code):
    """ "Permissions for GetSessionToken": no IAM call without MFA, no STS call but AssumeRole and
    GetCallerIdentity; each refusal is in the decision log."""
    alice, seed = alice_with_mfa
    mfa_args = {"serial_number": mfa.serial_number(alice.user), "token_code": mfa.totp(seed, timezone.now())}
    caller = session(sts.get_session_token(alice, **(mfa_args if with_mfa else {})))
    if code is None:
        assert authorize(caller, action, "*").allowed
        return
    error = fail(authorize, caller, action, "*")
    assert error.code == code
    if code == "AccessDenied":
        assert error.message == "Cannot call GetFederationToken with session credentials"
    record = last_decision(action)
    assert record.result == "implicitDeny" and "GetSessionToken" in record.sentence
    assert record.credentials == "temporary" and record.access_key_id == caller.access_key_id


# --- GetCallerIdentity (STS API Reference) ---


def test_get_caller_identity_for_each_kind_of_caller(root, alice, admin_role):
    """GetCallerIdentity (STS API Reference): UserId is aws:userid (AIDA..., AROA...:session, the account id)."""
    role_session = session(sts.assume_role(alice, admin_role.arn, "who"))
    account_id = root.account.account_id
    assert sts.get_caller_identity(root) == {"UserId": account_id, "Account": account_id, "Arn": root.account.root_arn}
    assert sts.get_caller_identity(alice) == {
        "UserId": alice.user.unique_id,
        "Account": account_id,
        "Arn": alice.user.arn,
    }
    assert sts.get_caller_identity(role_session) == {
        "UserId": f"{admin_role.unique_id}:who",
        "Account": account_id,
        "Arn": f"arn:aws:sts::{account_id}:assumed-role/Admin/who",
    }
    assert sts.get_caller_identity(role_session)["UserId"].startswith("AROA")


def test_get_caller_identity_needs_no_permission_and_cannot_be_denied(root, bob):
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}]}
    operations.put_user_policy(root, "bob", "deny", json.dumps(deny))
    assert sts.get_caller_identity(bob)["Arn"] == bob.user.arn
    record = last_decision("sts:GetCallerIdentity")
    assert record.result == "allowed" and "needs no permission" in record.sentence


# --- signing requests: STS "Common Errors" (InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken) ---


@pytest.fixture
def alice_key(root, alice):
    return access_keys.create_access_key(root, "alice")


def test_a_long_term_key_acts_as_its_user_and_is_stamped(sandbox, alice, alice_key):
    """GetAccessKeyLastUsed (IAM API Reference): a request signed with the key stamps its last use."""
    clock.set_rate(sandbox, 0)
    actor = sts.signed_actor(sandbox, alice_key.access_key_id, alice_key.secret, service="s3")
    assert actor.user == alice.user and actor.credentials_kind == "long-term" and actor.access_key == alice_key
    alice_key.refresh_from_db()
    assert (alice_key.last_used_at, alice_key.last_used_service) == (clock.now(sandbox), "s3")


def test_key_failures(sandbox, root, alice, alice_key, other_learner):
    """STS "Common Errors": InvalidClientTokenId, SignatureDoesNotMatch; another learner's key is unknown here."""
    foreign_sandbox = Sandbox.objects.create_with_account(other_learner)
    foreign_root = Actor(foreign_sandbox.accounts.get())
    operations.create_user(foreign_root, "eve")
    foreign = access_keys.create_access_key(foreign_root, "eve")
    cases = [
        (alice_key.access_key_id, "wrong" * 8, "", "SignatureDoesNotMatch"),
        ("AKIANOTAREALKEY00000", alice_key.secret, "", "InvalidClientTokenId"),
        (foreign.access_key_id, foreign.secret, "", "InvalidClientTokenId"),
        (alice_key.access_key_id, alice_key.secret, "token", "InvalidClientTokenId"),
    ]
    for key_id, secret, token, code in cases:
        error = fail(sts.signed_actor, sandbox, key_id, secret, token)
        assert (error.code, error.status) == (code, 403)
    assert fail(sts.signed_actor, sandbox, foreign.access_key_id, foreign.secret).message == (
        fail(sts.signed_actor, sandbox, "AKIANOTAREALKEY00000", "x").message
    ), "another learner's key reads as unknown"
    access_keys.update_access_key(root, "alice", alice_key.access_key_id, "Inactive")
    assert fail(sts.signed_actor, sandbox, alice_key.access_key_id, alice_key.secret).code == "InvalidClientTokenId"
    alice_key.refresh_from_db()
    assert alice_key.last_used_at is None


def test_temporary_credentials_need_their_token_and_expire_on_the_sandbox_clock(sandbox, alice, admin_role):
    """ "Use temporary credentials with AWS resources": the session token is required; ExpiredToken after expiry."""
    credential = sts.assume_role(alice, admin_role.arn, "s1", duration_seconds=900)
    key, secret, token = credential.access_key_id, credential.secret, credential.session_token
    actor = sts.signed_actor(sandbox, key, secret, token)
    assert actor.credential == credential and actor.principal.arn.endswith("assumed-role/Admin/s1")
    for bad_token in ("", token + "x"):
        error = fail(sts.signed_actor, sandbox, key, secret, bad_token)
        assert (error.code, error.message) == (
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    assert fail(sts.signed_actor, sandbox, key, "x" * 40, token).code == "SignatureDoesNotMatch"
    clock.set_rate(sandbox, 0)
    clock.advance(sandbox, 899)
    assert sts.seconds_left(reloaded(credential)) <= 1 and not sts.is_expired(reloaded(credential))
    clock.advance(sandbox, 2)
    error = fail(sts.signed_actor, sandbox, key, secret, token)
    assert (error.code, error.message) == ("ExpiredToken", "The security token included in the request is expired")
    assert sts.is_expired(reloaded(credential)) and sts.seconds_left(reloaded(credential)) == 0


def test_temporary_credentials_of_another_sandbox_are_unknown(alice, admin_role, other_learner):
    credential = sts.assume_role(alice, admin_role.arn, "s1")
    foreign = Sandbox.objects.create_with_account(other_learner)
    error = fail(sts.signed_actor, foreign, credential.access_key_id, credential.secret, credential.session_token)
    assert error.code == "InvalidClientTokenId"


def test_live_sessions_are_those_not_yet_expired(sandbox, root, alice, admin_role):
    short = sts.assume_role(alice, admin_role.arn, "short", duration_seconds=900)
    long = sts.assume_role(alice, admin_role.arn, "long", duration_seconds=3600)
    assert set(sts.live_sessions(root.account)) == {short, long}
    clock.set_rate(sandbox, 0)
    clock.advance(sandbox, 1000)
    assert list(sts.live_sessions(root.account)) == [long]
    assert sts.seconds_left(reloaded(long)) == pytest.approx(2600, abs=2)
