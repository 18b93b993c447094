from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jiceng.regions"
    verbose_name = "行政区划"
