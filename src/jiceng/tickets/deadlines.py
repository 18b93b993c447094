"""Deadlines in working time: the holiday table and settings feed the pure `WorkCalendar`.

A deadline never falls back to calendar days. For a year that neither `chinesecalendar` nor an
administrator has entered, the calendar is derived from the statutory rules and the deadline
is marked provisional (`Deadlines.provisional`) until the official arrangement is entered.
Only a year outside the rules' range raises `DeadlineUnknown` (a ServiceError).
"""

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from jiceng.core.errors import ServiceError
from jiceng.core.workcalendar import CalendarUnknown, WorkCalendar

from .models import CalendarYear, Category, DeadlineRule, EngineSettings, Holiday, TimeUnit


class DeadlineUnknown(ServiceError):
    status = 409

    def __init__(self, exc: CalendarUnknown):
        super().__init__(
            "calendar_unknown",
            f"{exc.day.year} 年的节假日安排尚未录入，无法按工作日计算时限。"
            f"请管理员在“节假日与调休”中录入 {exc.day.year} 年的安排。",
            year=exc.day.year,
        )


class Inputs(NamedTuple):
    """What a deadline is computed from: the working calendar and the deadline rules."""

    token: str
    calendar: WorkCalendar
    rules: dict[tuple[str, int | None], DeadlineRule]  # (urgency, category id or None)


_inputs: dict[str, Inputs] = {}  # this process's copy, under the settings' inputs_token


def inputs(settings: EngineSettings | None = None) -> Inputs:
    """The calendar and rules, read once per process and again only after one of them changed.

    Every change to the settings, a holiday, a calendar year or a deadline rule replaces
    `EngineSettings.inputs_token` in the same transaction (`changed`, connected to their
    signals in `TicketsConfig.ready`), and the token is read with the settings a dispatch
    reads anyway: a process never computes a deadline from a table another process changed.
    """
    settings = settings or EngineSettings.current()
    found = _inputs.get(settings.inputs_token)
    if found is None:
        calendar = WorkCalendar(
            overrides=dict(Holiday.objects.values_list("date", "is_workday")),
            complete_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            day_start=settings.day_start,
            day_end=settings.day_end,
        )
        rules = {(r.urgency, r.category_id): r for r in DeadlineRule.objects.all()}
        found = Inputs(settings.inputs_token, calendar, rules)
        _inputs.clear()
        _inputs[settings.inputs_token] = found
    return found


def changed(*_args, **_kwargs) -> None:
    """A holiday, calendar year or deadline rule was saved or deleted (or a bulk change made):
    every process reads the calendar and rules again at its next deadline."""
    EngineSettings.objects.filter(pk=1).update(inputs_token=uuid.uuid4().hex)
    _inputs.clear()


def load_calendar(settings: EngineSettings | None = None) -> WorkCalendar:
    return inputs(settings).calendar


def rule_for(category: Category | None, urgency: str, rules: dict | None = None) -> DeadlineRule:
    rules = inputs().rules if rules is None else rules
    for node in category.lineage() if category else []:
        if (urgency, node.pk) in rules:
            return rules[(urgency, node.pk)]
    if (urgency, None) in rules:
        return rules[(urgency, None)]
    raise ServiceError("no_deadline_rule", "未设置该紧急程度的办理时限，请管理员在“办理时限”中补充")


def add(calendar: WorkCalendar, start: datetime, amount, unit: str) -> datetime:
    hours = float(amount)
    try:
        if unit == TimeUnit.CLOCK_HOURS:
            return start + timedelta(hours=hours)
        if unit == TimeUnit.WORK_DAYS:
            return calendar.add_working_hours(start, hours * calendar.hours_per_day)
        return calendar.add_working_hours(start, hours)
    except CalendarUnknown as exc:
        raise DeadlineUnknown(exc) from None


def is_provisional(calendar: WorkCalendar, start: datetime, end: datetime, unit: str) -> bool:
    """Whether a deadline from `start` to `end` rests on a provisional calendar."""
    if unit == TimeUnit.CLOCK_HOURS:
        return False
    try:
        return calendar.touches_provisional(start, end)
    except CalendarUnknown as exc:
        raise DeadlineUnknown(exc) from None


class Deadlines(NamedTuple):
    accept_by: datetime
    reply_by: datetime
    #: some working day counted for either clock comes from a provisional calendar
    provisional: bool


def deadlines(
    category: Category | None, urgency: str, start: datetime, calendar: WorkCalendar | None = None
) -> Deadlines:
    """The accept-by and reply-by of a ticket dispatched at `start`."""
    found = inputs()
    calendar = calendar or found.calendar
    rule = rule_for(category, urgency, found.rules)
    accept_by = add(calendar, start, rule.accept_amount, rule.accept_unit)
    reply_by = add(calendar, start, rule.reply_amount, rule.reply_unit)
    return Deadlines(
        accept_by,
        reply_by,
        is_provisional(calendar, start, accept_by, rule.accept_unit)
        or is_provisional(calendar, start, reply_by, rule.reply_unit),
    )


def reply_deadline(
    category: Category | None, urgency: str, start: datetime, calendar: WorkCalendar | None = None
) -> tuple[datetime, bool]:
    """The reply-by alone (a reopened ticket), and whether it is provisional."""
    found = inputs()
    calendar = calendar or found.calendar
    rule = rule_for(category, urgency, found.rules)
    reply_by = add(calendar, start, rule.reply_amount, rule.reply_unit)
    return reply_by, is_provisional(calendar, start, reply_by, rule.reply_unit)


def latest_due(ticket, clock: str, calendar: WorkCalendar | None = None) -> datetime | None:
    """The latest moment the official arrangement could put a ticket's deadline.

    `clock` is "accept" or "reply". On an official calendar it is the deadline itself. On a
    provisional one it is the deadline counted on the cautious calendar, where every weekday
    the yearly 调休 arrangement could still make a rest day rests: nobody is called late, by
    the sweep or in 三率, for a deadline the official calendar could still move past them.
    """
    due = ticket.accept_by if clock == "accept" else ticket.reply_by
    if due is None or not ticket.deadlines_provisional or ticket.clocks_started_at is None:
        return due
    calendar = (calendar or load_calendar()).cautious()
    rule = rule_for(ticket.category, ticket.urgency)
    amount, unit = (
        (rule.accept_amount, rule.accept_unit)
        if clock == "accept"
        else (rule.reply_amount, rule.reply_unit)
    )
    return max(due, add(calendar, ticket.clocks_started_at, amount, unit))
