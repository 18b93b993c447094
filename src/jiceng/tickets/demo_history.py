"""Two years of closed demo tickets, at the article's scale, written in bulk.

The source article's 昌吉市 solved about 1,500 requests in eight months: about 2,000 a year. The
other counties get the same rate per resident, by the resident populations of the sixth census
(昌吉州第六次全国人口普查主要数据公报, 2010: 昌吉市 426,253, 阜康市 165,006, 呼图壁县 210,201,
玛纳斯县 237,558, 奇台县 210,566, 吉木萨尔县 113,284, 木垒县 65,719). That is about 6,700 requests a
year in the prefecture.

The services are not the point of this history (the half year `tickets.demo.seed` makes through
them is): each ticket is received, dispatched, accepted, replied to and called back once, and its
rows are written with `bulk_create`, as `bench/run.py` does in SQL, with the derived columns the
services keep (`TicketEvent.accepted_at`). The deadlines are the engine's own, in working time.
Each unit has its own manner (how often it accepts late, how often the resident is satisfied), so
that the rankings have something to tell. The months kept by the rollup are counted again.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from jiceng.core import names
from jiceng.orgs.models import Unit
from jiceng.regions.models import Kind, Region

from . import deadlines, services
from .demo import REPLIES, TEMPLATES, _office_hours
from .models import Category, Status, Ticket
from .services.intake import new_code

PREFIX = "CH"  # history tickets: CH + date + serial
CHANGJI_CITY_PER_YEAR = 2000
POPULATION = {
    "652301": 426_253,  # 昌吉市
    "652302": 165_006,  # 阜康市
    "652323": 210_201,  # 呼图壁县
    "652324": 237_558,  # 玛纳斯县
    "652325": 210_566,  # 奇台县
    "652327": 113_284,  # 吉木萨尔县
    "652328": 65_719,  # 木垒县
}
LABEL = "演示历史数据"


def per_year() -> dict[str, int]:
    """Requests a year by county code prefix, at 昌吉市's rate per resident."""
    rate = CHANGJI_CITY_PER_YEAR / POPULATION["652301"]
    return {code: round(people * rate) for code, people in POPULATION.items()}


def seed(*, months: int = 24, until: datetime | None = None, stdout=None) -> int:
    """Write `months` of history ending `until` (default: a fortnight ago, so that the recent
    weeks are left to the services). Returns the tickets written; 0 when already there."""
    if Ticket.objects.filter(number__startswith=PREFIX).exists():
        return 0
    until = until or timezone.now() - timedelta(days=14)
    start = until - timedelta(days=round(months * 365 / 12))
    rng = random.Random(20250101)
    categories = {c.full_name: c for c in Category.objects.all()}
    templates = [t for t in TEMPLATES if t.category in categories]
    villages = list(
        Region.objects.filter(level="village", kind__in=[Kind.COMMUNITY, Kind.VILLAGE]).exclude(
            parent__name__startswith="兵团"
        )
    )
    by_county: dict[str, list[Region]] = {}
    for village in villages:
        by_county.setdefault(village.code[:6], []).append(village)
    local = {u.region_id: u for u in Unit.objects.filter(type__code__in=["community", "village"])}
    departments = {
        (u.region.code[:6], u.type.code): u
        for u in Unit.objects.filter(region__level="county", is_active=True).select_related(
            "region", "type"
        )
    }
    manner: dict[int, tuple[float, float]] = {}  # unit id -> (late share, satisfied share)
    calendar = deadlines.load_calendar()
    tickets: list[Ticket] = []
    plans: list[tuple] = []
    serial = 0
    span = (until - start).total_seconds()
    for county, yearly in per_year().items():
        places = by_county.get(county, [])
        if not places:
            continue
        for _ in range(round(yearly * months / 12)):
            template = rng.choice(templates)
            fitting = [
                v
                for v in places
                if template.where == "any"
                or (template.where == "urban") == (v.kind == Kind.COMMUNITY)
            ] or places
            village = rng.choice(fitting)
            unit = (
                local.get(village.pk)
                if template.handler == "local"
                else departments.get((county, template.handler))
            )
            if unit is None:
                continue
            received = _office_hours(start + timedelta(seconds=rng.uniform(0, span)), rng)
            if received >= until:
                continue
            late, happy = manner.setdefault(
                unit.pk, (rng.choice([0.02, 0.05, 0.1, 0.2]), rng.uniform(0.55, 0.92))
            )
            serial += 1
            ticket, plan = _ticket(
                rng,
                serial,
                template,
                village,
                unit,
                categories[template.category],
                received,
                calendar,
                late,
                happy,
            )
            tickets.append(ticket)
            plans.append(plan)
    with services.as_system(LABEL, notify=False):
        services.record_history(
            [(ticket, _steps(ticket, *plan)) for ticket, plan in zip(tickets, plans, strict=True)]
        )
    if stdout is not None:
        stdout.write(f"  近 {months} 个月的历史工单 {len(tickets)} 件（按人口比例，批量写入）")
    return len(tickets)


