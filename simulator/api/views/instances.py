"""EC2 instances: launch, the state machine (start, stop, reboot, terminate), tags, the instance profile a
running instance gets its role through (associate, replace, disassociate, with no stop), the metadata options,
and the instance's metadata service itself, so ``curl`` from a terminal reads what software on the instance
would.

An instance has no policies of its own: whatever it may do, it may do through its profile's role.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from simulator.api.scope import AccountView, account_for, valid
from simulator.api.serializers.common import TagSerializer, TagsInput, UntagInput
from simulator.api.serializers.instances import (
    AssociationInput,
    AssociationOutput,
    InstanceOutput,
    MetadataOptionsChange,
    MetadataOptionsInput,
    ReservationOutput,
    RunInput,
    StateChangeOutput,
    launch_tags,
    profile_name,
    state,
)
from simulator.sandbox import ec2, errors, imds, instance_states
from simulator.sandbox.models import Account, Instance


class InstancesView(AccountView):
    aws_actions = {"GET": "DescribeInstances", "POST": "RunInstances"}

    @extend_schema(responses=InstanceOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The account's instances, settled on the sandbox clock; terminated ones stay listed for an hour."""
        instances = instance_states.listed(self.account).select_related("account", "instance_profile__account")
        return self.listed(instances, InstanceOutput)

    @extend_schema(request=RunInput, responses={201: ReservationOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """Launching with an instance profile hands its role to EC2: that also needs iam:PassRole on the role."""
        data = valid(RunInput, request.data)
        launched = ec2.run_instances(
            self.actor,
            instance_type=data["InstanceType"],
            instance_profile_name=profile_name(data["IamInstanceProfile"]) if "IamInstanceProfile" in data else None,
            tags=launch_tags(data),
            spot="InstanceMarketOptions" in data,
            http_tokens=data.get("MetadataOptions", {}).get("HttpTokens", Instance.HttpTokens.REQUIRED),
            count=data["MaxCount"],
        )
        reservation = {"OwnerId": self.account.account_id, "Instances": launched}
        return Response(ReservationOutput(reservation).data, status=201)


class _InstanceView(AccountView):
    def instance(self, instance_id: str) -> Instance:
        """The account's instance (InvalidInstanceID.NotFound / .Malformed otherwise), settled."""
        return ec2.find_instance(self.actor, instance_id)


class InstanceView(_InstanceView):
    aws_actions = {"GET": "DescribeInstances"}

    @extend_schema(responses=InstanceOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        return Response(InstanceOutput(self.instance(instance_id)).data)


def _state_change_view(action: str, change: Callable[..., list[ec2.StateChange]], doc: str) -> type[AccountView]:
    """The view of one of StartInstances, StopInstances and TerminateInstances for the instance in the URL."""

    def post(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        (changed,) = change(self.actor, [instance_id])
        answer = {
            "InstanceId": changed.instance.instance_id,
            "CurrentState": state(changed.current_state),
            "PreviousState": state(changed.previous_state),
        }
        return Response(StateChangeOutput(answer).data)

    post.__doc__ = doc
    decorated = extend_schema(request=None, responses=StateChangeOutput)(post)
    return type(f"{action}View", (AccountView,), {"aws_actions": {"POST": action}, "post": decorated})


StartView = _state_change_view(
    "StartInstances", ec2.start_instances, "A stopped instance starts again (pending, then running)."
)
StopView = _state_change_view(
    "StopInstances",
    ec2.stop_instances,
    "A running instance stops (stopping, then stopped); its instance profile stays associated.",
)
TerminateView = _state_change_view(
    "TerminateInstances",
    ec2.terminate_instances,
    "For good (shutting-down, then terminated); the instance profile is disassociated.",
)


class RebootView(_InstanceView):
    aws_actions = {"POST": "RebootInstances"}

    @extend_schema(request=None, responses=InstanceOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        """A running instance reboots and stays running; its role credentials are not renewed by it."""
        (changed,) = ec2.reboot_instances(self.actor, [instance_id])
        return Response(InstanceOutput(changed.instance).data)


class InstanceTagsView(_InstanceView):
    aws_actions = {"GET": "DescribeTags", "POST": "CreateTags", "DELETE": "DeleteTags"}

    @extend_schema(responses=TagSerializer(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        return self.listed(self.instance(instance_id).tags, TagSerializer)

    @extend_schema(request=TagsInput, responses={204: None})
    def post(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        """A key already present is given the new value."""
        tags = valid(TagsInput, request.data)["Tags"]
        ec2.create_tags(self.actor, instance_id, [dict(tag) for tag in tags])
        return Response(status=204)

    @extend_schema(parameters=[UntagInput], responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        ec2.delete_tags(self.actor, instance_id, valid(UntagInput, request.query_params)["TagKeys"])
        return Response(status=204)


def _association(instance: Instance, association_id: str, status: str) -> Response:
    answer = {
        "AssociationId": association_id,
        "InstanceId": instance.instance_id,
        "IamInstanceProfile": instance.instance_profile,
        "State": status,
    }
    return Response(AssociationOutput(answer).data)


def _no_association(instance: Instance) -> errors.AwsError:
    return errors.AwsError(
        "InvalidAssociationID.NotFound",
        f"The instance {instance.instance_id} has no IAM instance profile association.",
        400,
    )


class InstanceProfileAssociationView(_InstanceView):
    """The instance profile of a running (or stopped) instance changes with no stop: the instance's next request
    for credentials gets the new role's."""

    aws_actions = {
        "GET": "DescribeIamInstanceProfileAssociations",
        "POST": "AssociateIamInstanceProfile",
        "PUT": "ReplaceIamInstanceProfileAssociation",
        "DELETE": "DisassociateIamInstanceProfile",
    }

    @extend_schema(responses=AssociationOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        instance = self.instance(instance_id)
        if instance.instance_profile is None:
            raise _no_association(instance)
        return _association(instance, instance.association_id, "associated")

    @extend_schema(request=AssociationInput, responses=AssociationOutput)
    def post(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        """One profile an instance (IncorrectState if it has one: replace it instead); needs iam:PassRole."""
        name = profile_name(valid(AssociationInput, request.data)["IamInstanceProfile"])
        instance = ec2.associate_iam_instance_profile(self.actor, instance_id, name)
        return _association(instance, instance.association_id, "associated")

    @extend_schema(request=AssociationInput, responses=AssociationOutput)
    def put(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        name = profile_name(valid(AssociationInput, request.data)["IamInstanceProfile"])
        current = self.instance(instance_id)
        if not current.association_id:
            raise _no_association(current)
        instance = ec2.replace_iam_instance_profile_association(self.actor, current.association_id, name)
        return _association(instance, instance.association_id, "associated")

    @extend_schema(responses=AssociationOutput)
    def delete(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        """Credentials already handed out keep working until they expire."""
        current = self.instance(instance_id)
        if not current.association_id:
            raise _no_association(current)
        ec2.disassociate_iam_instance_profile(self.actor, current.association_id)
        return _association(current, current.association_id, "disassociating")


class MetadataOptionsView(_InstanceView):
    aws_actions = {"PATCH": "ModifyInstanceMetadataOptions"}

    @extend_schema(request=MetadataOptionsInput, responses=MetadataOptionsChange)
    def patch(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Response:
        """Only what is given changes: HttpTokens required turns IMDSv1 off; HttpEndpoint disabled turns the
        metadata service off."""
        data = valid(MetadataOptionsInput, request.data)
        instance = ec2.modify_instance_metadata_options(
            self.actor, instance_id, http_tokens=data.get("HttpTokens"), http_endpoint=data.get("HttpEndpoint")
        )
        return Response(MetadataOptionsChange(instance).data)


_IMDS_HEADERS = [
    OpenApiParameter("X-aws-ec2-metadata-token", str, OpenApiParameter.HEADER, description="An IMDSv2 session token"),
    OpenApiParameter(
        "X-aws-ec2-metadata-token-ttl-seconds",
        str,
        OpenApiParameter.HEADER,
        description="PUT latest/api/token: the token's life, 1 to 21600 seconds",
    ),
]
# Only the success is declared: IMDS's own errors are small text/html pages (401 without a valid IMDSv2
# token, 404 for no such metadata, 503 for an instance that is not running), while the statuses the schema
# declares for every operation are the API's own, for a sandbox, account or instance that does not exist.
_IMDS_RESPONSES = {
    (200, "text/plain"): OpenApiResponse(
        OpenApiTypes.STR,
        description="A value, a listing, or a JSON document. IMDS's own errors are text/html pages: 401 without "
        "a valid IMDSv2 token where one is required, 404 for no such metadata, 503 while the instance is not "
        "running.",
    ),
}


class InstanceMetadataView(APIView):
    """The instance's metadata service, as ``curl http://169.254.169.254/PATH`` on the instance reads it:
    answers exactly as IMDS does (text, JSON documents, HTML error pages), not in the API's error shape.
    Only the lookup of the sandbox, account and instance answers as the rest of the API does."""

    def instance(self, request: Request, sandbox_id: int, account_id: str, instance_id: str) -> Instance:
        account: Account = account_for(request, sandbox_id, account_id)
        found = account.instances.filter(instance_id=instance_id).first()
        if found is None:
            raise errors.AwsError("InvalidInstanceID.NotFound", f"The instance ID '{instance_id}' does not exist", 400)
        return found

    def answer(self, request: Request, method: str, ids: dict[str, object], path: str) -> HttpResponse:
        headers = imds.headers_reaching_the_instance(request.headers)
        metadata = imds.read(self.instance(request, **ids), method, path, headers)
        response = HttpResponse(metadata.body, status=metadata.status, content_type=metadata.content_type)
        for name, value in metadata.headers.items():
            response[name] = value
        # Credentials are in these answers: no cache should keep them.
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(summary="Read instance metadata (IMDS)", parameters=_IMDS_HEADERS, responses=_IMDS_RESPONSES)
    def get(self, request: Request, path: str, **ids: object) -> HttpResponse:
        """latest/meta-data/iam/security-credentials/ROLE holds the instance role's current credentials, rotated
        well before they expire."""
        return self.answer(request, "GET", ids, path)

    @extend_schema(
        summary="Start an IMDSv2 session (PUT latest/api/token)",
        request=None,
        parameters=_IMDS_HEADERS,
        responses=_IMDS_RESPONSES,
    )
    def put(self, request: Request, path: str, **ids: object) -> HttpResponse:
        return self.answer(request, "PUT", ids, path)
