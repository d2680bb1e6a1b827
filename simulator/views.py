from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from simulator.policy import explain
from simulator.policy.decision import Decision
from simulator.policy.evaluate import evaluate
from simulator.policy.model import PolicyType
from simulator.policy.parse import parse_policy
from simulator.policy.policyset import PolicySet
from simulator.policy.request import Principal, PrincipalKind, make_request

EXAMPLE_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::reports/*"
  }]
}"""


@cache
def _example() -> Decision:
    """The start page's sample answer, decided by the engine itself rather than written by hand."""
    ana = Principal("arn:aws:iam::123456789012:user/ana", PrincipalKind.USER, "123456789012")
    policy = parse_policy(EXAMPLE_POLICY, PolicyType.IDENTITY, policy_id="ReadReports")
    request = make_request(ana, "s3:DeleteObject", "arn:aws:s3:::reports/q3.csv")
    return evaluate(request, PolicySet([policy]))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    decision = _example()
    context = {"policy_text": EXAMPLE_POLICY, "decision": decision, "sentence": explain.sentence(decision)}
    return render(request, "home.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
