"""Admin pages for the engine's tables. Tickets are read-only here: they change only through
the services (the workbench pages and the API)."""

from django.contrib import admin

from jiceng.orgs.admin import CatalogAdmin, ScopedAdmin

from .models import (
    CalendarYear,
    Category,
    DeadlineRule,
    EngineSettings,
    Holiday,
    Notification,
    PhoneRead,
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


@admin.register(Holiday)
class HolidayAdmin(CatalogAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CatalogAdmin):
    list_display = ["year", "note"]


@admin.register(EngineSettings)
class EngineSettingsAdmin(CatalogAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EngineSettings.objects.exists()

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
class NotificationAdmin(ReadOnlyMixin, CatalogAdmin):
    list_display = ["created_at", "kind", "subject", "unit", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]


@admin.register(PhoneRead)
class PhoneReadAdmin(ReadOnlyMixin, CatalogAdmin):
    list_display = ["at", "user", "ticket", "via"]
