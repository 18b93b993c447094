from django.urls import path

from . import views

FMT = "<str:fmt>"
urlpatterns = [
    path(f"discovery.{FMT}", views.discovery, name="open311-discovery"),
    path(f"services.{FMT}", views.service_list, name="open311-services"),
    path(f"services/<str:code>.{FMT}", views.service_definition, name="open311-service"),
    path(f"requests.{FMT}", views.requests_view, name="open311-requests"),
    path(f"requests/<str:number>.{FMT}", views.request_detail, name="open311-request"),
    path(f"tokens/<str:token>.{FMT}", views.token_view, name="open311-token"),
]
