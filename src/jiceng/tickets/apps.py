from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiceng.tickets"
    verbose_name = "接诉即办"

    def ready(self):
        from jiceng.core import observe

        from . import access, themes  # noqa: F401  (register the scope rules)
        from .observe import ticket_of

        observe.subject_of = ticket_of  # the request log names the ticket of a staff route
