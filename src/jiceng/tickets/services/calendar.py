"""The holiday calendar as the engine sees it: which years are official, entered or
provisional; entering a year's official arrangement; and recomputing the provisional deadlines
of open tickets when it arrives."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.core import holidays
from jiceng.core.tabular import ImportRefused, Problem, read_table
from jiceng.core.workcalendar import official_year

from .. import deadlines
from ..models import CalendarYear, Holiday, Ticket
from ..states import Status
from .base import _now, transition

SOURCE_LABELS = {
    "official": "官方（chinesecalendar）",
    "entered": "管理员录入",
    "provisional": "暂定（按法定节假日推算，不含调休）",
}


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: str  # official, entered or provisional
    note: str = ""

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.source]


def year_status(year: int, entered: dict[int, str] | None = None) -> YearStatus:
    if entered is None:
        entered = dict(CalendarYear.objects.values_list("year", "note"))
    if year in entered:
        return YearStatus(year, "entered", entered[year])
    if official_year(year):
        return YearStatus(year, "official")
    return YearStatus(year, "provisional")


def status(years: Iterable[int] | None = None, *, today: date | None = None) -> list[YearStatus]:
    """The years around today (last year to two years ahead) and every entered year."""
    today = today or timezone.localdate()
    entered = dict(CalendarYear.objects.values_list("year", "note"))
    wanted = set(years or range(today.year - 1, today.year + 3)) | set(entered)
    return [year_status(y, entered) for y in sorted(wanted)]


def missing_years(*, today: date | None = None) -> list[int]:
    """Years that still lack the official arrangement and matter now: this year, and from
    1 November the next one (the State Council publishes it in November or December)."""
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    entered = dict(CalendarYear.objects.values_list("year", "note"))
    return [y for y in years if year_status(y, entered).source == "provisional"]


@dataclass
class ArrangementResult:
    year: int
    rest_days: int
    work_days: int
    recomputed: int


@transaction.atomic
def enter_arrangement(
    actor,
    year: int,
    days: dict[date, tuple[bool, str]],
    *,
    note: str = "",
    at: datetime | None = None,
) -> ArrangementResult:
    """Store a year's official arrangement (each listed day: works or rests, and its name),
    mark the year entered in full, and recompute every open ticket's provisional deadlines.

    `days` replaces whatever the holiday table held for `year`. Days of other years in it (a
    makeup Sunday at the end of December, say) are stored as single days.
    """
    if not holidays.in_range(year):
        raise ValidationError({"year": f"年份须在 {holidays.FIRST_YEAR}–{holidays.LAST_YEAR} 之间"})
    if not any(day.year == year for day in days):
        raise ValidationError({"file": f"没有 {year} 年的日期"})
    statutory = holidays.statutory_holidays(year)
    wrong = [d for d, (works, _) in sorted(days.items()) if works and d in statutory]
    if wrong:
        raise ValidationError(
            {"file": f"{wrong[0]:%Y-%m-%d} 是法定节假日（{statutory[wrong[0]]}），不能安排上班"}
        )
    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.filter(date__in=list(days)).delete()
    Holiday.objects.bulk_create(
        Holiday(date=day, is_workday=works, name=name[:30])
        for day, (works, name) in sorted(days.items())
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"note": note[:100]})
    deadlines.changed()  # bulk_create sends no signal
    recomputed = recompute_provisional(actor, reason=f"录入 {year} 年官方放假安排", at=at)
    in_year = [works for day, (works, _) in days.items() if day.year == year]
    return ArrangementResult(year, in_year.count(False), in_year.count(True), recomputed)


@transaction.atomic
def recompute_provisional(actor, *, reason: str, at: datetime | None = None) -> int:
    """Recount the running clocks of every open ticket whose deadlines are provisional, on the
    calendar as it stands now. Each ticket gets a `recompute_deadlines` event; the mark stays
    only where a deadline still reaches a year without the official arrangement."""
    at = _now(at)
    calendar = deadlines.load_calendar()
    # a ticket whose clocks have stopped keeps no mark: it says nothing about a running clock
    # (a derived flag, not a step of the ticket: no event)
    Ticket.objects.filter(deadlines_provisional=True).exclude(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS]
    ).update(deadlines_provisional=False)
    tickets = (
        Ticket.objects.select_for_update(of=("self",))
        .filter(deadlines_provisional=True, status__in=[Status.DISPATCHED, Status.IN_PROGRESS])
        .select_related("category", "main_unit")
        .order_by("pk")
    )
    count = 0
    for ticket in tickets:
        start = ticket.clocks_started_at
        old_accept, old_reply = ticket.accept_by, ticket.reply_by
        if ticket.status == Status.DISPATCHED:
            accept_by, reply_by, provisional = deadlines.deadlines(
                ticket.category, ticket.urgency, start, calendar
            )
        else:
            accept_by = old_accept
            reply_by, provisional = deadlines.reply_deadline(
                ticket.category, ticket.urgency, start, calendar
            )
        transition(
            ticket,
            "recompute_deadlines",
            actor,
            at=at,
            changes={
                "accept_by": accept_by,
                "reply_by": reply_by,
                "deadlines_provisional": provisional,
            },
            due_at=reply_by,
            reason=reason,
            data={
                "accept_by": [_iso(old_accept), _iso(accept_by)],
                "reply_by": [_iso(old_reply), _iso(reply_by)],
                "provisional": provisional,
            },
        )
        count += 1
    return count


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


ARRANGEMENT_ALIASES = {
    "日期": "date",
    "安排": "kind",
    "类型": "kind",
    "名称": "name",
    "说明": "name",
}
KINDS = {"放假": False, "休息": False, "休": False, "上班": True, "班": True}


def read_arrangement(path: Path | str) -> dict[date, tuple[bool, str]]:
    """A holiday file: one row per day that differs from the weekly rhythm.

    Columns 日期 (YYYY-MM-DD), 安排 (放假 or 上班) and an optional 名称. Every row is checked;
    a bad row refuses the whole file with its row number.
    """
    table = read_table(path, ["date", "kind"], ["name"], ARRANGEMENT_ALIASES)
    days: dict[date, tuple[bool, str]] = {}
    problems = []
    for line, row in table.rows:
        try:
            day = date.fromisoformat(row["date"].replace("/", "-")[:10])
        except ValueError:
            problems.append(Problem(line, f"日期“{row['date']}”应写成 2027-01-01", "日期"))
            continue
        if row["kind"] not in KINDS:
            problems.append(Problem(line, f"安排“{row['kind']}”应为 放假 或 上班", "安排"))
            continue
        if day in days:
            problems.append(Problem(line, f"{day} 重复出现", "日期"))
            continue
        days[day] = (KINDS[row["kind"]], row.get("name", ""))
    if not days and not problems:
        problems.append(Problem(None, "文件中没有日期"))
    if problems:
        raise ImportRefused(problems)
    return days
