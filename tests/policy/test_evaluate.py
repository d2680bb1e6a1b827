"""AWS's evaluation logic, one case a line.

Sources (IAM User Guide): "Policy evaluation logic"; "How AWS enforcement
code logic evaluates requests to allow or deny access"; "Policy evaluation
for requests within a single account"; "Cross-account policy evaluation
logic"; "Permissions boundaries for IAM entities"; "Session policies";
"Service control policies (SCPs)"; "AWS JSON policy elements: NotPrincipal".
"""

import pytest

from simulator.policy.decision import Stage
from simulator.policy.evaluate import evaluate
from simulator.policy.model import PolicyType
from simulator.policy.policyset import PolicySet
from simulator.policy.request import make_request
from tests.policy.helpers import (
    ACCOUNT,
    OTHER_ACCOUNT,
    allow,
    deny,
    policy,
    role_session,
    root,
    service,
    user,
)

BUCKET = "arn:aws:s3:::reports"
OBJECT = "arn:aws:s3:::reports/q1.csv"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEV_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Dev"
DEV_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/s1"


def decide(
    principal,
    action,
    target="*",
    *,
    identity=(),
    explain=True,
    context=None,
    resource_account=None,
    resource_policy=None,
    **kw,
):
    request = make_request(principal, action, target, context or {}, resource_account)
    return evaluate(request, PolicySet(identity, resource=resource_policy, **kw), explain=explain)


def both_modes(*args, **kwargs):
    """Every case runs with and without the explanation; the two must agree.

    The fast path stops at the first Allow of each policy type, so its
    matched statements are a subset of the explained ones.
    """
    full = decide(*args, explain=True, **kwargs)
    fast = decide(*args, explain=False, **kwargs)
    assert (fast.result, fast.stage) == (full.result, full.stage)
    assert set(fast.matched) <= set(full.matched)
    assert bool(fast.matched) == bool(full.matched)
    return full


# "Policy evaluation logic": deny by default, an allow is needed, an explicit deny overrides it.
@pytest.mark.parametrize(
    "statements, action, resource, expected",
    [
        ([], "s3:GetObject", OBJECT, "implicitDeny"),
        ([allow("s3:GetObject", OBJECT)], "s3:GetObject", OBJECT, "allowed"),
        ([allow("s3:*")], "s3:GetObject", OBJECT, "allowed"),
        ([allow("s3:*"), deny("s3:GetObject", OBJECT)], "s3:GetObject", OBJECT, "explicitDeny"),
        ([deny("s3:GetObject", OBJECT)], "s3:GetObject", OBJECT, "explicitDeny"),
        ([allow("s3:PutObject")], "s3:GetObject", OBJECT, "implicitDeny"),
        ([allow("*")], "ec2:RunInstances", "*", "allowed"),
        ([allow("s3:GetObject", BUCKET)], "s3:GetObject", OBJECT, "implicitDeny"),
        ([allow(["ec2:*", "s3:Get*"])], "s3:GetObject", OBJECT, "allowed"),
    ],
)
def test_basic_identity_based_evaluation(statements, action, resource, expected):
    identity = [policy(*statements, policy_id="p")] if statements else []
    assert both_modes(user(), action, resource, identity=identity).result == expected


# "IAM JSON policy elements: Action": case-insensitive, * and ? wildcards, NotAction.
@pytest.mark.parametrize(
    "element, action, expected",
    [
        ({"Action": "S3:getobject"}, "s3:GetObject", "allowed"),
        ({"Action": "s3:Get*"}, "s3:GetObjectAcl", "allowed"),
        ({"Action": "s3:?etObject"}, "s3:GetObject", "allowed"),
        ({"Action": "s3:?etObject"}, "s3:GGetObject", "implicitDeny"),
        ({"Action": "s3:Get"}, "s3:GetObject", "implicitDeny"),
        ({"Action": "iam:*"}, "s3:GetObject", "implicitDeny"),
        ({"NotAction": "iam:*"}, "s3:GetObject", "allowed"),
        ({"NotAction": "s3:*"}, "s3:GetObject", "implicitDeny"),
        ({"NotAction": ["iam:*", "s3:Delete*"]}, "s3:DeleteObject", "implicitDeny"),
    ],
)
def test_action_matching(element, action, expected):
    statement = {"Effect": "Allow", "Resource": "*", **element}
    assert both_modes(user(), action, OBJECT, identity=[policy(statement)]).result == expected


