"""Everything under /api/: sandboxes, their accounts, and each account's IAM entities, nested as they are owned.

Each route is written out whole (no include() of a prefix), so every URL pattern names all of its parameters:
tests that walk the routes can fill them in from the pattern alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from simulator.api.kinds import GROUPS, ROLES, USERS, Kind
from simulator.api.schema import DESCRIPTION, TAGS
from simulator.api.views import (
    buckets,
    clock,
    credentials,
    decisions,
    entity_policies,
    identities,
    instances,
    policies,
    roles,
    sandboxes,
    sts,
    token,
)

SANDBOX = "sandboxes/<int:sandbox_id>/"
ACCOUNT = SANDBOX + "accounts/<str:account_id>/"
Route = tuple[str, Callable, str]


def _shared(kind: Kind) -> list[Route]:
    """The policy (and for users and roles, tag and boundary) endpoints of one kind of identity."""
    entity, noun = f"{kind.collection}/<str:{kind.name_parameter}>/", kind.noun.lower()
    routes = [
        (entity + "attached-policies/", entity_policies.AttachedPoliciesView.as_view(kind=kind), "attached_policies"),
        (entity + "policies/", entity_policies.InlinePoliciesView.as_view(kind=kind), "inline_policies"),
        (entity + "policies/<str:policy_name>/", entity_policies.InlinePolicyView.as_view(kind=kind), "inline_policy"),
    ]
    if kind.tag is not None:
        routes += [
            (entity + "tags/", entity_policies.TagsView.as_view(kind=kind), "tags"),
            (entity + "permissions-boundary/", entity_policies.BoundaryView.as_view(kind=kind), "permissions_boundary"),
        ]
    return [(route, view, f"{noun}_{name}") for route, view, name in routes]


def _policy_routes(collection: str, scope: str, parameter: str, prefix: str) -> list[Route]:
    """One policy, named by the URL parameter ``parameter``, and its versions; ``scope`` says whose (Local: the
    account's own, AWS: AWS managed)."""
    policy = f"{collection}/<str:{parameter}>/"
    version = policy + "versions/<str:version_id>/"
    settings = {"scope": scope, "name_parameter": parameter}
    return [
        (policy, policies.PolicyView.as_view(**settings), prefix),
        (policy + "entities/", policies.PolicyEntitiesView.as_view(**settings), f"{prefix}_entities"),
        (policy + "versions/", policies.VersionsView.as_view(**settings), f"{prefix}_versions"),
        (version, policies.VersionView.as_view(**settings), f"{prefix}_version"),
        (version + "set-default/", policies.DefaultVersionView.as_view(**settings), f"{prefix}_set_default"),
    ]


IDENTITIES: list[Route] = [
    ("users/", identities.UsersView.as_view(), "users"),
    ("users/<str:user_name>/", identities.UserView.as_view(), "user"),
    ("users/<str:user_name>/groups/", identities.UserGroupsView.as_view(), "user_groups"),
    ("users/<str:user_name>/login-profile/", credentials.LoginProfileView.as_view(), "user_login_profile"),
    ("users/<str:user_name>/access-keys/", credentials.AccessKeysView.as_view(), "user_access_keys"),
    ("users/<str:user_name>/access-keys/<str:access_key_id>/", credentials.AccessKeyView.as_view(), "user_access_key"),
    *_shared(USERS),
    ("groups/", identities.GroupsView.as_view(), "groups"),
    ("groups/<str:group_name>/", identities.GroupView.as_view(), "group"),
    ("groups/<str:group_name>/members/", identities.GroupMembersView.as_view(), "group_members"),
    ("groups/<str:group_name>/members/<str:user_name>/", identities.GroupMemberView.as_view(), "group_member"),
    *_shared(GROUPS),
    ("roles/", identities.RolesView.as_view(), "roles"),
    ("roles/<str:role_name>/", identities.RoleView.as_view(), "role"),
    ("roles/<str:role_name>/trust-policy/", roles.TrustPolicyView.as_view(), "role_trust_policy"),
    ("roles/<str:role_name>/instance-profiles/", roles.RoleInstanceProfilesView.as_view(), "role_instance_profiles"),
    *_shared(ROLES),
    ("service-linked-roles/", roles.ServiceLinkedRolesView.as_view(), "service_linked_roles"),
    ("service-linked-roles/<str:role_name>/", roles.ServiceLinkedRoleView.as_view(), "service_linked_role"),
    (
        "service-linked-roles/<str:role_name>/resources/",
        roles.ServiceResourcesView.as_view(),
        "service_linked_role_resources",
    ),
    ("instance-profiles/", roles.InstanceProfilesView.as_view(), "instance_profiles"),
    ("instance-profiles/<str:instance_profile_name>/", roles.InstanceProfileView.as_view(), "instance_profile"),
    (
        "instance-profiles/<str:instance_profile_name>/roles/",
        roles.InstanceProfileRolesView.as_view(),
        "instance_profile_roles",
    ),
    (
        "instance-profiles/<str:instance_profile_name>/roles/<str:role_name>/",
        roles.InstanceProfileRoleView.as_view(),
        "instance_profile_role",
    ),
]
POLICIES: list[Route] = [
    ("policies/", policies.PoliciesView.as_view(), "policies"),
    *_policy_routes("policies", "Local", "managed_policy_name", "policy"),
    *_policy_routes("aws-managed-policies", "AWS", "aws_policy_name", "aws_policy"),
]
BUCKETS: list[Route] = [
    ("buckets/", buckets.BucketsView.as_view(), "buckets"),
    ("buckets/<str:bucket_name>/", buckets.BucketView.as_view(), "bucket"),
    ("buckets/<str:bucket_name>/policy/", buckets.BucketPolicyView.as_view(), "bucket_policy"),
    ("buckets/<str:bucket_name>/objects/", buckets.ObjectsView.as_view(), "objects"),
    ("buckets/<str:bucket_name>/objects/<path:key>", buckets.ObjectView.as_view(), "object"),
]
ACCOUNT_SETTINGS: list[Route] = [
    ("", sandboxes.AccountDetailView.as_view(), "account"),
    ("export/", sandboxes.ExportView.as_view(), "export"),
    ("import/", sandboxes.ImportView.as_view(), "import"),
    ("password-policy/", credentials.PasswordPolicyView.as_view(), "password_policy"),
    ("aliases/", credentials.AliasesView.as_view(), "aliases"),
    ("aliases/<str:alias>/", credentials.AliasView.as_view(), "alias"),
    ("root/email/", credentials.RootEmailView.as_view(), "root_email"),
    ("root/mfa/", credentials.RootMfaView.as_view(), "root_mfa"),
    ("root/access-keys/", credentials.AccessKeysView.as_view(root=True), "root_access_keys"),
    ("root/access-keys/<str:access_key_id>/", credentials.AccessKeyView.as_view(root=True), "root_access_key"),
    ("decisions/", decisions.DecisionsView.as_view(), "decisions"),
    ("decisions/<int:decision_id>/", decisions.DecisionView.as_view(), "decision"),
    ("simulate/", decisions.SimulateView.as_view(), "simulate"),
]
STS: list[Route] = [
    ("sts/assume-role/", sts.AssumeRoleView.as_view(), "sts_assume_role"),
    ("sts/get-session-token/", sts.GetSessionTokenView.as_view(), "sts_get_session_token"),
    ("sts/get-caller-identity/", sts.GetCallerIdentityView.as_view(), "sts_get_caller_identity"),
    ("sts/sessions/", sts.SessionsView.as_view(), "sts_sessions"),
]
INSTANCE = "instances/<str:instance_id>/"
INSTANCES: list[Route] = [
    ("instances/", instances.InstancesView.as_view(), "instances"),
    (INSTANCE, instances.InstanceView.as_view(), "instance"),
    (INSTANCE + "start/", instances.StartView.as_view(), "instance_start"),
    (INSTANCE + "stop/", instances.StopView.as_view(), "instance_stop"),
    (INSTANCE + "reboot/", instances.RebootView.as_view(), "instance_reboot"),
    (INSTANCE + "terminate/", instances.TerminateView.as_view(), "instance_terminate"),
    (INSTANCE + "tags/", instances.InstanceTagsView.as_view(), "instance_tags"),
    (
        INSTANCE + "iam-instance-profile/",
        instances.InstanceProfileAssociationView.as_view(),
        "instance_profile_association",
    ),
    (INSTANCE + "metadata-options/", instances.MetadataOptionsView.as_view(), "instance_metadata_options"),
    # The instance's metadata service: what http://169.254.169.254/<path> answers on the instance.
    (INSTANCE + "imds/<path:path>", instances.InstanceMetadataView.as_view(), "instance_metadata"),
]


def _under(prefix: str, routes: list[Route]) -> list[URLPattern]:
    return [path(prefix + route, view, name=name) for route, view, name in routes]


app_name = "api"
urlpatterns = [
    path(
        "schema/", SpectacularAPIView.as_view(custom_settings={"DESCRIPTION": DESCRIPTION, "TAGS": TAGS}), name="schema"
    ),
    # The split view serves Swagger UI's start-up script as a file of its own (docs/?script), and our template
    # leaves out drf-spectacular's inline <style>: the page runs under the site's CSP, unrelaxed.
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html"), name="docs"
    ),
    path("token/", token.TokenView.as_view(), name="token"),
    path("sandboxes/", sandboxes.SandboxesView.as_view(), name="sandboxes"),
    path(SANDBOX, sandboxes.SandboxDetailView.as_view(), name="sandbox"),
    path(SANDBOX + "reset/", sandboxes.ResetView.as_view(), name="reset"),
    path(SANDBOX + "accounts/", sandboxes.AccountsView.as_view(), name="accounts"),
    path(SANDBOX + "clock/", clock.ClockView.as_view(), name="clock"),
    path(SANDBOX + "clock/rate/", clock.ClockRateView.as_view(), name="clock_rate"),
    path(SANDBOX + "clock/advance/", clock.ClockAdvanceView.as_view(), name="clock_advance"),
    path(SANDBOX + "clock/resync/", clock.ClockResyncView.as_view(), name="clock_resync"),
    *_under(ACCOUNT, ACCOUNT_SETTINGS + IDENTITIES + POLICIES + BUCKETS),
    *_under(ACCOUNT, STS + INSTANCES),
]
