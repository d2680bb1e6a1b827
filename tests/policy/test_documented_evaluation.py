"""AWS's documented evaluation logic, one worked example or rule a line.

Every group cites the IAM User Guide (or AWS Organizations User Guide) page it
encodes.
"""

import pytest

from tests.policy.documented import decide, federated_user
from tests.policy.helpers import allow, deny, role_session, root, user

A = "123456789012"  # the single account of the worked examples
S3_OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"
EC2 = [allow("ec2:*")]
S3 = [allow("s3:*")]
ALL = [allow("*")]
NO_S3 = [allow("*"), deny("s3:*")]
ALICE = user("alice", A)
DEV = role_session("examplerole", "examplerolesessionname", account=A)


# "Policy evaluation logic" and "How AWS enforcement code logic evaluates requests to allow or deny access":
# implicit deny by default except for the root user; an explicit deny in any policy type wins; SCPs,
# permissions boundaries and session policies can only take away.
@pytest.mark.parametrize(
    "principal, kwargs, expected",
    [
        (ALICE, {}, "implicitDeny"),
        (root(A), {}, "allowed"),
        (ALICE, {"identity": S3}, "allowed"),
        (ALICE, {"identity": [allow("s3:*"), deny("s3:GetObject")]}, "explicitDeny"),
        (ALICE, {"identity": S3, "resource_policy": [deny(Principal="*")]}, "explicitDeny"),
        (ALICE, {"identity": S3, "boundary": NO_S3}, "explicitDeny"),
        (ALICE, {"identity": S3, "scps": [NO_S3]}, "explicitDeny"),
        (DEV, {"identity": S3, "session": NO_S3}, "explicitDeny"),
        (ALICE, {"identity": S3, "scps": [EC2]}, "implicitDeny"),
        (ALICE, {"scps": [ALL]}, "implicitDeny"),
        (ALICE, {"identity": S3, "boundary": EC2}, "implicitDeny"),
        (ALICE, {"identity": S3, "boundary": S3, "scps": [ALL]}, "allowed"),
        (DEV, {"identity": S3}, "allowed"),
        (DEV, {"identity": S3, "session": EC2}, "implicitDeny"),
        (DEV, {"identity": S3, "session": [allow("s3:GetObject")]}, "allowed"),
        (root(A), {"scps": [EC2]}, "implicitDeny"),
        (root(A), {"scps": [NO_S3]}, "explicitDeny"),
    ],
)
def test_policy_evaluation_logic(principal, kwargs, expected):
    assert decide(principal, "s3:GetObject", S3_OBJECT, **kwargs) == expected


ROLE = f"arn:aws:iam::{A}:role/examplerole"
ASSUME = [allow("sts:AssumeRole", ROLE)]


def trusting(principal_block):
    return [{"Effect": "Allow", "Principal": principal_block, "Action": "sts:AssumeRole"}]


# "How AWS enforcement code logic evaluates requests to allow or deny access": role trust policies are an
# exception, "they must explicitly allow access for principals", even within one account.
@pytest.mark.parametrize(
    "trust_principal, identity, expected",
    [
        ({"AWS": ALICE.arn}, [], "allowed"),
        ({"AWS": f"arn:aws:iam::{A}:root"}, ASSUME, "allowed"),
        ({"AWS": f"arn:aws:iam::{A}:root"}, [], "implicitDeny"),
        ({"AWS": f"arn:aws:iam::{A}:user/bob"}, ASSUME, "implicitDeny"),
    ],
)
def test_role_trust_policy_must_allow(trust_principal, identity, expected):
    kwargs = {"trust": trusting(trust_principal), "identity": identity}
    assert decide(ALICE, "sts:AssumeRole", ROLE, **kwargs) == expected


