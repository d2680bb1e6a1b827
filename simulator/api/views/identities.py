"""IAM users, groups (with their members) and roles: list, create, read, delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.scope import AccountView, created, named, valid
from simulator.api.serializers.identities import (
    GroupInput,
    GroupOutput,
    MemberInput,
    RoleDetailOutput,
    RoleInput,
    RoleOutput,
    UserDetailOutput,
    UserInput,
    UserOutput,
)
from simulator.api.serializers.roles import RoleUpdateInput
from simulator.sandbox import operations, role_operations
from simulator.sandbox.models import Role


class UsersView(AccountView):
    aws_actions = {"GET": "ListUsers", "POST": "CreateUser"}

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return self.listed(self.account.users.all(), UserOutput)

    @extend_schema(request=UserInput, responses={201: UserOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(UserInput, request.data)
        return created(operations.create_user(self.actor, data["UserName"], data["Path"]), UserOutput)


class UserView(AccountView):
    aws_actions = {"GET": "GetUser", "DELETE": "DeleteUser"}

    @extend_schema(responses=UserDetailOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        users = self.account.users.select_related("permissions_boundary__account")
        return Response(UserDetailOutput(named(users, "User", user_name)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        """AWS refuses (DeleteConflict) while the user still has groups, policies, keys or a password."""
        operations.delete_user(self.actor, user_name)
        return Response(status=204)


class UserGroupsView(AccountView):
    aws_actions = {"GET": "ListGroupsForUser"}

    @extend_schema(responses=GroupOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, user_name: str) -> Response:
        user = named(self.account.users, "User", user_name)
        return self.listed(self.account.groups.filter(members=user), GroupOutput)


class GroupsView(AccountView):
    aws_actions = {"GET": "ListGroups", "POST": "CreateGroup"}

    @extend_schema(responses=GroupOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return self.listed(self.account.groups.all(), GroupOutput)

    @extend_schema(request=GroupInput, responses={201: GroupOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(GroupInput, request.data)
        return created(operations.create_group(self.actor, data["GroupName"], data["Path"]), GroupOutput)


class GroupView(AccountView):
    aws_actions = {"GET": "GetGroup", "DELETE": "DeleteGroup"}

    @extend_schema(responses=GroupOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, group_name: str) -> Response:
        return Response(GroupOutput(named(self.account.groups, "Group", group_name)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, group_name: str) -> Response:
        """AWS refuses (DeleteConflict) while the group still has members or policies."""
        operations.delete_group(self.actor, group_name)
        return Response(status=204)


class GroupMembersView(AccountView):
    aws_actions = {"GET": "GetGroup", "POST": "AddUserToGroup"}

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str, group_name: str) -> Response:
        group = named(self.account.groups, "Group", group_name)
        return self.listed(self.account.users.filter(groups=group), UserOutput)

    @extend_schema(request=MemberInput, responses={204: None})
    def post(self, request: Request, sandbox_id: int, account_id: str, group_name: str) -> Response:
        data = valid(MemberInput, request.data)
        operations.add_user_to_group(self.actor, group_name, data["UserName"])
        return Response(status=204)


class GroupMemberView(AccountView):
    aws_actions = {"DELETE": "RemoveUserFromGroup"}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, group_name: str, user_name: str) -> Response:
        operations.remove_user_from_group(self.actor, group_name, user_name)
        return Response(status=204)


class RolesView(AccountView):
    aws_actions = {"GET": "ListRoles", "POST": "CreateRole"}

    @extend_schema(responses=RoleOutput(many=True))
    def get(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        return self.listed(self.account.roles.all(), RoleOutput)

    @extend_schema(request=RoleInput, responses={201: RoleOutput})
    def post(self, request: Request, sandbox_id: int, account_id: str) -> Response:
        data = valid(RoleInput, request.data)
        role = operations.create_role(
            self.actor,
            data["RoleName"],
            data["AssumeRolePolicyDocument"],
            path=data["Path"],
            description=data["Description"],
            max_session_duration=data["MaxSessionDuration"],
        )
        return created(role, RoleOutput)


class RoleView(AccountView):
    aws_actions = {"GET": "GetRole", "PATCH": "UpdateRole", "DELETE": "DeleteRole"}

    def role(self, role_name: str) -> Role:
        return named(self.account.roles.select_related("permissions_boundary__account"), "Role", role_name)

    @extend_schema(responses=RoleDetailOutput)
    def get(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        return Response(RoleDetailOutput(self.role(role_name)).data)

    @extend_schema(request=RoleUpdateInput, responses=RoleDetailOutput)
    def patch(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        """The description, and the longest session anyone assuming the role may ask for."""
        data = valid(RoleUpdateInput, request.data)
        role_operations.update_role(self.actor, role_name, data.get("Description"), data.get("MaxSessionDuration"))
        return Response(RoleDetailOutput(self.role(role_name)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, sandbox_id: int, account_id: str, role_name: str) -> Response:
        """Remove it from its instance profiles and delete its policies first (DeleteConflict names each);
        a service-linked role goes with DeleteServiceLinkedRole."""
        role_operations.delete_role(self.actor, role_name)
        return Response(status=204)
