from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "jiceng.dispatch"
    verbose_name = "智能派单"
