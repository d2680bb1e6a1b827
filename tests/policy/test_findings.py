"""Policy findings, checked the way IAM Access Analyzer's ValidatePolicy checks them.

Issue codes, finding types and what each check is about come from the IAM
User Guide page "IAM policy validation check reference" (the Access
Analyzer policy check reference); action names, ARN formats and condition
keys from the Service Authorization Reference data the catalog reads.
Codes Access Analyzer has no check for are the module's own (see
findings_model._OWN_CODES).
"""

from __future__ import annotations

import json

import pytest

from simulator.policy.findings import FindingType, validate
from simulator.policy.model import PolicyType

ERROR, SECURITY, WARNING, SUGGESTION = (FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING,
                                        FindingType.SUGGESTION)
OBJECTS = "arn:aws:s3:::bucket/*"
ROLES = "arn:aws:iam::123456789012:role/*"


def doc(*statements: dict, version: str | None = "2012-10-17") -> str:
    document = {"Version": version} if version else {}
    return json.dumps({**document, "Statement": list(statements)}, indent=2)


def allow(action, resource=OBJECTS, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def when(operator: str, key: str, value) -> dict:
    return {"Condition": {operator: {key: value}}}


def codes(text: str, policy_type: PolicyType = PolicyType.IDENTITY) -> list[tuple[str, FindingType]]:
    return [(f.issue_code, f.finding_type) for f in validate(text, policy_type)]


# "Error – Invalid action", "Error – Invalid service in action"
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (doc(allow("s3:GetObjectz")), [("INVALID_ACTION", ERROR)]),
        (doc(allow("s33:GetObject")), [("INVALID_SERVICE_IN_ACTION", ERROR)]),
        (doc(allow("s3:Gett*")), [("INVALID_ACTION", ERROR)]),  # a pattern that matches no action
        (doc({"Effect": "Deny", "NotAction": "iam:GetUserz", "Resource": "*"}), [("INVALID_ACTION", ERROR)]),
        (doc(allow("S3:getobject")), []),  # action names ignore case
    ],
)
def test_actions_must_exist(text, expected):
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("action", "hint"),
    [
        ("s3:GetObjectz", "Did you mean s3:GetObject?"),
        ("s33:GetObject", "Did you mean s3:GetObject?"),
        ("iam:PasRole", "Did you mean iam:PassRole?"),
    ],
)
def test_an_invalid_action_comes_with_the_closest_real_one(action, hint):
    (finding,) = validate(doc(allow(action, "*")), PolicyType.IDENTITY)
    assert hint in finding.message


