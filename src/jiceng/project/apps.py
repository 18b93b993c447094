"""The project's own app: the home page, navigation, health and metrics, the admin site,
backups and the demo. It sits above every other app and may import any of them; none imports
it (tests/test_no_two_apps_import_each_other.py)."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectConfig(AppConfig):
    name = "jiceng.project"
    label = "project"
    verbose_name = "站点"


class JicengAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "jiceng.project.admin_site.JicengAdminSite"
