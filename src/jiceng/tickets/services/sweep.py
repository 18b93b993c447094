"""`jiceng sweep`: overdue marks, reminders and escalation, each done exactly once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from .. import deadlines, states
from ..models import (
    EngineSettings,
    Notification,
    Ticket,
    TicketUnit,
)
from ..states import Status
from . import followup
from .base import Notice, _now, remind, transition

# --- the sweep --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    overdue: int = 0
    escalated: int = 0
    whistle_reminders: int = 0
    due_soon: int = 0  # reminders of an accept-by or reply-by drawing near
    followed_up: int = 0  # new tickets the task queue left waiting (followup.catch_up)
    tasks_pruned: int = 0  # finished rows of the database task queue (followup.prune)


def sweep(now: datetime | None = None) -> SweepResult:
    """Mark overdue tickets, remind, and escalate the long overdue.

    Each row is claimed with a conditional UPDATE inside its own transaction, so two sweeps at
    once (or one run twice) do each piece of work exactly once.
    """
    now = _now(now)
    result = SweepResult()
    config = EngineSettings.current()
    calendar = deadlines.load_calendar(config)
    # escalation waits for the latest line the official arrangement could draw
    cautious = calendar.cautious()

    late_accept = Ticket.objects.filter(
        status=Status.DISPATCHED, accept_by__lt=now, overdue_at__isnull=True
    )
    late_reply = Ticket.objects.filter(
        status=Status.IN_PROGRESS, reply_by__lt=now, overdue_at__isnull=True
    )
    for clock, qs in (("accept", late_accept), ("reply", late_reply)):
        for pk, provisional in list(qs.values_list("pk", "deadlines_provisional")):
            if provisional:
                # a provisional deadline is late only once the official arrangement, whatever
                # it turns out to be, cannot move it past now
                ticket = Ticket.objects.select_related("category").get(pk=pk)
                if deadlines.latest_due(ticket, clock, calendar) >= now:
                    continue
            with transaction.atomic():
                # the claim: a conditional UPDATE, so two sweeps at once mark it once
                if not Ticket.objects.filter(pk=pk, overdue_at__isnull=True).update(overdue_at=now):
                    continue
                ticket = Ticket.objects.select_related("main_unit").get(pk=pk)
                due = ticket.accept_by if clock == "accept" else ticket.reply_by
                transition(
                    ticket,
                    "overdue",
                    None,
                    at=now,
                    changes={"overdue_at": now},
                    due_at=due,
                    data={"clock": clock, "provisional": ticket.deadlines_provisional},
                    notices=[
                        Notice(
                            "overdue",
                            f"工单超时：{ticket.title}",
                            f"工单 {ticket.number} 已超过{'接单' if clock == 'accept' else '答复'}时限"
                            f"（{timezone.localtime(due):%Y-%m-%d %H:%M}），请尽快办理。",
                            unit=ticket.main_unit,
                            dedupe_key=f"overdue:{pk}:{clock}:{due.isoformat()}",
                        )
                    ],
                )
                result.overdue += 1

    candidates = Ticket.objects.filter(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
        overdue_at__isnull=False,
        escalated_at__isnull=True,
    ).values_list("pk", "status", "accept_by", "reply_by", "deadlines_provisional")
    for pk, status, accept_by, reply_by, provisional in list(candidates):
        clock = "accept" if status == Status.DISPATCHED else "reply"
        due = accept_by if clock == "accept" else reply_by
        if due is None:
            continue
        try:
            start = due
            if provisional:
                ticket = Ticket.objects.select_related("category").get(pk=pk)
                start = deadlines.latest_due(ticket, clock, calendar)
            line = cautious.add_working_hours(
                start, config.escalate_after_days * calendar.hours_per_day
            )
        except (deadlines.CalendarUnknown, deadlines.DeadlineUnknown):
            continue
        if line > now:
            continue
        with transaction.atomic():
            # the claim, as above
            if not Ticket.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            ticket = Ticket.objects.select_related("main_unit").get(pk=pk)
            transition(
                ticket,
                "escalate",
                None,
                at=now,
                changes={"escalated_at": now, "is_supervised": True},
                due_at=due,
                reason=f"超过时限 {config.escalate_after_days} 个工作日，自动升级督办",
                notices=[
                    Notice(
                        "escalate",
                        f"超时升级督办：{ticket.title}",
                        f"工单 {ticket.number}（{ticket.main_unit}）超时超过 {config.escalate_after_days} 个工作日，已升级督办。",
                        unit=ticket.main_unit,
                        recipient="督办员",
                        dedupe_key=f"escalate:{pk}:{due.isoformat()}",
                    )
                ],
            )
            result.escalated += 1

    late_calls = TicketUnit.objects.filter(
        role=TicketUnit.Role.WHISTLE,
        reported_at__isnull=True,
        report_by__lt=now,
        ticket__status__in=states.OPEN,
    ).select_related("ticket", "unit")
    for call in list(late_calls):
        if remind(
            call.ticket,
            Notice(
                "whistle_overdue",
                f"吹哨报到超时：{call.ticket.title}",
                f"贵单位应于 {timezone.localtime(call.report_by):%Y-%m-%d %H:%M} 前就工单 "
                f"{call.ticket.number} 报到，至今未报到。",
                unit=call.unit,
                dedupe_key=f"whistle:{call.pk}:{call.report_by.isoformat()}",
            ),
        ):
            result.whistle_reminders += 1
    result.due_soon = _due_soon(now, config, calendar)
    result.followed_up = followup.catch_up(now=now)
    result.tasks_pruned = followup.prune(now)
    # /healthz reports when the sweep last ran (a sweep that stopped stops every deadline)
    EngineSettings.objects.filter(pk=config.pk).update(last_sweep_at=now)
    if connection.vendor == "sqlite":
        # SQLite keeps no statistics by itself; as its manual advises for long-lived databases,
        # let it refresh those that drifted, so a ticket's events are read by (ticket, action)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
    return result


# a due time this far ahead in calendar days is never within a few working hours, even
# across the Spring Festival's week
REMIND_HORIZON = timedelta(days=12)


def _due_soon(now: datetime, config, calendar) -> int:
    """Remind the main unit once when its accept-by or reply-by is `remind_before_hours`
    working hours away or less (接单即将超时 / 答复即将超时)."""
    hours = float(config.remind_before_hours or 0)
    if hours <= 0:
        return 0
    sent = 0
    for clock, status, field, label in (
        ("accept", Status.DISPATCHED, "accept_by", "接单"),
        ("reply", Status.IN_PROGRESS, "reply_by", "答复"),
    ):
        near = Ticket.objects.filter(
            status=status,
            overdue_at__isnull=True,
            **{f"{field}__gt": now, f"{field}__lte": now + REMIND_HORIZON},
        ).select_related("main_unit")
        keys = {}
        for ticket in near:
            due = getattr(ticket, field)
            keys[f"due_soon:{ticket.pk}:{clock}:{due.isoformat()}"] = ticket
        done = set(
            Notification.objects.filter(dedupe_key__in=list(keys)).values_list(
                "dedupe_key", flat=True
            )
        )
        for key, ticket in keys.items():
            if key in done:
                continue
            due = getattr(ticket, field)
            try:
                left = calendar.working_hours_between(now, due)
            except deadlines.CalendarUnknown:
                continue
            if left > hours:
                continue
            if remind(
                ticket,
                Notice(
                    "due_soon",
                    f"{label}即将超时：{ticket.title}",
                    f"工单 {ticket.number} 的{label}时限是 {timezone.localtime(due):%m月%d日 %H:%M}，"
                    f"还剩约 {left:.1f} 个工作小时。",
                    unit=ticket.main_unit,
                    dedupe_key=key,
                ),
            ):
                sent += 1
    return sent
