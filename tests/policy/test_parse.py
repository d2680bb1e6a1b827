"""Parsing policy documents and IAM's MalformedPolicyDocument validation.

Each table cites the AWS page it comes from. AWS wording in ``aws`` columns is
what the IAM API answers (seen in MalformedPolicyDocument responses quoted in
public bug reports); IAM gives "Syntax errors in policy." where it has nothing
more specific.
"""

from __future__ import annotations

import json
import timeit

import pytest

from simulator.policy.conditions import evaluate_condition
from simulator.policy.errors import GENERIC_AWS_MESSAGE, MalformedPolicyDocument, PolicyError
from simulator.policy.model import Condition, Position, PrincipalEntry
from simulator.policy.model import PolicyType as T
from simulator.policy.parse import BASE_OPERATORS, parse_policy, split_operator

DROP = object()
ACCOUNT_ARN = "arn:aws:iam::111122223333:root"
ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ARN}, "Action": "sts:AssumeRole"}
RESOURCE = {**ALLOW, "Principal": {"AWS": ACCOUNT_ARN}}
RCP = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
BASE = {T.TRUST: TRUST, T.RESOURCE: RESOURCE, T.RESOURCE_CONTROL: RCP}

SAML_PROVIDER = "arn:aws:iam::111122223333:saml-provider/Okta"
EKS_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
EKS_PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{EKS_ISSUER}"
GITHUB_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"

NEEDS_ACTIONS = "Policy statement must contain actions."
NEEDS_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
VENDOR_WILDCARD = "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"
SID_CHARACTERS = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)


def stmt(policy_type: T = T.IDENTITY, **changes: object) -> dict:
    """A valid statement for the policy type, with elements changed (``DROP`` removes one)."""
    statement = {**BASE.get(policy_type, ALLOW), **changes}
    return {key: value for key, value in statement.items() if value is not DROP}


def doc(*statements: dict, version: object = "2012-10-17", **top: object) -> str:
    body = {"Version": version, **top, "Statement": list(statements)}
    return json.dumps({key: value for key, value in body.items() if value is not DROP}, indent=2)


def errors_of(text: str, policy_type: T = T.IDENTITY) -> tuple[PolicyError, ...]:
    with pytest.raises(MalformedPolicyDocument) as raised:
        parse_policy(text, policy_type)
    return raised.value.errors


def assert_one_error(text, policy_type, element, statement_index, fragment, aws):
    errors = errors_of(text, policy_type)
    assert len(errors) == 1, [error.message for error in errors]
    error = errors[0]
    assert (error.element, error.statement_index) == (element, statement_index)
    assert fragment in error.message
    assert error.aws_message == aws
    assert error.position is not None
    if statement_index is not None:
        assert error.message.startswith(f"Statement {statement_index + 1}")


# "Grammar of the IAM JSON policy language" (policy = { version?, id?, statement })
# and "IAM JSON policy elements: Version" / "IAM JSON policy elements: Statement".
@pytest.mark.parametrize(
    ("text", "policy_type", "element", "fragment"),
    [
        ('{"Version": "2012-10-17", "Statement": [', T.IDENTITY, None, "not valid JSON: Expecting value"),
        ("[]", T.IDENTITY, None, "must be a JSON object ({...}), not a list"),
        ('"policy"', T.IDENTITY, None, 'not "policy"'),
        (doc(stmt(), Statements=[]), T.IDENTITY, "Statements", 'Unknown element "Statements"'),
        (doc(stmt(), version=DROP, version_=1).replace('"version_"', '"version"'), T.IDENTITY, "version",
         'write "Version"'),
        ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", '
         '"Resource": "*"}}', T.IDENTITY, "Version", '"Version" appears more than once'),
        (doc(stmt(), version="2012-10-18"), T.IDENTITY, "Version", "not the date you wrote the policy"),
        (doc(stmt(), version="2012-10-17 "), T.IDENTITY, "Version", 'Version "2012-10-17 " is not a version'),
        (doc(stmt(), version=2012), T.IDENTITY, "Version", "Version 2012 is not a version"),
        (doc(stmt(), Id=7), T.IDENTITY, "Id", "Id must be a string"),
        ('{"Version": "2012-10-17"}', T.IDENTITY, "Statement", "Missing required field Statement"),
        (doc(), T.IDENTITY, "Statement", "not an empty list"),
        ('{"Statement": "Allow everything"}', T.IDENTITY, "Statement", 'not "Allow everything"'),
        # "SCP syntax" and "RCP syntax" (AWS Organizations User Guide): Version must be 2012-10-17.
        (doc(stmt(), version=DROP), T.SERVICE_CONTROL, "Version", "Missing required field Version"),
        (doc(stmt(T.RESOURCE_CONTROL), version="2008-10-17"), T.RESOURCE_CONTROL, "Version",
         'A resource control policy (RCP) must use "Version": "2012-10-17", not "2008-10-17"'),
        (doc(stmt(), version="2012-10-18"), T.SERVICE_CONTROL, "Version", "not the date you wrote the policy)."),
    ],
)
def test_document_level_errors(text, policy_type, element, fragment):
    assert_one_error(text, policy_type, element, None, fragment, GENERIC_AWS_MESSAGE)


