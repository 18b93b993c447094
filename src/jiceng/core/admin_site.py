from django.contrib.admin import AdminSite


class JicengAdminSite(AdminSite):
    """The master-data admin. Who may enter is decided by roles, not Django's staff flag."""

    site_header = "基层治理平台 · 基础数据管理"
    site_title = "基础数据管理"
    index_title = "基础数据"

    def has_permission(self, request) -> bool:
        from jiceng.orgs.access import can_manage_master_data

        return can_manage_master_data(request.user)