# "IAM JSON policy elements: Resource": case-sensitive; wildcards cross ':' and '/'; NotResource.
@pytest.mark.parametrize(
    "element, resource, expected",
    [
        ({"Resource": "arn:aws:s3:::reports/*"}, OBJECT, "allowed"),
        ({"Resource": "arn:aws:s3:::Reports/*"}, OBJECT, "implicitDeny"),
        ({"Resource": "arn:aws:s3:::rep*"}, "arn:aws:s3:::reports/2024/q1.csv", "allowed"),
        ({"Resource": "arn:aws:s3:::reports/q?.csv"}, OBJECT, "allowed"),
        ({"Resource": "arn:aws:s3:::reports/q?.csv"}, "arn:aws:s3:::reports/q10.csv", "implicitDeny"),
        ({"Resource": "arn:aws:s3:::*"}, OBJECT, "allowed"),
        ({"Resource": "arn:aws:ec2:*:*:instance/*"}, "arn:aws:ec2:us-east-1:111111111111:instance/i-1", "allowed"),
        ({"Resource": "arn:aws:s3:::reports"}, OBJECT, "implicitDeny"),
        ({"NotResource": "arn:aws:s3:::secret/*"}, OBJECT, "allowed"),
        ({"NotResource": "arn:aws:s3:::reports/*"}, OBJECT, "implicitDeny"),
        ({"Resource": ["arn:aws:s3:::a", "arn:aws:s3:::reports/*"]}, OBJECT, "allowed"),
    ],
)
def test_resource_matching(element, resource, expected):
    statement = {"Effect": "Allow", "Action": "s3:GetObject", **element}
    assert both_modes(user(), "s3:GetObject", resource, identity=[policy(statement)]).result == expected


# "IAM policy elements: Variables and tags": a variable with no value makes the statement not match.
@pytest.mark.parametrize(
    "resource_pattern, context, resource, expected",
    [
        ("arn:aws:s3:::home/${aws:username}/*", {"aws:username": "alice"}, "arn:aws:s3:::home/alice/a.txt", "allowed"),
        (
            "arn:aws:s3:::home/${aws:username}/*",
            {"aws:username": "bob"},
            "arn:aws:s3:::home/alice/a.txt",
            "implicitDeny",
        ),
        ("arn:aws:s3:::home/${aws:username}/*", {}, "arn:aws:s3:::home/alice/a.txt", "implicitDeny"),
        ("arn:aws:s3:::home/${aws:username}", {"aws:username": "a*"}, "arn:aws:s3:::home/abc", "implicitDeny"),
        ("arn:aws:s3:::home/${aws:username}", {"aws:username": "a*"}, "arn:aws:s3:::home/a*", "allowed"),
        ("arn:aws:s3:::t/${aws:PrincipalTag/team, 'none'}/*", {}, "arn:aws:s3:::t/none/x", "allowed"),
    ],
)
def test_policy_variables_in_resource(resource_pattern, context, resource, expected):
    identity = [policy(allow("s3:GetObject", resource_pattern))]
    assert both_modes(user(), "s3:GetObject", resource, identity=identity, context=context).result == expected


def test_variables_are_plain_text_under_version_2008():
    """ "Policy variables": only Version 2012-10-17 substitutes them; 2008-10-17 treats ${...} literally."""
    identity = [policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}"), version="2008-10-17")]
    literal = "arn:aws:s3:::home/${aws:username}"
    ctx = {"aws:username": "alice"}
    assert (
        both_modes(user(), "s3:GetObject", "arn:aws:s3:::home/alice", identity=identity, context=ctx).result
        == "implicitDeny"
    )
    assert both_modes(user(), "s3:GetObject", literal, identity=identity, context=ctx).result == "allowed"