# "Cross-account policy evaluation logic": a role trust policy is the resource-based policy that lets
# principals of another account assume the role; their own account must allow sts:AssumeRole too.
@pytest.mark.parametrize("identity, expected", [(ASSUME, "allowed"), ([], "implicitDeny"), (S3, "implicitDeny")])
def test_cross_account_role_trust(identity, expected):
    kwargs = {"trust": trusting({"AWS": "111111111111"}), "identity": identity, "resource_account": A}
    assert decide(user("alice", "111111111111"), "sts:AssumeRole", ROLE, **kwargs) == expected


def grant(named, action="s3:*", resource="arn:aws:s3:::*", **extra):
    """A resource-based policy with one Allow for ``named`` (a Principal "AWS" value, or "*")."""
    return [allow(action, resource, Principal=named if named == "*" else {"AWS": named}, **extra)]


CARLOS = user("carlossalazar", A)
CARLOS_POLICY = [
    allow(
        ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
        "arn:aws:s3:::*",
        Sid="AllowS3ListRead",
    ),
    allow(
        "s3:*",
        ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"],
        Sid="AllowS3Self",
    ),
    deny("s3:*", "arn:aws:s3:::*log*", Sid="DenyS3Logs"),
]
OWN = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"
OWN_FILE = f"{OWN}/file.txt"
BUCKET_POLICY = grant(CARLOS.arn, resource=[f"{OWN}/*", OWN])
LOGS = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs"
REPORTS = "arn:aws:s3:::amzn-s3-demo-bucket-reports"


# "Policy evaluation for requests within a single account" (example identity-based and resource-based
# policy evaluation): Carlos saves a file; "If one of the policy types allows the request and the other
# doesn't, the request is still allowed."
@pytest.mark.parametrize(
    "action, resource, identity, bucket_policy, expected",
    [
        ("s3:PutObject", f"{LOGS}/file.txt", CARLOS_POLICY, [], "explicitDeny"),
        ("s3:PutObject", OWN_FILE, CARLOS_POLICY, BUCKET_POLICY, "allowed"),
        ("s3:PutObject", OWN_FILE, CARLOS_POLICY, [], "allowed"),
        ("s3:PutObject", OWN_FILE, [], BUCKET_POLICY, "allowed"),
        ("s3:PutObject", OWN_FILE, CARLOS_POLICY, grant(f"arn:aws:iam::{A}:user/bob"), "allowed"),
        ("s3:PutObject", OWN_FILE, CARLOS_POLICY, [deny(Principal="*")], "explicitDeny"),
        ("s3:GetBucketLocation", REPORTS, CARLOS_POLICY, [], "allowed"),
        ("s3:GetBucketLocation", LOGS, CARLOS_POLICY, [], "explicitDeny"),
        ("s3:DeleteObject", f"{REPORTS}/file.txt", CARLOS_POLICY, [], "implicitDeny"),
    ],
)
def test_carlos_single_account(action, resource, identity, bucket_policy, expected):
    assert decide(CARLOS, action, resource, identity=identity, resource_policy=bucket_policy) == expected


REPORTS_POLICY = [allow(["iam:Get*", "iam:List*"], Sid="AllowGetList"), deny("iam:*Report", Sid="DenyReports")]


# "The difference between explicit and implicit denies": AllowGetList allows, other IAM actions are
# implicitly denied, and DenyReports explicitly denies "*Report" even if another policy allows it.
@pytest.mark.parametrize(
    "action, extra, expected",
    [
        ("iam:GetUser", [], "allowed"),
        ("iam:ListUsers", [], "allowed"),
        ("iam:CreatePolicy", [], "implicitDeny"),
        ("iam:GetOrganizationsAccessReport", [], "explicitDeny"),
        ("iam:GenerateCredentialReport", [], "explicitDeny"),
        ("iam:GenerateCredentialReport", [allow("iam:GenerateCredentialReport")], "explicitDeny"),
    ],
)
def test_explicit_and_implicit_denies(action, extra, expected):
    assert decide(ALICE, action, identity=REPORTS_POLICY + extra) == expected


