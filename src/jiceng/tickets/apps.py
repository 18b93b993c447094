from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiceng.tickets"
    verbose_name = "接诉即办"

    def ready(self):
        from jiceng.core import observe

        from . import access, themes  # noqa: F401  (register the scope rules)
        from .observe import ticket_of

        observe.subject_of = ticket_of  # the request log names the ticket of a staff route

        # the calendar and deadline rules each process keeps (deadlines.inputs)
        from django.db.models.signals import post_delete, post_save

        from . import deadlines
        from .models import CalendarYear, DeadlineRule, Holiday

        for model in (Holiday, CalendarYear, DeadlineRule):
            post_save.connect(deadlines.changed, sender=model, dispatch_uid=f"inputs-{model}")
            post_delete.connect(deadlines.changed, sender=model, dispatch_uid=f"inputs-d-{model}")
