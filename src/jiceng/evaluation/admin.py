from django.contrib import admin

from jiceng.orgs.admin import ScopedAdmin

from .models import Campaign


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
