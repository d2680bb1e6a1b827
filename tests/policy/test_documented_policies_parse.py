"""Real policy documents from AWS documentation: each one IAM accepts must parse, as the right policy type.

Every case names the page it comes from (IAM User Guide unless said otherwise; "AWS Managed Policy
Reference" for managed policies; "Amazon S3 User Guide", "AWS Organizations User Guide" and the other
services' guides where named). Account IDs, bucket names and placeholders are the pages' own examples.
Each document is also checked against the policy type it is not: a document with a Principal is refused
as an identity-based policy, and one without a Principal is refused as a resource-based policy.
"""

import json

import pytest

from simulator.policy.errors import MalformedPolicyDocument
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy

IDENTITY, RESOURCE, TRUST = PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.TRUST
BOUNDARY, SCP, RCP = PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SERVICE_CONTROL, PolicyType.RESOURCE_CONTROL
V = "2012-10-17"
EKS_ISSUER = "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def doc(*statements: dict, version: str | None = V, **top) -> dict:
    document = {"Version": version} if version else {}
    return {**document, **top, "Statement": list(statements)}


DOCUMENTS = [
    # AWS Managed Policy Reference: "AdministratorAccess".
    pytest.param(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), IDENTITY, id="AdministratorAccess"),
    # AWS Managed Policy Reference: "PowerUserAccess".
    pytest.param(
        doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "account:GetAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
            },
        ),
        IDENTITY,
        id="PowerUserAccess",
    ),
    # AWS Managed Policy Reference: "ReadOnlyAccess" (a sample of its thousand-odd actions, same shape).
    pytest.param(
        doc(
            {
                "Sid": "ReadOnlyActions",
                "Effect": "Allow",
                "Action": [
                    "a4b:Get*",
                    "access-analyzer:List*",
                    "aws-portal:View*",
                    "cloudformation:Describe*",
                    "ec2:Describe*",
                    "elasticloadbalancing:Describe*",
                    "iam:Get*",
                    "iam:List*",
                    "s3:Get*",
                    "s3:List*",
                    "s3-object-lambda:Get*",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
            }
        ),
        IDENTITY,
        id="ReadOnlyAccess",
    ),
    # AWS Managed Policy Reference: "AmazonS3ReadOnlyAccess".
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"],
                "Resource": "*",
            }
        ),
        IDENTITY,
        id="AmazonS3ReadOnlyAccess",
    ),
    # AWS Managed Policy Reference: "IAMUserChangePassword".
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["iam:ChangePassword"],
                "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"],
            },
            {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"},
        ),
        IDENTITY,
        id="IAMUserChangePassword",
    ),
    # AWS Managed Policy Reference: "AWSLambdaBasicExecutionRole".
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ),
        IDENTITY,
        id="AWSLambdaBasicExecutionRole",
    ),
    # AWS Managed Policy Reference: "AmazonEC2ReadOnlyAccess".
    pytest.param(
        doc(
            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
            {"Effect": "Allow", "Action": "elasticloadbalancing:Describe*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "cloudwatch:ListMetrics",
                    "cloudwatch:GetMetricStatistics",
                    "cloudwatch:Describe*",
                ],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": "autoscaling:Describe*", "Resource": "*"},
        ),
        IDENTITY,
        id="AmazonEC2ReadOnlyAccess",
    ),
    # "AWS: Allows access based on date and time".
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": "service-prefix:action-name",
                "Resource": "*",
                "Condition": {
                    "DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
                    "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"},
                },
            }
        ),
        IDENTITY,
        id="date-and-time",
    ),
    # "AWS: Denies access to AWS based on the requested Region".
    pytest.param(
        doc(
            {
                "Sid": "DenyAllOutsideRequestedRegions",
                "Effect": "Deny",
                "NotAction": ["cloudfront:*", "iam:*", "organizations:*", "route53:*", "support:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3"]}
                },
            }
        ),
        IDENTITY,
        id="deny-requested-region",
    ),
    # "AWS: Denies access to AWS based on the source IP".
    pytest.param(
        doc(
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
                    "Bool": {"aws:ViaAWSService": "false"},
                },
            }
        ),
        IDENTITY,
        id="deny-source-ip",
    ),
    # "AWS: Allows MFA-authenticated IAM users to manage their own MFA device on the Security credentials page".
    pytest.param(
        doc(
            {
                "Sid": "AllowManageOwnVirtualMFADevice",
                "Effect": "Allow",
                "Action": ["iam:CreateVirtualMFADevice"],
                "Resource": "arn:aws:iam::*:mfa/*",
            },
            {
                "Sid": "AllowManageOwnUserMFA",
                "Effect": "Allow",
                "Action": [
                    "iam:DeactivateMFADevice",
                    "iam:EnableMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                ],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            },
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
            },
        ),
        IDENTITY,
        id="manage-own-mfa",
    ),
    # "Amazon EC2: Allows starting or stopping EC2 instances a user has tagged, programmatically and in the console".
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}},
            },
            {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
        ),
        IDENTITY,
        id="ec2-start-stop-owner-tag",
    ),
    # "Amazon S3: Allows IAM users access to their S3 home directory, programmatically and in the console".
    pytest.param(
        doc(
            {
                "Sid": "ListYourObjects",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": ["arn:aws:s3:::bucket-name"],
                "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
            },
            {
                "Sid": "ReadWriteDeleteYourObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [
                    "arn:aws:s3:::bucket-name/home/${aws:username}",
                    "arn:aws:s3:::bucket-name/home/${aws:username}/*",
                ],
            },
        ),
        IDENTITY,
        id="s3-home-directory",
    ),
    # "DynamoDB: Allows access to specific attributes" (ForAllValues with a multivalued key, numbers as strings).
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": "arn:aws:dynamodb:*:*:table/table-name",
                "Condition": {
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["${www.amazon.com:user_id}"],
                        "dynamodb:Attributes": ["attribute-A", "attribute-B"],
                    },
                    "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
                },
            }
        ),
        IDENTITY,
        id="dynamodb-attributes",
    ),
    # "IAM: Allows IAM users to self-manage an MFA device" style: MultiFactorAuthAge as a JSON number
    # ("IAM JSON policy elements: Condition operators", numeric condition operators).
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": "iam:*AccessKey*",
                "Resource": "arn:aws:iam::account-id:user/*",
                "Condition": {
                    "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                    "Null": {"aws:TokenIssueTime": False},
                },
            }
        ),
        IDENTITY,
        id="mfa-age-number",
    ),
    # "Controlling access to AWS resources using tags": only listed tag keys may be added.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Action": ["iam:TagUser", "iam:TagRole"],
                "Resource": "*",
                "Condition": {
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["Department", "JobFunction"]},
                    "StringEqualsIgnoreCase": {"aws:RequestTag/Department": ["Marketing", "Development"]},
                },
            }
        ),
        IDENTITY,
        id="tag-keys",
    ),
    # "IAM JSON policy elements: NotResource": a statement with no Version and a single statement object.
    pytest.param(
        {
            "Statement": {
                "Effect": "Deny",
                "Action": "s3:*",
                "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
            }
        },
        IDENTITY,
        id="not-resource-no-version",
    ),
    # "Amazon S3 User Guide", "Examples of Amazon S3 bucket policies": restricting access to specific IP addresses.
    pytest.param(
        doc(
            {
                "Sid": "IPAllow",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket1/*",
                "Condition": {
                    "IpAddress": {"aws:SourceIp": "54.240.143.0/24"},
                    "NotIpAddress": {"aws:SourceIp": "54.240.143.188/32"},
                },
            },
            Id="S3PolicyId1",
        ),
        RESOURCE,
        id="bucket-ip-allow",
    ),
    # "Amazon S3 User Guide", bucket policy examples: mixed IPv4 and IPv6 addresses.
    pytest.param(
        doc(
            {
                "Sid": "IPAllow",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:DB8:1234:5678::/64"]}},
            },
            Id="PolicyId2",
        ),
        RESOURCE,
        id="bucket-ipv6",
    ),
    # "Amazon S3 User Guide", bucket policy examples: requiring HTTPS (aws:SecureTransport), Sid with spaces.
    pytest.param(
        doc(
            {
                "Sid": "Restrict to HTTPS",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
        RESOURCE,
        id="bucket-https-only",
    ),
    # "Amazon S3 User Guide", granting cross-account permissions with bucket-owner-full-control; Version 2008.
    pytest.param(
        doc(
            {
                "Sid": "AddCannedAcl",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
                "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": ["public-read"]}},
            },
            version="2008-10-17",
        ),
        RESOURCE,
        id="bucket-canned-acl-2008",
    ),
    # "Amazon S3 User Guide", restricting access to an Amazon CloudFront origin (origin access identity).
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EH1HDMB1FH2TC"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            },
            Id="PolicyForCloudFrontPrivateContent",
        ),
        RESOURCE,
        id="bucket-cloudfront-oai",
    ),
    # "Amazon CloudFront Developer Guide", "Restrict access to an Amazon S3 origin" (origin access control).
    pytest.param(
        doc(
            {
                "Sid": "AllowCloudFrontServicePrincipalReadOnly",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::<S3 bucket name>/*",
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/<CloudFront distribution ID>"
                    }
                },
            }
        ),
        RESOURCE,
        id="bucket-cloudfront-oac",
    ),
    # "Amazon S3 User Guide", bucket policy for server access logging (service principal, SourceAccount).
    pytest.param(
        doc(
            {
                "Sid": "S3ServerAccessLogsPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": "arn:aws:s3:::amzn-s3-demo-destination-bucket/EXAMPLE-LOGGING-PREFIX*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::amzn-s3-demo-source-bucket"},
                    "StringEquals": {"aws:SourceAccount": "SOURCE-ACCOUNT-ID"},
                },
            }
        ),
        RESOURCE,
        id="bucket-server-access-logs",
    ),
    # "Elastic Load Balancing User Guide", access logs bucket policy: an ELB account root for older Regions.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::127311923021:root"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-logging-bucket/logging-prefix/AWSLogs/123456789012/*",
            }
        ),
        RESOURCE,
        id="bucket-elb-logs",
    ),
    # "Amazon S3 User Guide", bucket policy examples: granting permissions to a canonical user.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            }
        ),
        RESOURCE,
        id="bucket-canonical-user",
    ),
    # "Amazon S3 User Guide", restricting access to an organization: aws:PrincipalOrgID with "AWS": "*".
    pytest.param(
        doc(
            {
                "Sid": "AllowGetObject",
                "Principal": {"AWS": "*"},
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-aa111bb222"]}},
            }
        ),
        RESOURCE,
        id="bucket-principal-org",
    ),
    # "AWS JSON policy elements: NotPrincipal": deny everyone except one role and its session.
    pytest.param(
        doc(
            {
                "Effect": "Deny",
                "NotPrincipal": {
                    "AWS": [
                        "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
                        "arn:aws:iam::444455556666:role/cross-account-read-only-role",
                    ]
                },
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
            }
        ),
        RESOURCE,
        id="not-principal-deny",
    ),
    # "AWS Key Management Service Developer Guide", "Default key policy": Sid with spaces, account root.
    pytest.param(
        doc(
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleRole"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "ec2.us-west-2.amazonaws.com",
                        "kms:CallerAccount": "111122223333",
                    }
                },
            },
            Id="key-default-1",
        ),
        RESOURCE,
        id="kms-key-policy",
    ),
    # "Amazon SQS Developer Guide", policy examples: let an SNS topic send to a queue (ArnEquals on SourceArn).
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-2:123456789012:MyQueue",
                "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:MyTopic"}},
            },
            Id="Queue1_Policy_UUID",
        ),
        RESOURCE,
        id="sqs-from-sns",
    ),
    # "Amazon SNS Developer Guide", "Example cases for Amazon SNS access control": S3 event notifications.
    pytest.param(
        doc(
            {
                "Sid": "example-statement-ID",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": ["SNS:Publish"],
                "Resource": "arn:aws:sns:us-east-2:111122223333:MyTopic",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::amzn-s3-demo-bucket"},
                    "StringEquals": {"aws:SourceAccount": "444455556666"},
                },
            },
            Id="example-ID",
        ),
        RESOURCE,
        id="sns-from-s3",
    ),
    # "AWS Lambda Developer Guide", "Viewing resource-based IAM policies in Lambda": a Sid with hyphens.
    pytest.param(
        doc(
            {
                "Sid": "lambda-allow-s3-my-function",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-2:123456789012:function:my-function",
                "Condition": {
                    "StringEquals": {"AWS:SourceAccount": "123456789012"},
                    "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::amzn-s3-demo-bucket"},
                },
            },
            Id="default",
        ),
        RESOURCE,
        id="lambda-function-policy",
    ),
    # "AWS Secrets Manager User Guide", resource-based policy: a role of another account, VersionStage key.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/MyRole"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}},
            }
        ),
        RESOURCE,
        id="secrets-manager",
    ),
    # "Amazon API Gateway Developer Guide", "API Gateway resource policy examples": the execute-api:/ shorthand.
    pytest.param(
        doc(
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/*/*"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*/*/*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}},
            },
        ),
        RESOURCE,
        id="api-gateway-source-ip",
    ),
    # "Amazon VPC User Guide" / "AWS PrivateLink Guide", gateway endpoint policy: "Principal": "*" on S3.
    pytest.param(
        doc(
            {
                "Sid": "Access-to-specific-bucket-only",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Effect": "Allow",
                "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
            }
        ),
        RESOURCE,
        id="vpc-endpoint-policy",
    ),
    # "IAM Roles Anywhere User Guide", trust model: the service principal with the certificate's subject tags.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/TA_ID"},
                    "StringEquals": {"aws:PrincipalTag/x509Subject/CN": "Alice"},
                },
            }
        ),
        TRUST,
        id="trust-roles-anywhere",
    ),
    # "Creating a role to delegate permissions to an AWS service": EC2 trust policy.
    pytest.param(
        doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        TRUST,
        id="trust-ec2",
    ),
    # "AWS Lambda Developer Guide", "Lambda execution role": trust policy for lambda.amazonaws.com.
    pytest.param(
        doc({"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}),
        TRUST,
        id="trust-lambda",
    ),
    # "The confused deputy problem": service trust with aws:SourceAccount and aws:SourceArn.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "servicename.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:servicename:*:123456789012:*"},
                },
            }
        ),
        TRUST,
        id="trust-confused-deputy",
    ),
    # "Access to AWS accounts owned by third parties": cross-account trust with sts:ExternalId.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "Unique ID Assigned by Example Corp"}},
            }
        ),
        TRUST,
        id="trust-external-id",
    ),
    # "Create a role to give permissions to an IAM user": cross-account trust requiring MFA.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ),
        TRUST,
        id="trust-cross-account-mfa",
    ),
    # "Create a role for SAML 2.0 federation (console)": AssumeRoleWithSAML with SAML:aud, and session tags.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/PROVIDER-NAME"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ),
        TRUST,
        id="trust-saml",
    ),
    # "Create a role for OpenID Connect federation (console)": GitHub Actions via IAM's OIDC provider.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456123456:oidc-provider/token.actions.githubusercontent.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:GitHubOrg/GitHubRepo:*"},
                },
            }
        ),
        TRUST,
        id="trust-github-actions",
    ),
    # "Amazon EKS User Guide", "Assign IAM roles to Kubernetes service accounts": an EKS OIDC issuer with a path.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{EKS_ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{EKS_ISSUER}:sub": "system:serviceaccount:default:my-service-account",
                        f"{EKS_ISSUER}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ),
        TRUST,
        id="trust-eks-irsa",
    ),
    # "Create a role for OpenID Connect federation (console)": Amazon Cognito identity pools.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-2:12345678-abcd-abcd-abcd-123456"},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"},
                },
            }
        ),
        TRUST,
        id="trust-cognito",
    ),
    # "Create a role for OpenID Connect federation (console)": Login with Amazon and Google.
    pytest.param(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "accounts.google.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"accounts.google.com:aud": "66677788899900pro0"}},
            },
            {
                "Effect": "Allow",
                "Principal": {"Federated": "www.amazon.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"www.amazon.com:app_id": "amzn1.application-oa2-123456"}},
            },
        ),
        TRUST,
        id="trust-web-identity",
    ),
    # "Passing session tags in AWS STS": trust policy allowing sts:TagSession with aws:RequestTag.
    pytest.param(
        doc(
            {
                "Sid": "AllowIamUserAssumeRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/test-user"},
                "Condition": {"StringLike": {"aws:RequestTag/Project": "*"}},
            },
            {
                "Sid": "AllowPassSessionTags",
                "Effect": "Allow",
                "Action": "sts:TagSession",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/test-user"},
                "Condition": {"StringLike": {"aws:RequestTag/Project": "*"}},
            },
        ),
        TRUST,
        id="trust-session-tags",
    ),
    # "AWS Organizations User Guide", "Full AWS access" (FullAWSAccess SCP).
    pytest.param(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), SCP, id="scp-full-aws-access"),
    # "AWS Organizations User Guide", "Example SCPs": deny by Region, exempting roles with ArnNotLike.
    pytest.param(
        doc(
            {
                "Sid": "DenyAllOutsideEU",
                "Effect": "Deny",
                "NotAction": ["a4b:*", "acm:*", "aws-marketplace-management:*", "budgets:*", "ce:*", "iam:*", "sts:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                    "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/Role1AllowedToBypassThisSCP"]},
                },
            }
        ),
        SCP,
        id="scp-region-deny",
    ),
    # "AWS Organizations User Guide", "Example SCPs": prevent member accounts from leaving the organization.
    pytest.param(
        doc({"Effect": "Deny", "Action": ["organizations:LeaveOrganization"], "Resource": "*"}),
        SCP,
        id="scp-deny-leave",
    ),
    # "AWS Organizations User Guide", "Example SCPs": require IMDSv2 on new EC2 instances (NumericGreaterThan).
    pytest.param(
        doc(
            {
                "Sid": "RequireImdsV2",
                "Effect": "Deny",
                "Action": "ec2:RunInstances",
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}},
            },
            {
                "Sid": "MaxImdsHopLimit",
                "Effect": "Deny",
                "Action": "ec2:RunInstances",
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": "3"}},
            },
        ),
        SCP,
        id="scp-imdsv2",
    ),
    # "AWS Organizations User Guide", "Example SCPs": deny root user actions (StringLike on aws:PrincipalArn).
    pytest.param(
        doc(
            {
                "Sid": "RestrictEC2ForRoot",
                "Effect": "Deny",
                "Action": ["ec2:*"],
                "Resource": ["*"],
                "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
            }
        ),
        SCP,
        id="scp-deny-root",
    ),
    # "AWS Organizations User Guide", "Resource control policies (RCPs)": enforce HTTPS on S3.
    pytest.param(
        doc(
            {
                "Sid": "EnforceSecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*", "sqs:*", "kms:*"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
            }
        ),
        RCP,
        id="rcp-secure-transport",
    ),
    # "Permissions boundaries for IAM entities": a boundary limiting a user to S3, CloudWatch and EC2.
    pytest.param(
        doc({"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"}),
        BOUNDARY,
        id="boundary-s3-cloudwatch-ec2",
    ),
    # "IAM: Creates a permissions boundary / delegates" ("Permissions boundaries for IAM entities", the
    # delegated administrator boundary): a Deny on changing the boundary itself.
    pytest.param(
        doc(
            {
                "Sid": "CreateOrChangeOnlyWithBoundary",
                "Effect": "Allow",
                "Action": [
                    "iam:CreateUser",
                    "iam:DeleteUserPolicy",
                    "iam:AttachUserPolicy",
                    "iam:PutUserPermissionsBoundary",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/XCompanyBoundaries"}
                },
            },
            {
                "Sid": "NoBoundaryPolicyEdit",
                "Effect": "Deny",
                "Action": [
                    "iam:CreatePolicyVersion",
                    "iam:DeletePolicy",
                    "iam:DeletePolicyVersion",
                    "iam:SetDefaultPolicyVersion",
                ],
                "Resource": ["arn:aws:iam::123456789012:policy/XCompanyBoundaries"],
            },
        ),
        BOUNDARY,
        id="boundary-delegated-admin",
    ),
]


