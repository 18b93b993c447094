"""Deadlines in working time: the holiday table and settings feed the pure `WorkCalendar`.

A deadline never falls back to calendar days. When neither `chinesecalendar` nor the holiday
table knows a day, `DeadlineUnknown` (a ServiceError) says which year to fill in.
"""

from datetime import datetime, timedelta

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


def load_calendar(settings: EngineSettings | None = None) -> WorkCalendar:
    settings = settings or EngineSettings.current()
    return WorkCalendar(
        overrides=dict(Holiday.objects.values_list("date", "is_workday")),
        complete_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        day_start=settings.day_start,
        day_end=settings.day_end,
    )


def rule_for(category: Category | None, urgency: str) -> DeadlineRule:
    rules = {r.category_id: r for r in DeadlineRule.objects.filter(urgency=urgency)}
    for node in category.lineage() if category else []:
        if node.pk in rules:
            return rules[node.pk]
    if None in rules:
        return rules[None]
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


def deadlines(
    category: Category | None, urgency: str, start: datetime, calendar: WorkCalendar | None = None
) -> tuple[datetime, datetime]:
    """(accept_by, reply_by) for a ticket dispatched at `start`."""
    calendar = calendar or load_calendar()
    rule = rule_for(category, urgency)
    return (
        add(calendar, start, rule.accept_amount, rule.accept_unit),
        add(calendar, start, rule.reply_amount, rule.reply_unit),
    )
