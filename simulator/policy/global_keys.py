"""Condition keys as the IAM User Guide documents them, where the catalog's data falls short.

The Service Authorization Reference data that :mod:`.catalog` reads lacks
AWS's list of global condition context keys and its cross-service keys
(both from "AWS global condition context keys"), and gives one key the
wrong type.
"""

from __future__ import annotations

# "AWS global condition context keys": every aws: key, by data type.
_GLOBAL_KEYS_BY_TYPE = {
    "String": (
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalTag/${TagKey}",
        "aws:PrincipalServiceName",
        "aws:PrincipalType",
        "aws:userid",
        "aws:username",
        "aws:FederatedProvider",
        "aws:Ec2InstanceSourceVpc",
        "aws:SourceIdentity",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:ResourceTag/${TagKey}",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:CalledViaAWSMCP",
        "aws:referer",
        "aws:RequestedRegion",
        "aws:RequestTag/${TagKey}",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:UserAgent",
    ),
    "ArrayOfString": (
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceNamesList",
        "aws:VpceOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:CalledVia",
        "aws:TagKeys",
        "aws:SourceOrgPaths",
    ),
    "ARN": ("aws:PrincipalArn", "aws:SignInSessionArn", "aws:ChatbotSourceArn", "aws:SourceVpcArn", "aws:SourceArn"),
    "Bool": (
        "aws:PrincipalIsAWSService",
        "aws:AssumedRoot",
        "aws:MultiFactorAuthPresent",
        "aws:ViaAWSService",
        "aws:ViaAWSMCPService",
        "aws:SecureTransport",
        "aws:IsMcpServiceAction",
    ),
    "Date": ("aws:TokenIssueTime", "aws:CurrentTime", "aws:EpochTime"),  # aws:EpochTime takes numbers too
    "Numeric": ("aws:MultiFactorAuthAge",),
    "IPAddress": ("aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIp", "aws:VpcSourceIp"),
}
GLOBAL_CONDITION_KEYS = {name: type_ for type_, names in _GLOBAL_KEYS_BY_TYPE.items() for name in names}

# The same page's cross-service keys: a service's prefix, yet present in other services' requests.
CROSS_SERVICE_KEYS = frozenset(
    key.lower()
    for key in (
        "ec2:RoleDelivery",
        "ec2:SourceInstanceArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "codebuild:BuildArn",
        "codebuild:ProjectArn",
        "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn",
        "identitystore:UserId",
    )
)

# Types the data gets wrong, by lower-cased key. Amazon Cognito Developer Guide, "Role trust and
# permissions": amr is a multi-value claim, hence "ForAnyValue:StringLike" in its trust policies.
CORRECTED_TYPES = {"cognito-identity.amazonaws.com:amr": "ArrayOfString"}
