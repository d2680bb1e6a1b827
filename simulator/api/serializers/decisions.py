"""The decision log, and simulation: a principal's effective decision for actions on resources."""

from __future__ import annotations

from rest_framework import serializers

from simulator.policy.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY

MAX_ACTIONS = 20
MAX_RESOURCES = 20
RESULTS = [ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY]


class DecisionOutput(serializers.Serializer):
    DecisionId = serializers.IntegerField(source="pk")
    DecidedAt = serializers.DateTimeField(source="decided_at")
    Source = serializers.CharField(source="source", help_text="Which front door asked: console, api, ...")
    PrincipalArn = serializers.CharField(source="principal_arn")
    Action = serializers.CharField(source="action")
    Resource = serializers.CharField(source="resource")
    EvalDecision = serializers.ChoiceField(source="result", choices=RESULTS)
    Sentence = serializers.CharField(source="sentence")


class DecisionDetailOutput(DecisionOutput):
    Trace = serializers.JSONField(
        source="trace", help_text="The engine's explanation as it was when decided: stages, statements, closest"
    )


class DecisionFilter(serializers.Serializer):
    EvalDecision = serializers.ChoiceField(choices=RESULTS, required=False)
    Action = serializers.CharField(required=False, help_text="Part of the action's name, any case")
    PrincipalArn = serializers.CharField(required=False)


class ContextEntry(serializers.Serializer):
    """A condition key and its values, as SimulatePrincipalPolicy's ContextEntries take them."""

    ContextKeyName = serializers.CharField()
    ContextKeyValues = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=False))
    ContextKeyType = serializers.CharField(required=False, help_text="Accepted for AWS compatibility; not needed")


class SimulationInput(serializers.Serializer):
    PolicySourceArn = serializers.CharField(
        required=False,
        help_text="The principal to simulate (SimulatePrincipalPolicy's name for it): the root user's, a user's "
        "or a role's ARN, or a role session's assumed-role ARN. Default: the acting identity.",
    )
    ActionNames = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=MAX_ACTIONS, help_text="e.g. s3:GetObject"
    )
    ResourceArns = serializers.ListField(
        child=serializers.CharField(), max_length=MAX_RESOURCES, required=False, default=["*"]
    )
    ContextEntries = ContextEntry(many=True, required=False, default=list)


class EvaluationResult(serializers.Serializer):
    EvalActionName = serializers.CharField()
    EvalResourceName = serializers.CharField()
    EvalDecision = serializers.ChoiceField(choices=RESULTS)
    Sentence = serializers.CharField(help_text="Why, in one sentence")
    MissingContextValues = serializers.ListField(child=serializers.CharField())
    DecisionId = serializers.IntegerField(help_text="The decision log's record of this decision")
    DecisionUrl = serializers.CharField()
    Explanation = serializers.JSONField(help_text="The trace: every stage and statement the engine considered")


class SimulationOutput(serializers.Serializer):
    PolicySourceArn = serializers.CharField()
    EvaluationResults = EvaluationResult(many=True)
