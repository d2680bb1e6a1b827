"""AWS's documented policy elements, one worked example or rule a line.

Sources (IAM User Guide): "AWS JSON policy elements: Principal";
"AWS JSON policy elements: NotPrincipal"; "IAM JSON policy elements: Action",
"NotAction", "Resource", "NotResource"; "IAM policy elements: Variables and tags".
"""

import pytest

from tests.policy.documented import anonymous, decide, federated_user, identity_provider
from tests.policy.helpers import allow, deny, role_session, service, user

OWNER = "111122223333"  # the account that owns the resource in cross-account cases
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJECT = f"{BUCKET}/file.txt"
S3_ALL = [allow("s3:*")]
BOB = user("Bob", "123456789012")
USERS = "arn:aws:iam::123456789012:user/"
FEDERATED_BOB = federated_user("Bob", "123456789012")
AUDIT_ROLE = "arn:aws:iam::123456789012:role/examplerole"
AUDIT = role_session("examplerole", "examplerolesessionname", account="123456789012")


# "AWS JSON policy elements: Principal": an account ID and the account's root ARN "behave the same way" and
# delegate to the account (not only its root user); several principals are OR'd; the user name is case
# sensitive; a role ARN covers the role's sessions, a session ARN one session; "*" covers everyone, anonymous
# users too, and needs no other permission for principals of the resource's own account.
@pytest.mark.parametrize(
    "principal, named, identity, resource_account, expected",
    [
        (BOB, "123456789012", S3_ALL, OWNER, "allowed"),
        (BOB, "arn:aws:iam::123456789012:root", S3_ALL, OWNER, "allowed"),
        (BOB, "arn:aws:iam::123456789012:root", [], OWNER, "implicitDeny"),
        (user("Bob", "555555555555"), ["123456789012", "555555555555"], S3_ALL, OWNER, "allowed"),
        (user("Bob", "999999999999"), ["123456789012", "555555555555"], S3_ALL, OWNER, "implicitDeny"),
        (BOB, f"{USERS}Bob", S3_ALL, OWNER, "allowed"),
        (user("bob", "123456789012"), f"{USERS}Bob", S3_ALL, OWNER, "implicitDeny"),
        (BOB, [f"{USERS}Carol", f"{USERS}Bob"], S3_ALL, OWNER, "allowed"),
        (AUDIT, AUDIT_ROLE, S3_ALL, OWNER, "allowed"),
        (AUDIT, AUDIT.arn, S3_ALL, OWNER, "allowed"),
        (role_session("examplerole", "other", account="123456789012"), AUDIT.arn, S3_ALL, OWNER, "implicitDeny"),
        (FEDERATED_BOB, FEDERATED_BOB.arn, S3_ALL, OWNER, "allowed"),
        (user("alice", OWNER), "*", [], None, "allowed"),
        (anonymous(), "*", [], None, "allowed"),
        (anonymous(), "123456789012", [], None, "implicitDeny"),
    ],
)
def test_principal_element(principal, named, identity, resource_account, expected):
    bucket_policy = [allow("s3:GetObject", OBJECT, Principal={"AWS": named} if named != "*" else "*")]
    result = decide(
        principal, "s3:GetObject", OBJECT, identity=identity, resource_policy=bucket_policy,
        resource_account=resource_account,
    )
    assert result == expected


def test_principal_star_and_aws_star_are_equivalent_for_anonymous_users():
    """ "AWS JSON policy elements: Principal": for anonymous users "Principal": "*" equals {"AWS": "*"}."""
    bucket_policy = [allow("s3:GetObject", OBJECT, Principal={"AWS": "*"})]
    assert decide(anonymous(), "s3:GetObject", OBJECT, resource_policy=bucket_policy) == "allowed"