def test_a_statement_that_is_not_an_object_is_reported_by_number():
    assert_one_error(doc(stmt(), "s3:GetObject"), T.IDENTITY, "Statement", 1, "must be an object", GENERIC_AWS_MESSAGE)


# "IAM JSON policy elements: Effect" (case-sensitive Allow/Deny), "Action",
# "NotAction", "Resource", "NotResource" and the grammar's note that an
# element may appear only once in a block.
@pytest.mark.parametrize(
    ("statement", "element", "fragment", "aws"),
    [
        (stmt(Effect=DROP), "Effect", "Missing required field Effect", "Missing required field Effect"),
        (stmt(Effect="allow"), "Effect", 'names are case-sensitive: write "Allow"', GENERIC_AWS_MESSAGE),
        (stmt(Effect="Permit"), "Effect", 'Effect must be "Allow" or "Deny", not "Permit"', GENERIC_AWS_MESSAGE),
        (stmt(Effect=True), "Effect", "not true/false (true)", GENERIC_AWS_MESSAGE),
        (stmt(NotAction="iam:*"), "NotAction", "Action or NotAction, not both", GENERIC_AWS_MESSAGE),
        (stmt(Action=DROP), "Action", "Policy statement must contain actions", NEEDS_ACTIONS),
        (stmt(Action=[]), "Action", "must not be an empty list", NEEDS_ACTIONS),
        (stmt(Action=["s3:GetObject", 42]), "Action", "found a number (42)", GENERIC_AWS_MESSAGE),
        (stmt(Action={"s3": "GetObject"}), "Action", "found an object", GENERIC_AWS_MESSAGE),
        (stmt(NotResource="arn:aws:s3:::b"), "NotResource", "Resource or NotResource, not both", GENERIC_AWS_MESSAGE),
        (stmt(Resource=DROP), "Resource", "Policy statement must contain resources",
         "Policy statement must contain resources."),
        (stmt(Resource=None), "Resource", "found null", GENERIC_AWS_MESSAGE),
        (stmt(Resource="my-bucket"), "Resource", "is not a resource: write an ARN",
         'Resource my-bucket must be in ARN format or "*".'),
        (stmt(Actions="s3:*"), "Actions", 'Unknown element "Actions" (did you mean "Action"?)', GENERIC_AWS_MESSAGE),
        (stmt(effect="Allow"), "effect", 'write "Effect"', GENERIC_AWS_MESSAGE),
    ],
)
def test_statement_element_errors(statement, element, fragment, aws):
    assert_one_error(doc(statement), T.IDENTITY, element, 0, fragment, aws)


def test_a_repeated_element_in_a_statement_is_an_error():
    text = '{"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}'
    assert_one_error(text, T.IDENTITY, "Effect", 0, '"Effect" appears more than once', GENERIC_AWS_MESSAGE)