# "Permissions boundaries for IAM entities": effective permissions are the intersection.
@pytest.mark.parametrize(
    "identity_stmt, boundary_stmt, expected, stage",
    [
        (allow("s3:*"), allow("s3:GetObject"), "allowed", Stage.PERMISSIONS_BOUNDARY),
        (allow("s3:*"), allow("ec2:*"), "implicitDeny", Stage.PERMISSIONS_BOUNDARY),
        (allow("ec2:*"), allow("s3:*"), "implicitDeny", Stage.IDENTITY_BASED),
        (allow("s3:*"), deny("s3:GetObject"), "explicitDeny", Stage.EXPLICIT_DENY),
    ],
)
def test_permissions_boundary_limits_identity_policies(identity_stmt, boundary_stmt, expected, stage):
    decision = both_modes(
        user(),
        "s3:GetObject",
        OBJECT,
        identity=[policy(identity_stmt)],
        permissions_boundary=[policy(boundary_stmt, kind=PolicyType.PERMISSIONS_BOUNDARY)],
    )
    assert (decision.result, decision.stage) == (expected, stage)


# "Session policies": a session policy narrows a role session; it never grants on its own.
@pytest.mark.parametrize(
    "identity_stmt, session_stmt, expected",
    [
        (allow("s3:*"), allow("s3:GetObject"), "allowed"),
        (allow("s3:*"), allow("s3:PutObject"), "implicitDeny"),
        (allow("ec2:*"), allow("s3:GetObject"), "implicitDeny"),
    ],
)
def test_session_policy_narrows_a_role_session(identity_stmt, session_stmt, expected):
    decision = both_modes(
        role_session(),
        "s3:GetObject",
        OBJECT,
        identity=[policy(identity_stmt)],
        session=[policy(session_stmt, kind=PolicyType.SESSION)],
    )
    assert decision.result == expected


SCP = PolicyType.SERVICE_CONTROL


# "Service control policies (SCPs)": every level must allow; SCPs restrict root of member accounts
# but not service-linked roles or the management account.
@pytest.mark.parametrize(
    "principal, levels, expected, stage",
    [
        (user(), [[allow("*")]], "allowed", Stage.IDENTITY_BASED),
        (user(), [[allow("ec2:*")]], "implicitDeny", Stage.SERVICE_CONTROL),
        (user(), [[allow("*")], [allow("ec2:*")]], "implicitDeny", Stage.SERVICE_CONTROL),
        (user(), [[allow("*")], [allow("ec2:*"), allow("s3:*")]], "allowed", Stage.IDENTITY_BASED),
        (user(), [[allow("*"), deny("s3:*")]], "explicitDeny", Stage.EXPLICIT_DENY),
        (root(), [[allow("ec2:*")]], "implicitDeny", Stage.SERVICE_CONTROL),
        (root(), [[allow("*"), deny("s3:*")]], "explicitDeny", Stage.EXPLICIT_DENY),
        (role_session(service_linked=True), [[allow("ec2:*")]], "allowed", Stage.IDENTITY_BASED),
        (role_session(service_linked=True), [[deny("s3:*")]], "allowed", Stage.IDENTITY_BASED),
        (user(), [], "allowed", Stage.IDENTITY_BASED),
    ],
)
def test_service_control_policies(principal, levels, expected, stage):
    scps = [[policy(s, kind=SCP) for s in level] for level in levels]
    decision = both_modes(principal, "s3:GetObject", OBJECT, identity=[policy(allow("s3:*"))], service_control=scps)
    assert (decision.result, decision.stage) == (expected, stage)


def test_management_account_is_not_restricted_by_scps():
    principal = user()
    principal = type(principal)(principal.arn, principal.kind, principal.account, management_account=True)
    scps = [[policy(deny("*"), kind=SCP)]]
    decision = both_modes(principal, "s3:GetObject", OBJECT, identity=[policy(allow("*"))], service_control=scps)
    assert decision.result == "allowed"


def bucket_policy(*statements):
    return policy(*statements, kind=PolicyType.RESOURCE, policy_id="bucket-policy")


def grant(principal_value, action="s3:GetObject", resource=OBJECT, effect="Allow"):
    return {"Effect": effect, "Principal": {"AWS": principal_value}, "Action": action, "Resource": resource}


BOUNDARY_EC2 = [policy(allow("ec2:*"), kind=PolicyType.PERMISSIONS_BOUNDARY)]
SESSION_EC2 = [policy(allow("ec2:*"), kind=PolicyType.SESSION)]