def _ticket(rng, serial, template, village, unit, category, received, calendar, late, happy):
    who = names.person(rng)
    place = village.name.replace("居委会", "").replace("村民委员会", "村").replace("委员会", "")
    content = template.content.format(
        place=place, building=rng.randint(1, 24), unit=rng.randint(1, 6), count=rng.randint(3, 20)
    )
    dispatched = received + timedelta(hours=rng.uniform(0.2, 3))
    due = deadlines.deadlines(category, template.urgency, dispatched, calendar)
    on_time = rng.random() >= late
    accepted = (
        dispatched + (due.accept_by - dispatched) * rng.uniform(0.05, 0.9)
        if on_time
        else due.accept_by + timedelta(hours=rng.uniform(1, 30))
    )
    replied = min(
        accepted + timedelta(hours=rng.uniform(4, 120)),
        due.reply_by + timedelta(hours=rng.uniform(0, 24)),
    )
    called = replied + timedelta(hours=rng.uniform(20, 60))
    solved = rng.random() < (0.8 + happy / 10)
    mood = rng.random()
    satisfaction = (
        ("满意" if mood < happy else "基本满意" if mood < happy + (1 - happy) * 0.7 else "不满意")
        if solved
        else ("不满意" if mood < 0.6 else "基本满意")
    )
    reply = REPLIES.get(template.handler, REPLIES["local"])
    status = Status.CLOSED if solved and satisfaction != "不满意" else Status.REVIEW
    ticket = Ticket(
        number=f"{PREFIX}{timezone.localtime(received):%Y%m%d}{serial:05d}",
        tracking_code=new_code(),
        channel=rng.choice(["hotline"] * 6 + ["web"] * 2 + ["grid", "meeting"]),
        requester_name=who["name"][0] + ("女士" if who["gender"] == "女" else "先生"),
        requester_phone=names.mobile(rng),
        title=template.title,
        content=content,
        category=category,
        urgency=template.urgency,
        region=village,
        placed_by="chosen",
        place_certain=True,
        status=status,
        main_unit=unit,
        received_at=received,
        accept_by=due.accept_by,
        reply_by=due.reply_by,
        accepted_at=accepted,
        replied_at=replied,
        closed_at=called if status == Status.CLOSED else None,
        reply=reply,
        solved=solved,
        satisfaction=satisfaction,
        deadlines_provisional=False,
        updated_at=called,
        language="zh-hans",
        text_language="zh",
    )
    return ticket, (unit, dispatched, accepted, replied, called, solved, satisfaction)


def _steps(ticket, unit, dispatched, accepted, replied, called, solved, satisfaction):
    """The five steps of a history ticket, as `services.record_history` takes them."""

    def step(action, at, old, new, **fields):
        return {"action": action, "at": at, "from_status": old, "to_status": new, **fields}

    return [
        step("receive", ticket.received_at, "", Status.RECEIVED),
        step(
            "dispatch",
            dispatched,
            Status.RECEIVED,
            Status.DISPATCHED,
            unit=unit,
            due_at=ticket.accept_by,
            accepted_at=accepted,
        ),
        step("accept", accepted, Status.DISPATCHED, Status.IN_PROGRESS, unit=unit),
        step(
            "reply",
            replied,
            Status.IN_PROGRESS,
            Status.REPLIED,
            unit=unit,
            due_at=ticket.reply_by,
            reason=ticket.reply,
            data={"on_time": replied <= ticket.reply_by},
        ),
        step(
            "callback",
            called,
            Status.REPLIED,
            ticket.status,
            unit=unit,
            solved=solved,
            satisfaction=satisfaction,
            data={"solved": solved, "satisfaction": satisfaction},
        ),
    ]