ROLE = "arn:aws:iam::123456789012:role/service-role"
TWO_SERVICES = {"Service": ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"]}
COGNITO = {"Federated": "cognito-identity.amazonaws.com"}
SAML_IDP = "arn:aws:iam::123456789012:saml-provider/ExampleIdP"
WEB = "sts:AssumeRoleWithWebIdentity"


# "AWS JSON policy elements: Principal", service and federated principals in a role trust policy: an array
# of service principals in one Service element; OIDC providers by name or ARN, SAML providers by ARN.
@pytest.mark.parametrize(
    "principal, action, trusted, expected",
    [
        (service("ecs.amazonaws.com"), "sts:AssumeRole", TWO_SERVICES, "allowed"),
        (service("elasticloadbalancing.amazonaws.com"), "sts:AssumeRole", TWO_SERVICES, "allowed"),
        (service("lambda.amazonaws.com"), "sts:AssumeRole", TWO_SERVICES, "implicitDeny"),
        (identity_provider("cognito-identity.amazonaws.com"), WEB, COGNITO, "allowed"),
        (identity_provider("accounts.google.com"), WEB, COGNITO, "implicitDeny"),
        (identity_provider(SAML_IDP), "sts:AssumeRoleWithSAML", {"Federated": SAML_IDP}, "allowed"),
    ],
)
def test_service_and_federated_principals(principal, action, trusted, expected):
    trust = [{"Effect": "Allow", "Principal": trusted, "Action": action}]
    assert decide(principal, action, ROLE, trust=trust) == expected


# "AWS JSON policy elements: Principal" (service principals in opt-in Regions): a cross-Region request from
# an opt-in Region carries the regionalized service principal name, which the policy must name.
@pytest.mark.parametrize(
    "named, expected",
    [("s3.amazonaws.com", "implicitDeny"), ("s3.ap-east-1.amazonaws.com", "allowed")],
)
def test_regionalized_service_principal(named, expected):
    topic = "arn:aws:sns:ap-southeast-1:123456789012:topic"
    topic_policy = [allow("sns:Publish", topic, Principal={"Service": named})]
    assert decide(service("s3.ap-east-1.amazonaws.com"), "sns:Publish", topic, resource_policy=topic_policy) == expected


ACCOUNT_B = "444455556666"
OBJECTS = ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]
BOB_B, ALICE_B = user("Bob", ACCOUNT_B), user("Alice", ACCOUNT_B)
EXCEPT_BOB = {"Effect": "Deny", "NotPrincipal": {"AWS": [BOB_B.arn, f"arn:aws:iam::{ACCOUNT_B}:root"]},
              "Action": "s3:*", "Resource": OBJECTS}
AUDIT_APP = role_session("cross-account-read-only-role", "cross-account-audit-app", account=ACCOUNT_B)
EXCEPT_AUDIT_APP = {
    "Effect": "Deny",
    "NotPrincipal": {"AWS": [AUDIT_APP.arn, AUDIT_APP.role_arn, f"arn:aws:iam::{ACCOUNT_B}:root"]},
    "Action": "s3:*",
    "Resource": OBJECTS,
}
INSTEAD_OF_NOT_PRINCIPAL = deny("s3:*", OBJECTS, Principal="*", Sid="UsePrincipalArnInsteadOfNotPrincipalWithDeny",
                                Condition={"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_B}:user/Bob"}})
ACCOUNT_B_MAY_READ = allow("s3:*", OBJECTS, Principal={"AWS": ACCOUNT_B})
OTHER_SESSION = role_session("cross-account-read-only-role", "other-session", account=ACCOUNT_B)