# "Policy evaluation for requests within a single account" and the resource-based step of
# "How AWS enforcement code logic evaluates requests": what a same-account Allow is worth
# depends on how the resource-based policy names the principal.
@pytest.mark.parametrize(
    "principal, named, extra, expected, stage",
    [
        (user(), ALICE, {}, "allowed", Stage.RESOURCE_BASED),
        (user(), "*", {}, "allowed", Stage.RESOURCE_BASED),
        (user(), ACCOUNT, {}, "implicitDeny", Stage.IDENTITY_BASED),
        (user(), f"arn:aws:iam::{ACCOUNT}:root", {}, "implicitDeny", Stage.IDENTITY_BASED),
        (user(), ALICE, {"permissions_boundary": BOUNDARY_EC2}, "allowed", Stage.RESOURCE_BASED),
        (user(), f"arn:aws:iam::{ACCOUNT}:user/bob", {}, "implicitDeny", Stage.IDENTITY_BASED),
        (role_session(), DEV_ROLE, {}, "allowed", Stage.RESOURCE_BASED),
        (role_session(), DEV_ROLE, {"permissions_boundary": BOUNDARY_EC2}, "implicitDeny", Stage.PERMISSIONS_BOUNDARY),
        (role_session(), DEV_ROLE, {"session": SESSION_EC2}, "implicitDeny", Stage.SESSION),
        (role_session(), DEV_SESSION, {"permissions_boundary": BOUNDARY_EC2}, "allowed", Stage.RESOURCE_BASED),
        (role_session(), DEV_SESSION, {"session": SESSION_EC2}, "allowed", Stage.RESOURCE_BASED),
    ],
)
def test_same_account_resource_based_policy(principal, named, extra, expected, stage):
    decision = both_modes(principal, "s3:GetObject", OBJECT, resource_policy=bucket_policy(grant(named)), **extra)
    assert (decision.result, decision.stage) == (expected, stage)


def test_same_account_account_principal_delegates_to_identity_policies():
    decision = both_modes(
        user(),
        "s3:GetObject",
        OBJECT,
        identity=[policy(allow("s3:GetObject"))],
        resource_policy=bucket_policy(grant(ACCOUNT)),
    )
    assert decision.result == "allowed"


def test_deny_in_a_resource_based_policy_overrides_an_identity_allow():
    decision = both_modes(
        user(),
        "s3:GetObject",
        OBJECT,
        identity=[policy(allow("*"))],
        resource_policy=bucket_policy(grant("*", effect="Deny")),
    )
    assert (decision.result, decision.matched[0].policy_type) == ("explicitDeny", "resource-based-policies")


# "Cross-account policy evaluation logic": the identity side and the resource side must both allow.
@pytest.mark.parametrize(
    "identity_stmts, named, expected, stage",
    [
        ([allow("s3:GetObject")], OTHER_ACCOUNT, "allowed", Stage.IDENTITY_BASED),
        ([allow("s3:GetObject")], f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice", "allowed", Stage.IDENTITY_BASED),
        ([], f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice", "implicitDeny", Stage.IDENTITY_BASED),
        ([allow("s3:GetObject")], ACCOUNT, "implicitDeny", Stage.RESOURCE_BASED),
        ([allow("s3:GetObject")], None, "implicitDeny", Stage.RESOURCE_BASED),
    ],
)
def test_cross_account_needs_both_sides(identity_stmts, named, expected, stage):
    principal = user(account=OTHER_ACCOUNT)
    resource_policy = bucket_policy(grant(named)) if named else None
    identity = [policy(*identity_stmts)] if identity_stmts else []
    decision = both_modes(
        principal, "s3:GetObject", OBJECT, identity=identity, resource_policy=resource_policy, resource_account=ACCOUNT
    )
    assert (decision.result, decision.stage) == (expected, stage)


def trust(principal_block, action="sts:AssumeRole"):
    return policy({"Effect": "Allow", "Principal": principal_block, "Action": action}, kind=PolicyType.TRUST)


ROLE_RESOURCE = DEV_ROLE


# "Granting a user permissions to switch roles" / "Policy evaluation logic": a role's trust policy
# must allow even within the account.
@pytest.mark.parametrize(
    "trust_principal, identity_stmts, expected",
    [
        ({"AWS": ALICE}, [], "allowed"),
        ({"AWS": ACCOUNT}, [allow("sts:AssumeRole", ROLE_RESOURCE)], "allowed"),
        ({"AWS": ACCOUNT}, [], "implicitDeny"),
        ({"Service": "ec2.amazonaws.com"}, [allow("sts:AssumeRole", ROLE_RESOURCE)], "implicitDeny"),
    ],
)
def test_trust_policy_must_allow_assume_role(trust_principal, identity_stmts, expected):
    identity = [policy(*identity_stmts)] if identity_stmts else []
    decision = both_modes(
        user(), "sts:AssumeRole", ROLE_RESOURCE, identity=identity, resource_policy=trust(trust_principal)
    )
    assert decision.result == expected


def test_service_principal_is_allowed_only_by_the_resource_policy():
    trusted = trust({"Service": "ec2.amazonaws.com"})
    assert both_modes(service(), "sts:AssumeRole", ROLE_RESOURCE, resource_policy=trusted).result == "allowed"
    assert (
        both_modes(service("lambda.amazonaws.com"), "sts:AssumeRole", ROLE_RESOURCE, resource_policy=trusted).result
        == "implicitDeny"
    )
    assert both_modes(service(), "sts:AssumeRole", ROLE_RESOURCE).result == "implicitDeny"


# "AWS account root user": complete access to its own account, unless a resource-based policy or an SCP denies.
@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, "allowed"),
        ({"resource_policy": bucket_policy(grant("*", effect="Deny"))}, "explicitDeny"),
        ({"identity": [policy(deny("*"))]}, "allowed"),
    ],
)
def test_root_user(kwargs, expected):
    assert both_modes(root(), "s3:GetObject", OBJECT, **kwargs).result == expected


