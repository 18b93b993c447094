"""Admin pages for the engine's tables. Tickets are read-only here: they change only through
the services (the workbench pages and the API)."""

from django import forms
from django.contrib import admin
from django.db import transaction

from jiceng.core.text import mask_phone
from jiceng.orgs import access
from jiceng.orgs.admin import CatalogAdmin, ScopedAdmin

from . import rates
from .models import (
    CalendarYear,
    Category,
    DeadlineRule,
    EngineSettings,
    Holiday,
    Notification,
    PhoneRead,
    RankingSettings,
    Ticket,
    TicketEvent,
)


@admin.register(Category)
class CategoryAdmin(CatalogAdmin):
    list_display = ["code", "full_name", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "full_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["full_name", "level"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(CatalogAdmin):
    list_display = ["__str__", "accept_amount", "accept_unit", "reply_amount", "reply_unit"]
    list_filter = ["urgency"]
    autocomplete_fields = ["category"]


class RecomputesDeadlines:
    """Any change to the holiday table recounts the open tickets' provisional deadlines, in
    the same transaction, each with its event."""

    def _recompute(self, request, what: str):
        from .services.calendar import recompute_provisional

        count = recompute_provisional(request.user, reason=f"节假日安排变更：{what}")
        if count:
            self.message_user(request, f"已按新的节假日安排重算 {count} 件工单的暂定时限。")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._recompute(request, str(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            self._recompute(request, f"删除 {obj}")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            self._recompute(request, "批量删除")


@admin.register(Holiday)
class HolidayAdmin(RecomputesDeadlines, CatalogAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(RecomputesDeadlines, CatalogAdmin):
    """Marking a year entered in full ends its provisional calendar: enter its holidays and
    调休 days first (or use `jiceng calendar import FILE`, which does both at once)."""

    list_display = ["year", "note"]


@admin.register(EngineSettings)
class EngineSettingsAdmin(CatalogAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EngineSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class _RankingSettingsForm(forms.ModelForm):
    """The window of each group as a drop-down (stored in `windows`)."""

    class Meta:
        model = RankingSettings
        fields = ["min_dispatched", "min_callbacks", "volume_groups", "volume_split"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = self.instance.windows or {}
        for number, label in enumerate(rates.WINDOW_GROUPS):
            self.fields[f"window_{number}"].initial = kept.get(label, 0)

    def save(self, commit=True):
        self.instance.windows = {
            label: self.cleaned_data[f"window_{number}"]
            for number, label in enumerate(rates.WINDOW_GROUPS)
        }
        return super().save(commit)


RankingSettingsForm = type(
    "RankingSettingsForm",
    (_RankingSettingsForm,),
    {
        f"window_{number}": forms.TypedChoiceField(
            label=f"排名窗口：{label}",
            choices=rates.WINDOWS,
            coerce=int,
            initial=0,
            required=False,
            empty_value=0,
            help_text="样本不足时放宽到近 3、6、12 个月；也可固定一个窗口",
        )
        for number, label in enumerate(rates.WINDOW_GROUPS)
    },
)


@admin.register(RankingSettings)
class RankingSettingsAdmin(admin.ModelAdmin):
    """Small samples, volume groups and each group's window are the assessors' to set,
    prefecture-wide."""

    form = RankingSettingsForm

    def get_fields(self, request, obj=None):
        return [
            "min_dispatched",
            "min_callbacks",
            "volume_groups",
            "volume_split",
            *(f"window_{n}" for n in range(len(rates.WINDOW_GROUPS))),
        ]

    def _may_change(self, request) -> bool:
        user = request.user
        if not access.can_manage_evaluation(user):
            return False
        region = user.scope_region
        return user.is_superuser or (
            region is not None and region.level in ("province", "prefecture")
        )

    def has_module_permission(self, request):
        return access.can_enter_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_enter_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request)

    def has_add_permission(self, request):
        return self._may_change(request) and not RankingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = TicketEvent
    fields = ["at", "action", "actor_label", "from_status", "to_status", "unit", "due_at", "reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Ticket)
class TicketAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["number", "title", "status", "channel", "region", "main_unit", "received_at"]
    list_filter = ["status", "channel", "urgency", "is_supervised"]
    search_fields = ["number", "tracking_code", "title"]
    date_hierarchy = "received_at"
    exclude = ["requester_phone"]
    inlines = [EventInline]
    list_select_related = ["region", "main_unit"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, ScopedAdmin):
    """The outbox, inside the scope. A resident's number shows masked; rating links and codes
    are made when a message is sent and never stored, so the body holds only placeholders."""

    list_display = [
        "created_at",
        "kind",
        "subject",
        "unit",
        "masked_recipient",
        "state",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = ["state", "kind"]
    actions = ["queue_again"]
    fields = [
        "created_at",
        "kind",
        "ticket",
        "unit",
        "masked_recipient",
        "subject",
        "body",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    readonly_fields = fields
    list_select_related = ["unit"]

    @admin.display(description="接收人")
    def masked_recipient(self, obj):
        return mask_phone(obj.recipient) if obj.recipient[:1].isdigit() else obj.recipient

    @admin.display(description="错误")
    def short_error(self, obj):
        return (obj.last_error[:60] + "…") if len(obj.last_error) > 60 else obj.last_error

    @admin.action(description="重新排队发送所选的发送失败消息", permissions=["view"])
    def queue_again(self, request, queryset):
        # the queryset is the scoped list's: nothing outside the administrator's scope
        count = queryset.filter(state=Notification.State.FAILED).update(
            state=Notification.State.PENDING, attempts=0, next_attempt_at=None
        )
        self.message_user(request, f"已重新排队 {count} 条消息，下次发送任务将重试。")


@admin.register(PhoneRead)
class PhoneReadAdmin(ReadOnlyMixin, ScopedAdmin):
    """Who looked at which resident's number: the audit trail, inside the scope."""

    list_display = ["at", "user", "ticket", "via"]
