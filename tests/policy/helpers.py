"""Small builders shared by the engine tests: policies from dicts, principals by name."""

from __future__ import annotations

import json

from simulator.policy.model import Policy, PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.request import Principal, PrincipalKind

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"


def policy(
    *statements: dict, kind: PolicyType = PolicyType.IDENTITY, policy_id: str = "", version="2012-10-17"
) -> Policy:
    document = {"Version": version, "Statement": list(statements)}
    return parse_policy(json.dumps(document, indent=2), kind, policy_id=policy_id)


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user(name="alice", account=ACCOUNT) -> Principal:
    return Principal(f"arn:aws:iam::{account}:user/{name}", PrincipalKind.USER, account)


def role_session(role="Dev", session="s1", account=ACCOUNT, **extra) -> Principal:
    return Principal(
        f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        PrincipalKind.ROLE_SESSION,
        account,
        role_arn=f"arn:aws:iam::{account}:role/{role}",
        **extra,
    )


def root(account=ACCOUNT, **extra) -> Principal:
    return Principal(f"arn:aws:iam::{account}:root", PrincipalKind.ROOT, account, **extra)


def service(name="ec2.amazonaws.com") -> Principal:
    return Principal(name, PrincipalKind.SERVICE, "")
