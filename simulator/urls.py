from django.contrib import admin
from django.urls import include, path

from simulator import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("simulator.people.urls")),
    path("console/", include("simulator.console.urls")),
    path("api/", include("simulator.api.urls")),
    path("admin/", admin.site.urls),
]

# A URL under /api/ that names nothing answers in the API's error shape; every other one as before.
handler404 = "simulator.api.errors.not_found"
