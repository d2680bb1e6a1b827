"""Laws every decision obeys, checked on random policy sets and requests.

Sources (IAM User Guide): "Policy evaluation logic" and "How AWS enforcement
code logic evaluates requests to allow or deny access" (an explicit deny in any
policy overrides every allow; without an allow the request is implicitly
denied); "Permissions boundaries for IAM entities", "Session policies",
"Service control policies (SCPs)" and "Resource control policies (RCPs)" (each
only restricts); "IAM JSON policy elements: Condition operators" and "IAM
policy elements: Variables and tags" for the conditions and variables drawn.
The trace's statement positions follow the IAM API Reference's Statement type.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import event, given, settings
from hypothesis import strategies as st

from simulator.policy import explain
from simulator.policy.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Decision
from simulator.policy.evaluate import evaluate
from simulator.policy.model import PolicyType
from simulator.policy.parse import TRUST_POLICY_ACTIONS, parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, Request, make_request
from tests.policy.helpers import ACCOUNT, OTHER_ACCOUNT, allow, policy, role_session, root, service, user

FAST = settings(max_examples=200, deadline=None, database=None)

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances", "iam:CreateUser", "sts:AssumeRole"]
ACTION_PATTERNS = [
    "*", "s3:*", "s3:Get*", "s3:*Object", "s3:?etObject", "S3:getobject", "ec2:*", "ec2:Run*", "iam:CreateUser",
    "sts:AssumeRole",
]
# A role trust policy names only the actions of assuming the role ("IAM role trust policies").
TRUST_ACTION_PATTERNS = ["sts:AssumeRole", "sts:Assume*", "sts:TagSession", "sts:*", "*"]
RESOURCES = [
    "arn:aws:s3:::reports",
    "arn:aws:s3:::reports/q1.csv",
    "arn:aws:s3:::reports/secret/plan.txt",
    "arn:aws:s3:::home/alice/notes.txt",
    "arn:aws:s3:::home/bob/notes.txt",
    f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0abc",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:role/Dev",
    "*",
]
RESOURCE_PATTERNS = [
    "*", "arn:aws:s3:::reports", "arn:aws:s3:::reports/*", "arn:aws:s3:::*/secret/*", "arn:aws:s3:::reports/q?.csv",
    "arn:aws:s3:::home/${aws:username}/*", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
    "arn:aws:ec2:*:*:instance/*", "arn:aws:iam::*:role/*",
]
CONDITIONS = [
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotEquals": {"aws:username": ["alice", "carol"]}},
    {"StringLike": {"aws:PrincipalTag/team": "dev*"}},
    {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}},
    {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
    {"Null": {"aws:SourceIp": "false"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["env", "cost-*"]}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"}},
    {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
    {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
]
CONTEXT_VALUES = {
    "aws:username": st.sampled_from(["alice", "bob"]),
    "aws:PrincipalTag/team": st.sampled_from(["dev", "devops", "ops"]),
    "aws:RequestedRegion": st.sampled_from(["us-east-1", "eu-west-1"]),
    "aws:MultiFactorAuthPresent": st.sampled_from(["true", "false"]),
    "aws:SourceIp": st.sampled_from(["192.0.2.10", "198.51.100.7", "2001:db8::1"]),
    "aws:MultiFactorAuthAge": st.sampled_from(["60", "7200"]),
    "aws:CurrentTime": st.sampled_from(["2019-06-01T00:00:00Z", "2024-06-01T12:00:00Z"]),
    "aws:TagKeys": st.lists(st.sampled_from(["env", "team", "cost-center"]), max_size=3, unique=True),
    "aws:PrincipalArn": st.sampled_from([f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:role/Dev"]),
    "aws:PrincipalAccount": st.sampled_from([ACCOUNT, OTHER_ACCOUNT]),
    "s3:prefix": st.sampled_from(["home/alice/", "home/bob/docs", "public/"]),
}
RESOURCE_PRINCIPALS = [
    "*",
    {"AWS": ACCOUNT},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Dev"},
    {"AWS": [f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice", f"arn:aws:iam::{OTHER_ACCOUNT}:root"]},
    {"Service": "ec2.amazonaws.com"},
]
# Everyone every policy type bears on, same-account and cross-account.
ORDINARY_PRINCIPALS = [user(), user("bob"), user("alice", OTHER_ACCOUNT), role_session(), role_session("Ops", "s2")]
# Those some policy types pass over: SCPs skip service-linked roles and the management account,
# identity-based policies skip the root user and AWS services.
SPECIAL_PRINCIPALS = [
    role_session("AWSServiceRoleForSupport", "s3", service_linked=True),
    role_session(management_account=True),
    root(),
    root(management_account=True),
    service(),
]

# Where a policy sits in a PolicySpec, and the type it is parsed as.
SLOT_TYPES = {
    "identity": PolicyType.IDENTITY,
    "permissions_boundary": PolicyType.PERMISSIONS_BOUNDARY,
    "session": PolicyType.SESSION,
    "service_control": PolicyType.SERVICE_CONTROL,
    "resource_control": PolicyType.RESOURCE_CONTROL,
}
FLAT_SLOTS = ("identity", "permissions_boundary", "session")
LEVELLED_SLOTS = ("service_control", "resource_control")  # organization levels: root, OUs, account


# What a drawn statement aims at: the request's action and resource join the pools, so that
# statements often match and every stage of the logic gets exercised.
Aim = tuple[str, str]


def one_or_many(values: list[str], exact: str) -> st.SearchStrategy:
    value = st.sampled_from(values) | st.just(exact)
    return value | st.lists(value, min_size=1, max_size=2)


def conditions() -> st.SearchStrategy[dict]:
    def merged(blocks: list[dict]) -> dict:
        condition: dict = {}
        for block in blocks:
            for operator, keys in block.items():
                condition.setdefault(operator, {}).update(keys)
        return condition

    return st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2).map(merged)


@st.composite
def statements(draw, policy_type: PolicyType, aim: Aim, effect: str | None = None) -> dict:
    """One statement that IAM accepts in a policy of ``policy_type``."""
    effect = effect or draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"]))
    statement: dict = {"Effect": effect}
    if policy_type is PolicyType.RESOURCE_CONTROL:
        statement["Principal"] = "*"
    elif policy_type is PolicyType.RESOURCE and effect == "Deny" and draw(st.booleans()):
        statement["NotPrincipal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}
    elif policy_type.takes_principal:
        statement["Principal"] = draw(st.sampled_from(RESOURCE_PRINCIPALS))
    action, resource = aim
    not_action = policy_type is not PolicyType.RESOURCE_CONTROL and draw(st.integers(0, 4)) == 0
    if policy_type is PolicyType.TRUST:
        aimed = action if action in TRUST_POLICY_ACTIONS else "sts:AssumeRole"
        statement["NotAction" if not_action else "Action"] = draw(one_or_many(TRUST_ACTION_PATTERNS, aimed))
    else:
        statement["NotAction" if not_action else "Action"] = draw(one_or_many(ACTION_PATTERNS, action))
    if policy_type is not PolicyType.TRUST:
        not_resource = draw(st.integers(0, 4)) == 0
        statement["NotResource" if not_resource else "Resource"] = draw(one_or_many(RESOURCE_PATTERNS, resource))
    if draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(conditions())
    return statement


FULL_ACCESS = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def documents(policy_type: PolicyType, aim: Aim) -> st.SearchStrategy[dict]:
    """A policy IAM accepts. Filters (boundary, session, SCP) often start from full access, as real ones
    do, so that enough requests get through every stage to be allowed.

    An RCP is AWS's RCPFullAWSAccess plus Deny statements ("Resource control policies (RCPs)": custom RCPs
    only deny). 2008-10-17 keeps ${...} as literal text, so both versions are drawn where IAM takes both.
    """
    organizations = policy_type in (PolicyType.SERVICE_CONTROL, PolicyType.RESOURCE_CONTROL)
    version = st.just("2012-10-17") if organizations else st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"])
    drawn = st.lists(statements(policy_type, aim), min_size=1, max_size=2)
    if policy_type is PolicyType.RESOURCE_CONTROL:
        drawn = st.lists(statements(policy_type, aim, "Deny"), max_size=1).map(
            lambda denies: [{**FULL_ACCESS, "Principal": "*"}, *denies]
        )
    elif policy_type in (PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION, PolicyType.SERVICE_CONTROL):
        drawn = drawn | drawn.map(lambda some: [FULL_ACCESS, *some])
    return st.fixed_dictionaries({"Version": version, "Statement": drawn})


@dataclass
class PolicySpec:
    """A policy set as plain documents, so a test can add a statement and build it again."""

    identity: list[dict] = field(default_factory=list)
    permissions_boundary: list[dict] = field(default_factory=list)
    session: list[dict] = field(default_factory=list)
    service_control: list[list[dict]] = field(default_factory=list)
    resource_control: list[list[dict]] = field(default_factory=list)
    resource: dict | None = None
    resource_type: PolicyType = PolicyType.RESOURCE

    def build(self) -> PolicySet:
        """Parse every document under a distinct policy id; the ids say where each one sits."""

        def parsed(document: dict, policy_type: PolicyType, policy_id: str):
            return parse_policy(json.dumps(document, indent=2), policy_type, policy_id=policy_id)

        def flat(slot: str):
            return [parsed(d, SLOT_TYPES[slot], f"{slot}.{n}") for n, d in enumerate(getattr(self, slot), 1)]

        def levels(slot: str):
            return [
                [parsed(d, SLOT_TYPES[slot], f"{slot}.{level}.{n}") for n, d in enumerate(documents, 1)]
                for level, documents in enumerate(getattr(self, slot), 1)
            ]

        resource = None if self.resource is None else parsed(self.resource, self.resource_type, "resource")
        return PolicySet(
            flat("identity"),
            resource=resource,
            permissions_boundary=flat("permissions_boundary"),
            session=flat("session"),
            service_control=levels("service_control"),
            resource_control=levels("resource_control"),
        )

    def documents_by_id(self) -> dict[str, dict]:
        """Every document under the policy id :meth:`build` gives it."""
        found = {}
        for slot in FLAT_SLOTS:
            found.update({f"{slot}.{n}": d for n, d in enumerate(getattr(self, slot), 1)})
        for slot in LEVELLED_SLOTS:
            for level, level_documents in enumerate(getattr(self, slot), 1):
                found.update({f"{slot}.{level}.{n}": d for n, d in enumerate(level_documents, 1)})
        if self.resource is not None:
            found["resource"] = self.resource
        return found

    def slots(self) -> list[tuple]:
        """Every place a statement can go: each existing document, or a new document of each kind."""
        places: list[tuple] = []
        for slot in FLAT_SLOTS:
            places += [(slot, n) for n in range(len(getattr(self, slot)) + 1)]
        for slot in LEVELLED_SLOTS:
            levels = getattr(self, slot)
            places += [(slot, level, n) for level in range(len(levels)) for n in range(len(levels[level]) + 1)]
            places.append((slot, len(levels), 0))
        places.append(("resource",))
        return places

    def slot_type(self, slot: tuple) -> PolicyType:
        return self.resource_type if slot[0] == "resource" else SLOT_TYPES[slot[0]]

    def with_statement(self, slot: tuple, statement: dict) -> PolicySpec:
        """A copy with ``statement`` appended to the document at ``slot`` (a new one if there is none)."""
        spec = copy.deepcopy(self)
        if slot[0] == "resource":
            spec.resource = spec.resource or {"Version": "2012-10-17", "Statement": []}
            spec.resource["Statement"].append(statement)
            return spec
        container = getattr(spec, slot[0])
        if len(slot) == 3:
            if slot[1] == len(container):
                container.append([])
            container = container[slot[1]]
        if slot[-1] == len(container):
            container.append({"Version": "2012-10-17", "Statement": []})
        container[slot[-1]]["Statement"].append(statement)
        return spec


def requests(principals: list[Principal]) -> st.SearchStrategy[Request]:
    return st.builds(
        make_request,
        st.sampled_from(principals),
        st.sampled_from(ACTIONS),
        st.sampled_from(RESOURCES),
        st.fixed_dictionaries({}, optional=CONTEXT_VALUES),
        st.sampled_from([None, None, ACCOUNT, ACCOUNT, OTHER_ACCOUNT]),
    )


@st.composite
def scenarios(draw, principals: list[Principal]) -> tuple[PolicySpec, Request]:
    """A request, and a policy set whose statements often (not always) aim at it."""
    request = draw(requests(principals))
    aim = (request.action, request.resource)

    def some(policy_type: PolicyType, most: int) -> list[dict]:
        return draw(st.lists(documents(policy_type, aim), max_size=most))

    def levels(policy_type: PolicyType, most: int) -> list[list[dict]]:
        return draw(st.lists(st.lists(documents(policy_type, aim), min_size=1, max_size=2), max_size=most))

    resource_type = draw(st.sampled_from([PolicyType.RESOURCE] * 3 + [PolicyType.TRUST]))
    spec = PolicySpec(
        identity=some(PolicyType.IDENTITY, 3),
        permissions_boundary=some(PolicyType.PERMISSIONS_BOUNDARY, 1),
        session=some(PolicyType.SESSION, 1),
        service_control=levels(PolicyType.SERVICE_CONTROL, 2),
        resource_control=levels(PolicyType.RESOURCE_CONTROL, 1),
        resource=draw(st.none() | documents(resource_type, aim)),
        resource_type=resource_type,
    )
    return spec, request


ALL_PRINCIPALS = ORDINARY_PRINCIPALS + SPECIAL_PRINCIPALS


def aim_of(request: Request) -> Aim:
    return request.action, request.resource


def outcome(decision: Decision) -> tuple:
    return decision.result, decision.stage, decision.matched


def key(statement) -> tuple[str, str, int]:
    return statement.policy_id, statement.policy_type, statement.statement_index


@FAST
@given(scenarios(ALL_PRINCIPALS))
def test_evaluation_is_deterministic(scenario):
    spec, request = scenario
    policies = spec.build()
    for explaining in (False, True):
        first = evaluate(request, policies, explain=explaining)
        again = evaluate(request, policies, explain=explaining)
        fresh = evaluate(request, spec.build(), explain=explaining)
        assert outcome(first) == outcome(again) == outcome(fresh)
    assert explain.trace(first) == explain.trace(again) == explain.trace(fresh)


@FAST
@given(scenarios(ALL_PRINCIPALS))
def test_explaining_never_changes_the_decision(scenario):
    """The fast path may stop at the first Allow of each policy type, never at the first Deny."""
    spec, request = scenario
    policies = spec.build()
    fast, full = evaluate(request, policies, explain=False), evaluate(request, policies, explain=True)
    assert (fast.result, fast.stage) == (full.result, full.stage)
    assert set(fast.matched) <= set(full.matched)
    assert {m.policy_type for m in fast.matched} == {m.policy_type for m in full.matched}
    if full.result == EXPLICIT_DENY:
        assert fast.matched == full.matched


@FAST
@given(scenarios(ALL_PRINCIPALS), st.data())
def test_adding_a_deny_statement_anywhere_never_grants_access(scenario, data):
    """"Policy evaluation logic": a Deny in any policy type can only take access away."""
    spec, request = scenario
    slot = data.draw(st.sampled_from(spec.slots()), label="slot")
    extra = data.draw(statements(spec.slot_type(slot), aim_of(request), "Deny"), label="deny")
    before = evaluate(request, spec.build(), explain=False)
    after = evaluate(request, spec.with_statement(slot, extra).build(), explain=False)
    event(f"{before.result} -> {after.result}")
    if before.result != ALLOWED:
        assert after.result != ALLOWED
    if before.result == EXPLICIT_DENY:
        assert after.result == EXPLICIT_DENY


@FAST
@given(scenarios(ALL_PRINCIPALS), st.data())
def test_adding_an_identity_based_allow_never_denies_what_was_allowed(scenario, data):
    spec, request = scenario
    slot = ("identity", data.draw(st.integers(0, len(spec.identity)), label="policy"))
    extra = data.draw(statements(PolicyType.IDENTITY, aim_of(request), "Allow"), label="allow")
    before = evaluate(request, spec.build(), explain=False)
    after = evaluate(request, spec.with_statement(slot, extra).build(), explain=False)
    event(f"{before.result} -> {after.result}")
    if before.result == ALLOWED:
        assert after.result == ALLOWED


@FAST
@given(scenarios(ALL_PRINCIPALS))
def test_matched_statements_are_the_ones_that_decided(scenario):
    """Implicit deny: none. Explicit deny: exactly the Deny statements that apply. Allow: Allows that apply."""
    spec, request = scenario
    decision = evaluate(request, spec.build(), explain=True)
    event(f"{decision.result} at {decision.stage.value}")
    applying = {key(e): e.effect for e in decision.evaluations if e.applies}
    matched = [key(m) for m in decision.matched]
    assert all(m in applying for m in matched)
    if decision.result == IMPLICIT_DENY:
        assert decision.matched == ()
    elif decision.result == EXPLICIT_DENY:
        assert {m.effect for m in decision.matched} == {"Deny"}
        assert set(matched) == {k for k, effect in applying.items() if effect == "Deny"}
    else:
        assert {m.effect for m in decision.matched} <= {"Allow"}
        assert "Deny" not in applying.values()


@FAST
@given(scenarios(ORDINARY_PRINCIPALS))
def test_the_trace_is_json_and_names_every_statement_once(scenario):
    spec, request = scenario
    trace = explain.trace(evaluate(request, spec.build(), explain=True))
    assert json.loads(json.dumps(trace)) == trace
    named = Counter((s["policyId"], s["statement"]) for s in trace["statements"])
    expected = Counter(
        (policy_id, n)
        for policy_id, document in spec.documents_by_id().items()
        for n in range(1, len(document["Statement"]) + 1)
    )
    assert named == expected


@FAST
@given(scenarios(SPECIAL_PRINCIPALS))
def test_the_trace_names_no_statement_twice_for_principals_some_policies_skip(scenario):
    spec, request = scenario
    trace = explain.trace(evaluate(request, spec.build(), explain=True))
    assert json.loads(json.dumps(trace)) == trace
    named = Counter((s["policyId"], s["statement"]) for s in trace["statements"])
    assert set(named.values()) <= {1}


def test_the_trace_names_every_statement_even_when_policies_share_an_id():
    """Policy ids are optional (parse_policy defaults to ""); two such policies must not hide each other."""
    policies = PolicySet([policy(allow("s3:GetObject")), policy(allow("ec2:*"))])
    trace = explain.trace(evaluate(make_request(user(), "s3:GetObject", RESOURCES[1]), policies, explain=True))
    assert [(s["action"]["matched"], s["applies"]) for s in trace["statements"]] == [(True, True), (False, False)]
