"""The sandbox clock: its reading, and the learner's controls (rate, advance, resync)."""

from __future__ import annotations

from rest_framework import serializers

from simulator.sandbox.clock import RATES


class ClockOutput(serializers.Serializer):
    SandboxTime = serializers.DateTimeField(help_text="The sandbox's time now: what every expiry is checked against")
    Rate = serializers.FloatField(help_text="Sandbox seconds per real second (0: paused)")
    AheadOfRealTimeSeconds = serializers.IntegerField(help_text="How far the sandbox is ahead of real time")


class RateInput(serializers.Serializer):
    # A float field, not a choice: the clock names the rates it runs at when given another one.
    Rate = serializers.FloatField(help_text=f"One of {', '.join(f'{rate:g}' for rate in RATES)}")


class AdvanceInput(serializers.Serializer):
    Seconds = serializers.FloatField(help_text="How far to move forward at once (at most 366 days); never back")