@pytest.mark.parametrize("document, kind", DOCUMENTS)
def test_documented_policy_parses_as_its_type(document, kind):
    policy = parse_policy(json.dumps(document, indent=2), kind)
    assert policy.policy_type is kind
    statements = document["Statement"]
    assert len(policy.statements) == (len(statements) if isinstance(statements, list) else 1)


@pytest.mark.parametrize("document, kind", DOCUMENTS)
def test_documented_policy_is_refused_as_the_other_kind(document, kind):
    """A Principal belongs to resource-based policies only ("AWS JSON policy elements: Principal")."""
    other = IDENTITY if kind.takes_principal else RESOURCE
    with pytest.raises(MalformedPolicyDocument):
        parse_policy(json.dumps(document), other)


@pytest.mark.parametrize("kind, accepted", [(RESOURCE, True), (IDENTITY, False)])
def test_execute_api_shorthand_only_in_resource_based_policies(kind, accepted):
    """ "API Gateway resource policy examples": API Gateway expands "execute-api:/..." to the API's ARN; an
    identity-based policy must still give an ARN ("IAM JSON policy elements: Resource")."""
    statement = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/GET/pets"}
    document = json.dumps(doc({**statement, "Principal": "*"} if kind is RESOURCE else statement))
    if accepted:
        assert parse_policy(document, kind).statements[0].resources == ("execute-api:/prod/GET/pets",)
    else:
        with pytest.raises(MalformedPolicyDocument, match="is not a resource"):
            parse_policy(document, kind)
