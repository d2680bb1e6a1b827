"""Decisions per second for a realistic principal (run: python tests/benchmarks/policy_engine.py).

Workload: one IAM user with 10 attached policies of 10 statements each —
exact actions, service wildcards (``s3:Get*``), ``NotAction``, resource
patterns with wildcards and policy variables, and conditions (StringEquals,
StringLike, IpAddress, Bool, DateLessThan, ForAnyValue) — asked 10,000
distinct requests spread over 40 services (six in ten over the
8 services the team uses most, as its policies do). It prints decisions per second
for the decision alone, with the full explanation (the Decision value), and
with that explanation rendered to the JSON trace pages use; then the same
with 2,000 extra statements whose actions can never match the requests, to
show that such statements do not slow a decision down. (Rendering lists
every statement, so its cost does grow with them.)

Kept apart from the test suite: timings belong in benchmarks, not in tests.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulator.policy import explain  # noqa: E402
from simulator.policy.evaluate import evaluate  # noqa: E402
from simulator.policy.model import PolicyType  # noqa: E402
from simulator.policy.parse import parse_policy  # noqa: E402
from simulator.policy.policyset import PolicySet  # noqa: E402
from simulator.policy.request import Principal, PrincipalKind, make_request  # noqa: E402

ACCOUNT = "123456789012"
SERVICES = [
    "s3",
    "ec2",
    "iam",
    "sts",
    "dynamodb",
    "lambda",
    "sqs",
    "sns",
    "kms",
    "logs",
    "cloudwatch",
    "rds",
    "ecr",
    "ecs",
    "eks",
    "elasticloadbalancing",
    "autoscaling",
    "cloudformation",
    "ssm",
    "secretsmanager",
    "route53",
    "cloudfront",
    "apigateway",
    "events",
    "states",
    "glue",
    "athena",
    "kinesis",
    "firehose",
    "redshift",
    "elasticache",
    "es",
    "sagemaker",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-idp",
    "acm",
    "waf",
    "backup",
]
VERBS = ["Get", "List", "Describe", "Put", "Create", "Delete", "Update", "Tag"]
NOUNS = ["Object", "Bucket", "Instance", "Role", "Table", "Function", "Queue", "Topic", "Key", "Secret"]
UNUSED_SERVICES = [f"unused{n}" for n in range(200)]


def resource_for(rng: random.Random, service: str) -> str:
    kind, owner = rng.choice(["thing", "team"]), rng.choice(["alice", "data", "web", "x"])
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:{kind}/{owner}/{rng.randrange(50)}"


def _pick_service(rng: random.Random, services: list[str]) -> str:
    """A team works mostly with a few services: six in ten picks come from the first eight."""
    return rng.choice(services[:8] if rng.random() < 0.6 else services)


def statement(rng: random.Random, number: int, services: list[str], not_action: bool = True) -> dict:
    """One statement of ten shapes: service wildcards, verb wildcards, exact actions and a plain Deny,
    resources and conditions drawn at random; statement 2 is the usual Deny-unless-MFA NotAction guard."""
    service = _pick_service(rng, services)
    shape = number % 10
    if shape == 2 and (number != 2 or not not_action):
        shape = 3
    stmt: dict = {"Sid": f"S{number}", "Effect": "Deny" if shape in (2, 9) else "Allow"}
    if shape == 0:
        stmt["Action"] = f"{service}:*"
    elif shape == 1:
        stmt["Action"] = [
            f"{service}:{rng.choice(VERBS)}*",
            f"{rng.choice(services)}:{rng.choice(VERBS)}{rng.choice(NOUNS)}",
        ]
    elif shape == 2:
        stmt["NotAction"] = ["iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"]
        stmt["Resource"] = "*"
        stmt["Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        return stmt
    else:
        stmt["Action"] = [f"{service}:{rng.choice(VERBS)}{rng.choice(NOUNS)}" for _ in range(3)]
    stmt["Resource"] = rng.choice(
        [
            "*",
            f"arn:aws:{service}:*:{ACCOUNT}:thing/*",
            f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/data/*",
            f"arn:aws:{service}:us-east-1:{ACCOUNT}:team/${{aws:PrincipalTag/team}}/*",
            f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/${{aws:username}}/?",
        ]
    )
    condition = rng.choice(
        [
            None,
            {"StringEquals": {"aws:PrincipalTag/team": ["data", "web"]}},
            {"StringLike": {"aws:RequestTag/project": "alpha-*"}},
            {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
            {"Bool": {"aws:SecureTransport": "true"}},
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "cost-center"]}},
        ]
    )
    if condition:
        stmt["Condition"] = condition
    return stmt


def policies(
    rng: random.Random, count: int, per_policy: int, services: list[str], prefix: str, not_action: bool = True
) -> list:
    result = []
    for p in range(count):
        statements = [statement(rng, p * per_policy + s, services, not_action) for s in range(per_policy)]
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
        result.append(parse_policy(text, PolicyType.IDENTITY, policy_id=f"{prefix}{p}"))
    return result


def requests(rng: random.Random, principal: Principal, count: int) -> list:
    seen, result = set(), []
    while len(result) < count:
        service = _pick_service(rng, SERVICES)
        action = f"{service}:{rng.choice(VERBS)}{rng.choice(NOUNS)}"
        resource = resource_for(rng, service)
        context = {
            "aws:username": "alice",
            "aws:PrincipalTag/team": rng.choice(["data", "web", "ops"]),
            "aws:SourceIp": rng.choice(["10.1.2.3", "198.51.100.7", "192.0.2.44"]),
            "aws:SecureTransport": rng.choice(["true", "false"]),
            "aws:CurrentTime": "2026-11-28T12:00:00Z",
            "aws:MultiFactorAuthPresent": rng.choice(["true", "true", "true", "false"]),
            "aws:TagKeys": rng.sample(["owner", "env", "cost-center", "team"], 2),
        }
        if rng.random() < 0.5:
            context["aws:RequestTag/project"] = rng.choice(["alpha-1", "beta-2"])
        key = (action, resource, json.dumps(context, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        result.append(make_request(principal, action, resource, context))
    return result


def rate(policy_set: PolicySet, batch: list, explain_it: bool, render: bool = False, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for request in batch:
            decision = evaluate(request, policy_set, explain=explain_it)
            if render:
                explain.trace(decision)
        best = min(best, time.perf_counter() - start)
    return len(batch) / best


def main() -> None:
    rng = random.Random(2026)
    principal = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalKind.USER, ACCOUNT)
    attached = policies(rng, 10, 10, SERVICES, "Policy")
    batch = requests(rng, principal, 10_000)
    unmatched = policies(rng, 20, 100, UNUSED_SERVICES, "Unused", not_action=False)

    small = PolicySet(attached)
    large = PolicySet(attached + unmatched)
    results = {}
    for name, policy_set in (("100 statements", small), ("100 + 2,000 unmatchable statements", large)):
        evaluate(batch[0], policy_set)
        results[name] = (
            rate(policy_set, batch, explain_it=False),
            rate(policy_set, batch, explain_it=True),
            rate(policy_set, batch, explain_it=True, render=True, rounds=1),
        )
    allowed = sum(evaluate(r, small, explain=False).allowed for r in batch)
    print(
        f"workload: 10 policies x 10 statements, {len(batch):,} distinct requests over {len(SERVICES)} services; "
        f"{allowed:,} allowed, {len(batch) - allowed:,} denied"
    )
    print(f"{'policy set':<38}{'decision only':>16}{'with explanation':>19}{'explanation + trace dict':>27}")
    for name, (fast, full, rendered) in results.items():
        print(f"{name:<38}{fast:>12,.0f} /s{full:>15,.0f} /s{rendered:>23,.0f} /s")
    print("targets: >= 50,000 /s decision only; >= 10,000 /s with explanation")


if __name__ == "__main__":
    main()
