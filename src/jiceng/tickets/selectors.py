"""Reads over tickets and events: lists for the pages and the API, and the 三率 counts."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.dateparse import parse_date

from jiceng.core.text import is_id
from jiceng.orgs.access import Scope, scope_of
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region

from . import deadlines, metrics, rollup
from .models import (
    NEEDS_SUMMARY,
    Category,
    Channel,
    EngineSettings,
    RankingSettings,
    Ticket,
    TicketEvent,
)
from .states import ASSIGNING, OPEN, Status

_OPEN = sorted(s.value for s in OPEN)

LEVEL_DIGITS = {"county": 6, "township": 9, "village": 12}


def weights() -> metrics.Weights:
    config = EngineSettings.current()
    return metrics.Weights(
        response=float(config.weight_response),
        solved=float(config.weight_solved),
        satisfied=float(config.weight_satisfied),
        credit={
            "满意": float(config.credit_satisfied),
            "基本满意": float(config.credit_basic),
            "不满意": float(config.credit_unsatisfied),
        },
    )


def min_sample() -> metrics.MinSample:
    config = RankingSettings.current()
    return metrics.MinSample(config.min_dispatched, config.min_callbacks)


def _scope_ids(scope: Scope | None, by: str) -> tuple[str, set] | None:
    """The scope as ("unit_id" or "region_id", the ids inside it), or None for everything:
    its units, or with `by="region"` the places of its subtree (tickets located there).

    The subtree is looked up first, as a list of ids: a `path LIKE` joined into a query over a
    million events makes PostgreSQL guess one matching row and pick a nested loop."""
    if scope is None or scope.everything:
        return None
    if scope.empty:
        return ("unit_id", set())
    if scope.unit_id:
        return ("unit_id", {scope.unit_id})
    if by == "region":
        regions = Region.objects.filter(path__startswith=scope.path)
        return ("region_id", set(regions.values_list("id", flat=True)))
    units = Unit.objects.filter(region__path__startswith=scope.path)
    return ("unit_id", set(units.values_list("id", flat=True)))


def _scope_q(scope: Scope | None, by: str, prefix: str = "ticket__") -> Q:
    """Events (or, with `prefix=""`, rollup cells) inside the scope (see `_scope_ids`)."""
    ids = _scope_ids(scope, by)
    if ids is None:
        return Q()
    field, inside = ids
    if not inside:
        return Q(pk__in=[])
    if field == "region_id":
        return Q(**{f"{prefix}region_id__in": sorted(inside)})
    return Q(unit_id__in=sorted(inside))


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


# 三率 count residents' requests only: 主动治理 items (未诉先办) are staff's own work. Few
# tickets, looked up once as a hashed sub-select, as the returns awaiting a ruling are.
COUNTED = ~Q(ticket_id__in=Ticket.objects.filter(channel=Channel.PROACTIVE).values("id"))


def final_assignments(start: datetime, end: datetime, as_of: datetime | None = None) -> QuerySet:
    """Assigning events in [start, end) that were the ticket's last: the unit kept the ticket.

    Each is annotated `on_time` (the unit accepted by its accept-by) and `pending`: not
    accepted, and either its accept-by is still ahead of `as_of` (now) or the unit's return
    waits for a dispatcher's ruling. A pending ticket is neither on time nor late yet.

    Reads the derived columns `superseded_at` and `accepted_at` (see `TicketEvent`), one row
    per ticket from the partial index `event_final_assignment`."""
    as_of = as_of or timezone.now()
    return (
        TicketEvent.objects.filter(
            # sorted, as in the partial index's condition, so PostgreSQL matches the two
            action__in=sorted(ASSIGNING),
            superseded_at__isnull=True,
            at__gte=start,
            at__lt=end,
        )
        .filter(COUNTED)
        .annotate(
            on_time=ExpressionWrapper(
                Q(accepted_at__isnull=False, accepted_at__lte=F("due_at")),
                output_field=BooleanField(),
            ),
            pending=ExpressionWrapper(
                Q(accepted_at__isnull=True)
                & (
                    Q(due_at__gt=as_of)
                    # a return waiting for its ruling: few tickets, looked up once, no join
                    | Q(ticket_id__in=Ticket.objects.filter(status=Status.RETURNED).values("id"))
                ),
                output_field=BooleanField(),
            ),
        )
    )


def last_callbacks(start: datetime, end: datetime) -> QuerySet:
    """Each ticket's last counted callback event in [start, end): none of the ticket's later
    counted callbacks falls before `end`. A callback that does not count (a resident's rating
    of a ticket the unit's own staff filed, see `services.workflow.callback`) is never read."""
    return (
        TicketEvent.objects.filter(action="callback", counted=True, at__gte=start, at__lt=end)
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=end))
        .filter(COUNTED)
    )


