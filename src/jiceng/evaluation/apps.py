from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jiceng.evaluation"
    verbose_name = "党组织考评"

    def ready(self):
        from . import access  # noqa: F401  (registers the scope rules)
