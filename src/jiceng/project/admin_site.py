from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth.forms import AuthenticationForm


class AdminLoginForm(AuthenticationForm):
    """Admin sign-in decided by roles: administrators enter, whatever Django's staff flag says."""

    def confirm_login_allowed(self, user):
        from jiceng.orgs.access import can_enter_admin

        super().confirm_login_allowed(user)
        if not can_enter_admin(user):
            raise forms.ValidationError(
                "此账号没有管理员或考评员角色，不能进入基础数据管理。", code="no_admin_role"
            )


class JicengAdminSite(AdminSite):
    """The master-data admin. Who may enter is decided by roles, not Django's staff flag."""

    site_header = "基层治理平台 · 基础数据管理"
    site_title = "基础数据管理"
    index_title = "基础数据"
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        """Administrators (master data) and assessors (evaluation schemes) may enter; each
        sees only the pages of their own role."""
        from jiceng.orgs.access import can_enter_admin

        return can_enter_admin(request.user)
