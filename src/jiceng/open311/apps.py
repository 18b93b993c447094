from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "jiceng.open311"
    verbose_name = "Open311 接口"

    def ready(self):
        from . import access  # noqa: F401  (registers the key scope rule)
