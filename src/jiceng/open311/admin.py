from django.contrib import admin

from jiceng.orgs.admin import ScopedAdmin

from .models import Open311Key


@admin.register(Open311Key)
class Open311KeyAdmin(ScopedAdmin):
    """A county administrator sees and switches off the keys of their county only."""

    list_display = ["name", "region", "prefix", "is_active", "created_at"]
    fields = ["name", "region", "is_active"]

    def has_add_permission(self, request):
        return False  # keys are issued by `jiceng create-open311-key`, which shows the key once

    def has_delete_permission(self, request, obj=None):
        return False  # switch a key off; its requests keep their signature