def test_root_of_another_account_needs_the_resource_policy():
    other_root = root(OTHER_ACCOUNT)
    assert both_modes(other_root, "s3:GetObject", OBJECT, resource_account=ACCOUNT).result == "implicitDeny"
    granted = bucket_policy(grant(OTHER_ACCOUNT))
    assert (
        both_modes(other_root, "s3:GetObject", OBJECT, resource_policy=granted, resource_account=ACCOUNT).result
        == "allowed"
    )


# "AWS JSON policy elements: NotPrincipal": naming the role does not exclude its sessions.
@pytest.mark.parametrize(
    "excluded, principal, expected",
    [
        ([ALICE], user(), "implicitDeny"),
        ([ALICE], user("bob"), "explicitDeny"),
        ([DEV_ROLE], role_session(), "explicitDeny"),
        ([DEV_ROLE, DEV_SESSION], role_session(), "implicitDeny"),
        ([ACCOUNT], user(), "explicitDeny"),
        ([ACCOUNT], root(), "allowed"),
    ],
)
def test_not_principal_in_a_deny(excluded, principal, expected):
    statement = {"Effect": "Deny", "NotPrincipal": {"AWS": excluded}, "Action": "s3:*", "Resource": OBJECT}
    decision = both_modes(principal, "s3:GetObject", OBJECT, resource_policy=bucket_policy(statement))
    assert decision.result == expected


# "Condition operators": conditions decide whether a statement applies at all.
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        ({"StringEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": "data"}, "allowed"),
        ({"StringEquals": {"aws:PrincipalTag/team": "data"}}, {"aws:PrincipalTag/team": "web"}, "implicitDeny"),
        ({"StringEquals": {"aws:PrincipalTag/team": "data"}}, {}, "implicitDeny"),
        ({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {"aws:SourceIp": "192.0.2.7"}, "allowed"),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": "false"}, "implicitDeny"),
    ],
)
def test_conditions_gate_a_statement(condition, context, expected):
    identity = [policy(allow("s3:GetObject", OBJECT, Condition=condition))]
    assert both_modes(user(), "s3:GetObject", OBJECT, identity=identity, context=context).result == expected


def test_deny_unless_mfa_denies_when_the_key_is_missing():
    """ "Condition operators" — BoolIfExists: a missing key satisfies the IfExists form."""
    stmt = deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    identity = [policy(allow("*"), stmt)]
    assert both_modes(user(), "s3:GetObject", OBJECT, identity=identity).result == "explicitDeny"
    mfa = {"aws:MultiFactorAuthPresent": "true"}
    assert both_modes(user(), "s3:GetObject", OBJECT, identity=identity, context=mfa).result == "allowed"