# "IAM JSON policy element: Action" and the grammar's action_string:
# "service:ActionName" or "*"; IAM's answers quoted in the aws column.
@pytest.mark.parametrize(
    ("action", "fragment", "aws"),
    [
        ("s3GetObject", 'write "service:ActionName"', NEEDS_VENDOR),
        (":GetObject", 'write "service:ActionName"', NEEDS_VENDOR),
        ("s3:Get:Object", "more than one colon", "Actions/Condition can contain only one colon."),
        ("s*:GetObject", "may not contain wildcards", VENDOR_WILDCARD),
        ("s3 :GetObject", "only letters, digits and hyphens", GENERIC_AWS_MESSAGE),
        ("s3:", "does not name an action", GENERIC_AWS_MESSAGE),
        ("s3:Get Object", "does not name an action", GENERIC_AWS_MESSAGE),
    ],
)
def test_action_strings_must_name_a_service_and_an_action(action, fragment, aws):
    assert_one_error(doc(stmt(Action=["s3:ListBucket", action])), T.IDENTITY, "Action", 0, fragment, aws)


@pytest.mark.parametrize("action", ["*", "s3:*", "s3:Get*", "ec2:Describe?nstances", "cognito-idp:ListUsers"])
def test_valid_action_strings(action):
    assert parse_policy(doc(stmt(Action=action))).statements[0].actions == (action,)


# "IAM JSON policy elements: Sid": ASCII letters and digits only, unique within
# an IAM policy; the grammar notes other services set their own Sid rules.
@pytest.mark.parametrize(
    ("policy_type", "statements", "index", "fragment", "aws"),
    [
        (T.IDENTITY, [stmt(Sid="read-only")], 0, "must be alpha-numeric", SID_CHARACTERS),
        (T.TRUST, [stmt(T.TRUST, Sid="Trust account")], 0, "no spaces", SID_CHARACTERS),
        (T.IDENTITY, [stmt(Sid="Read"), stmt(Sid="Read")], 1, 'another statement already uses "Read"',
         "Statement IDs (SID) in a single policy must be unique."),
        (T.IDENTITY, [stmt(Sid=1)], 0, "Sid must be a string", GENERIC_AWS_MESSAGE),
    ],
)
def test_sid_rules(policy_type, statements, index, fragment, aws):
    assert_one_error(doc(*statements), policy_type, "Sid", index, fragment, aws)


def test_resource_based_policies_keep_their_services_sid_rules():
    policy = parse_policy(doc(stmt(T.RESOURCE, Sid="Allow read"), stmt(T.RESOURCE, Sid="Allow read")), T.RESOURCE)
    assert [statement.sid for statement in policy.statements] == ["Allow read", "Allow read"]


# "AWS JSON policy elements: Principal" (only in resource-based policies, required
# there and in role trust policies), "AWS JSON policy elements: NotPrincipal"
# (Deny only; not in trust policies, SCPs or RCPs), "SCP syntax" and "RCP syntax".
@pytest.mark.parametrize(
    ("policy_type", "statement", "element", "fragment", "aws"),
    [
        (T.IDENTITY, stmt(Principal="*"), "Principal", "An identity-based policy applies to whoever",
         "Policy document should not specify a principal."),
        (T.PERMISSIONS_BOUNDARY, stmt(Principal={"AWS": ACCOUNT_ARN}), "Principal", "A permissions boundary",
         "Policy document should not specify a principal."),
        (T.SESSION, stmt(NotPrincipal={"AWS": ACCOUNT_ARN}), "NotPrincipal", "A session policy",
         "Policy document should not specify a principal."),
        (T.SERVICE_CONTROL, stmt(Principal="*"), "Principal", "A service control policy (SCP)",
         "Policy document should not specify a principal."),
        (T.RESOURCE, stmt(T.RESOURCE, Principal=DROP), "Principal", "Missing required field Principal",
         "Missing required field Principal"),
        (T.TRUST, stmt(T.TRUST, Principal=DROP), "Principal", "A role trust policy must say who",
         "Missing required field Principal"),
        (T.RESOURCE_CONTROL, stmt(T.RESOURCE_CONTROL, Principal=DROP), "Principal", "Missing required field Principal",
         "Missing required field Principal"),
        (T.RESOURCE, stmt(T.RESOURCE, Effect="Deny", NotPrincipal={"AWS": ACCOUNT_ARN}), "NotPrincipal",
         "Principal or NotPrincipal, not both", GENERIC_AWS_MESSAGE),
        (T.RESOURCE, stmt(T.RESOURCE, Principal=DROP, NotPrincipal={"AWS": ACCOUNT_ARN}), "NotPrincipal",
         '"Effect": "Deny"', GENERIC_AWS_MESSAGE),
        (T.TRUST, stmt(T.TRUST, Effect="Deny", Principal=DROP, NotPrincipal={"AWS": ACCOUNT_ARN}), "NotPrincipal",
         "Has prohibited field NotPrincipal", "Has prohibited field NotPrincipal"),
        (T.RESOURCE_CONTROL, stmt(T.RESOURCE_CONTROL, Principal={"AWS": ACCOUNT_ARN}), "Principal",
         'must use "Principal": "*"', GENERIC_AWS_MESSAGE),
    ],
)
def test_principal_belongs_only_in_resource_based_policies(policy_type, statement, element, fragment, aws):
    assert_one_error(doc(statement), policy_type, element, 0, fragment, aws)


