"""The decision log, and simulation: what the engine decides for a principal's requests, each decision logged.

Simulation is the sandbox's SimulatePrincipalPolicy ("Testing IAM policies with the IAM policy simulator"):
the principal's policies as they are now, and a resource's own policy when the sandbox holds it (a bucket
policy; a role's trust policy for assuming the role), decided request by request, each with its explanation.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.acting import DEFAULT_SESSION_NAME, VIA
from simulator.api.errors import decision_url
from simulator.api.scope import AccountView, valid
from simulator.api.serializers.decisions import (
    DecisionDetailOutput,
    DecisionFilter,
    DecisionOutput,
    SimulationInput,
    SimulationOutput,
)
from simulator.policy.policyset import PolicySet
from simulator.sandbox import errors
from simulator.sandbox.authorization import Actor, authorize, policies_for
from simulator.sandbox.models import Account, DecisionRecord
from simulator.sandbox.resources import resource_policy, taking_part

SOURCE = DecisionRecord.Source.API_SIMULATION

_ROOT = re.compile(r"arn:aws:iam::(?P<account>\d{12}):root")
_IDENTITY = re.compile(r"arn:aws:iam::(?P<account>\d{12}):(?P<kind>user|role)(?P<path>/(?:.*/)?)(?P<name>[^/]+)")
_SESSION = re.compile(r"arn:aws:sts::(?P<account>\d{12}):assumed-role/(?P<name>[^/]+)/(?P<session>[^/]+)")


def _no_principal(arn: str, account: Account) -> errors.AwsError:
    return errors.AwsError("NoSuchEntity", f"PolicySourceArn {arn} names no principal in account {account}.", 404)


def principal_actor(account: Account, arn: str) -> Actor:
    """The actor a PolicySourceArn names in ``account``: its root user, a user, a role (as a session named
    "api") or a role session."""
    parts = _ROOT.fullmatch(arn) or _IDENTITY.fullmatch(arn) or _SESSION.fullmatch(arn)
    if parts is None:
        raise errors.AwsError(
            "InvalidInput",
            f"PolicySourceArn {arn!r} is not a principal's ARN: use arn:aws:iam::ACCOUNT:root, :user/NAME, "
            ":role/NAME or arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION",
        )
    if parts["account"] != account.account_id:
        raise _no_principal(arn, account)
    found = parts.groupdict()
    if "name" not in found:
        return Actor(account, via=VIA)
    kind = found.get("kind", "role")
    entities = (account.users if kind == "user" else account.roles).filter(name__iexact=found["name"])
    if "path" in found:
        entities = entities.filter(path=found["path"])
    entity = entities.first()
    if entity is None:
        raise _no_principal(arn, account)
    if kind == "user":
        return Actor(account, user=entity, via=VIA)
    return Actor(account, role=entity, session_name=found.get("session") or DEFAULT_SESSION_NAME, via=VIA)


class DecisionsView(AccountView):
    """Every decision the sandbox made in this account, newest first (the console's decision log)."""

    @extend_schema(summary="List decisions", parameters=[DecisionFilter], responses=DecisionOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        chosen = valid(DecisionFilter, request.query_params)
        decisions = self.account.decisions.defer("trace")
        if "EvalDecision" in chosen:
            decisions = decisions.filter(result=chosen["EvalDecision"])
        if "Action" in chosen:
            decisions = decisions.filter(action__icontains=chosen["Action"])
        if "PrincipalArn" in chosen:
            decisions = decisions.filter(principal_arn=chosen["PrincipalArn"])
        return self.listed(decisions, DecisionOutput)


class DecisionView(AccountView):
    """One decision with the explanation kept when it was made, whatever the policies say now."""

    @extend_schema(summary="Get a decision", responses=DecisionDetailOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, decision_id: int) -> Response:
        record = self.account.decisions.filter(pk=decision_id).first()
        if record is None:
            raise errors.AwsError("NoSuchEntity", f"The decision with ID {decision_id} cannot be found.", 404)
        return Response(DecisionDetailOutput(record).data)


class SimulateView(AccountView):
    @extend_schema(
        summary="SimulatePrincipalPolicy",
        description="Decides each action on each resource as the principal, with its policies as they are now. "
        "Every decision is logged (source api) and explained: its sentence, and the trace of stages and statements.",
        request=SimulationInput,
        responses=SimulationOutput,
    )
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(SimulationInput, request.data)
        source = data.get("PolicySourceArn")
        actor = principal_actor(self.account, source) if source else self.actor
        context = {entry["ContextKeyName"]: entry["ContextKeyValues"] for entry in data["ContextEntries"]}
        found = {arn: resource_policy(self.account.sandbox, arn) for arn in data["ResourceArns"]}
        # One policy set per resource policy taking part (by its label), and one for requests with none.
        policy_sets: dict[str, PolicySet] = {}
        results = []
        for action in data["ActionNames"]:
            for resource in data["ResourceArns"]:
                used = taking_part(found[resource], action)
                key = used.label if used else ""
                if key not in policy_sets:
                    policy_sets[key] = policies_for(actor, resource=used.policy if used else None)
                owner = used.account_id if used else None
                decision = authorize(
                    actor, action, resource, policy_sets[key], context=context, resource_account=owner, source=SOURCE
                )
                results.append(
                    {
                        "EvalActionName": action,
                        "EvalResourceName": resource,
                        "EvalDecision": decision.result,
                        "Sentence": decision.trace["sentence"],
                        "MissingContextValues": list(decision.missing_context_values),
                        "DecisionId": decision.record_id,
                        "DecisionUrl": decision_url(self.account, decision.record_id),
                        "Explanation": decision.trace,
                    }
                )
        return Response(SimulationOutput({"PolicySourceArn": actor.principal.arn, "EvaluationResults": results}).data)
