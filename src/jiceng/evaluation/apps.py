from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jiceng.evaluation"
    verbose_name = "党组织考评"
