from django.urls import path

from simulator.console import (
    account_settings,
    buckets,
    credentials,
    identities,
    instance_profiles,
    instances,
    policies,
    role_detail,
    roles,
    sandboxes,
    views,
)
from simulator.console.access_graph import access_graph
from simulator.console.access_tester import access_tester
from simulator.console.act_as import choose_identity
from simulator.console.clock import sandbox_clock
from simulator.console.decision_log import decision_detail, decision_log
from simulator.console.effective_permissions import effective_permissions
from simulator.console.instance_metadata import instance_metadata
from simulator.console.keys_antipattern import instance_keys_antipattern
from simulator.console.mfa import user_mfa
from simulator.console.scenarios import decide as decide_scenario
from simulator.console.scenarios import scenario_detail, scenario_list
from simulator.console.scenarios import set_up as set_up_scenario
from simulator.console.sts import session_detail, sts_page
from simulator.console.terminal import instance_terminal

app_name = "console"
urlpatterns = [
    path("", sandboxes.index, name="index"),
    path("create/", sandboxes.create_sandbox, name="create_sandbox"),
    path("<int:sandbox_id>/reset/", sandboxes.reset_sandbox, name="reset_sandbox"),
    path("<int:sandbox_id>/delete/", sandboxes.delete_sandbox, name="delete_sandbox"),
    path("<int:sandbox_id>/export/", sandboxes.export_sandbox, name="export_sandbox"),
    path("<int:sandbox_id>/import/", sandboxes.import_sandbox, name="import_sandbox"),
    path("<int:sandbox_id>/accounts/", sandboxes.add_account, name="add_account"),
    path("<int:sandbox_id>/accounts/switch/", sandboxes.switch_account, name="switch_account"),
    path("<int:sandbox_id>/users/", views.users, name="users"),
    path("<int:sandbox_id>/groups/", views.groups, name="groups"),
    path("<int:sandbox_id>/groups/members/", views.add_member, name="add_member"),
    path("<int:sandbox_id>/users/<int:user_id>/", identities.user_detail, name="user"),
    path("<int:sandbox_id>/users/<int:user_id>/change/<slug:change>/", identities.change_user, name="user_change"),
    path("<int:sandbox_id>/groups/<int:group_id>/", identities.group_detail, name="group"),
    path("<int:sandbox_id>/groups/<int:group_id>/change/<slug:change>/", identities.change_group, name="group_change"),
    path("<int:sandbox_id>/roles/", roles.roles, name="roles"),
    path("<int:sandbox_id>/roles/validate/", roles.validate_trust_policy, name="validate_trust_policy"),
    path("<int:sandbox_id>/roles/template/", roles.start_trust_policy, name="start_trust_policy"),
    path("<int:sandbox_id>/roles/service-linked/", roles.create_service_linked_role, name="create_service_linked_role"),
    path("<int:sandbox_id>/roles/<int:role_id>/", role_detail.role_detail, name="role"),
    path("<int:sandbox_id>/roles/<int:role_id>/resources/", role_detail.simulate_resource, name="role_resources"),
    path(
        "<int:sandbox_id>/roles/<int:role_id>/delete-service-linked/",
        role_detail.delete_service_linked_role,
        name="delete_service_linked_role",
    ),
    path("<int:sandbox_id>/roles/<int:role_id>/change/<slug:change>/", role_detail.change_role, name="role_change"),
    path("<int:sandbox_id>/instance-profiles/", instance_profiles.instance_profiles, name="instance_profiles"),
    path(
        "<int:sandbox_id>/instance-profiles/<int:profile_id>/",
        instance_profiles.instance_profile_detail,
        name="instance_profile",
    ),
    path(
        "<int:sandbox_id>/instance-profiles/<int:profile_id>/<slug:change>/",
        instance_profiles.change_instance_profile,
        name="instance_profile_change",
    ),
    path("<int:sandbox_id>/instances/", instances.instances, name="instances"),
    path("<int:sandbox_id>/instances/<str:instance_id>/", instances.instance_detail, name="instance"),
    path(
        "<int:sandbox_id>/instances/<str:instance_id>/change/<slug:change>/",
        instances.change_instance,
        name="instance_change",
    ),
    path("<int:sandbox_id>/policies/", policies.policies, name="policies"),
    path("<int:sandbox_id>/policies/validate/", policies.validate_policy, name="validate_policy"),
    path("<int:sandbox_id>/policies/format/", policies.format_policy, name="format_policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/", policies.policy_detail, name="policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/attach/", policies.attach_policy, name="attach_policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/detach/", policies.detach_policy, name="detach_policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/versions/", policies.create_policy_version, name="policy_versions"),
    path("<int:sandbox_id>/policies/<int:policy_id>/default/", policies.set_default_version, name="policy_default"),
    path(
        "<int:sandbox_id>/policies/<int:policy_id>/versions/delete/",
        policies.delete_version,
        name="delete_policy_version",
    ),
    path("<int:sandbox_id>/policies/<int:policy_id>/delete/", policies.delete_policy, name="delete_policy"),
    path("<int:sandbox_id>/buckets/", buckets.buckets, name="buckets"),
    path("<int:sandbox_id>/buckets/<int:bucket_id>/", buckets.bucket_detail, name="bucket"),
    path("<int:sandbox_id>/buckets/<int:bucket_id>/delete/", buckets.delete_bucket, name="delete_bucket"),
    path("<int:sandbox_id>/buckets/<int:bucket_id>/objects/", buckets.put_object, name="put_object"),
    path("<int:sandbox_id>/buckets/<int:bucket_id>/objects/delete/", buckets.delete_object, name="delete_object"),
    path("<int:sandbox_id>/buckets/<int:bucket_id>/policy/", buckets.put_bucket_policy, name="put_bucket_policy"),
    path(
        "<int:sandbox_id>/buckets/<int:bucket_id>/policy/delete/",
        buckets.delete_bucket_policy,
        name="delete_bucket_policy",
    ),
    path(
        "<int:sandbox_id>/buckets/<int:bucket_id>/policy/validate/",
        buckets.validate_bucket_policy,
        name="validate_bucket_policy",
    ),
    path(
        "<int:sandbox_id>/buckets/<int:bucket_id>/policy/editor/",
        buckets.bucket_policy_editor,
        name="bucket_policy_editor",
    ),
    path("<int:sandbox_id>/access/", access_tester, name="access_tester"),
    path("<int:sandbox_id>/graph/", access_graph, name="graph"),
    path("<int:sandbox_id>/act-as/", choose_identity, name="act_as"),
    path(
        "<int:sandbox_id>/effective-permissions/<str:kind>/<int:entity_id>/",
        effective_permissions,
        name="effective_permissions",
    ),
    path("<int:sandbox_id>/decisions/", decision_log, name="decision_log"),
    path("<int:sandbox_id>/decisions/<int:decision_id>/", decision_detail, name="decision"),
    path("<int:sandbox_id>/users/<int:user_id>/credentials/", credentials.user_credentials, name="user_credentials"),
    path("<int:sandbox_id>/users/<int:user_id>/credentials/password/", credentials.user_password, name="user_password"),
    path(
        "<int:sandbox_id>/users/<int:user_id>/credentials/keys/", credentials.user_access_keys, name="user_access_keys"
    ),
    path("<int:sandbox_id>/users/<int:user_id>/credentials/mfa/", user_mfa, name="user_mfa"),
    path("<int:sandbox_id>/account/", account_settings.account, name="account"),
    path("<int:sandbox_id>/account/alias/", account_settings.account_alias, name="account_alias"),
    path("<int:sandbox_id>/account/email/", account_settings.root_email, name="root_email"),
    path("<int:sandbox_id>/account/mfa/", account_settings.root_mfa, name="root_mfa"),
    path("<int:sandbox_id>/account/keys/", account_settings.root_access_keys, name="root_access_keys"),
    path("<int:sandbox_id>/account/password-policy/", account_settings.account_password_policy, name="password_policy"),
    path("<int:sandbox_id>/clock/", sandbox_clock, name="clock"),
    path("<int:sandbox_id>/sts/", sts_page, name="sts"),
    path("<int:sandbox_id>/sts/sessions/<int:credential_id>/", session_detail, name="session"),
    path(
        "<int:sandbox_id>/instances/<str:instance_id>/imds/<path:path>",
        instance_metadata,
        name="instance_metadata",
    ),
    path("<int:sandbox_id>/instances/<str:instance_id>/terminal/", instance_terminal, name="instance_terminal"),
    path("<int:sandbox_id>/role-or-keys/", instance_keys_antipattern, name="instance_keys_antipattern"),
    path("<int:sandbox_id>/scenarios/", scenario_list, name="scenarios"),
    path("<int:sandbox_id>/scenarios/<slug:slug>/", scenario_detail, name="scenario"),
    path("<int:sandbox_id>/scenarios/<slug:slug>/setup/", set_up_scenario, name="scenario_setup"),
    path("<int:sandbox_id>/scenarios/<slug:slug>/decide/", decide_scenario, name="scenario_decide"),
]
