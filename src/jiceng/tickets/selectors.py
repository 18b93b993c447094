"""Reads over tickets for the workbench and the API: the search box, the queues, the 双语受理
queue and the grids a worker walks. The 三率 are read in `rates`."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from jiceng.core.text import is_id

from . import deadlines, metrics
from .models import (
    NEEDS_SUMMARY,
    Category,
    Channel,
)
from .rates.reads import MEASURES, measured_tickets
from .states import OPEN, Status

_OPEN = sorted(s.value for s in OPEN)


def category(code: str | None) -> Category | None:
    """The active category with this code: how every form, API and Open311 reads one."""
    code = (code or "").strip()
    if not code or len(code) > 20:
        return None
    return Category.objects.filter(code=code, is_active=True).first()


def categories_q(codes) -> Q:
    """Tickets in any of these categories or below them (a code and its sub-codes)."""
    match = Q(pk__in=[])
    for code in codes:
        match |= Q(category__code__startswith=code)
    return match


def search_q(q: str) -> Q:
    """What staff type in the search box: a ticket number, a resident's tracking code, words
    of the title or the request, or the caller's full phone number. A phone is matched
    through its keyed blind index (the number itself is stored encrypted and never shown)."""
    from jiceng.core import crypto

    found = Q(number=q) | Q(tracking_code=q.upper()) | Q(title__contains=q) | Q(content__contains=q)
    digits = crypto.normalize_phone(q)
    if 7 <= len(digits) <= 12 and all(ch.isdigit() or ch in " -+()" for ch in q):
        found |= Q(requester_phone_index=crypto.blind(digits))
    return found


# (key, label, filter) — the queues; each role sees the tabs that matter to it.
QUEUES = {
    "grid": ("我的网格", None),  # computed below: open tickets in the worker's grids
    "received": ("待派单", Q(status=Status.RECEIVED)),
    "returned": ("退单待审", Q(status=Status.RETURNED)),
    "extension": (
        "延期申请",
        Q(extension_requested_until__isnull=False, status=Status.IN_PROGRESS),
    ),
    "review": ("回访未满意", Q(status=Status.REVIEW)),
    "todo": ("待接单", Q(status=Status.DISPATCHED)),
    "doing": ("办理中", Q(status=Status.IN_PROGRESS)),
    "callback": ("待回访", Q(status=Status.REPLIED)),
    "due_today": ("今日到期", None),  # computed below
    "due_soon": ("即将超时", None),  # computed below: the next 24 hours
    "overdue": ("已超时", Q(overdue_at__isnull=False, status__in=_OPEN)),
    "escalated": ("超时升级", Q(escalated_at__isnull=False, status__in=_OPEN)),
    "supervised": ("督办中", Q(is_supervised=True, status__in=_OPEN)),
    # 双语受理: requests written in Uyghur or Kazakh wait for a Chinese summary; replies to
    # residents who use those languages wait for a translation
    "bilingual": (
        "双语受理",
        Q(text_language__in=NEEDS_SUMMARY, summary="", status__in=_OPEN),
    ),
    "translate": (
        "答复待译",
        Q(status__in=[Status.REPLIED, Status.REVIEW, Status.CLOSED], reply_local="")
        & ~Q(reply="")
        & ~Q(language=settings.LANGUAGE_CODE),
    ),
    "all": ("全部", Q()),
}


def queue_q(key: str, user) -> Q:
    """The filter of a work-list tab (`QUEUES`) for `user`."""
    if key == "grid":
        return Q(grid_id__in=grids_walked_by(user), status__in=_OPEN)
    if key == "due_soon":
        now = timezone.now()
        soon = now + timedelta(hours=24)
        return Q(status=Status.DISPATCHED, accept_by__gte=now, accept_by__lt=soon) | Q(
            status=Status.IN_PROGRESS, reply_by__gte=now, reply_by__lt=soon
        )
    if key == "due_today":
        today = timezone.localdate()
        start = timezone.make_aware(datetime.combine(today, time.min))
        end = start + timedelta(days=1)
        return Q(status=Status.DISPATCHED, accept_by__gte=start, accept_by__lt=end) | Q(
            status=Status.IN_PROGRESS, reply_by__gte=start, reply_by__lt=end
        )
    return QUEUES[key][1]


@dataclass
class Search:
    tickets: QuerySet
    problems: list[str]
    q: str = ""
    status: str = ""
    period: str = ""
    measure: str = ""


def search(tickets: QuerySet, params) -> Search:
    """The work list's search, the one way every page and export narrows tickets: words or a
    number (`search_q`), status, channel, received dates (`from`, `to`), unit, place subtree
    (`region`), category (its code and below), and a figure of the 三率 (`measure` in
    `period`). A bad parameter is ignored and said in `problems`, in Chinese."""
    problems: list[str] = []
    q = params.get("q", "").strip()[:100]
    if q:
        tickets = tickets.filter(search_q(q))
    status = params.get("status", "").strip()
    if status in {s.value for s in Status}:
        tickets = tickets.filter(status=status)
    elif status:
        problems.append("状态参数不正确，已忽略")
        status = ""
    for param, lookup in [("from", "received_at__gte"), ("to", "received_at__lt")]:
        raw = params.get(param, "").strip()
        if not raw:
            continue
        try:
            day = parse_date(raw) if len(raw) == 10 else None
        except ValueError:  # well formed, but no such day (2026-13-01)
            day = None
        if day is None:
            problems.append(f"日期“{raw[:20]}”不正确，应为 2026-12-01 的形式，已忽略")
            continue
        if param == "to":
            day += timedelta(days=1)  # the end day is included
        tickets = tickets.filter(**{lookup: timezone.make_aware(datetime.combine(day, time.min))})
    unit = params.get("unit", "").strip()
    if unit and not is_id(unit):
        problems.append("承办单位参数不正确，已忽略")
        unit = ""
    period = params.get("period", "").strip()
    if period:
        try:
            start, end = metrics.period_bounds(period)
        except metrics.BadPeriod as exc:
            problems.append(f"统计期不正确，已忽略：{exc}")
            period = ""
    measure = params.get("measure", "").strip()
    if measure and (measure not in MEASURES or not period):
        problems.append("统计口径参数不正确，已忽略")
        measure = ""
    if measure:
        # the tickets behind a figure of the 三率 ranking: its unit's events in its period
        tickets = tickets.filter(
            pk__in=measured_tickets(measure, period, unit_id=int(unit) if unit else None)
        )
    else:
        if unit:
            tickets = tickets.filter(main_unit_id=unit)
        if period:
            tickets = tickets.filter(received_at__gte=start, received_at__lt=end)
    channel = params.get("channel", "").strip()
    if channel in Channel.values:
        tickets = tickets.filter(channel=channel)
    elif channel:
        problems.append("受理渠道参数不正确，已忽略")
    code = params.get("category", "").strip()
    if code:
        tickets = tickets.filter(categories_q([code]))
    region = params.get("region", "").strip()
    if region:
        tickets = tickets.filter(region__path__contains=f"/{region}/")
    return Search(tickets, problems, q=q, status=status, period=period, measure=measure)


def grids_walked_by(user) -> list[int]:
    """The grids a person walks: their current 网格员 posts (an account without a person walks
    none)."""
    if user is None or not user.person_id:
        return []
    from jiceng.orgs.models import Post, PostKind

    return list(
        Post.objects.filter(
            person_id=user.person_id,
            kind=PostKind.GRID_WORKER,
            ended_on__isnull=True,
            grid__isnull=False,
        ).values_list("grid_id", flat=True)
    )


@dataclass
class BilingualQueue:
    """The 双语受理 queue as a reader sees it: requests in another language still without
    their Chinese summary. No deadline runs before a dispatch, so no 三率 counts them while
    they wait; this is where they show. `late` are those waiting longer than
    `BILINGUAL_WAIT_WORK_HOURS` working hours."""

    waiting: int
    late: int
    oldest: list  # the oldest few: (ticket, hours waited)


def bilingual_queue(tickets, now: datetime | None = None, shown: int = 5) -> BilingualQueue:
    now = now or timezone.now()
    waiting = tickets.filter(QUEUES["bilingual"][1])
    calendar = deadlines.load_calendar()
    hours = settings.BILINGUAL_WAIT_WORK_HOURS
    late = 0
    oldest = []
    for i, ticket in enumerate(
        waiting.order_by("received_at", "id").only(
            "pk", "number", "title", "received_at", "text_language"
        )
    ):
        is_late = deadlines.add(calendar, ticket.received_at, hours, "work_hours") < now
        late += is_late
        if i < shown:
            oldest.append((ticket, round((now - ticket.received_at).total_seconds() / 3600, 1)))
        if not is_late and i >= shown:
            break  # the rest came in later still: none of them is late
    return BilingualQueue(waiting=waiting.count(), late=late, oldest=oldest)
