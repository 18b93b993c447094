from django import forms
from django.contrib import admin

from jiceng.orgs import access
from jiceng.orgs.admin import CatalogAdmin, ScopedAdmin
from jiceng.tickets.admin import ReadOnlyMixin

from .models import DispatchSettings, Example, ModelVersion, RoutingRule, Suggestion


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin):
    """The routing table. Prefecture administrators keep the general rules (no place); a
    county's administrators add rules for places inside their scope, which win there."""

    list_display = ["category", "keywords", "region", "target", "note"]
    list_filter = ["unit_type"]
    search_fields = ["category__full_name", "note", "unit__name"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["category", "region"]

    @admin.display(description="派给")
    def target(self, obj):
        return obj.target_label()

    def get_queryset(self, request):
        if access.can_manage_catalogs(request.user):
            return RoutingRule.objects.all()
        return super().get_queryset(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not access.can_manage_catalogs(request.user):
            form.base_fields["region"].required = True
            form.base_fields["region"].help_text = "只能为您管辖范围内的区划设置规则"
        return form

    def save_model(self, request, obj, form, change):
        if obj.region_id and not access.region_in_scope(request.user, obj.region):
            raise forms.ValidationError("该区划不在您的管辖范围内")
        super().save_model(request, obj, form, change)


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(CatalogAdmin):
    list_display = ["__str__", "auto_dispatch", "threshold"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DispatchSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(CatalogAdmin):
    """Versions come from `jiceng dispatch train`; here one can be switched off (the newest
    active version serves)."""

    list_display = [
        "version",
        "trained_at",
        "examples",
        "corrections",
        "accuracy",
        "word_split_accuracy",
        "is_active",
    ]
    readonly_fields = [
        "version",
        "file",
        "sha256",
        "trained_at",
        "examples",
        "corrections",
        "labels",
        "scores",
        "fit_seconds",
    ]

    @admin.display(description="交叉验证准确率（原文）")
    def accuracy(self, obj):
        return obj.scores.get("accuracy", "—")

    @admin.display(description="交叉验证准确率（分词文本）")
    def word_split_accuracy(self, obj):
        return obj.scores.get("word_split", {}).get("accuracy", "—")

    def has_add_permission(self, request):
        return False


@admin.register(Example)
class ExampleAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["label", "suggested", "corrected", "by", "at"]
    list_filter = ["corrected", "label"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["ticket", "category", "probability", "unit", "auto_dispatched", "problem"]
    list_filter = ["auto_dispatched"]