# "AWS JSON policy elements: NotPrincipal" (and its aws:PrincipalArn alternative in "Principal"): a Deny with
# NotPrincipal denies everyone except the principals named; the account ARN is listed "as a best practice"
# beside Bob, yet "all principals except the user named Bob" are denied. A Deny with NotPrincipal "will always
# deny any IAM principal that has a permissions boundary policy attached". Here beside an Allow for the account.
@pytest.mark.parametrize(
    "principal, statement, kwargs, expected",
    [
        (BOB_B, EXCEPT_BOB, {}, "allowed"),
        (user("Carol", "999999999999"), EXCEPT_BOB, {}, "explicitDeny"),
        (ALICE_B, EXCEPT_BOB, {}, "explicitDeny"),
        (BOB_B, EXCEPT_BOB, {"boundary": S3_ALL}, "explicitDeny"),
        (AUDIT_APP, EXCEPT_AUDIT_APP, {}, "allowed"),
        (OTHER_SESSION, EXCEPT_AUDIT_APP, {}, "explicitDeny"),
        (BOB_B, INSTEAD_OF_NOT_PRINCIPAL, {"context": {"aws:PrincipalArn": BOB_B.arn}}, "allowed"),
        (ALICE_B, INSTEAD_OF_NOT_PRINCIPAL, {"context": {"aws:PrincipalArn": ALICE_B.arn}}, "explicitDeny"),
        (BOB_B, INSTEAD_OF_NOT_PRINCIPAL, {"context": {"aws:PrincipalArn": BOB_B.arn}, "boundary": S3_ALL}, "allowed"),
    ],
)
def test_not_principal(principal, statement, kwargs, expected):
    result = decide(
        principal, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/report.csv", identity=S3_ALL,
        resource_policy=[statement, ACCOUNT_B_MAY_READ], resource_account=OWNER, **kwargs,
    )
    assert result == expected


ACCESS_KEY_ACTIONS = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"]
MANY = ["sqs:SendMessage", "sqs:ReceiveMessage", "ec2:StartInstances", "iam:ChangePassword", "s3:GetObject"]


# "IAM JSON policy elements: Action": prefix and name are case insensitive ("iam:ListAccessKeys is the same as
# IAM:listaccesskeys"); a list; "s3:*" for a whole service; "iam:*AccessKey*" for every action with AccessKey.
@pytest.mark.parametrize(
    "element, action, expected",
    [
        ("IAM:listaccesskeys", "iam:ListAccessKeys", "allowed"),
        ("iam:ListAccessKeys", "IAM:listaccesskeys", "allowed"),
        (MANY, "ec2:StartInstances", "allowed"),
        (MANY, "iam:ChangePassword", "allowed"),
        (MANY, "sqs:DeleteQueue", "implicitDeny"),
        ("s3:*", "s3:GetObject", "allowed"),
        ("s3:*", "ec2:StartInstances", "implicitDeny"),
        *(("iam:*AccessKey*", name, "allowed") for name in ACCESS_KEY_ACTIONS),
        ("iam:*AccessKey*", "iam:CreateUser", "implicitDeny"),
        ("*", "ec2:RunInstances", "allowed"),
    ],
)
def test_action_element(element, action, expected):
    assert decide(user("alice", "123456789012"), action, identity=[allow(element)]) == expected


