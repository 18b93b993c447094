from django.contrib import admin

from jiceng.orgs.admin import ScopedAdmin

from .models import Grid, Region


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code", "full_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ["name", "code", "region", "households", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region":
            field.queryset = field.queryset.filter(level="village")
        return field
