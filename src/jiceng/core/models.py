"""What the apps' models share. No table of its own."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """What every event row says: what was done (`action`), by whom (`actor`; None for the
    system, or an account since removed), when (`at`) and the step's own details (`data`).
    `TicketEvent`, `ThemeEvent` and `EvaluationEvent` keep their own tables, each with what is
    particular to it (a ticket's states and unit, a theme's text, a workflow and object)."""

    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
