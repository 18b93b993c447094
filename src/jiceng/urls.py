from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jiceng.api import api
from jiceng.core import views as core_views
from jiceng.regions import views as region_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", region_views.region_root, name="region-root"),
    path("regions/<str:code>/", region_views.region_detail, name="region-detail"),
    path("units/<int:unit_id>/", region_views.unit_detail, name="unit-detail"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("jiceng.open311.urls")),
]

handler404 = "jiceng.core.views.not_found"