NOT_DELETE_BUCKET = {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}
NOT_IAM = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
NO_MFA = {"Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
          "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
OUTSIDE_EU = {"Effect": "Deny", "NotAction": ["cloudfront:*", "iam:*", "route53:*", "support:*"], "Resource": "*",
              "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}}
INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123"


# "IAM JSON policy elements: NotAction": with Allow it grants everything not listed that applies to the
# Resource (so not s3:ListAllMyBuckets, which needs "*", nor other services' actions); with Deny it denies
# everything not listed and grants nothing (the MFA example and the Region example).
@pytest.mark.parametrize(
    "statements, action, resource, context, expected",
    [
        ([NOT_DELETE_BUCKET], "s3:GetObject", OBJECT, {}, "allowed"),
        ([NOT_DELETE_BUCKET], "s3:DeleteBucket", BUCKET, {}, "implicitDeny"),
        ([NOT_DELETE_BUCKET], "s3:ListAllMyBuckets", "*", {}, "implicitDeny"),
        ([NOT_DELETE_BUCKET], "ec2:RunInstances", INSTANCE, {}, "implicitDeny"),
        ([NOT_IAM], "ec2:RunInstances", INSTANCE, {}, "allowed"),
        ([NOT_IAM], "iam:CreateUser", "*", {}, "implicitDeny"),
        ([allow("*"), NO_MFA], "s3:GetObject", OBJECT, {}, "explicitDeny"),
        ([allow("*"), NO_MFA], "s3:GetObject", OBJECT, {"aws:MultiFactorAuthPresent": "false"}, "explicitDeny"),
        ([allow("*"), NO_MFA], "s3:GetObject", OBJECT, {"aws:MultiFactorAuthPresent": "true"}, "allowed"),
        ([allow("*"), NO_MFA], "iam:ChangePassword", "*", {}, "allowed"),
        ([NO_MFA], "iam:ChangePassword", "*", {}, "implicitDeny"),
        ([allow("*"), OUTSIDE_EU], "ec2:RunInstances", INSTANCE, {"aws:RequestedRegion": "us-east-1"}, "explicitDeny"),
        ([allow("*"), OUTSIDE_EU], "ec2:RunInstances", INSTANCE, {"aws:RequestedRegion": "eu-west-1"}, "allowed"),
        ([allow("*"), OUTSIDE_EU], "iam:CreateUser", "*", {"aws:RequestedRegion": "us-east-1"}, "allowed"),
    ],
)
def test_not_action_element(statements, action, resource, context, expected):
    assert decide(user("alice", "123456789012"), action, resource, identity=statements, context=context) == expected


TEST_PATTERN = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*"
TABLES = ["arn:aws:dynamodb:us-east-2:123456789012:table/books_table",
          "arn:aws:dynamodb:us-east-2:123456789012:table/magazines_table"]


# "IAM JSON policy elements: Resource": exact ARNs; the IAM user name is case sensitive; "*" and "?" within a
# segment, "*" reaching past "/" (every object of the documented amzn-s3-demo-bucket/*/test/* list, matching
# and not); several ARNs in a list.
@pytest.mark.parametrize(
    "pattern, resource, expected",
    [
        ("arn:aws:sqs:us-east-2:123456789012:queue1", "arn:aws:sqs:us-east-2:123456789012:queue1", "allowed"),
        ("arn:aws:sqs:us-east-2:123456789012:queue1", "arn:aws:sqs:us-east-2:123456789012:queue2", "implicitDeny"),
        ("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/Bob", "allowed"),
        ("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", "implicitDeny"),
        ("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/alice", "allowed"),
        ("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/marketing/bob", "implicitDeny"),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*", OBJECT, "allowed"),
        *((TEST_PATTERN, f"arn:aws:s3:::amzn-s3-demo-bucket/{key}", "allowed") for key in (
            "1/test/object.jpg", "1/2/test/object.jpg", "1/2/test/3/object.jpg", "1/2/3/test/4/object.jpg",
            "1///test///object.jpg", "1/test/.jpg", "/test/object.jpg", "1/test/",
        )),
        *((TEST_PATTERN, f"arn:aws:s3:::amzn-s3-demo-bucket/{key}", "implicitDeny") for key in (
            "1-test/object.jpg", "test/object.jpg", "1/2/test.jpg",
        )),
        (TABLES, TABLES[0], "allowed"),
        (TABLES, TABLES[1], "allowed"),
        (TABLES, "arn:aws:dynamodb:us-east-2:123456789012:table/comics_table", "implicitDeny"),
    ],
)
def test_resource_element(pattern, resource, expected):
    assert decide(user("alice", "123456789012"), "s3:GetObject", resource, identity=[allow("*", pattern)]) == expected


PAYROLL = ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]
ONLY_PAYROLL = {"Effect": "Deny", "Action": "s3:*", "NotResource": PAYROLL}
ANY_BUT_PAYROLL = {"Effect": "Allow", "Action": "s3:*", "NotResource": PAYROLL}


# "IAM JSON policy elements: NotResource": the HRPayroll Deny denies every S3 resource but the Payroll
# folder, leaves other services alone, and grants nothing by itself; with Allow, NotResource grants every
# resource not listed, for the actions listed only.
@pytest.mark.parametrize(
    "statements, action, resource, expected",
    [
        ([allow("*"), ONLY_PAYROLL], "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.csv", "allowed"),
        ([allow("*"), ONLY_PAYROLL], "s3:ListBucket", "arn:aws:s3:::HRBucket/Payroll", "allowed"),
        ([allow("*"), ONLY_PAYROLL], "s3:GetObject", "arn:aws:s3:::HRBucket/Reviews/bob.txt", "explicitDeny"),
        ([allow("*"), ONLY_PAYROLL], "s3:ListAllMyBuckets", "*", "explicitDeny"),
        ([allow("*"), ONLY_PAYROLL], "ec2:RunInstances", INSTANCE, "allowed"),
        ([ONLY_PAYROLL], "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.csv", "implicitDeny"),
        ([ANY_BUT_PAYROLL], "s3:GetObject", "arn:aws:s3:::HRBucket/Reviews/bob.txt", "allowed"),
        ([ANY_BUT_PAYROLL], "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.csv", "implicitDeny"),
        ([ANY_BUT_PAYROLL], "ec2:RunInstances", INSTANCE, "implicitDeny"),
    ],
)
def test_not_resource_element(statements, action, resource, expected):
    assert decide(user("alice", "123456789012"), action, resource, identity=statements) == expected


HOME = "arn:aws:s3:::mybucket/${aws:username}/*"
DAVID = {"aws:username": "David"}
TEAM_BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}"
YELLOW = {"aws:PrincipalTag/team": "yellow"}
SNS_NAMES = "arn:aws:sns:*:*:" + "-".join(
    f"${{aws:PrincipalTag/access-{tag}}}" for tag in ("project", "application", "environment")
) + "-*"
PROJECT_TAGS = {f"aws:PrincipalTag/access-{tag}": tag[0] for tag in ("project", "application", "environment")}
TOPICS = "arn:aws:sns:us-east-1:123456789012:"
DEPT = "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/dept}/*"
USER_TABLE = "arn:aws:dynamodb:us-east-2:111122223333:table/${aws:username}"