# "IAM roles" / "IAM JSON policy elements: Resource": a role trust policy names
# no resource; CreateRole answers "Has prohibited field Resource".
@pytest.mark.parametrize("element", ["Resource", "NotResource"])
def test_a_trust_policy_has_no_resource(element):
    assert_one_error(doc(stmt(T.TRUST, **{element: "*"})), T.TRUST, element, 0,
                     "a role trust policy controls who may assume the role", f"Has prohibited field {element}")


# "IAM role trust policies": a trust policy allows or denies only assuming the role and what comes with it
# (sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession,
# sts:SetSourceIdentity, sts:SetContext); CreateRole and UpdateAssumeRolePolicy answer any other action with
# "AssumeRole policy may only specify STS AssumeRole actions." (quoted from IAM in
# hashicorp/terraform-provider-aws#32872, for the misspelt sts:TagSessions).
TRUST_ACTIONS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."


@pytest.mark.parametrize(
    "action",
    ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession",
     "sts:SetSourceIdentity", "sts:SetContext", "STS:assumerole", "sts:Assume*", "sts:*", "*",
     ["sts:AssumeRole", "sts:TagSession"]],
)
def test_a_trust_policy_names_the_actions_of_assuming_the_role(action):
    assert parse_policy(doc(stmt(T.TRUST, Action=action)), T.TRUST).statements[0].actions


@pytest.mark.parametrize(
    ("changes", "element", "fragment"),
    [
        ({"Action": "s3:GetObject"}, "Action", '"s3:GetObject" cannot be in a role trust policy'),
        ({"Action": ["sts:AssumeRole", "sts:TagSessions"]}, "Action", '"sts:TagSessions" cannot be'),
        ({"Action": "sts:GetCallerIdentity"}, "Action", "name sts:AssumeRole, sts:AssumeRoleWithSAML"),
        ({"Action": "iam:*"}, "Action", "belongs in its permissions policies"),
        ({"Effect": "Deny", "Action": DROP, "NotAction": "ec2:RunInstances"}, "NotAction", '"ec2:RunInstances"'),
    ],
)
def test_a_trust_policy_refuses_any_other_action(changes, element, fragment):
    assert_one_error(doc(stmt(T.TRUST, **changes)), T.TRUST, element, 0, fragment, TRUST_ACTIONS_ONLY)


def test_other_policies_name_any_action():
    assert parse_policy(doc(stmt(T.RESOURCE, Action="sts:GetCallerIdentity")), T.RESOURCE)


def test_rcps_do_not_support_not_action():
    statement = stmt(T.RESOURCE_CONTROL, Action=DROP, NotAction="s3:GetObject")
    assert_one_error(doc(statement), T.RESOURCE_CONTROL, "NotAction", 0, "does not support NotAction",
                     GENERIC_AWS_MESSAGE)


