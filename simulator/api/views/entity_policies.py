"""What users, groups and roles share: attached managed policies, inline policies, and (users and roles) tags
and a permissions boundary. Each view is mounted once per kind with ``as_view(kind=...)`` (see kinds.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from simulator.api.kinds import USERS, Kind
from simulator.api.scope import AccountView, named, valid
from simulator.api.serializers.common import (
    AttachedPolicyOutput,
    BoundaryInput,
    InlinePolicyInput,
    InlinePolicyOutput,
    PolicyArnInput,
    TagSerializer,
    TagsInput,
    UntagInput,
)
from simulator.sandbox import errors


class _EntityView(AccountView):
    kind: Kind = USERS

    @property
    def name(self) -> str:
        """The user's, group's or role's name, from the URL parameter its kind names it by."""
        return self.kwargs[self.kind.name_parameter]

    def entity(self) -> Any:
        """The user, group or role the URL names in this account, else NoSuchEntity."""
        return named(getattr(self.account, self.kind.collection), self.kind.noun, self.name)


class AttachedPoliciesView(_EntityView):
    aws_actions = {"GET": "ListAttached{noun}Policies", "POST": "Attach{noun}Policy", "DELETE": "Detach{noun}Policy"}

    @extend_schema(responses=AttachedPolicyOutput(many=True))
    def get(self, request: Request, **ids: str) -> Response:
        entity = self.entity()
        return self.listed(entity.managed_policies.select_related("account"), AttachedPolicyOutput)

    @extend_schema(request=PolicyArnInput, responses={204: None})
    def post(self, request: Request, **ids: str) -> Response:
        self.kind.attach(self.actor, self.name, valid(PolicyArnInput, request.data)["PolicyArn"])
        return Response(status=204)

    @extend_schema(parameters=[PolicyArnInput], responses={204: None})
    def delete(self, request: Request, **ids: str) -> Response:
        self.kind.detach(self.actor, self.name, valid(PolicyArnInput, request.query_params)["PolicyArn"])
        return Response(status=204)


class InlinePoliciesView(_EntityView):
    aws_actions = {"GET": "List{noun}Policies"}

    @extend_schema(responses=InlinePolicyOutput(many=True))
    def get(self, request: Request, **ids: str) -> Response:
        return self.listed(self.entity().inline_policies.all(), InlinePolicyOutput)


class InlinePolicyView(_EntityView):
    aws_actions = {"GET": "Get{noun}Policy", "PUT": "Put{noun}Policy", "DELETE": "Delete{noun}Policy"}

    def inline_policy(self, policy_name: str) -> Any:
        policy = self.entity().inline_policies.filter(name=policy_name).first()
        if policy is None:
            raise errors.no_such_entity(f"{self.kind.noun} policy", policy_name)
        return policy

    @extend_schema(responses=InlinePolicyOutput)
    def get(self, request: Request, policy_name: str, **ids: str) -> Response:
        return Response(InlinePolicyOutput(self.inline_policy(policy_name)).data)

    @extend_schema(
        description="Creates the inline policy, or replaces its document.",
        request=InlinePolicyInput,
        responses=InlinePolicyOutput,
    )
    def put(self, request: Request, policy_name: str, **ids: str) -> Response:
        document = valid(InlinePolicyInput, request.data)["PolicyDocument"]
        return Response(InlinePolicyOutput(self.kind.put_inline(self.actor, self.name, policy_name, document)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, policy_name: str, **ids: str) -> Response:
        self.kind.delete_inline(self.actor, self.name, policy_name)
        return Response(status=204)


class TagsView(_EntityView):
    """Users' and roles' tags ("Tagging IAM resources"); policies can govern them with aws:RequestTag, aws:TagKeys."""

    aws_actions = {"GET": "List{noun}Tags", "POST": "Tag{noun}", "DELETE": "Untag{noun}"}

    @extend_schema(responses=TagSerializer(many=True))
    def get(self, request: Request, **ids: str) -> Response:
        return self.listed(self.entity().tags, TagSerializer)

    @extend_schema(request=TagsInput, responses={204: None})
    def post(self, request: Request, **ids: str) -> Response:
        tags = valid(TagsInput, request.data)["Tags"]
        self.kind.tag(self.actor, self.name, [dict(tag) for tag in tags])
        return Response(status=204)

    @extend_schema(parameters=[UntagInput], responses={204: None})
    def delete(self, request: Request, **ids: str) -> Response:
        keys = valid(UntagInput, request.query_params)["TagKeys"]
        self.kind.untag(self.actor, self.name, keys)
        return Response(status=204)


class BoundaryView(_EntityView):
    """A permissions boundary caps what the identity's policies can grant; it grants nothing itself."""

    aws_actions = {"PUT": "Put{noun}PermissionsBoundary", "DELETE": "Delete{noun}PermissionsBoundary"}

    @extend_schema(request=BoundaryInput, responses={204: None})
    def put(self, request: Request, **ids: str) -> Response:
        self.kind.put_boundary(self.actor, self.name, valid(BoundaryInput, request.data)["PermissionsBoundary"])
        return Response(status=204)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, **ids: str) -> Response:
        self.kind.delete_boundary(self.actor, self.name)
        return Response(status=204)
