"""The service-linked roles a sandbox account can hold: a small catalog of real AWS services.

A service-linked role is predefined by its service ("Create a service-linked role", IAM User Guide):
its name is AWSServiceRoleFor<Service>, its path /aws-service-role/<service principal>/, its trust
policy lets only that service assume it, and its permissions are an AWS managed policy of the
"Service-linked role policy" type that the service maintains. The learner cannot change the trust
policy or the permissions; only the service can, and it decides when the role may be deleted.

The permission documents below are abridged from the AWS managed policies of the same names (the
first statements of each, as published in the AWS Managed Policy Reference); the sandbox stores them
as AWS managed policies (no account) the first time any account creates the role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from django.db import IntegrityError, transaction

from .models import ManagedPolicy, PolicyVersion

# Where service-linked roles live (each under its service's principal) and the AWS managed policies made for them.
SERVICE_ROLE_PATH = "/aws-service-role/"
# No service of the catalog runs in the sandbox, so the resources that would use a role are simulated in one Region.
SIMULATED_REGION = "us-east-1"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


@dataclass(frozen=True)
class LinkedService:
    """One service that can own a service-linked role, and what the role looks like."""

    principal: str
    title: str
    role_name: str
    role_description: str
    policy_name: str
    policy_description: str
    policy_document: str
    # What the service's resources are called, and the shape of their ARNs (see resource()).
    resource_kind: str
    resource_arn: str

    @property
    def role_path(self) -> str:
        return f"{SERVICE_ROLE_PATH}{self.principal}/"

    @property
    def trust_policy(self) -> str:
        """Only the service itself may assume the role."""
        return _document({"Effect": "Allow", "Principal": {"Service": self.principal}, "Action": "sts:AssumeRole"})

    def resource(self, account_id: str, name: str) -> str:
        """The ARN a resource of this service named ``name`` would have; its ids derive from the name."""
        uuid = uuid5(NAMESPACE_URL, f"{account_id}/{self.principal}/{name}")
        return self.resource_arn.format(
            region=SIMULATED_REGION, account=account_id, name=name, uuid=uuid, id=uuid.hex[:16]
        )


CATALOG: dict[str, LinkedService] = {
    service.principal: service
    for service in (
        LinkedService(
            principal="autoscaling.amazonaws.com",
            title="Amazon EC2 Auto Scaling",
            role_name="AWSServiceRoleForAutoScaling",
            role_description="Default Service-Linked Role enables access to AWS Services and Resources used or "
            "managed by Auto Scaling",
            policy_name="AutoScalingServiceRolePolicy",
            policy_description="Enables access to AWS services and Resources used or managed by Auto Scaling",
            policy_document=_document(
                {
                    "Sid": "EC2InstanceManagement",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:CreateTags",
                        "ec2:Describe*",
                        "ec2:RunInstances",
                        "ec2:StartInstances",
                        "ec2:StopInstances",
                        "ec2:TerminateInstances",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "EC2InstanceProfileManagement",
                    "Effect": "Allow",
                    "Action": ["iam:PassRole"],
                    "Resource": "*",
                    "Condition": {"StringLike": {"iam:PassedToService": "ec2.amazonaws.com*"}},
                },
            ),
            resource_kind="Auto Scaling group",
            resource_arn="arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid}:autoScalingGroupName/{name}",
        ),
        LinkedService(
            principal="elasticloadbalancing.amazonaws.com",
            title="Elastic Load Balancing",
            role_name="AWSServiceRoleForElasticLoadBalancing",
            role_description="Allows ELB to call AWS services on your behalf.",
            policy_name="AWSElasticLoadBalancingServiceRolePolicy",
            policy_description="Service Linked Role Policy for AWS Elastic Load Balancing Control Plane",
            policy_document=_document(
                {
                    "Effect": "Allow",
                    "Action": [
                        "ec2:DescribeInstances",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeVpcs",
                        "ec2:CreateNetworkInterface",
                        "ec2:DeleteNetworkInterface",
                        "ec2:ModifyNetworkInterfaceAttribute",
                        "ec2:AuthorizeSecurityGroupIngress",
                    ],
                    "Resource": "*",
                }
            ),
            resource_kind="load balancer",
            resource_arn="arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}",
        ),
        LinkedService(
            principal="rds.amazonaws.com",
            title="Amazon RDS",
            role_name="AWSServiceRoleForRDS",
            role_description="Allows Amazon RDS to manage AWS resources on your behalf",
            policy_name="AmazonRDSServiceRolePolicy",
            policy_description="Allows Amazon RDS to manage AWS resources on your behalf",
            policy_document=_document(
                {
                    "Effect": "Allow",
                    "Action": [
                        "ec2:AuthorizeSecurityGroupIngress",
                        "ec2:CreateNetworkInterface",
                        "ec2:CreateSecurityGroup",
                        "ec2:DeleteNetworkInterface",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeVpcs",
                    ],
                    "Resource": "*",
                },
                {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup"],
                    "Resource": ["arn:aws:logs:*:*:log-group:/aws/rds/*"],
                },
            ),
            resource_kind="DB instance",
            resource_arn="arn:aws:rds:{region}:{account}:db:{name}",
        ),
        LinkedService(
            principal="ecs.amazonaws.com",
            title="Amazon ECS",
            role_name="AWSServiceRoleForECS",
            role_description="Role to enable Amazon ECS to manage your cluster.",
            policy_name="AmazonECSServiceRolePolicy",
            policy_description="Policy to enable Amazon ECS to manage your cluster.",
            policy_document=_document(
                {
                    "Sid": "ECSTaskManagement",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:AttachNetworkInterface",
                        "ec2:CreateNetworkInterface",
                        "ec2:DeleteNetworkInterface",
                        "ec2:Describe*",
                        "ec2:DetachNetworkInterface",
                        "elasticloadbalancing:DeregisterTargets",
                        "elasticloadbalancing:Describe*",
                        "elasticloadbalancing:RegisterTargets",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "ECSTagging",
                    "Effect": "Allow",
                    "Action": ["ec2:CreateTags"],
                    "Resource": "arn:aws:ec2:*:*:network-interface/*",
                },
            ),
            resource_kind="cluster",
            resource_arn="arn:aws:ecs:{region}:{account}:cluster/{name}",
        ),
        # EC2 creates it when a learner first launches a Spot Instance (simulator.sandbox.ec2), and stops
        # interrupted Spot Instances through it. Abridged from AWSEC2SpotServiceRolePolicy v4.
        LinkedService(
            principal="spot.amazonaws.com",
            title="Amazon EC2 Spot Instances",
            role_name="AWSServiceRoleForEC2Spot",
            role_description="Default EC2 Spot Service Linked Role",
            policy_name="AWSEC2SpotServiceRolePolicy",
            policy_description="Allows EC2 Spot to launch and manage spot instances",
            policy_document=_document(
                {
                    "Effect": "Allow",
                    "Action": ["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "ec2:RunInstances"],
                    "Resource": ["*"],
                },
                {
                    "Effect": "Deny",
                    "Action": ["ec2:RunInstances"],
                    "Resource": ["arn:aws:ec2:*:*:instance/*"],
                    "Condition": {"StringNotEquals": {"ec2:InstanceMarketType": "spot"}},
                },
                {
                    "Effect": "Allow",
                    "Action": ["iam:PassRole"],
                    "Resource": ["*"],
                    "Condition": {
                        "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
                    },
                },
            ),
            resource_kind="Spot Instance",
            resource_arn="arn:aws:ec2:{region}:{account}:instance/i-0{id}",
        ),
    )
}


def permissions_policy(service: LinkedService) -> ManagedPolicy:
    """The service's AWS managed permissions policy, created on first use; an existing one (say from a
    library of AWS managed policies) is used as it is."""
    policy = ManagedPolicy.objects.filter(account=None, name=service.policy_name).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            policy = ManagedPolicy.objects.create(
                account=None,
                name=service.policy_name,
                path=SERVICE_ROLE_PATH,
                description=service.policy_description,
            )
            PolicyVersion.objects.create(policy=policy, number=1, document=service.policy_document, is_default=True)
            return policy
    except IntegrityError:
        # Another request created it at the same moment: theirs is the same policy.
        return ManagedPolicy.objects.get(account=None, name=service.policy_name)
