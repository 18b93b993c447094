from django.contrib import admin

from jiceng.orgs import access
from jiceng.orgs.admin import ScopedAdmin, ScopedInline

from .models import (
    AssessmentPeriod,
    Campaign,
    ChecklistItem,
    Dimension,
    Indicator,
    Scheme,
    SchemeIndicator,
    Selection,
    TrainingRecord,
)


class AssessorMixin:
    """Evaluation tables belong to assessors (and are readable by administrators)."""

    def has_module_permission(self, request):
        return access.can_enter_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_enter_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_evaluation(request.user)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False  # periods and schemes are history; retire a scheme by not using it


@admin.register(Indicator)
class IndicatorAdmin(AssessorMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "source", "low", "high", "higher_is_better"]
    list_filter = ["kind"]


class SchemeIndicatorInline(AssessorMixin, ScopedInline):
    model = SchemeIndicator
    extra = 1
    autocomplete_fields = []

    def get_queryset(self, request):
        return SchemeIndicator.objects.filter(scheme__in=access.visible(request.user, Scheme))

    def has_add_permission(self, request, obj=None):
        return access.can_manage_evaluation(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_evaluation(request.user)


@admin.register(Scheme)
class SchemeAdmin(AssessorMixin, ScopedAdmin):
    list_display = ["name", "org_kind", "region", "cycle"]
    inlines = [SchemeIndicatorInline]
    fieldsets = [
        (None, {"fields": ["name", "org_kind", "region", "cycle"]}),
        ("星级线", {"fields": ["star5", "star4", "star3", "star2"]}),
        ("361 设置", {"fields": ["excellent_share", "poor_share", "min_group", "floor"]}),
        ("计分", {"fields": ["missing_policy"]}),
    ]


class ReadOnly:
    """Shown here, never made or changed here: the record is created on its own page by a
    service that checks who may and writes its event (transitions.create)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(ReadOnly, AssessorMixin, ScopedAdmin):
    """Periods are created on /evaluation/periods/new/ (periods.create_period); entering,
    computing and publishing go through the services too."""

    list_display = ["label", "scheme", "state", "published_at"]
    list_filter = ["state"]
    fields = ["scheme", "label", "starts_on", "ends_on", "state", "revision_of", "published_at"]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    """Read-only: campaigns are run from /evaluation/surveys/, where codes are issued once."""

    list_display = ["name", "region", "state", "created_at"]
    list_filter = ["state"]
    fields = ["name", "region", "state", "flag_below"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChecklistItemInline(AssessorMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["text", "points", "sort", "is_active"]

    def has_add_permission(self, request, obj=None):
        return access.can_manage_evaluation(request.user)


@admin.register(Dimension)
class DimensionAdmin(AssessorMixin, admin.ModelAdmin):
    """The five 好 with their items, points and thresholds: the assessors' to edit."""

    list_display = ["name", "threshold", "sort"]
    inlines = [ChecklistItemInline]


@admin.register(Selection)
class SelectionAdmin(ReadOnly, AssessorMixin, ScopedAdmin):
    """Selections are opened on /evaluation/selections/new/ (selection.create_selection); their
    stages run on /evaluation/selections/<id>/."""

    list_display = ["name", "region", "seats", "state"]
    fields = ["name", "region", "seats", "state"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AssessorMixin, ScopedAdmin):
    list_display = ["person", "course", "provider", "held_on", "hours"]
    search_fields = ["person__name", "course"]
    autocomplete_fields = ["person"]
