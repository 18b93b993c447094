"""Reminders of 整改 items: the responsible person (and the party organization's unit, by its
channel) is told once when an item falls due within `DUE_SOON_DAYS`, and once when it is late.
Run by `jiceng sweep`; each reminder has a dedupe key, so racing or repeated sweeps send it once.
"""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from jiceng.orgs.models import User
from jiceng.tickets.services.base import Notice, remind

from .models import Rectification

DUE_SOON_DAYS = 3


def remind_rectifications(today: date | None = None) -> int:
    """Queue the reminders due today; returns how many were queued now."""
    today = today or timezone.localdate()
    items = (
        Rectification.objects.filter(
            state=Rectification.State.OPEN, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
        .select_related("diagnosis__party_org__unit", "responsible")
        .order_by("due_on", "pk")
    )
    queued = 0
    for item in items:
        late = item.due_on < today
        readers = tuple(
            User.objects.filter(person_id=item.responsible_id, is_active=True)
            if item.responsible_id
            else ()
        )
        unit = item.diagnosis.party_org.unit
        if not readers and unit is None:
            continue
        org = item.diagnosis.party_org.name
        notice = Notice(
            "rectification_late" if late else "rectification_due",
            f"整改{'已逾期' if late else '即将到期'}：{item.problem[:40]}",
            f"{org}的整改事项“{item.problem}”期限为 {item.due_on:%Y-%m-%d}，"
            + ("已逾期，请尽快整改并报完成。" if late else "请按期整改并报完成。"),
            unit=unit,
            users=readers,
            dedupe_key=f"rectification:{'late' if late else 'due'}:{item.pk}:{item.due_on}",
            link=reverse("rectification-list") + "?show=open",
        )
        if remind(None, notice):
            queued += 1
    return queued