# "AWS JSON policy elements: Principal", section "Specifying a principal", and the
# grammar's principal_map: "*" or a map of AWS/Service/Federated/CanonicalUser.
@pytest.mark.parametrize(
    ("principal", "fragment", "aws"),
    [
        (ACCOUNT_ARN, 'must be "*" or a map', GENERIC_AWS_MESSAGE),
        ({}, "not an empty map", GENERIC_AWS_MESSAGE),
        ({"User": "alice"}, 'Unknown principal type "User"', GENERIC_AWS_MESSAGE),
        ({"aws": ACCOUNT_ARN}, 'write "AWS"', GENERIC_AWS_MESSAGE),
        ({"AWS": []}, "must not be an empty list", GENERIC_AWS_MESSAGE),
        ({"AWS": "arn:aws:iam::111122223333:group/Developers"}, "groups are not principals",
         'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:group/Developers"'),
        ({"AWS": "arn:aws:iam::111122223333:user/*"}, '"*" can stand only for everyone',
         'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"'),
        ({"AWS": "alice"}, "is not an account ID", 'Invalid principal in policy: "AWS":"alice"'),
        ({"AWS": "arn:aws::iam::111122223333:root"}, "is not an account ID",
         'Invalid principal in policy: "AWS":"arn:aws::iam::111122223333:root"'),
        ({"Service": "EC2"}, "is not a service principal", 'Invalid principal in policy: "Service":"EC2"'),
        ({"Federated": "google"}, "is not an identity provider", 'Invalid principal in policy: "Federated":"google"'),
        ({"CanonicalUser": "abc123"}, "64 hexadecimal digits", 'Invalid principal in policy: "CanonicalUser":"abc123"'),
    ],
)
def test_principal_forms(principal, fragment, aws):
    assert_one_error(doc(stmt(T.RESOURCE, Principal=principal)), T.RESOURCE, "Principal", 0, fragment, aws)


@pytest.mark.parametrize(
    ("principal", "entries"),
    [
        ("*", (("*", "*"),)),
        ({"AWS": "*"}, (("AWS", "*"),)),
        ({"AWS": "111122223333"}, (("AWS", "111122223333"),)),
        ({"AWS": [ACCOUNT_ARN, "arn:aws:iam::111122223333:user/division/alice"]},
         (("AWS", ACCOUNT_ARN), ("AWS", "arn:aws:iam::111122223333:user/division/alice"))),
        ({"AWS": "arn:aws:iam::111122223333:role/Admin"}, (("AWS", "arn:aws:iam::111122223333:role/Admin"),)),
        ({"AWS": "arn:aws:sts::111122223333:assumed-role/Admin/alice"},
         (("AWS", "arn:aws:sts::111122223333:assumed-role/Admin/alice"),)),
        ({"AWS": "arn:aws:sts::111122223333:federated-user/bob"},
         (("AWS", "arn:aws:sts::111122223333:federated-user/bob"),)),
        ({"AWS": "arn:aws-cn:iam::111122223333:root"}, (("AWS", "arn:aws-cn:iam::111122223333:root"),)),
        ({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
         (("Service", "ec2.amazonaws.com"), ("Service", "lambda.amazonaws.com"))),
        ({"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"},
         (("Federated", "arn:aws:iam::111122223333:saml-provider/Okta"),)),
        ({"Federated": "accounts.google.com"}, (("Federated", "accounts.google.com"),)),
        ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
         (("CanonicalUser", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),)),
    ],
)
def test_valid_principals_become_entries(principal, entries):
    statement = parse_policy(doc(stmt(T.RESOURCE, Principal=principal)), T.RESOURCE).statements[0]
    assert statement.principals == tuple(PrincipalEntry(kind, value) for kind, value in entries)


def test_not_principal_with_deny_in_a_resource_policy():
    statement = stmt(T.RESOURCE, Effect="Deny", Principal=DROP, NotPrincipal={"AWS": ACCOUNT_ARN})
    parsed = parse_policy(doc(statement), T.RESOURCE).statements[0]
    assert (parsed.principals, parsed.not_principals) == (None, (PrincipalEntry("AWS", ACCOUNT_ARN),))