# The tickets behind each figure of a ranking row, for the drill-down: (label, source, filter).
MEASURES = {
    "dispatched": ("计入响应率的派单", "assigned", Q(pending=False)),
    "on_time": ("按时接单", "assigned", Q(on_time=True)),
    "late": ("未按时接单", "assigned", Q(pending=False, on_time=False)),
    "pending": ("待接单、未到时限（不计入）", "assigned", Q(pending=True)),
    "callbacks": ("回访", "callback", Q()),
    "solved": ("回访为已解决", "callback", Q(solved=True)),
    "unsolved": ("回访为未解决", "callback", ~Q(solved=True)),
    "unsatisfied": ("回访为不满意", "callback", Q(satisfaction="不满意")),
}


def measured_tickets(
    measure: str, period: str, *, unit_id: int | None = None, region_path: str | None = None
) -> QuerySet:
    """The ids of the tickets counted in one figure of a ranking row: the same events, the
    same period and the same rule as `rate_counts`, so the list has as many rows as the
    figure says."""
    _, source, where = MEASURES[measure]
    start, end = metrics.period_bounds(period)
    events = final_assignments(start, end) if source == "assigned" else last_callbacks(start, end)
    events = events.filter(where)
    if unit_id is not None:
        events = events.filter(unit_id=unit_id)
    if region_path is not None:
        events = events.filter(ticket__region__path__startswith=region_path)
    return events.values("ticket_id")


def rate_counts(
    period: str | tuple,
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    user=None,
    as_of: datetime | None = None,
) -> list[metrics.Counts]:
    """Per-unit (or per-region, or per-channel) counts for the 三率 of `period` ("2026-03",
    "2026-Q4", "2026", or a (start, end) pair of aware datetimes), inside the scope. Pending
    tickets (see `final_assignments`) are counted apart, as of `as_of` (now).

    A month, quarter or year counted as of now sums the months kept by `rollup`, and counts
    the months it may not keep from the events; any other window is counted from the events."""
    if user is not None:
        scope = scope_of(user)
    if isinstance(period, tuple):
        rows = _event_rows(*period, by, level, scope, as_of)
    else:
        p = metrics.parse_period(period)
        rows = _rows(p.months(), rollup.SPANS[p.kind], by, level, scope, as_of, monthly=False)
    return _assemble(rows, by, level).get(None, [])


