from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from jiceng.api import api
from jiceng.core.text import IdConverter
from jiceng.dashboards import views as dashboard_views
from jiceng.dispatch import views as dispatch_views
from jiceng.evaluation import files as evaluation_files
from jiceng.evaluation import views as evaluation_views
from jiceng.orgs import browser as region_views
from jiceng.project import golive_views
from jiceng.project import metrics as project_metrics
from jiceng.project import views as project_views
from jiceng.project.onboarding import views as onboarding_views
from jiceng.tickets import batch as ticket_batch
from jiceng.tickets import inbox as ticket_inbox
from jiceng.tickets import photos as ticket_photos
from jiceng.tickets import record_views as ticket_records
from jiceng.tickets import theme_views, workbench
from jiceng.tickets import views as ticket_views

# `<id:…>`: an integer bounded by the largest id, so 99999999999999999999999 is not found
# (404), never a 500
register_converter(IdConverter, "id")

urlpatterns = [
    path("", project_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", project_views.healthz, name="healthz"),
    path("metrics", project_metrics.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", project_views.PasswordChange.as_view(), name="password-change"),
    path("onboarding/", onboarding_views.page, name="onboarding"),
    path("onboarding/check/", onboarding_views.check, name="onboarding-check"),
    path("onboarding/apply/", onboarding_views.apply, name="onboarding-apply"),
    path("onboarding/template.xlsx", onboarding_views.template, name="onboarding-template"),
    path("onboarding/export.xlsx", onboarding_views.export_view, name="onboarding-export"),
    path("golive/", golive_views.page, name="golive"),
    path("regions/", region_views.region_root, name="region-root"),
    path("regions/<str:code>/", region_views.region_detail, name="region-detail"),
    path("units/<id:unit_id>/", region_views.unit_detail, name="unit-detail"),
    # residents: no account
    path("submit/", ticket_views.submit, name="submit"),
    path("submit/places/", ticket_views.places, name="places"),
    path("submit/locate/", ticket_views.locate, name="locate-place"),
    path("submit/photos/<str:photo_id>/", ticket_views.kept_photo, name="kept-photo"),
    path("submitted/<str:code>/", ticket_views.submitted, name="submitted"),
    path("track/", ticket_views.lookup, name="lookup"),
    path("track/<str:code>/", ticket_views.track, name="track-ticket"),
    path("track/<str:code>/rate/", ticket_views.rate, name="rate-ticket"),
    path("track/<str:code>/code/", ticket_views.request_code, name="rating-code"),
    path("track/<str:code>/verify/", ticket_views.verify_code, name="rating-verify"),
    path(
        "track/<str:code>/photos/<id:pk>/<str:size>/",
        ticket_photos.resident_photo,
        name="track-photo",
    ),
    path("r/", ticket_views.rate_link_open, name="rate-link-open"),
    path("r/<str:secret>/", ticket_views.rate_link, name="rate-link"),
    path("vote/", evaluation_views.vote, name="vote"),
    # staff
    path("work/inbox/", ticket_inbox.inbox, name="inbox"),
    path("work/inbox/<id:pk>/", ticket_inbox.open_item, name="inbox-open"),
    path("work/inbox/read-all/", ticket_inbox.read_all, name="inbox-read-all"),
    path("work/tickets/", workbench.ticket_list, name="work-tickets"),
    path("work/tickets/new/", workbench.new_ticket, name="work-new"),
    path("work/tickets/batch/", ticket_batch.batch, name="work-batch"),
    path("work/themes/", theme_views.theme_list, name="theme-list"),
    path("work/themes/new/", theme_views.theme_new, name="theme-new"),
    path("work/themes/<id:pk>/", theme_views.theme_detail, name="theme-detail"),
    path("work/themes/<id:pk>/<str:action>/", theme_views.theme_act, name="theme-act"),
    path("work/tickets/export.xlsx", ticket_records.export, name="work-export"),
    path("work/exports/<id:pk>/", ticket_records.export_status, name="export-status"),
    path("work/exports/<id:pk>/file/", ticket_records.export_file, name="export-file"),
    path("work/integrity/", ticket_records.integrity, name="work-integrity"),
    path(
        "work/integrity/export.xlsx",
        ticket_records.integrity_export,
        name="work-integrity-export",
    ),
    path("work/tickets/<id:pk>/notice/<str:kind>/", ticket_records.notice, name="work-notice"),
    path("work/tickets/suggest/", dispatch_views.suggest, name="work-suggest"),
    path("work/meetings/new/", workbench.new_meeting, name="work-meeting"),
    path("work/grid-report/", workbench.grid_report, name="work-grid-report"),
    path("work/tickets/<id:pk>/", workbench.ticket_detail, name="work-ticket"),
    path("work/photos/<id:pk>/<str:size>/", ticket_photos.staff_photo, name="work-photo"),
    path("work/tickets/<id:pk>/phone/", workbench.read_phone, name="work-phone"),
    path("work/tickets/<id:pk>/<str:action>/", workbench.act, name="work-act"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard_views.export, name="dashboard-export"),
    path("dashboard/units/<id:pk>/", dashboard_views.unit_page, name="dashboard-unit"),
    path("dashboard/hotspots/", dashboard_views.hotspots, name="hotspots"),
    path("evaluation/surveys/", evaluation_views.campaign_list, name="survey-list"),
    path("evaluation/surveys/new/", evaluation_views.campaign_new, name="survey-new"),
    path("evaluation/surveys/<id:pk>/", evaluation_views.campaign_detail, name="survey-detail"),
    path("evaluation/surveys/<id:pk>/state/", evaluation_views.campaign_state, name="survey-state"),
    path("evaluation/surveys/<id:pk>/codes/", evaluation_views.campaign_codes, name="survey-codes"),
    path("evaluation/periods/", evaluation_views.period_list, name="period-list"),
    path("evaluation/periods/new/", evaluation_views.period_new, name="period-new"),
    path(
        "evaluation/periods/annual/<id:scheme_id>/<id:year>/",
        evaluation_views.period_annual,
        name="period-annual",
    ),
    path(
        "evaluation/periods/annual/<id:scheme_id>/<id:year>/export.xlsx",
        evaluation_views.period_annual_export,
        name="period-annual-export",
    ),
    path("evaluation/periods/<id:pk>/", evaluation_views.period_detail, name="period-detail"),
    path("evaluation/periods/<id:pk>/act/", evaluation_views.period_act, name="period-act"),
    path(
        "evaluation/periods/<id:pk>/values/", evaluation_views.period_values, name="period-values"
    ),
    path(
        "evaluation/periods/<id:pk>/values.xlsx",
        evaluation_views.period_values_template,
        name="period-values-template",
    ),
    path(
        "evaluation/periods/<id:pk>/export.xlsx",
        evaluation_views.period_export,
        name="period-export",
    ),
    path("evaluation/diagnoses/", evaluation_views.diagnosis_list, name="diagnosis-list"),
    path(
        "evaluation/diagnoses/coverage/",
        evaluation_views.diagnosis_coverage,
        name="diagnosis-coverage",
    ),
    path(
        "evaluation/rectifications/",
        evaluation_views.rectification_list,
        name="rectification-list",
    ),
    path(
        "evaluation/rectifications/<id:pk>/",
        evaluation_views.rectification_act,
        name="rectification-act",
    ),
    path("evaluation/diagnoses/new/", evaluation_views.diagnosis_new, name="diagnosis-new"),
    path(
        "evaluation/diagnoses/<id:pk>/", evaluation_views.diagnosis_detail, name="diagnosis-detail"
    ),
    path("evaluation/meetings/", evaluation_views.meeting_list, name="meeting-list"),
    path("evaluation/secretaries/", evaluation_views.secretary_overview, name="secretary-overview"),
    path("evaluation/reserve/", evaluation_views.reserve_add, name="reserve-add"),
    path(
        "evaluation/reserve/<id:pk>/remove/",
        evaluation_views.reserve_remove,
        name="reserve-remove",
    ),
    path(
        "evaluation/files/<str:kind>/<id:pk>/",
        evaluation_files.attachment,
        name="evaluation-file",
    ),
    path("evaluation/meetings/new/", evaluation_views.meeting_new, name="meeting-new"),
    path("evaluation/selections/", evaluation_views.selection_list, name="selection-list"),
    path("evaluation/selections/new/", evaluation_views.selection_new, name="selection-new"),
    path(
        "evaluation/selections/<id:pk>/",
        evaluation_views.selection_detail,
        name="selection-detail",
    ),
    path("publicity/<id:pk>/", evaluation_views.publicity, name="publicity"),
    path("evaluation/people/<id:pk>/", evaluation_views.person_record, name="person-record"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("jiceng.open311.urls")),
]

handler404 = "jiceng.project.views.not_found"