# "IAM JSON policy elements: Condition" and "IAM JSON policy elements: Condition
# operators" (IfExists on every operator but Null; ForAnyValue/ForAllValues).
@pytest.mark.parametrize(
    ("condition", "fragment", "aws"),
    [
        ([{"Bool": {"aws:SecureTransport": "true"}}], "Condition must be a map", GENERIC_AWS_MESSAGE),
        ({"StringEqual": {"aws:username": "alice"}}, 'did you mean "StringEquals"?', GENERIC_AWS_MESSAGE),
        ({"stringequals": {"aws:username": "alice"}}, 'write "StringEquals"', GENERIC_AWS_MESSAGE),
        ({"NullIfExists": {"aws:TokenIssueTime": "true"}}, 'Unknown condition operator "NullIfExists"',
         GENERIC_AWS_MESSAGE),
        ({"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}}, "Unknown condition operator", GENERIC_AWS_MESSAGE),
        ({"StringEquals": "alice"}, 'StringEquals must map condition keys to values', GENERIC_AWS_MESSAGE),
        ({"StringEquals": {}}, "not an empty map", GENERIC_AWS_MESSAGE),
        ({"StringEquals": {"username": "alice"}}, 'Condition key "username" needs a service prefix', NEEDS_VENDOR),
        ({"Bool": {"aws:MultiFactorAuthPresent": None}}, "found null", GENERIC_AWS_MESSAGE),
        ({"StringEquals": {"aws:username": {"is": "alice"}}}, "found an object", GENERIC_AWS_MESSAGE),
        ({"StringEquals": {"aws:username": ["alice", ["bob"]]}}, "found a list", GENERIC_AWS_MESSAGE),
    ],
)
def test_condition_errors(condition, fragment, aws):
    assert_one_error(doc(stmt(Condition=condition)), T.IDENTITY, "Condition", 0, fragment, aws)


# "IAM and AWS STS condition context keys": "Available keys for AWS web identity federation" (the provider's
# name, for an OIDC provider its URL without https://, then the claim), "Available keys for SAML-based AWS STS
# federation" and "Available keys for AWS STS"; condition key names ignore case.
@pytest.mark.parametrize(
    ("principal", "action", "key"),
    [
        ({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", "accounts.google.com:aud"),
        ({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", "accounts.google.com:oaud"),
        ({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity",
         "cognito-identity.amazonaws.com:amr"),
        ({"Federated": "graph.facebook.com"}, "sts:AssumeRoleWithWebIdentity", "graph.facebook.com:id"),
        ({"Federated": "www.amazon.com"}, "sts:AssumeRoleWithWebIdentity", "www.amazon.com:user_id"),
        ({"Federated": GITHUB_PROVIDER}, "sts:AssumeRoleWithWebIdentity", "token.actions.githubusercontent.com:sub"),
        ({"Federated": EKS_PROVIDER}, "sts:AssumeRoleWithWebIdentity", f"{EKS_ISSUER}:sub"),
        ({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", "Accounts.Google.com:sub"),
        ({"Federated": SAML_PROVIDER}, "sts:AssumeRoleWithSAML", "saml:aud"),
        ({"Federated": SAML_PROVIDER}, "sts:AssumeRoleWithSAML", "saml:sub"),
        ({"Federated": SAML_PROVIDER}, "sts:AssumeRoleWithSAML", "saml:edupersonorgdn"),
        ({"Federated": SAML_PROVIDER}, "sts:AssumeRoleWithSAML", "SAML:namequalifier"),
        ({"AWS": ACCOUNT_ARN}, "sts:AssumeRole", "sts:ExternalId"),
        ({"AWS": ACCOUNT_ARN}, "sts:AssumeRole", "sts:RoleSessionName"),
        ({"AWS": ACCOUNT_ARN}, "sts:SetSourceIdentity", "sts:SourceIdentity"),
    ],
)
def test_trust_policies_take_federation_and_sts_condition_keys(principal, action, key):
    statement = stmt(T.TRUST, Principal=principal, Action=action, Condition={"StringEquals": {key: "x"}})
    (condition,) = parse_policy(doc(statement), T.TRUST).statements[0].conditions
    assert (condition.key, condition.values) == (key, ("x",))


# The same page's keys in a role's permissions policy, as a condition and as a policy variable.
def test_identity_policies_take_web_identity_keys_too():
    condition = {"StringLike": {"s3:prefix": "${cognito-identity.amazonaws.com:sub}/*"},
                 "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:example-pool"}}
    statement = parse_policy(doc(stmt(Action="s3:ListBucket", Condition=condition))).statements[0]
    assert [c.key for c in statement.conditions] == ["s3:prefix", "cognito-identity.amazonaws.com:aud"]


@pytest.mark.parametrize(
    "key",
    ["accounts.google.com", "accounts google.com:aud", ".google.com:aud", "accounts..google.com:aud",
     "oidc.eks.us-east-1.amazonaws.com//id:sub", ":aud"],
)
def test_condition_keys_without_a_service_or_provider_prefix_are_errors(key):
    statement = stmt(T.TRUST, Principal={"Federated": "accounts.google.com"}, Condition={"StringEquals": {key: "x"}})
    assert_one_error(doc(statement), T.TRUST, "Condition", 0, f'Condition key "{key}" needs a service prefix',
                     NEEDS_VENDOR)


def test_a_repeated_condition_key_is_an_error():
    text = doc(stmt(Condition={"StringEquals": {"aws:username": "alice"}}))
    text = text.replace('"aws:username": "alice"', '"aws:username": "alice", "aws:username": "bob"')
    assert_one_error(text, T.IDENTITY, "aws:username", 0, '"aws:username" appears more than once', GENERIC_AWS_MESSAGE)


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("StringEquals", ("", "StringEquals", False)),
        ("StringLikeIfExists", ("", "StringLike", True)),
        ("ForAnyValue:StringEquals", ("ForAnyValue", "StringEquals", False)),
        ("ForAllValues:ArnLikeIfExists", ("ForAllValues", "ArnLike", True)),
        ("Null", ("", "Null", False)),
        ("NullIfExists", None),
        ("BoolIfExists", ("", "Bool", True)),
        ("IpAddressIfExists", ("", "IpAddress", True)),
        ("ForAnyValue:", None),
        ("StringEquals:ForAnyValue", None),
        ("stringequals", None),
    ],
)
def test_split_operator(name, split):
    assert split_operator(name) == split


# The operator names the parser accepts are the ones conditions.py evaluates ("Condition operators").
@pytest.mark.parametrize("base", sorted(BASE_OPERATORS))
def test_every_operator_the_parser_accepts_can_be_evaluated(base):
    result = evaluate_condition(Condition(base, "", base, False, "aws:username", ("alice",)), {}, False)
    assert "is not a condition operator" not in result.reason


def test_condition_values_are_normalised_to_strings_as_written():
    condition = {"NumericLessThanEquals": {"s3:max-keys": 1.50}, "Bool": {"aws:SecureTransport": True},
                 "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team*", 7, False]}}
    conditions = parse_policy(doc(stmt(Condition=condition))).statements[0].conditions
    assert conditions == (
        Condition("NumericLessThanEquals", "", "NumericLessThanEquals", False, "s3:max-keys", ("1.5",)),
        Condition("Bool", "", "Bool", False, "aws:SecureTransport", ("true",)),
        Condition("ForAnyValue:StringLikeIfExists", "ForAnyValue", "StringLike", True, "aws:TagKeys",
                  ("team*", "7", "false")),
    )


def test_numbers_keep_their_written_form():
    text = '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", ' \
           '"Condition": {"NumericEquals": {"s3:max-keys": [1.50, 10]}}}}'
    assert parse_policy(text).statements[0].conditions[0].values == ("1.50", "10")


# "IAM JSON policy elements: Version": 2012-10-17 or 2008-10-17; without a Version
# the policy is read as 2008-10-17 and ${...} stays literal text.
@pytest.mark.parametrize(
    ("version", "parsed", "allows_variables"),
    [("2012-10-17", "2012-10-17", True), ("2008-10-17", "2008-10-17", False), (DROP, None, False)],
)
def test_versions(version, parsed, allows_variables):
    resource = "arn:aws:s3:::bucket/${aws:username}/*"
    policy = parse_policy(doc(stmt(Resource=resource), version=version))
    assert (policy.version, policy.allows_variables) == (parsed, allows_variables)
    assert policy.statements[0].resources == (resource,)


# "IAM JSON policy element reference" as a whole: valid documents of every type.
@pytest.mark.parametrize(
    ("policy_type", "text"),
    [
        (T.IDENTITY, '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "iam:*", '
                     '"NotResource": ["arn:aws:iam::111122223333:user/${aws:username}"]}}'),
        (T.IDENTITY, doc(stmt(Sid="ReadOnly1"), Id="ExamplePolicy")),
        (T.TRUST, doc(stmt(T.TRUST, Principal={"Service": "ec2.amazonaws.com"}))),
        (T.RESOURCE, doc(stmt(T.RESOURCE, Principal="*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))),
        (T.PERMISSIONS_BOUNDARY, doc(stmt(Action=["s3:*", "cloudwatch:*"]))),
        (T.SESSION, doc(stmt(), version="2008-10-17")),
        # "SCP syntax": since the full IAM language came to SCPs, Allow statements may
        # use NotAction, NotResource, ARNs and conditions too.
        (T.SERVICE_CONTROL, doc(stmt(NotAction="iam:*", Action=DROP, NotResource="arn:aws:s3:::logs/*",
                                     Resource=DROP, Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
        (T.RESOURCE_CONTROL, doc(stmt(T.RESOURCE_CONTROL, Condition={"Null": {"aws:SourceVpc": "true"}}))),
    ],
)
def test_valid_documents_parse(policy_type, text):
    policy = parse_policy(text, policy_type, policy_id="PolicyInputList.1", source_type="user")
    assert (policy.policy_type, policy.text, policy.policy_id, policy.source_type) == (
        policy_type, text, "PolicyInputList.1", "user")
    assert len(policy.statements) == 1


def test_lists_are_normalised_to_tuples_and_strings_to_one_item_tuples():
    statement = parse_policy(doc(stmt(Action=["s3:GetObject", "s3:PutObject"]))).statements[0]
    assert (statement.actions, statement.resources, statement.effect) == (("s3:GetObject", "s3:PutObject"), ("*",),
                                                                          "Allow")
    assert (statement.not_actions, statement.not_resources, statement.principals, statement.conditions) == (
        None, None, None, ())


# Statement positions: decisions point at the statements that decided them.
def test_statement_spans_in_a_multi_line_document():
    text = doc(stmt(Sid="First"), stmt(Sid="Second"))
    first, second = parse_policy(text).statements
    lines = text.splitlines()
    assert first.span.start == Position(4, 5) and lines[3] == "    {"
    assert first.span.end == Position(9, 5) and lines[8] == "    },"
    assert second.span.start == Position(10, 5) and second.span.end == Position(15, 5)
    assert (first.index, first.sid, second.index, second.sid) == (0, "First", 1, "Second")


def test_statement_spans_in_a_one_line_document():
    text = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", ' \
           '"Action": "iam:*", "Resource": "*"}]}'
    first, second = parse_policy(text).statements
    assert (first.span.start, first.span.end) == (Position(1, 16), Position(1, 66))
    assert (second.span.start, second.span.end) == (Position(1, 69), Position(1, 122))
    assert text[15] == text[68] == "{" and text[65] == text[121] == "}"


def test_error_positions_point_at_the_element():
    text = doc(stmt(), stmt(Effect="allow"))
    errors = errors_of(text)
    assert errors[0].position == Position(10, 17)
    assert text.splitlines()[9][16:23] == '"allow"'


def test_every_problem_is_collected_in_document_order():
    text = doc(stmt(Sid="ReadOnly", Effect="allow"), stmt(Sid="ReadOnly", Action="s3GetObject", Resource=DROP))
    with pytest.raises(MalformedPolicyDocument) as raised:
        parse_policy(text)
    error = raised.value
    assert [(e.statement_index, e.element) for e in error.errors] == [
        (0, "Effect"), (1, "Resource"), (1, "Action"), (1, "Sid")]
    assert all(e.message.startswith('Statement 2 (Sid "ReadOnly")') for e in error.errors[1:])
    assert str(error) == "\n".join(e.message for e in error.errors)
    assert error.message == GENERIC_AWS_MESSAGE  # the first problem's answer
    assert error.code == "MalformedPolicyDocument"


def test_a_six_kilobyte_policy_parses_in_a_few_milliseconds():
    region = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    statements = [
        stmt(Sid=f"S{n}", Action=["s3:GetObject", "s3:ListBucket"], Resource=[f"arn:aws:s3:::bucket{n}/*"],
             Condition=region)
        for n in range(25)
    ]
    text = doc(*statements)
    assert len(text) > 6_000
    # About 3 ms on a laptop; the bound leaves room for a busy test machine.
    assert min(timeit.repeat(lambda: parse_policy(text), number=1, repeat=3)) < 0.05