def monthly_rate_counts(
    months: list[str],
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> dict[str, list[metrics.Counts]]:
    """`rate_counts` for each of `months` ("2026-01", …), each month its own period."""
    periods = [metrics.parse_period(m) for m in months]
    found = _assemble(_rows(periods, "m", by, level, scope, as_of, monthly=True), by, level)
    return {m: found.get(m, []) for m in months}


def _key(by: str, level: str, prefix: str = ""):
    """The grouping expression: over events (prefix "") or over rollup cells."""
    ticket = "ticket__" if not prefix else ""
    if by == "unit":
        return F("unit_id")
    if by == "region":
        return Substr(f"{ticket}region__code", 1, LEVEL_DIGITS[level])
    if by == "channel":
        return F(f"{ticket}channel")
    if by == "scope":
        return Value("scope")
    raise ValueError(by)


def _rows(months, span, by, level, scope, as_of, *, monthly) -> list[dict]:
    """Count rows of whole months: from the rollup where it keeps them (as of now only), and
    for the others from one count of the month's events at the rollup's grain (`rollup.live`,
    shared by the reads of a request), callbacks counted as the last of their `span`."""
    stored = {} if as_of is not None else rollup.stored_months(months)
    rows = rollup.sums(
        stored, _key(by, level, "cell"), _scope_q(scope, by, prefix=""), span, monthly=monthly
    )
    inside = _scope_ids(scope, by)
    for month in months:
        if month not in stored:
            rows += _cell_rows(rollup.live(month, as_of), month, span, by, level, inside, monthly)
    return rows


def _cell_rows(cells: dict, month, span, by, level, inside, monthly) -> list[dict]:
    """Rows like `rollup.sums` gives, from one month's counted cells, summed in Python."""
    if inside is not None:
        at = 0 if inside[0] == "unit_id" else 1
        cells = {key: c for key, c in cells.items() if key[at] in inside[1]}
    if by == "region":
        ids = {region_id for _, region_id, _ in cells}
        codes = dict(Region.objects.filter(pk__in=ids).values_list("pk", "code"))
        digits = LEVEL_DIGITS[level]

    def key_of(unit_id, region_id, channel):
        if by == "unit":
            return unit_id
        if by == "region":
            code = codes.get(region_id)
            return code[:digits] if code else None
        if by == "channel":
            return channel
        return "scope"

    first_day = month.start.date()
    out: dict = {}
    for key, c in cells.items():
        row = out.setdefault(key_of(*key), {})
        for name in rollup.ASSIGNED:
            row[name] = row.get(name, 0) + c.get(name, 0)
        for part in rollup.PARTS:
            row[part] = row.get(part, 0) + c.get(f"{span}_{part}", 0)
    return [
        {"k": k, **({"month": first_day} if monthly else {}), **values} for k, values in out.items()
    ]


def _event_rows(start, end, by, level, scope, as_of) -> list[dict]:
    """Count rows of any window [start, end) from the events: a callback counts when it is
    the ticket's last before `end`."""
    where = _scope_q(scope, by)
    key = _key(by, level)
    rows = list(
        final_assignments(start, end, as_of)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(  # counting unit_id, which the index holds: no visit to the table
            dispatched=Count("unit_id", filter=Q(pending=False)),
            on_time=Count("unit_id", filter=Q(on_time=True)),
            pending=Count("unit_id", filter=Q(pending=True)),
        )
        .order_by()
    )
    rows += (
        last_callbacks(start, end)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(
            n=Count("unit_id"),
            solved=Count("unit_id", filter=Q(solved=True)),
            s1=Count("unit_id", filter=Q(satisfaction="满意")),
            s2=Count("unit_id", filter=Q(satisfaction="基本满意")),
            s3=Count("unit_id", filter=Q(satisfaction="不满意")),
        )
        .order_by()
    )
    return rows


def _assemble(rows: list[dict], by: str, level: str) -> dict:
    """{month text or None: [Counts]} from count rows, summing rows of the same key."""
    table: dict[tuple, dict] = {}
    for row in rows:
        if row["k"] is None:
            continue
        month = row.get("month")
        m = (
            metrics.month_of(month).text
            if isinstance(month, datetime)
            else (f"{month.year:04d}-{month.month:02d}" if month else None)
        )
        into = table.setdefault((m, str(row["k"])), {})
        for name in ("dispatched", "on_time", "pending", "n", "solved", "s1", "s2", "s3"):
            into[name] = into.get(name, 0) + (row.get(name) or 0)
    names = _names(by, list({k for _, k in table}), level)
    result: dict = {}
    for (m, k), c in table.items():
        code, name, kind = names.get(k, (k, k, ""))
        result.setdefault(m, []).append(
            metrics.Counts(
                key=code,
                name=name,
                kind=kind,
                dispatched=c.get("dispatched", 0),
                on_time=c.get("on_time", 0),
                pending=c.get("pending", 0),
                callbacks=c.get("n", 0),
                solved=c.get("solved", 0),
                answers={
                    "满意": c.get("s1", 0),
                    "基本满意": c.get("s2", 0),
                    "不满意": c.get("s3", 0),
                },
            )
        )
    return result


def _names(by: str, keys: list[str], level: str) -> dict[str, tuple[str, str, str]]:
    """key -> (code, name, kind): a unit's code, name and kind (`UnitCategory`), or a
    region's full 12-digit code, name and level."""
    if by == "unit":
        rows = Unit.objects.filter(pk__in=keys).values_list("pk", "code", "name", "type__category")
        return {str(pk): (code, name, kind) for pk, code, name, kind in rows}
    if by == "channel":
        return {k: (k, Channel(k).label if k in Channel.values else k, "channel") for k in keys}
    if by == "scope":
        return {k: (k, "合计", "") for k in keys}
    codes = {k.ljust(12, "0"): k for k in keys}
    rows = Region.objects.filter(code__in=codes).values_list("code", "name", "level")
    return {codes[code]: (code, name, kind) for code, name, kind in rows}


def ranking(
    period: str,
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    user=None,
    minimum: metrics.MinSample | None = None,
) -> list[metrics.Row]:
    """The ranking of `period`; below the assessors' minimum sample a row is 样本不足."""
    counts = rate_counts(period, by=by, level=level, scope=scope, user=user)
    return metrics.rank(counts, weights(), min_sample() if minimum is None else minimum)


# How 通报 group units, so like is ranked with like: (label, unit kinds).
KIND_GROUPS = [
    ("社区和村", {"community", "village"}),
    ("乡镇（街道）", {"township"}),
    ("政府部门", {"department"}),
    ("物业服务企业", {"property"}),
    ("公共服务企业", {"public_service"}),
]
LEVEL_GROUPS = [("county", "县市"), ("township", "乡镇（街道）"), ("village", "村（社区）")]
VIEWS = {"kind": "按单位类别", "region": "按区划层级"}
BIG, SMALL = "件量较大", "件量较小"


def _volume(config: RankingSettings, months: int):
    """A row's volume class suffix ("·件量较大"), or "" with the option off."""

    def suffix(c: metrics.Counts) -> str:
        if not config.volume_groups:
            return ""
        return "·" + (BIG if c.dispatched + c.pending >= config.volume_split * months else SMALL)

    return suffix


def unit_groups(months: int = 1) -> tuple:
    """(group_of, order) for ranking units like with like: by kind, then by volume when the
    assessors turned that on. The dashboard, the 通报 and a unit's own page share it."""
    config = RankingSettings.current()
    volume = _volume(config, months)
    label_of = {kind: label for label, kinds in KIND_GROUPS for kind in kinds}
    order = tuple(
        label + suffix
        for label, _ in KIND_GROUPS
        for suffix in (["·" + BIG, "·" + SMALL] if config.volume_groups else [""])
    )
    return (lambda c: label_of.get(c.kind, "其他单位") + volume(c)), order


def grouped_ranking(
    period: str,
    *,
    view: str = "kind",
    scope: Scope | None = None,
    user=None,
    minimum: metrics.MinSample | None = None,
) -> list[tuple[str, list[metrics.Row]]]:
    """The rankings of a 通报, one per group: units by kind (`view="kind"`), or regions by
    level (`view="region"`). With the assessors' volume option on, each group is split once
    more into its large and small units by tickets dispatched."""
    minimum = min_sample() if minimum is None else minimum
    w = weights()
    months = metrics.parse_period(period).month_count if isinstance(period, str) else 1
    if view == "region":
        volume = _volume(RankingSettings.current(), months)
        out = []
        for level, label in LEVEL_GROUPS:
            counts = rate_counts(period, by="region", level=level, scope=scope, user=user)
            out += metrics.rank_groups(
                counts, w, minimum, lambda c, label=label: label + volume(c), (label,)
            )
        return out
    if view != "kind":
        raise ValueError(view)
    group_of, order = unit_groups(months)
    counts = rate_counts(period, by="unit", scope=scope, user=user)
    return metrics.rank_groups(counts, w, minimum, group_of, order)


def scope_rates(start, end, scope: Scope) -> metrics.Row:
    """The 三率 of everything the units inside `scope` handled in [start, end), as one row."""
    counts = rate_counts((start, end), by="scope", scope=scope)
    return metrics.rate(counts[0] if counts else metrics.Counts("scope", "合计"), weights())


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
