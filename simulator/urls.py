from django.contrib import admin
from django.urls import include, path

from simulator import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("simulator.people.urls")),
    path("console/", include("simulator.console.urls")),
    path("admin/", admin.site.urls),
]