# Resources against the ARN formats of the statement's actions (Service Authorization Reference).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (doc(allow("s3:GetObject", "arn:aws:s3:::bucket")), [("RESOURCE_MISMATCH", WARNING)]),  # no object key
        (doc(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::bucket")), [("RESOURCE_MISMATCH", WARNING)]),
        (doc(allow("s3:ListAllMyBuckets", "arn:aws:s3:::bucket")), [("RESOURCE_MISMATCH", WARNING)]),
        (doc(allow("iam:PassRole", "arn:aws:iam::123456789012:user/alice")), [("RESOURCE_MISMATCH", WARNING)]),
        (doc(allow("s3:GetObject", "arn:aws:dynamodb:us-east-1:123456789012:table/Books")),
         [("RESOURCE_MISMATCH", WARNING)]),
        (doc(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::bucket", OBJECTS])), []),
        (doc(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*")), []),
        (doc(allow("s3:GetObject", "*")), []),
    ],
)
def test_resources_must_fit_the_actions(text, expected):
    assert codes(text) == expected


def test_a_resource_mismatch_names_the_expected_arn_format_and_links_the_service_reference():
    (finding,) = validate(doc(allow("s3:GetObject", "arn:aws:s3:::bucket")), PolicyType.IDENTITY)
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in finding.message
    assert finding.learn_more.endswith("list_amazons3.html")


# "Security Warning – Pass role with star in resource" and its siblings, "General Warning – Create SLR ...".
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (doc(allow("*", "*")), [("FULL_ADMIN_ACCESS", SECURITY),
                                ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SECURITY),
                                ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", WARNING)]),
        (doc(allow("iam:PassRole", "*")), [("PASS_ROLE_WITH_STAR_IN_RESOURCE", SECURITY)]),
        (doc(allow("iam:PassRole", ROLES)), [("PASS_ROLE_WITH_STAR_IN_RESOURCE", SECURITY)]),
        (doc(allow("iam:PassRole", ROLES, **when("StringEquals", "iam:PassedToService", "ec2.amazonaws.com"))), []),
        (doc(allow("iam:PassRole", "arn:aws:iam::123456789012:role/AppRole")), []),
        (doc(allow("iam:*", "*")), [("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SECURITY),
                                    ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", WARNING)]),
        (doc({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::123456789012:role/Admin"}),
         [("PASS_ROLE_WITH_NOT_RESOURCE", SECURITY), ("ALLOW_WITH_NOT_RESOURCE", WARNING)]),
        (doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
         [("ALLOW_WITH_NOT_ACTION", SECURITY), ("PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SECURITY),
          ("CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", WARNING)]),
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), [("ALLOW_WITH_NOT_ACTION", SECURITY)]),
        (doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "arn:aws:s3:::bucket"}),
         [("ALLOW_WITH_NOT_ACTION", WARNING)]),
        (doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::bucket/secret/*"}),
         [("ALLOW_WITH_NOT_RESOURCE", WARNING)]),
        (doc(deny("iam:PassRole", "*")), []),  # the checks are about what a policy allows
    ],
)
def test_overly_broad_allows(text, expected):
    assert codes(text) == expected


# "Suggestion – Redundant action", "Suggestion – Redundant resource", "Suggestion – Redundant statement".
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (doc(allow(["s3:Get*", "s3:GetObject"])), [("REDUNDANT_ACTION", SUGGESTION)]),
        (doc(allow(["s3:GetObject", "s3:getobject"])), [("REDUNDANT_ACTION", SUGGESTION)]),  # a duplicate
        (doc(allow(["s3:Get*", "s3:GetObject*"])), [("REDUNDANT_ACTION", SUGGESTION)]),
        (doc(allow(["s3:Get*", "s3:*Object"])), []),  # s3:PutObject is not in s3:Get*
        (doc(allow("s3:GetObject", [OBJECTS, "arn:aws:s3:::bucket/report.pdf"])), [("REDUNDANT_RESOURCE", SUGGESTION)]),
        (doc(allow("s3:GetObject"), allow("s3:GetObject")), [("REDUNDANT_STATEMENT", SUGGESTION)]),
        (doc(allow("s3:GetObject", "arn:aws:s3:::bucket/a"), allow("s3:Get*")), [("REDUNDANT_STATEMENT", SUGGESTION)]),
        (doc(allow("s3:GetObject", **when("Bool", "aws:SecureTransport", "true")), allow("s3:GetObject")),
         [("REDUNDANT_STATEMENT", SUGGESTION)]),  # the unconditional statement already allows it
        (doc(allow("s3:GetObject"), allow("s3:PutObject")), []),
        (doc(allow("s3:GetObject"), deny("s3:*")), [("ALLOW_OVERRIDDEN_BY_DENY", WARNING)]),
        (doc(allow("s3:GetObject"), deny("s3:*", **when("Bool", "aws:SecureTransport", "false"))), []),
        (doc(allow("s3:GetObject"), deny("s3:PutObject")), []),
        (doc(allow("s3:GetObject"), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
         [("ALLOW_OVERRIDDEN_BY_DENY", WARNING)]),
        (doc(allow("iam:GetUser", "*"), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}), []),
    ],
)
def test_redundant_and_ineffective_parts(text, expected):
    assert codes(text) == expected


# "Error – Invalid global condition key", "Error – Invalid service condition key", "Error – Invalid service",
# "General Warning – Type mismatch", "Security Warning – ForAllValues with single valued key",
# "General Warning – Wildcard without like operator".
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (allow("s3:GetObject", **when("StringEquals", "aws:SourceIpx", "x")),
         [("INVALID_GLOBAL_CONDITION_KEY", ERROR)]),
        (allow("s3:ListBucket", "arn:aws:s3:::bucket", **when("StringLike", "s3:prefixx", "home/*")),
         [("INVALID_SERVICE_CONDITION_KEY", ERROR)]),
        (allow("s3:GetObject", **when("StringEquals", "s4:foo", "x")), [("INVALID_SERVICE", ERROR)]),
        (allow("s3:GetObject", **when("StringLike", "s3:prefix", "home/*")),
         [("CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS", WARNING)]),  # s3:prefix goes with s3:ListBucket
        (allow("s3:ListBucket", "arn:aws:s3:::bucket", **when("StringLike", "s3:prefix", "home/*")), []),
        (allow("s3:GetObject", **when("StringEquals", "aws:CurrentTime", "2024-01-01")), [("TYPE_MISMATCH", WARNING)]),
        (allow("s3:GetObject", **when("StringEquals", "aws:SourceIp", "203.0.113.1")), [("TYPE_MISMATCH", WARNING)]),
        (allow("s3:GetObject", **when("DateGreaterThan", "aws:CurrentTime", "2024-01-01T00:00:00Z")), []),
        (allow("s3:GetObject", **when("NumericLessThan", "aws:EpochTime", "1700000000")), []),  # Date or Numeric
        (allow("s3:GetObject", **when("BoolIfExists", "aws:MultiFactorAuthPresent", "true")), []),
        (allow("s3:GetObject", **when("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
         [("FORALLVALUES_WITH_SINGLE_VALUED_KEY", SECURITY)]),
        (allow("ec2:CreateTags", "arn:aws:ec2:*:*:instance/*", **when("ForAllValues:StringEquals", "aws:TagKeys",
                                                                         ["Team"])), []),
        (allow("s3:GetObject", **when("StringEquals", "aws:PrincipalTag/team", "dev*")),
         [("WILDCARD_WITHOUT_LIKE_OPERATOR", WARNING)]),
        (allow("s3:GetObject", **when("StringLike", "aws:PrincipalTag/team", "dev*")), []),
        (allow("s3:GetObject", **when("StringEquals", "s3:ExistingObjectTag/team", "${aws:PrincipalTag/team}")), []),
        (allow("s3:GetObject", **when("StringEquals", "cognito-identity.amazonaws.com:aud", "us-east-1:pool")), []),
    ],
)
def test_condition_keys_and_operators(statement, expected):
    assert codes(doc(statement)) == expected


def trust(principal: dict, action, operator: str, key: str, value) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **when(operator, key, value)}


GOOGLE, COGNITO = {"Federated": "accounts.google.com"}, {"Federated": "cognito-identity.amazonaws.com"}
GITHUB = {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
SAML = {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"}
ACCOUNT = {"AWS": "arn:aws:iam::123456789012:root"}
WEB, WITH_SAML = "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"


# "IAM and AWS STS condition context keys": "Available keys for AWS web identity federation" (every provider
# has its own claims, so none is unknown), "... for SAML-based AWS STS federation" and "... for AWS STS";
# Amazon Cognito Developer Guide, "Role trust and permissions" (amr is multi-valued).
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (trust(GOOGLE, WEB, "StringEquals", "accounts.google.com:aud", "123.apps.googleusercontent.com"), []),
        (trust(GITHUB, WEB, "StringLike", "token.actions.githubusercontent.com:sub", "repo:octo-org/app:*"), []),
        (trust(GITHUB, WEB, "StringEquals", "token.actions.githubusercontent.com:job_workflow_ref", "x"), []),
        (trust(COGNITO, WEB, "ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr", "authenticated"), []),
        (trust(COGNITO, WEB, "ForAllValues:StringLike", "cognito-identity.amazonaws.com:amr", ["authenticated"]), []),
        (trust(SAML, WITH_SAML, "StringEquals", "saml:aud", "https://signin.aws.amazon.com/saml"), []),
        (trust(SAML, WITH_SAML, "StringEquals", "saml:edupersonorgdn", "o=example"), []),
        (trust(SAML, WITH_SAML, "ForAnyValue:StringEquals", "saml:edupersonaffiliation", "staff"), []),
        (trust(ACCOUNT, "sts:AssumeRole", "StringLike", "sts:RoleSessionName", "${aws:username}"), []),
        (trust(ACCOUNT, ["sts:AssumeRole", "sts:TagSession"], "ForAllValues:StringEquals", "sts:TransitiveTagKeys",
               ["team"]), []),
        (trust(SAML, WEB, "StringEquals", "saml:aud", "x"), [("CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS", WARNING)]),
        (trust(SAML, WITH_SAML, "StringEquals", "saml:audd", "x"), [("INVALID_SERVICE_CONDITION_KEY", ERROR)]),
        (trust(ACCOUNT, "sts:AssumeRole", "StringEquals", "sts:ExternalIdd", "x"),
         [("INVALID_SERVICE_CONDITION_KEY", ERROR)]),
        (trust(GOOGLE, WEB, "StringEquals", "https://accounts.google.com:aud", "x"), [("INVALID_SERVICE", ERROR)]),
    ],
)
def test_federation_and_sts_keys_in_trust_policies(statement, expected):
    assert codes(doc(statement), PolicyType.TRUST) == expected


def test_the_editor_shows_an_action_a_trust_policy_cannot_name():
    """A trust policy names only the actions of assuming the role ("IAM role trust policies")."""
    text = doc({"Effect": "Allow", "Principal": ACCOUNT, "Action": ["sts:AssumeRole", "iam:PassRole"]})
    (finding,) = validate(text, PolicyType.TRUST)
    assert (finding.issue_code, finding.finding_type) == ("MALFORMED_POLICY_DOCUMENT", ERROR)
    assert '"iam:PassRole" cannot be in a role trust policy' in finding.message


def test_a_provider_key_written_with_https_gets_the_key_it_meant():
    text = doc(trust(GITHUB, WEB, "StringEquals", "https://token.actions.githubusercontent.com:aud", "x"))
    (finding,) = validate(text, PolicyType.TRUST)
    assert finding.message.endswith("Did you mean token.actions.githubusercontent.com:aud?")


# "General Warning – Missing version"
def test_a_policy_without_version_gets_a_warning():
    assert codes(doc(allow("s3:GetObject"), version=None)) == [("MISSING_VERSION", WARNING)]


HOME_FOLDERS = doc(
    allow("s3:ListBucket", "arn:aws:s3:::bucket", **when("StringLike", "s3:prefix", ["home/${aws:username}/*"])),
    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::bucket/home/${aws:username}/*"),
)
OWN_INSTANCES = doc(allow(["ec2:StartInstances", "ec2:StopInstances"], "arn:aws:ec2:*:*:instance/*",
                          **when("StringEquals", "aws:ResourceTag/Owner", "${aws:username}")))
THIRD_PARTY_TRUST = doc({
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"sts:ExternalId": "Unique-1"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
})
ORGANIZATION_BUCKET = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS,
                           **when("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")})
MFA_REQUIRED = doc({"Effect": "Deny", "NotAction": ["iam:ListMFADevices", "iam:EnableMFADevice", "sts:GetSessionToken"],
                    "Resource": "*", **when("BoolIfExists", "aws:MultiFactorAuthPresent", "false")})
REGIONS_SCP = doc({"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
                   **when("StringNotEquals", "aws:RequestedRegion", ["eu-west-1", "eu-central-1"])})
OWN_ITEMS = doc(allow(["dynamodb:GetItem", "dynamodb:Query"], "arn:aws:dynamodb:*:*:table/Scores",
                      **when("ForAllValues:StringEquals", "dynamodb:LeadingKeys", ["${aws:userid}"])))


# Examples in the spirit of the IAM User Guide's "Example IAM identity-based policies".
@pytest.mark.parametrize(
    ("text", "policy_type"),
    [
        (HOME_FOLDERS, PolicyType.IDENTITY),
        (OWN_INSTANCES, PolicyType.IDENTITY),
        (THIRD_PARTY_TRUST, PolicyType.TRUST),
        (ORGANIZATION_BUCKET, PolicyType.RESOURCE),
        (MFA_REQUIRED, PolicyType.IDENTITY),
        (REGIONS_SCP, PolicyType.SERVICE_CONTROL),
        (OWN_ITEMS, PolicyType.IDENTITY),
    ],
)
def test_good_policies_have_no_findings(text, policy_type):
    assert validate(text, policy_type) == ()


# A malformed document: its errors, with their positions, and nothing else.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"Version": "2012-10-17", "Statement": {"Effect": "Alow", "Action": "s3:GetObjectz", "Resource": "*"}}',
         [("MALFORMED_POLICY_DOCUMENT", (1, 51))]),
        ('{"Version": "2012-10-17", "Statement": [', [("JSON_SYNTAX_ERROR", (1, 41))]),
    ],
)
def test_a_malformed_document_yields_only_its_errors(text, expected):
    findings = validate(text, PolicyType.IDENTITY)
    assert [(f.issue_code, (f.locations[0].start.line, f.locations[0].start.column)) for f in findings] == expected
    assert all(f.finding_type is ERROR for f in findings)


LAID_OUT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetObjectz"],
      "Resource": "arn:aws:s3:::bucket",
      "Condition": {"StringEquals": {"aws:SourceIpx": "203.0.113.1"}}
    },
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}
  ]
}"""


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("INVALID_ACTION", (6, 35), (6, 49)),  # the string "s3:GetObjectz", quotes included
        ("INVALID_GLOBAL_CONDITION_KEY", (8, 38), (8, 52)),  # the key "aws:SourceIpx"
        ("RESOURCE_MISMATCH", (10, 63), (10, 83)),  # the second statement's Resource
    ],
)
def test_locations_point_at_the_exact_string(code, start, end):
    (finding,) = [f for f in validate(LAID_OUT, PolicyType.IDENTITY) if f.issue_code == code]
    (span,) = finding.locations
    assert ((span.start.line, span.start.column), (span.end.line, span.end.column)) == (start, end)


def test_findings_come_in_document_order_with_their_learn_more_links():
    findings = validate(LAID_OUT, PolicyType.IDENTITY)
    assert [f.issue_code for f in findings] == ["INVALID_ACTION", "INVALID_GLOBAL_CONDITION_KEY", "RESOURCE_MISMATCH"]
    assert findings[0].learn_more == ("https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-"
                                      "policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action")
