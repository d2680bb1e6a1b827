"""Roles at work: their trust policies, service-linked roles, and the instance profiles EC2 launches with."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import AccountView, created, named, valid
from simulator.api.serializers.identities import RoleDetailOutput, RoleOutput
from simulator.api.serializers.roles import (
    DeletionTaskOutput,
    InstanceProfileInput,
    InstanceProfileOutput,
    RoleNameInput,
    ServiceLinkedRoleInput,
    ServiceResourceInput,
    ServiceResourcesOutput,
    TrustPolicyInput,
)
from simulator.sandbox import role_operations


class TrustPolicyView(AccountView):
    aws_actions = {"PUT": "UpdateAssumeRolePolicy"}

    @extend_schema(request=TrustPolicyInput, responses=RoleDetailOutput)
    def put(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        """Who may assume the role, checked as a trust policy (it must name a principal; groups are not principals)."""
        document = valid(TrustPolicyInput, request.data)["PolicyDocument"]
        role = role_operations.update_assume_role_policy(self.actor, role_name, document)
        return Response(RoleDetailOutput(role).data)


class RoleInstanceProfilesView(AccountView):
    aws_actions = {"GET": "ListInstanceProfilesForRole"}

    @extend_schema(responses=InstanceProfileOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        role = named(self.account.roles, "Role", role_name)
        return self.listed(
            self.account.instance_profiles.filter(role=role).select_related("role__account"), InstanceProfileOutput
        )


class ServiceLinkedRolesView(AccountView):
    aws_actions = {"POST": "CreateServiceLinkedRole"}

    @extend_schema(request=ServiceLinkedRoleInput, responses={201: RoleOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        """The service's predefined role: its trust policy and permissions belong to the service."""
        data = valid(ServiceLinkedRoleInput, request.data)
        role = role_operations.create_service_linked_role(self.actor, data["AWSServiceName"], data.get("Description"))
        return created(role, RoleOutput)


class ServiceLinkedRoleView(AccountView):
    aws_actions = {"DELETE": "DeleteServiceLinkedRole"}

    @extend_schema(responses=DeletionTaskOutput)
    def delete(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        """The deletion task's outcome: FAILED, with the role kept, while resources still use it."""
        return Response(DeletionTaskOutput(role_operations.delete_service_linked_role(self.actor, role_name)).data)


class ServiceResourcesView(AccountView):
    """The service's resources that use a service-linked role (not IAM actions: they stand for the service)."""

    @extend_schema(summary="List the resources using a service-linked role", responses=ServiceResourcesOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        return Response(ServiceResourcesOutput(named(self.account.roles, "Role", role_name)).data)

    @extend_schema(
        summary="A resource starts using the role", request=ServiceResourceInput, responses=ServiceResourcesOutput
    )
    def post(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        arn = valid(ServiceResourceInput, request.data)["ResourceArn"]
        role = role_operations.set_service_resource(self.actor, role_name, arn, in_use=True)
        return Response(ServiceResourcesOutput(role).data)

    @extend_schema(
        summary="A resource stops using the role", parameters=[ServiceResourceInput], responses=ServiceResourcesOutput
    )
    def delete(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        arn = valid(ServiceResourceInput, request.query_params)["ResourceArn"]
        role = role_operations.set_service_resource(self.actor, role_name, arn, in_use=False)
        return Response(ServiceResourcesOutput(role).data)


class InstanceProfilesView(AccountView):
    aws_actions = {"GET": "ListInstanceProfiles", "POST": "CreateInstanceProfile"}

    @extend_schema(responses=InstanceProfileOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return self.listed(self.account.instance_profiles.select_related("role__account"), InstanceProfileOutput)

    @extend_schema(request=InstanceProfileInput, responses={201: InstanceProfileOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(InstanceProfileInput, request.data)
        profile = role_operations.create_instance_profile(self.actor, data["InstanceProfileName"], data["Path"])
        return created(profile, InstanceProfileOutput)


class InstanceProfileView(AccountView):
    aws_actions = {"GET": "GetInstanceProfile", "DELETE": "DeleteInstanceProfile"}

    @extend_schema(responses=InstanceProfileOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, instance_profile_name: str) -> Response:
        profiles = self.account.instance_profiles.select_related("role__account")
        return Response(InstanceProfileOutput(named(profiles, "Instance profile", instance_profile_name)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, instance_profile_name: str) -> Response:
        """Only an empty profile can go: remove its role first (DeleteConflict)."""
        role_operations.delete_instance_profile(self.actor, instance_profile_name)
        return Response(status=204)


class InstanceProfileRolesView(AccountView):
    aws_actions = {"POST": "AddRoleToInstanceProfile"}

    @extend_schema(request=RoleNameInput, responses={204: None})
    def post(self, request: Request, sandbox_id: int, account_id: str, instance_profile_name: str) -> Response:
        """At most one role a profile; handing the role to EC2 also needs iam:PassRole on it."""
        role_operations.add_role_to_instance_profile(
            self.actor, instance_profile_name, valid(RoleNameInput, request.data)["RoleName"]
        )
        return Response(status=204)


class InstanceProfileRoleView(AccountView):
    aws_actions = {"DELETE": "RemoveRoleFromInstanceProfile"}

    @extend_schema(responses={204: None})
    def delete(
        self, request: Request, sandbox_id: int, account_id: str, instance_profile_name: str, role_name: str
    ) -> Response:
        role_operations.remove_role_from_instance_profile(self.actor, instance_profile_name, role_name)
        return Response(status=204)
