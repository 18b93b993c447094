from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "jiceng.dashboards"
    verbose_name = "看板"
