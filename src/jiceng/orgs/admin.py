from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from jiceng.core import crypto
from jiceng.core.text import mask_phone
from jiceng.regions.models import Grid, PlaceAlias, Region

from . import access, services, tokens
from .models import ApiToken, PartyOrg, Person, Post, Role, Unit, UnitType, User, WhistleRule


class ScopedAdmin(admin.ModelAdmin):
    """An admin page that shows and changes only what is inside the user's scope.

    Lists are filtered by `access.visible`; choices of related objects are too, so an object
    cannot be moved out of scope; an object outside the scope answers 404.
    """

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("不存在或无权查看")
        return obj

    def has_module_permission(self, request):
        return access.can_manage_master_data(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_master_data(request.user)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _limit_to_scope(field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _limit_to_scope(field, request)


class ScopedInline(admin.TabularInline):
    extra = 0

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return access.can_manage_master_data(request.user)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _limit_to_scope(field, request)


def _limit_to_scope(field, request):
    if field is not None and access.is_scoped(field.queryset.model):
        field.queryset = access.visible(request.user, field.queryset)
    return field


class CatalogAdmin(admin.ModelAdmin):
    """Tables shared by the whole prefecture: everyone who manages data reads them; only an
    administrator of the whole prefecture changes them."""

    def has_module_permission(self, request):
        return access.can_manage_master_data(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_master_data(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_catalogs(request.user)

    def has_add_permission(self, request):
        return access.can_manage_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_catalogs(request.user)


@admin.register(UnitType)
class UnitTypeAdmin(CatalogAdmin):
    list_display = ["name", "code", "category", "sort"]
    list_filter = ["category"]
    search_fields = ["name", "code"]


@admin.register(WhistleRule)
class WhistleRuleAdmin(CatalogAdmin):
    """吹哨报到: who may call whom in, as data (a prefecture administrator edits it)."""

    list_display = ["caller", "mode", "called", "reach", "is_active"]
    list_filter = ["mode", "caller", "is_active"]


@admin.register(Role)
class RoleAdmin(CatalogAdmin):
    list_display = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return False  # roles are fixed by the product; their rows come from a migration

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitPostInline(ScopedInline):
    model = Post
    fk_name = "unit"
    fields = ["person", "kind", "started_on", "ended_on"]
    autocomplete_fields = ["person"]
    verbose_name_plural = "本单位人员"


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "code", "type", "region", "phone", "is_active"]
    list_filter = ["type__category", "type", "is_active"]
    search_fields = ["name", "code", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["type", "region"]
    inlines = [UnitPostInline]


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedAdmin):
    list_display = ["name", "kind", "parent", "region", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "region__name", "unit__name"]
    autocomplete_fields = ["parent", "region", "unit"]
    list_select_related = ["parent", "region", "unit"]


class PersonPostInline(ScopedInline):
    model = Post
    fk_name = "person"
    fields = ["kind", "unit", "party_org", "grid", "source", "started_on", "ended_on"]
    autocomplete_fields = ["unit", "party_org", "grid"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = [
        "name",
        "code",
        "gender",
        "ethnicity",
        "region",
        "masked_phone",
        "is_party_member",
    ]
    list_filter = ["gender", "is_party_member", "posts__kind"]
    search_fields = ["name", "code"]  # and a whole phone number, through its blind index
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    inlines = [PersonPostInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        digits = crypto.normalize_phone(search_term)
        if len(digits) >= 7 and digits == search_term.strip().replace("-", ""):
            found = found | queryset.filter(phone_index=crypto.blind(digits))
        return found, duplicates


class ScopeFormMixin:
    """The scope rules of an account form: one scope, and never a scope-less account made by a
    scoped administrator (it would vanish from their own view)."""

    request_user = None

    def clean(self):
        cleaned = super().clean()
        region, unit = cleaned.get("scope_region"), cleaned.get("scope_unit")
        if region and unit:
            raise ValidationError("管辖区划与所属单位只能选其一")
        user = self.request_user
        if user is not None and not user.is_superuser and not (region or unit):
            raise ValidationError("请选择管辖区划或所属单位")
        if "roles" in cleaned:
            target = self.instance if self.instance.pk else None
            if target is not None:  # as stored, not as this form has begun to change it
                target = User.objects.select_related("scope_region", "scope_unit").get(pk=target.pk)
            codes = {role.code for role in cleaned["roles"]}
            problems = access.account_change_problems(user, target, codes, region, unit)
            if problems:
                raise ValidationError(problems)
        return cleaned


class AccountCreationForm(ScopeFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "person", "roles", "scope_region", "scope_unit"]


class AccountChangeForm(ScopeFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class AccountAdmin(ScopedAdmin, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ["username", "person", "role_names", "scope_region", "scope_unit", "is_active"]
    list_filter = ["roles", "is_active"]
    search_fields = ["username", "person__name", "first_name", "last_name"]
    autocomplete_fields = ["person", "scope_region", "scope_unit"]
    filter_horizontal = ["roles"]
    list_select_related = ["person", "scope_region", "scope_unit"]
    ordering = ["username"]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        ("人员、角色与管辖范围", {"fields": ["person", "roles", "scope_region", "scope_unit"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ["username", "password"]}),
            ("人员、角色与管辖范围", {"fields": ["person", "roles", "scope_region", "scope_unit"]}),
            ("状态", {"fields": ["is_active", "last_login", "date_joined"]}),
            ("角色与管辖范围变更记录", {"fields": ["role_history"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append(("超级管理员", {"fields": ["is_superuser"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined", "role_history"]

    @admin.display(description="角色与管辖范围变更")
    def role_history(self, obj):
        entries = services.account_changes(obj) if obj and obj.pk else []
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} {}：{}",
                (
                    (
                        timezone.localtime(e.action_time).strftime("%Y-%m-%d %H:%M"),
                        e.user,
                        e.change_message,
                    )
                    for e in entries
                ),
            )
            or "—"
        )

    def _account_state(self, account) -> dict:
        return {
            "roles": {role.name for role in account.roles.all()} if account.pk else set(),
            "region": account.scope_region,
            "unit": account.scope_unit,
        }

    def save_model(self, request, obj, form, change):
        if change:
            stored = User.objects.select_related("scope_region", "scope_unit").get(pk=obj.pk)
            form._before = self._account_state(stored)
        else:
            form._before = {"roles": set(), "region": None, "unit": None}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        account = User.objects.select_related("scope_region", "scope_unit").get(pk=form.instance.pk)
        services.record_account_change(
            request.user, account, form._before, self._account_state(account)
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    @admin.display(description="角色")
    def role_names(self, obj):
        return "、".join(role.name for role in obj.roles.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    def user_change_password(self, request, id, form_url=""):
        # The password page looks the account up itself; keep it inside the scope too.
        access.get_for_user(request.user, User, pk=id)
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """The machines that call the API: each token's purpose, account, creation and last use,
    inside the scope. Tokens are made by `jiceng create-token` (shown once, stored hashed);
    here they are only switched off (吊销), never shown or edited."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["prefix", "name", "user", "created_at", "last_used_at", "is_active"]
    readonly_fields = ["prefix", "name", "user", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked token stays on record

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        count = tokens.revoke(queryset)
        self.message_user(request, f"已吊销 {count} 个令牌。")


# The map (regions and grids): kept by the same scopes as the units on it.
@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code", "full_name", "name_ug", "name_kk"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # the official Uyghur and Kazakh names are typed right to left
        lang = {"name_ug": "ug", "name_kk": "kk-Arab"}.get(db_field.name)
        if lang:
            field.widget.attrs.update({"dir": "rtl", "lang": lang})
            field.help_text = "官方名称（如政府公文、地名志所载）；不填则显示中文名称"
        return field


@admin.register(PlaceAlias)
class PlaceAliasAdmin(ScopedAdmin):
    """Names people use for a place (a housing estate, an old name): requests that name them
    are placed there (regions/placing.py)."""

    list_display = ["name", "region", "note"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


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
