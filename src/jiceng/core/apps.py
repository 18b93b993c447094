from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = "基础"
    default = True


class JicengAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "jiceng.core.admin_site.JicengAdminSite"
