"""The sandbox clock: every expiry and rotation in the sandbox reads it, and the learner can pause it, speed it up,
move it forward or set it back to real time. The learner's own control over their sandbox, not an IAM action."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import SandboxView, valid
from simulator.api.serializers.clock import AdvanceInput, ClockOutput, RateInput
from simulator.sandbox import clock
from simulator.sandbox.models import Sandbox


def _reading(sandbox: Sandbox) -> Response:
    real_now = timezone.now()
    sandbox_time = clock.reading(sandbox, real_now)
    return Response(
        ClockOutput(
            {
                "SandboxTime": sandbox_time,
                "Rate": sandbox.clock_rate,
                "AheadOfRealTimeSeconds": round((sandbox_time - real_now).total_seconds()),
            }
        ).data
    )


class ClockView(SandboxView):
    @extend_schema(summary="Read the sandbox clock", responses=ClockOutput)
    def get(self, request: Request, sandbox_id: int) -> Response:
        return _reading(self.sandbox)


class ClockRateView(SandboxView):
    @extend_schema(summary="Set the clock's speed", request=RateInput, responses=ClockOutput)
    def post(self, request: Request, sandbox_id: int) -> Response:
        """0 pauses the clock; 60 turns an hour-long session into a minute."""
        clock.set_rate(self.sandbox, valid(RateInput, request.data)["Rate"])
        return _reading(self.sandbox)


class ClockAdvanceView(SandboxView):
    @extend_schema(summary="Move the clock forward", request=AdvanceInput, responses=ClockOutput)
    def post(self, request: Request, sandbox_id: int) -> Response:
        """At once, keeping its speed: credentials expire and rotate as if the time had passed."""
        clock.advance(self.sandbox, valid(AdvanceInput, request.data)["Seconds"])
        return _reading(self.sandbox)


class ClockResyncView(SandboxView):
    @extend_schema(summary="Set the clock back to real time", request=None, responses=ClockOutput)
    def post(self, request: Request, sandbox_id: int) -> Response:
        """At normal speed. The clock never runs back: a sandbox ahead of real time keeps its time."""
        clock.resync(self.sandbox)
        return _reading(self.sandbox)
