from django.urls import path

from simulator.console import policies, views
from simulator.console.access_tester import access_tester
from simulator.console.decision_log import decision_detail, decision_log

app_name = "console"
urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.create_sandbox, name="create_sandbox"),
    path("<int:sandbox_id>/users/", views.users, name="users"),
    path("<int:sandbox_id>/groups/", views.groups, name="groups"),
    path("<int:sandbox_id>/groups/members/", views.add_member, name="add_member"),
    path("<int:sandbox_id>/policies/", policies.policies, name="policies"),
    path("<int:sandbox_id>/policies/validate/", policies.validate_policy, name="validate_policy"),
    path("<int:sandbox_id>/policies/format/", policies.format_policy, name="format_policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/", policies.policy_detail, name="policy"),
    path("<int:sandbox_id>/policies/<int:policy_id>/attach/", policies.attach_policy, name="attach_policy"),
    path("<int:sandbox_id>/access/", access_tester, name="access_tester"),
    path("<int:sandbox_id>/decisions/", decision_log, name="decision_log"),
    path("<int:sandbox_id>/decisions/<int:decision_id>/", decision_detail, name="decision"),
]
