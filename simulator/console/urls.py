from django.urls import path

from simulator.console import views

app_name = "console"
urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.create_sandbox, name="create_sandbox"),
    path("<int:sandbox_id>/users/", views.users, name="users"),
    path("<int:sandbox_id>/groups/", views.groups, name="groups"),
    path("<int:sandbox_id>/groups/members/", views.add_member, name="add_member"),
]
