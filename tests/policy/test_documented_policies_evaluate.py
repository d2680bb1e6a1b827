"""Documented policies evaluated against the requests their pages say they allow or deny.

Each group takes a policy from an AWS documentation page (cited above it; IAM User Guide unless said
otherwise) and checks the effect the page states for it.
"""

import pytest

from tests.policy.documented import anonymous, decide, identity_provider
from tests.policy.helpers import allow, user

A = "123456789012"
ALICE = user("alice", A)
ALL = [allow("*")]

# AWS Managed Policy Reference, "PowerUserAccess": everything but IAM, Organizations and Account management,
# except the few IAM, Organizations and Account actions its second statement lists.
POWER_USER = [
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    allow(
        [
            "account:GetAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ]
    ),
]


@pytest.mark.parametrize(
    "action, expected",
    [
        ("s3:GetObject", "allowed"),
        ("ec2:RunInstances", "allowed"),
        ("iam:CreateUser", "implicitDeny"),
        ("iam:ListRoles", "allowed"),
        ("iam:CreateServiceLinkedRole", "allowed"),
        ("organizations:LeaveOrganization", "implicitDeny"),
        ("organizations:DescribeOrganization", "allowed"),
        ("account:PutAlternateContact", "implicitDeny"),
    ],
)
def test_power_user_access(action, expected):
    assert decide(ALICE, action, identity=POWER_USER) == expected


# AWS Managed Policy Reference, "IAMUserChangePassword": a user may change their own password (with or
# without an IAM path) and read the account password policy, but not change anyone else's password.
CHANGE_PASSWORD = [
    allow("iam:ChangePassword", ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"]),
    allow("iam:GetAccountPasswordPolicy"),
]


@pytest.mark.parametrize(
    "action, resource, expected",
    [
        ("iam:ChangePassword", f"arn:aws:iam::{A}:user/alice", "allowed"),
        ("iam:ChangePassword", f"arn:aws:iam::{A}:user/engineering/alice", "allowed"),
        ("iam:ChangePassword", f"arn:aws:iam::{A}:user/bob", "implicitDeny"),
        ("iam:GetAccountPasswordPolicy", "*", "allowed"),
        ("iam:UpdateAccountPasswordPolicy", "*", "implicitDeny"),
    ],
)
def test_iam_user_change_password(action, resource, expected):
    result = decide(ALICE, action, resource, identity=CHANGE_PASSWORD, context={"aws:username": "alice"})
    assert result == expected


# "AWS: Denies access to AWS based on the requested Region": with another policy allowing everything,
# requests outside the listed Regions are denied, except for the global services in NotAction.
REGION_DENY = [
    {
        "Sid": "DenyAllOutsideRequestedRegions",
        "Effect": "Deny",
        "NotAction": ["cloudfront:*", "iam:*", "organizations:*", "route53:*", "support:*"],
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3"]}
        },
    }
]


@pytest.mark.parametrize(
    "action, region, expected",
    [
        ("ec2:RunInstances", "eu-west-1", "allowed"),
        ("ec2:RunInstances", "us-east-1", "explicitDeny"),
        ("iam:CreateUser", "us-east-1", "allowed"),
        ("route53:ChangeResourceRecordSets", "us-east-1", "allowed"),
        ("s3:CreateBucket", "eu-central-1", "allowed"),
    ],
)
def test_deny_outside_requested_regions(action, region, expected):
    context = {"aws:RequestedRegion": region}
    assert decide(ALICE, action, identity=ALL + REGION_DENY, context=context) == expected


def test_deny_outside_requested_regions_allows_nothing_by_itself():
    """The same page: "This policy does not allow any actions"."""
    assert decide(ALICE, "ec2:RunInstances", identity=REGION_DENY, context={"aws:RequestedRegion": "eu-west-1"}) == (
        "implicitDeny"
    )


# "Amazon S3 User Guide", "Examples of Amazon S3 bucket policies", restricting access to specific IP
# addresses: anyone may act on the objects from 54.240.143.0/24 except from 54.240.143.188.
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket1"
IP_ALLOW = [
    {
        "Sid": "IPAllow",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": f"{BUCKET}/*",
        "Condition": {
            "IpAddress": {"aws:SourceIp": "54.240.143.0/24"},
            "NotIpAddress": {"aws:SourceIp": "54.240.143.188/32"},
        },
    }
]


@pytest.mark.parametrize(
    "source_ip, resource, expected",
    [
        ("54.240.143.7", f"{BUCKET}/photo.jpg", "allowed"),
        ("54.240.143.188", f"{BUCKET}/photo.jpg", "implicitDeny"),
        ("192.0.2.10", f"{BUCKET}/photo.jpg", "implicitDeny"),
        ("54.240.143.7", BUCKET, "implicitDeny"),
    ],
)
def test_bucket_policy_source_ip(source_ip, resource, expected):
    result = decide(
        anonymous(), "s3:GetObject", resource, resource_policy=IP_ALLOW, context={"aws:SourceIp": source_ip}
    )
    assert result == expected


# "Create a role for OpenID Connect federation (console)" / GitHub's "Configuring OpenID Connect in Amazon
# Web Services": only workflows of the named repository, with the STS audience, may assume the role.
GITHUB = "arn:aws:iam::123456123456:oidc-provider/token.actions.githubusercontent.com"
GITHUB_TRUST = [
    {
        "Effect": "Allow",
        "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"},
        },
    }
]


@pytest.mark.parametrize(
    "audience, subject, expected",
    [
        ("sts.amazonaws.com", "repo:octo-org/octo-repo:ref:refs/heads/main", "allowed"),
        ("sts.amazonaws.com", "repo:octo-org/other-repo:ref:refs/heads/main", "implicitDeny"),
        ("example.com", "repo:octo-org/octo-repo:ref:refs/heads/main", "implicitDeny"),
    ],
)
def test_github_actions_trust(audience, subject, expected):
    context = {"token.actions.githubusercontent.com:aud": audience, "token.actions.githubusercontent.com:sub": subject}
    role = "arn:aws:iam::123456123456:role/deploy"
    result = decide(
        identity_provider(GITHUB), "sts:AssumeRoleWithWebIdentity", role, trust=GITHUB_TRUST, context=context
    )
    assert result == expected


# "Access to AWS accounts owned by third parties": the third party's account may assume the role only when
# it passes the agreed external ID, and its own account must allow sts:AssumeRole.
EXAMPLE_CORP = "111122223333"
EXTERNAL_ID_TRUST = [
    {
        "Effect": "Allow",
        "Principal": {"AWS": EXAMPLE_CORP},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "Unique ID Assigned by Example Corp"}},
    }
]


@pytest.mark.parametrize(
    "external_id, identity, expected",
    [
        ("Unique ID Assigned by Example Corp", [allow("sts:AssumeRole")], "allowed"),
        ("Guessed ID", [allow("sts:AssumeRole")], "implicitDeny"),
        (None, [allow("sts:AssumeRole")], "implicitDeny"),
        ("Unique ID Assigned by Example Corp", [], "implicitDeny"),
    ],
)
def test_third_party_external_id(external_id, identity, expected):
    context = {"sts:ExternalId": external_id} if external_id else {}
    kwargs = {"trust": EXTERNAL_ID_TRUST, "identity": identity, "context": context, "resource_account": A}
    assert decide(user("vendor", EXAMPLE_CORP), "sts:AssumeRole", f"arn:aws:iam::{A}:role/Vendor", **kwargs) == expected


# "AWS: Allows MFA-authenticated IAM users to manage their own MFA device on the Security credentials page":
# without MFA every action but the listed MFA set-up actions is denied, whatever else allows it.
DENY_WITHOUT_MFA = [
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:GetUser",
            "iam:ListMFADevices",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
]


@pytest.mark.parametrize(
    "action, context, expected",
    [
        ("s3:ListAllMyBuckets", {}, "explicitDeny"),
        ("s3:ListAllMyBuckets", {"aws:MultiFactorAuthPresent": "false"}, "explicitDeny"),
        ("s3:ListAllMyBuckets", {"aws:MultiFactorAuthPresent": "true"}, "allowed"),
        ("iam:EnableMFADevice", {}, "allowed"),
        ("sts:GetSessionToken", {"aws:MultiFactorAuthPresent": "false"}, "allowed"),
    ],
)
def test_deny_all_but_mfa_set_up_without_mfa(action, context, expected):
    assert decide(ALICE, action, identity=ALL + DENY_WITHOUT_MFA, context=context) == expected
