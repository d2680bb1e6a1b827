"""SimulateCustomPolicy: AWS's policy simulator API, answered by this engine.

Takes the input of ``aws iam simulate-custom-policy --cli-input-json`` and
returns AWS's response shape (IAM API Reference: SimulateCustomPolicy,
EvaluationResult, ResourceSpecificResult), with one extra ``Explanation``
per result holding the plain-English sentence and the structured trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import explain
from .decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Decision, Stage
from .evaluate import evaluate
from .model import Policy, PolicyType
from .parse import parse_policy
from .policyset import PolicySet
from .request import Principal, PrincipalKind, make_request

_KNOWN_KEYS = {
    "PolicyInputList": list,
    "PermissionsBoundaryPolicyInputList": list,
    "ActionNames": list,
    "ResourceArns": list,
    "ResourcePolicy": str,
    "ResourceOwner": str,
    "CallerArn": str,
    "ContextEntries": list,
    "ResourceHandlingOption": str,
    "MaxItems": int,
    "Marker": str,
}
_CONTEXT_TYPES = {
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
}
_TYPE_NAMES = {list: "list", str: "string", int: "integer"}
# SimulateCustomPolicy, ResourceHandlingOption: the EC2 scenarios the simulator knows (the two EC2-Classic
# ones appear in older versions of the reference).
_RESOURCE_HANDLING_OPTIONS = (
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
    "EC2-Classic-InstanceStore",
    "EC2-Classic-EBS",
)
_DEFAULT_ACCOUNT = "123456789012"
_RESTRICTIVENESS = {ALLOWED: 0, IMPLICIT_DENY: 1, EXPLICIT_DENY: 2}


class SimulationInputError(ValueError):
    """The input is not what SimulateCustomPolicy accepts (AWS would answer InvalidInput)."""


def _require_strings(name: str, values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SimulationInputError(f"{name} must be a list of strings")
    return values


def _check_shape(data: Any) -> None:
    if not isinstance(data, dict):
        raise SimulationInputError("the input must be a JSON object")
    unknown = sorted(set(data) - set(_KNOWN_KEYS))
    if unknown:
        raise SimulationInputError(f"unknown parameter(s): {', '.join(unknown)}; valid: {', '.join(_KNOWN_KEYS)}")
    for key, kind in _KNOWN_KEYS.items():
        if key in data and (not isinstance(data[key], kind) or isinstance(data[key], bool)):
            raise SimulationInputError(f"{key} must be a JSON {_TYPE_NAMES[kind]}")
    if "MaxItems" in data and not 1 <= data["MaxItems"] <= 1000:
        raise SimulationInputError("MaxItems must be between 1 and 1000")
    for key in ("PolicyInputList", "ActionNames"):
        if not data.get(key):
            raise SimulationInputError(f"{key} is required and must not be empty")
    for key in ("PolicyInputList", "PermissionsBoundaryPolicyInputList", "ActionNames", "ResourceArns"):
        if key in data:
            _require_strings(key, data[key])
    option = data.get("ResourceHandlingOption")
    if option is not None and option not in _RESOURCE_HANDLING_OPTIONS:
        raise SimulationInputError(
            f"ResourceHandlingOption {option!r} is not a simulation scenario; use one of "
            + ", ".join(_RESOURCE_HANDLING_OPTIONS)
        )
    if "ResourcePolicy" in data and "CallerArn" not in data:
        raise SimulationInputError(
            "CallerArn is required when ResourcePolicy is given: the policy's Principal needs a caller"
        )


def _context(entries: list[Any]) -> dict[str, list[str]]:
    context: dict[str, list[str]] = {}
    for number, entry in enumerate(entries, 1):
        where = f"ContextEntries[{number}]"
        if not isinstance(entry, dict):
            raise SimulationInputError(f"{where} must be an object")
        unknown = set(entry) - {"ContextKeyName", "ContextKeyValues", "ContextKeyType"}
        if unknown:
            raise SimulationInputError(f"{where} has unknown field(s): {', '.join(sorted(unknown))}")
        name = entry.get("ContextKeyName")
        if not isinstance(name, str) or not name:
            raise SimulationInputError(f"{where}.ContextKeyName must be a non-empty string")
        values = _require_strings(f"{where}.ContextKeyValues", entry.get("ContextKeyValues"))
        kind = entry.get("ContextKeyType", "stringList" if len(values) > 1 else "string")
        if kind not in _CONTEXT_TYPES:
            raise SimulationInputError(f"{where}.ContextKeyType must be one of {', '.join(sorted(_CONTEXT_TYPES))}")
        if not kind.endswith("List") and len(values) > 1:
            raise SimulationInputError(f"{where}: a {kind} key takes one value; use {kind}List for several")
        context[name] = values
    return context


def _account_of(owner: str) -> str:
    if owner.isdigit() and len(owner) == 12:
        return owner
    parts = owner.split(":")
    if len(parts) >= 5 and parts[4].isdigit():
        return parts[4]
    raise SimulationInputError(f"ResourceOwner {owner!r} is not an account ARN such as arn:aws:iam::123456789012:root")


def _caller(arn: str | None, fallback_account: str) -> Principal:
    """The simulated caller: SimulateCustomPolicy takes only an IAM user's ARN as CallerArn, never an
    assumed role, a federated user or a service principal (IAM API Reference, SimulateCustomPolicy)."""
    if arn is None:
        return Principal(f"arn:aws:iam::{fallback_account}:user/SimulatedCaller", PrincipalKind.USER, fallback_account)
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[4].isdigit():
        raise SimulationInputError(f"CallerArn {arn!r} is not an IAM ARN")
    if parts[2] != "iam" or not parts[5].startswith("user/"):
        raise SimulationInputError(
            f"CallerArn {arn!r} must be an IAM user ARN such as arn:aws:iam::123456789012:user/alice; "
            "the simulator cannot act as the root user, an assumed role, a federated user or a service"
        )
    return Principal(arn, PrincipalKind.USER, parts[4])


def _principal_context(principal: Principal) -> dict[str, list[str]]:
    """The global keys AWS fills in from the caller, an IAM user ("AWS global condition context keys")."""
    return {
        "aws:PrincipalArn": [principal.arn],
        "aws:PrincipalAccount": [principal.account],
        "aws:PrincipalType": ["User"],
        "aws:username": [principal.arn.rsplit("/", 1)[-1]],
    }


def _parse_all(texts: list[str], label: str, policy_type: PolicyType) -> list[Policy]:
    return [
        parse_policy(text, policy_type, policy_id=f"{label}.{number}", source_type="none")
        for number, text in enumerate(texts, 1)
    ]


def _statements(decisions: list[Decision]) -> list[dict[str, Any]]:
    """AWS's Statement entries for the statements that decided, each listed once."""
    seen, statements = set(), []
    for decision in decisions:
        for m in decision.matched:
            key = (m.policy_id, m.statement_index)
            if key in seen:
                continue
            seen.add(key)
            statements.append(
                {
                    "SourcePolicyId": m.policy_id,
                    "SourcePolicyType": m.source_type,
                    **explain.aws_positions(m.span),
                }
            )
    return statements