TRUSTED, TRUSTING = "111111111111", "222222222222"
CARLOS_X = user("carlossalazar", TRUSTED)
CARLOS_X_POLICY = [
    allow("s3:ListAllMyBuckets", Sid="AllowS3ListRead"),
    allow("s3:*Object*", "arn:aws:s3:::Production/*", Sid="AllowS3ProductionObjectActions"),
    deny("s3:*", ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"], Sid="DenyS3Logs"),
]
PRODUCTION_ACTIONS = ["s3:GetObject*", "s3:PutObject*", "s3:ReplicateObject", "s3:RestoreObject"]
PRODUCTION = grant(CARLOS_X.arn, PRODUCTION_ACTIONS, "arn:aws:s3:::Production/*")
ANY_OBJECT = "arn:aws:s3:::Production/*"
PROD_FILE = "arn:aws:s3:::Production/file.txt"


# "Cross-account policy evaluation logic": both accounts must allow. The worked example (Carlos and the
# Production buckets: "He can create and edit, but not delete the objects in the bucket. He can't manage the
# bucket itself.") plus the rules around it: the trusted account checks the identity-based policy and what
# limits it, the trusting account its resource-based policy; an account or "*" grant still needs both.
@pytest.mark.parametrize(
    "action, resource, identity, bucket_policy, boundary, expected",
    [
        ("s3:PutObject", "arn:aws:s3:::Production-logs/file.txt", CARLOS_X_POLICY, [], [], "explicitDeny"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, PRODUCTION, [], "allowed"),
        ("s3:GetObject", PROD_FILE, CARLOS_X_POLICY, PRODUCTION, [], "allowed"),
        ("s3:DeleteObject", PROD_FILE, CARLOS_X_POLICY, PRODUCTION, [], "implicitDeny"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::Production", S3, PRODUCTION, [], "implicitDeny"),
        ("s3:PutObject", PROD_FILE, [], PRODUCTION, [], "implicitDeny"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, [], [], "implicitDeny"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, grant(TRUSTED, resource=ANY_OBJECT), [], "allowed"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, grant("*", resource=ANY_OBJECT), [], "allowed"),
        ("s3:PutObject", PROD_FILE, [], grant("*", resource=ANY_OBJECT), [], "implicitDeny"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, PRODUCTION, EC2, "implicitDeny"),
        ("s3:PutObject", PROD_FILE, CARLOS_X_POLICY, PRODUCTION + [deny(Principal="*")], [], "explicitDeny"),
    ],
)
def test_cross_account(action, resource, identity, bucket_policy, boundary, expected):
    kwargs = {"identity": identity, "resource_policy": bucket_policy, "boundary": boundary}
    assert decide(CARLOS_X, action, resource, resource_account=TRUSTING, **kwargs) == expected


FED = federated_user("exampleuser", A, federated_by=f"arn:aws:iam::{A}:user/exampleuser")
OTHER_SESSION = role_session("examplerole", "other", account=A).arn
IF_ROLE = {"Condition": {"ArnEquals": {"aws:PrincipalArn": ROLE}}}
AS_ROLE = {"aws:PrincipalArn": ROLE}


# "How AWS enforcement code logic evaluates requests to allow or deny access", resource-based policies
# within one account: what the Allow is worth depends on whom it names. A user or a session named directly
# is not limited by implicit denies elsewhere; a role ARN is limited by its boundary and session policy
# ("Permissions boundaries and session policies do not limit permissions granted using the aws:PrincipalArn
# condition key with a wildcard(*) in the Principal element, unless the identity-based policies contain an
# explicit deny"); the account only delegates to identity-based policies ("AWS JSON policy elements: Principal").
@pytest.mark.parametrize(
    "principal, bucket_policy, kwargs, expected",
    [
        (ALICE, grant(ALICE.arn), {}, "allowed"),
        (ALICE, grant(ALICE.arn), {"boundary": EC2}, "allowed"),
        (ALICE, grant(ALICE.arn), {"identity": [deny("s3:*")]}, "explicitDeny"),
        (ALICE, grant(ALICE.arn), {"boundary": NO_S3}, "explicitDeny"),
        (ALICE, grant(A), {}, "implicitDeny"),
        (ALICE, grant(f"arn:aws:iam::{A}:root"), {}, "implicitDeny"),
        (ALICE, grant(f"arn:aws:iam::{A}:root"), {"identity": S3}, "allowed"),
        (DEV, grant(ROLE), {}, "allowed"),
        (DEV, grant(ROLE), {"boundary": EC2}, "implicitDeny"),
        (DEV, grant(ROLE), {"boundary": S3}, "allowed"),
        (DEV, grant(ROLE), {"session": EC2}, "implicitDeny"),
        (DEV, grant(DEV.arn), {}, "allowed"),
        (DEV, grant(DEV.arn), {"boundary": EC2}, "allowed"),
        (DEV, grant(DEV.arn), {"session": EC2}, "allowed"),
        (DEV, grant(OTHER_SESSION), {}, "implicitDeny"),
        (FED, grant(FED.arn), {"session": EC2}, "allowed"),
        (FED, grant(FED.role_arn), {"session": EC2}, "implicitDeny"),
        (FED, grant(FED.role_arn), {"session": S3}, "allowed"),
        (DEV, grant("*", **IF_ROLE), {"identity": [deny("s3:*")], "context": AS_ROLE}, "explicitDeny"),
        (DEV, grant("*", **IF_ROLE), {"context": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/other"}}, "implicitDeny"),
        (DEV, grant("*", **IF_ROLE), {"boundary": EC2, "context": AS_ROLE}, "allowed"),
        (DEV, grant("*", **IF_ROLE), {"session": EC2, "context": AS_ROLE}, "allowed"),
    ],
)
def test_same_account_resource_based_policy(principal, bucket_policy, kwargs, expected):
    assert decide(principal, "s3:GetObject", S3_OBJECT, resource_policy=bucket_policy, **kwargs) == expected


SHIRLEY = user("ShirleyRodriguez", A)
SHIRLEY_BOUNDARY = [allow(["s3:*", "cloudwatch:*", "ec2:*"])]


# "Permissions boundaries for IAM entities": the boundary sets the maximum; it grants nothing by itself,
# and with an SCP the boundary, the SCP and the identity-based policy must all allow.
@pytest.mark.parametrize(
    "action, identity, scps, expected",
    [
        ("iam:CreateUser", [allow("iam:CreateUser")], [], "implicitDeny"),
        ("s3:GetObject", S3, [], "allowed"),
        ("iam:CreateUser", ALL, [], "implicitDeny"),
        ("ec2:RunInstances", ALL, [], "allowed"),
        ("cloudwatch:PutMetricData", [allow("iam:CreateUser")], [], "implicitDeny"),
        ("ec2:RunInstances", ALL, [S3], "implicitDeny"),
        ("s3:GetObject", ALL, [S3], "allowed"),
    ],
)
def test_shirley_permissions_boundary(action, identity, scps, expected):
    assert decide(SHIRLEY, action, identity=identity, boundary=SHIRLEY_BOUNDARY, scps=scps) == expected


OWN_CREDENTIALS = [
    "iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser", "iam:*ServiceSpecificCredential*",
    "iam:*SigningCertificate*",
]
XCOMPANY_BOUNDARIES = [
    allow(["s3:*", "cloudwatch:*", "ec2:*", "dynamodb:*"], Sid="ServiceBoundaries"),
    allow(["iam:ListUsers", "iam:GetAccountPasswordPolicy"], Sid="AllowIAMConsoleForCredentials"),
    allow(OWN_CREDENTIALS, ["arn:aws:iam::*:user/${aws:username}"], Sid="AllowManageOwnPasswordAndAccessKeys"),
    deny("s3:*", ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"], Sid="DenyS3Logs"),
    deny("ec2:*", "arn:aws:ec2:*:*:instance/i-1234567890abcdef0", Sid="DenyEC2Production"),
]
INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/"
USER_ARN = "arn:aws:iam::123456789012:user/"


# "Permissions boundaries for IAM entities" (delegating responsibility): a user whose boundary is
# XCompanyBoundaries, even with an allow-everything permissions policy.
@pytest.mark.parametrize(
    "action, resource, expected",
    [
        ("s3:GetObject", "arn:aws:s3:::logs/today.log", "explicitDeny"),
        ("s3:GetObject", "arn:aws:s3:::reports/q1.csv", "allowed"),
        ("ec2:StopInstances", f"{INSTANCE}i-1234567890abcdef0", "explicitDeny"),
        ("ec2:StopInstances", f"{INSTANCE}i-0000000000000000a", "allowed"),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Books", "allowed"),
        ("iam:CreateUser", f"{USER_ARN}someone", "implicitDeny"),
        ("iam:CreateAccessKey", f"{USER_ARN}newuser", "allowed"),
        ("iam:CreateAccessKey", f"{USER_ARN}someone", "implicitDeny"),
        ("iam:ListUsers", "*", "allowed"),
    ],
)
def test_xcompany_boundary(action, resource, expected):
    kwargs = {"identity": ALL, "boundary": XCOMPANY_BOUNDARIES, "context": {"aws:username": "newuser"}}
    assert decide(user("newuser", A), action, resource, **kwargs) == expected


XCOMPANY_ARN = "arn:aws:iam::123456789012:policy/XCompanyBoundaries"
WITH_BOUNDARY = [
    "iam:CreateUser", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy",
    "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy",
]
BOUNDARY_EDITS = [
    "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
]
DELEGATED_USER_BOUNDARY = [
    allow(WITH_BOUNDARY, Sid="CreateOrChangeOnlyWithBoundary",
          Condition={"StringEquals": {"iam:PermissionsBoundary": XCOMPANY_ARN}}),
    {"Sid": "CloudWatchAndOtherIAMTasks", "Effect": "Allow",
     "Action": ["cloudwatch:*", "iam:GetUser", "iam:CreateAccessKey", "iam:DeleteUser"],
     "NotResource": f"{USER_ARN}Maria"},
    deny(BOUNDARY_EDITS, [XCOMPANY_ARN, "arn:aws:iam::123456789012:policy/DelegatedUserBoundary"],
         Sid="NoBoundaryPolicyEdit"),
    deny("iam:DeleteUserPermissionsBoundary", Sid="NoBoundaryUserDelete"),
]


# "Permissions boundaries for IAM entities" (delegating responsibility): Zhang, bounded by
# DelegatedUserBoundary, may create users only with XCompanyBoundaries and never touch Maria or the boundaries.
@pytest.mark.parametrize(
    "action, resource, boundary_arn, expected",
    [
        ("iam:CreateUser", f"{USER_ARN}newuser", XCOMPANY_ARN, "allowed"),
        ("iam:CreateUser", f"{USER_ARN}newuser", None, "implicitDeny"),
        ("iam:CreateUser", f"{USER_ARN}newuser", "arn:aws:iam::aws:policy/AdministratorAccess", "implicitDeny"),
        ("iam:CreateAccessKey", f"{USER_ARN}newuser", None, "allowed"),
        ("iam:CreateAccessKey", f"{USER_ARN}Maria", None, "implicitDeny"),
        ("iam:DeletePolicy", XCOMPANY_ARN, None, "explicitDeny"),
        ("iam:DeleteUserPermissionsBoundary", f"{USER_ARN}Zhang", None, "explicitDeny"),
    ],
)
def test_zhang_delegated_boundary(action, resource, boundary_arn, expected):
    context = {"iam:PermissionsBoundary": boundary_arn} if boundary_arn else {}
    kwargs = {"identity": ALL, "boundary": DELEGATED_USER_BOUNDARY, "context": context}
    assert decide(user("Zhang", A), action, resource, **kwargs) == expected


# "Session policies" (IAM User Guide, "Policies and permissions in IAM"): a session's permissions are the
# intersection of the identity-based policies and the session policies, which grant nothing by themselves;
# a resource-based policy naming the role is limited by the session policy, one naming the session is not;
# a boundary does not limit a resource-based policy that names the session.
@pytest.mark.parametrize(
    "action, kwargs, expected",
    [
        ("s3:GetObject", {"identity": S3, "session": [allow("s3:GetObject")]}, "allowed"),
        ("s3:PutObject", {"identity": S3, "session": [allow("s3:GetObject")]}, "implicitDeny"),
        ("s3:GetObject", {"session": S3}, "implicitDeny"),
        ("s3:GetObject", {"identity": S3, "session": S3, "boundary": S3}, "allowed"),
        ("s3:GetObject", {"identity": S3, "session": S3, "boundary": EC2}, "implicitDeny"),
        ("s3:GetObject", {"resource_policy": grant(ROLE), "session": S3}, "allowed"),
        ("s3:GetObject", {"resource_policy": grant(ROLE), "session": EC2}, "implicitDeny"),
        ("s3:GetObject", {"resource_policy": grant(DEV.arn), "session": EC2, "boundary": EC2}, "allowed"),
    ],
)
def test_session_policies(action, kwargs, expected):
    assert decide(DEV, action, S3_OBJECT, **kwargs) == expected


SLR = role_session("AWSServiceRoleForSupport", "s", account=A, service_linked=True)
MANAGER = user("admin", A)
MANAGER = type(MANAGER)(MANAGER.arn, MANAGER.kind, MANAGER.account, management_account=True)
ROOT_SCP = [allow(["s3:*", "ec2:*", "sqs:*"])]  # permissions A, B and C of the inheritance diagram
OU_SCP = [allow(["sqs:*", "sns:*", "dynamodb:*"])]  # permissions C, D and E


# "Service control policies (SCPs)" (AWS Organizations User Guide) and "Inheritance for service control
# policies": permissions must pass every level from the root down; SCPs grant nothing, restrict member
# accounts' users, roles and root user (and their resource-based grants: "identity-based and resource-based
# policies grant permissions to principals in member accounts only if those policies and the SCP allow"),
# and restrict neither the management account nor service-linked roles.
@pytest.mark.parametrize(
    "principal, action, scps, kwargs, expected",
    [
        (ALICE, "s3:GetObject", [ALL, ALL, ALL], {"identity": S3}, "allowed"),
        (ALICE, "sqs:SendMessage", [ROOT_SCP, OU_SCP], {"identity": ALL}, "allowed"),
        (ALICE, "s3:GetObject", [ROOT_SCP, OU_SCP], {"identity": ALL}, "implicitDeny"),
        (ALICE, "sns:Publish", [ROOT_SCP, OU_SCP], {"identity": ALL}, "implicitDeny"),
        (ALICE, "s3:GetObject", [ALL, NO_S3, ALL], {"identity": ALL}, "explicitDeny"),
        (ALICE, "s3:GetObject", [ALL], {}, "implicitDeny"),
        (ALICE, "s3:GetObject", [EC2], {"resource_policy": grant(ALICE.arn)}, "implicitDeny"),
        (ALICE, "s3:GetObject", [ALL], {"identity": S3, "boundary": EC2}, "implicitDeny"),
        (root(A), "s3:GetObject", [EC2], {}, "implicitDeny"),
        (MANAGER, "s3:GetObject", [[deny("*")]], {"identity": ALL}, "allowed"),
        (SLR, "s3:GetObject", [[deny("*")]], {"identity": ALL}, "allowed"),
        (SLR, "s3:GetObject", [EC2], {"identity": ALL}, "allowed"),
    ],
)
def test_service_control_policies(principal, action, scps, kwargs, expected):
    assert decide(principal, action, S3_OBJECT, scps=scps, **kwargs) == expected
