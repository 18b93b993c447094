from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiceng.tickets"
    verbose_name = "接诉即办"

    def ready(self):
        from . import access, themes  # noqa: F401  (register the scope rules)