# "IAM policy elements: Variables and tags", in the Resource element: replaced from the request (key names
# case-insensitive), text after the fifth colon; a variable with no value matches no resource; a default
# ("company-wide") fills in; a multivalued key is no variable; ${*} is a literal "*".
@pytest.mark.parametrize(
    "pattern, resource, context, expected",
    [
        (HOME, "arn:aws:s3:::mybucket/David/notes.txt", DAVID, "allowed"),
        (HOME, "arn:aws:s3:::mybucket/Adele/notes.txt", DAVID, "implicitDeny"),
        (HOME, "arn:aws:s3:::mybucket/David/notes.txt", {}, "implicitDeny"),
        ("arn:aws:s3:::mybucket/${AWS:UserName}/*", "arn:aws:s3:::mybucket/David/a", DAVID, "allowed"),
        (USER_TABLE, "arn:aws:dynamodb:us-east-2:111122223333:table/David", DAVID, "allowed"),
        (DEPT, "arn:aws:s3:::amzn-s3-demo-bucket/pm/road.md", {"aws:PrincipalTag/dept": "pm"}, "allowed"),
        (SNS_NAMES, f"{TOPICS}p-a-e-alerts", PROJECT_TAGS, "allowed"),
        (SNS_NAMES, f"{TOPICS}p-a-x-alerts", PROJECT_TAGS, "implicitDeny"),
        (TEAM_BUCKET, "arn:aws:s3:::amzn-s3-demo-bucket-yellow", YELLOW, "allowed"),
        (TEAM_BUCKET, "arn:aws:s3:::amzn-s3-demo-bucket-company-wide", YELLOW, "implicitDeny"),
        (TEAM_BUCKET, "arn:aws:s3:::amzn-s3-demo-bucket-company-wide", {}, "allowed"),
        (TEAM_BUCKET, "arn:aws:s3:::amzn-s3-demo-bucket-yellow", {}, "implicitDeny"),
        ("arn:aws:s3:::mybucket/${aws:TagKeys}", "arn:aws:s3:::mybucket/a", {"aws:TagKeys": ["a", "b"]},
         "implicitDeny"),
        ("arn:aws:s3:::mybucket/${*}", "arn:aws:s3:::mybucket/*", {}, "allowed"),
        ("arn:aws:s3:::mybucket/${*}", "arn:aws:s3:::mybucket/anything", {}, "implicitDeny"),
    ],
)
def test_variables_in_resource(pattern, resource, context, expected):
    identity = [allow("*", pattern)]
    result = decide(user("David", "123456789012"), "s3:GetObject", resource, identity=identity, context=context)
    assert result == expected


