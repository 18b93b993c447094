from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jiceng.evaluation"
    verbose_name = "党组织考评"

    def ready(self):
        from jiceng.tickets import hooks

        from . import (
            access,  # noqa: F401  (registers the scope rules)
            reminders,
        )

        # `jiceng sweep` reminds the responsible people of 整改 items falling due
        hooks.register("swept", lambda: reminders.remind_rectifications())