def _side_decision(decision: Decision, stages: set[Stage]) -> str:
    applying = [e for e in decision.evaluations if e.applies and Stage(e.policy_type) in stages]
    if any(e.effect == "Deny" for e in applying):
        return EXPLICIT_DENY
    return ALLOWED if applying else IMPLICIT_DENY


def _details(decision: Decision, resource: str, boundary: bool) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if decision.request.is_cross_account:
        details["EvalDecisionDetails"] = {
            "IAM Policy": _side_decision(decision, {Stage.IDENTITY_BASED}),
            "Resource Policy": _side_decision(decision, {Stage.RESOURCE_BASED}),
        }
    elif resource != "*":
        details["EvalDecisionDetails"] = {}
    if boundary:
        allowed = _side_decision(decision, {Stage.PERMISSIONS_BOUNDARY}) == ALLOWED
        details["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    return details


def simulate_custom_policy(data: Mapping[str, Any]) -> dict[str, Any]:
    """Answer one SimulateCustomPolicy call.

    Raises :class:`SimulationInputError` for input AWS would refuse and
    :class:`~simulator.policy.errors.MalformedPolicyDocument` for a policy
    it cannot parse.
    """
    _check_shape(data)
    context_entries = _context(data.get("ContextEntries", []))
    identity = _parse_all(data["PolicyInputList"], "PolicyInputList", PolicyType.IDENTITY)
    boundary = _parse_all(
        data.get("PermissionsBoundaryPolicyInputList", []),
        "PermissionsBoundaryPolicyInputList",
        PolicyType.PERMISSIONS_BOUNDARY,
    )
    resource_policy = None
    if "ResourcePolicy" in data:
        resource_policy = parse_policy(
            data["ResourcePolicy"], PolicyType.RESOURCE, policy_id="ResourcePolicy", source_type="resource"
        )
    owner = _account_of(data["ResourceOwner"]) if "ResourceOwner" in data else None
    principal = _caller(data.get("CallerArn"), owner or _DEFAULT_ACCOUNT)
    # Without a CallerArn there is no caller to read aws:username and friends from:
    # a policy that needs them reports them missing, as AWS's simulator does.
    caller_keys = _principal_context(principal) if "CallerArn" in data else {}
    context = {**caller_keys, **context_entries}
    policies = PolicySet(identity, resource=resource_policy, permissions_boundary=boundary)
    resources = data.get("ResourceArns") or ["*"]

    results = []
    for action in data["ActionNames"]:
        per_resource = []
        for resource in resources:
            # ResourceOwner stands in only for resources whose ARN names no account (IAM API Reference,
            # SimulateCustomPolicy, ResourceOwner): an S3 bucket or object.
            account = _resource_account(resource) or owner or principal.account
            request = make_request(principal, action, resource, context, resource_account=account)
            decision = evaluate(request, policies, explain=True)
            per_resource.append((resource, decision))
        results.append(_result(action, per_resource, bool(boundary)))
    return {"EvaluationResults": results}


def _resource_account(resource: str) -> str | None:
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else None


def _result(action: str, per_resource: list[tuple[str, Decision]], boundary: bool) -> dict[str, Any]:
    worst = max((d.result for _, d in per_resource), key=_RESTRICTIVENESS.__getitem__)
    deciding = [d for _, d in per_resource if d.result == worst]
    missing = list(dict.fromkeys(k for _, d in per_resource for k in d.missing_context_values))
    first_resource, first = next((r, d) for r, d in per_resource if d.result == worst)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": first_resource if len(per_resource) == 1 else "*",
        "EvalDecision": worst,
        "MatchedStatements": _statements(deciding),
        "MissingContextValues": missing,
        **_details(first, first_resource, boundary),
        "ResourceSpecificResults": [
            {
                "EvalResourceName": resource,
                "EvalResourceDecision": decision.result,
                "MatchedStatements": _statements([decision]),
                "MissingContextValues": list(decision.missing_context_values),
                **_details(decision, resource, boundary),
                "Explanation": explain.trace(decision),
            }
            for resource, decision in per_resource
        ],
        "Explanation": explain.trace(first),
    }
    return result