# "IAM policy elements: Variables and tags": variables need Version 2012-10-17; under 2008-10-17, or with no
# Version element at all, "variables like ${aws:username} are treated as literal strings".
@pytest.mark.parametrize(
    "version, resource, expected",
    [
        ("2012-10-17", "arn:aws:s3:::mybucket/David/notes.txt", "allowed"),
        ("2008-10-17", "arn:aws:s3:::mybucket/David/notes.txt", "implicitDeny"),
        ("2008-10-17", "arn:aws:s3:::mybucket/${aws:username}/notes.txt", "allowed"),
        (None, "arn:aws:s3:::mybucket/David/notes.txt", "implicitDeny"),
        (None, "arn:aws:s3:::mybucket/${aws:username}/notes.txt", "allowed"),
    ],
)
def test_variables_need_version_2012_10_17(version, resource, expected):
    kwargs = {"identity": [allow("*", HOME)], "context": DAVID, "version": version}
    assert decide(user("David", "123456789012"), "s3:GetObject", resource, **kwargs) == expected


OWNED = [allow("s3:GetObject", Condition={"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/owner}"}})]
SAME_TEAM = [allow("*"), deny("s3:GetObject",
                              Condition={"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}})]
TEAM_PREFIX = [allow("s3:GetObject", Condition={"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*"]}})]
DEFAULT_TEAM = [allow("s3:GetObject", Condition={"StringLike": {"s3:prefix": "${aws:PrincipalTag/team, 'all'}/*"}})]
OUTSIDE_HOME = [allow("*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": HOME}]


def tags(principal=None, obj=None, key="owner"):
    """A principal tag and an object tag of the same key, each left out when None."""
    found = {f"aws:PrincipalTag/{key}": principal, f"s3:ExistingObjectTag/{key}": obj}
    return {name: value for name, value in found.items() if value is not None}


# "IAM policy elements: Variables and tags", in the Condition element: with no value a variable makes
# StringEquals/StringLike fail while StringNotEquals holds, so the documented Team Deny "explicitly denies when
# aws:principaltag/Team is not set"; a default stands in for a missing value; in NotResource a valueless
# variable matches nothing, so nothing is excepted.
@pytest.mark.parametrize(
    "statements, context, expected",
    [
        (OWNED, tags("ana", "ana"), "allowed"),
        (OWNED, tags("ana", "bo"), "implicitDeny"),
        (OWNED, tags(None, "ana"), "implicitDeny"),
        (SAME_TEAM, tags("blue", "blue", "Team"), "allowed"),
        (SAME_TEAM, tags("blue", "red", "Team"), "explicitDeny"),
        (SAME_TEAM, tags(None, "blue", "Team"), "explicitDeny"),
        (TEAM_PREFIX, {"aws:PrincipalTag/team": "red", "s3:prefix": "red/reports"}, "allowed"),
        (TEAM_PREFIX, {"aws:PrincipalTag/team": "blue", "s3:prefix": "red/reports"}, "implicitDeny"),
        (DEFAULT_TEAM, {"s3:prefix": "all/rules"}, "allowed"),
        (DEFAULT_TEAM, {"aws:PrincipalTag/team": "yellow", "s3:prefix": "all/rules"}, "implicitDeny"),
        (OUTSIDE_HOME, {}, "explicitDeny"),
        (OUTSIDE_HOME, DAVID, "allowed"),
        ([allow("s3:GetObject", Condition={"StringEquals": {"s3:prefix": "${?}"}})], {"s3:prefix": "?"}, "allowed"),
        ([allow("s3:GetObject", Condition={"StringLike": {"s3:prefix": "${$}*"}})], {"s3:prefix": "$home"}, "allowed"),
    ],
)
def test_variables_in_conditions(statements, context, expected):
    resource = "arn:aws:s3:::mybucket/David/notes.txt"
    result = decide(user("David", "123456789012"), "s3:GetObject", resource, identity=statements, context=context)
    assert result == expected
