"""评价异常线索: patterns in where ratings come from that are worth a supervisor's look.

A lead never punishes by itself and changes no figure: it says what was seen and lists the
tickets behind it. Reads only, over the tickets a user may see:

- one phone rating the same unit again and again (`SAME_PHONE` times or more in the period);
- a requester phone that is the phone of a person holding a post (the people's phones are
  stored, encrypted, with a blind index the tickets' phones share);
- ratings given within minutes of the reply (`QUICK_MINUTES`), at night, or in bursts
  (`BURST` ratings of one unit within an hour);
- a unit whose satisfaction from the ratings of tickets its own staff filed differs sharply
  from its counted answers (`GAP` points, with at least `MIN_EACH` of each).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from jiceng.orgs.access import visible
from jiceng.orgs.models import Person, Post, Unit

from .access import visible_tickets
from .models import TicketEvent

SAME_PHONE = 3
QUICK_MINUTES = 10
QUICK_MIN = 2
NIGHT = (22, 6)  # local hours: from 22:00 to 06:00
NIGHT_MIN = 3
BURST = 5
GAP = 20.0
MIN_EACH = 3
GOOD = ("满意", "基本满意")


@dataclass
class Lead:
    kind: str  # same_phone, staff_phone, quick, night, burst, own_filings
    label: str
    unit: str
    detail: str
    tickets: list[tuple[int, str]] = field(default_factory=list)  # (id, number)


KINDS = {
    "same_phone": "同一号码反复评价同一单位",
    "staff_phone": "诉求人号码是在职人员的号码",
    "quick": "答复后几分钟内即评价",
    "night": "夜间集中评价",
    "burst": "短时间内集中评价",
    "own_filings": "本单位登记工单的满意率明显偏高",
}


def _ratings(user, start: datetime, end: datetime) -> list[dict]:
    tickets = visible_tickets(user).values("pk")
    return list(
        TicketEvent.objects.filter(
            action="callback", by_resident=True, at__gte=start, at__lt=end, ticket_id__in=tickets
        )
        .values(
            "id",
            "at",
            "unit_id",
            "satisfaction",
            "counted",
            "ticket_id",
            "ticket__number",
            "ticket__requester_phone_index",
            "ticket__filed_by_unit_id",
        )
        .order_by("at", "id")
    )


def _names(unit_ids) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "name"))


def _refs(rows) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for r in rows:
        seen.setdefault(r["ticket_id"], r["ticket__number"])
    return sorted(seen.items(), key=lambda item: item[1])


def leads(user, start: datetime, end: datetime) -> list[Lead]:
    """Every lead of [start, end) inside `user`'s scope, by kind, then unit."""
    ratings = _ratings(user, start, end)
    names = _names([r["unit_id"] for r in ratings if r["unit_id"]])
    found: list[Lead] = []
    found += _same_phone(ratings, names)
    found += _staff_phone(user, start, end)
    found += _timing(ratings, names, end)
    found += _own_filings(ratings, names)
    order = list(KINDS)
    return sorted(found, key=lambda lead: (order.index(lead.kind), lead.unit, lead.detail))


def _same_phone(ratings, names) -> list[Lead]:
    groups = defaultdict(list)
    for r in ratings:
        if r["ticket__requester_phone_index"] and r["unit_id"]:
            groups[(r["ticket__requester_phone_index"], r["unit_id"])].append(r)
    return [
        Lead(
            "same_phone",
            KINDS["same_phone"],
            names.get(unit_id, ""),
            f"同一手机号在本期对该单位评价 {len(rows)} 次",
            _refs(rows),
        )
        for (_phone, unit_id), rows in groups.items()
        if len(rows) >= SAME_PHONE
    ]


def _staff_phone(user, start, end) -> list[Lead]:
    """Tickets received in the period whose requester phone is a post holder's phone."""
    holders = Post.objects.filter(ended_on__isnull=True).values("person_id")
    people = {
        index: (name, pk)
        for pk, name, index in visible(user, Person.objects.filter(pk__in=holders))
        .exclude(phone_index="")
        .values_list("pk", "name", "phone_index")
    }
    if not people:
        return []
    rows = (
        visible_tickets(user)
        .filter(received_at__gte=start, received_at__lt=end, requester_phone_index__in=people)
        .values_list("pk", "number", "requester_phone_index", "main_unit__name")
        .order_by("number")
    )
    by_person = defaultdict(list)
    for pk, number, index, unit in rows:
        by_person[people[index][1]].append((pk, number, unit or ""))
    posts = defaultdict(list)
    for person_id, kind, unit in Post.objects.filter(
        person_id__in=by_person, ended_on__isnull=True
    ).values_list("person_id", "kind", "unit__name"):
        posts[person_id].append(f"{unit or ''}{kind}")
    name_of = {pk: name for name, pk in people.values()}
    out = []
    for person_id, tickets in by_person.items():
        units = sorted({u for _, _, u in tickets if u})
        out.append(
            Lead(
                "staff_phone",
                KINDS["staff_phone"],
                "、".join(units),
                f"诉求人号码与{name_of[person_id]}（{'、'.join(sorted(posts[person_id]))}）的手机号相同，"
                f"共 {len(tickets)} 件",
                [(pk, number) for pk, number, _ in tickets],
            )
        )
    return out


def _timing(ratings, names, end) -> list[Lead]:
    replies = defaultdict(list)
    for ticket_id, at in TicketEvent.objects.filter(
        action="reply", ticket_id__in={r["ticket_id"] for r in ratings}, at__lt=end
    ).values_list("ticket_id", "at"):
        replies[ticket_id].append(at)
    quick, night, by_unit = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in ratings:
        if not r["unit_id"]:
            continue
        before = [at for at in replies[r["ticket_id"]] if at <= r["at"]]
        if before and r["at"] - max(before) <= timedelta(minutes=QUICK_MINUTES):
            quick[r["unit_id"]].append(r)
        hour = timezone.localtime(r["at"]).hour
        if hour >= NIGHT[0] or hour < NIGHT[1]:
            night[r["unit_id"]].append(r)
        by_unit[r["unit_id"]].append(r)
    out = [
        Lead(
            "quick",
            KINDS["quick"],
            names.get(unit_id, ""),
            f"{len(rows)} 件评价在答复后 {QUICK_MINUTES} 分钟内给出",
            _refs(rows),
        )
        for unit_id, rows in quick.items()
        if len(rows) >= QUICK_MIN
    ]
    out += [
        Lead(
            "night",
            KINDS["night"],
            names.get(unit_id, ""),
            f"{len(rows)} 件评价在夜间（{NIGHT[0]}:00 至次日 {NIGHT[1]}:00）给出",
            _refs(rows),
        )
        for unit_id, rows in night.items()
        if len(rows) >= NIGHT_MIN
    ]
    for unit_id, rows in by_unit.items():
        burst = _densest_hour(rows)
        if len(burst) >= BURST:
            first = timezone.localtime(burst[0]["at"])
            out.append(
                Lead(
                    "burst",
                    KINDS["burst"],
                    names.get(unit_id, ""),
                    f"{first:%m-%d %H:%M} 起一小时内 {len(burst)} 件评价",
                    _refs(burst),
                )
            )
    return out


def _densest_hour(rows) -> list[dict]:
    """The most ratings within any one hour (rows sorted by time)."""
    best: list[dict] = []
    left = 0
    for right, row in enumerate(rows):
        while row["at"] - rows[left]["at"] > timedelta(hours=1):
            left += 1
        if right - left + 1 > len(best):
            best = rows[left : right + 1]
    return best


def _share(rows) -> float:
    return 100.0 * sum(1 for r in rows if r["satisfaction"] in GOOD) / len(rows)


def _own_filings(ratings, names) -> list[Lead]:
    own, others = defaultdict(list), defaultdict(list)
    for r in ratings:
        if not r["unit_id"]:
            continue
        if r["ticket__filed_by_unit_id"] == r["unit_id"]:
            own[r["unit_id"]].append(r)
        elif r["counted"]:
            others[r["unit_id"]].append(r)
    out = []
    for unit_id, mine in own.items():
        rest = others.get(unit_id, [])
        if len(mine) < MIN_EACH or len(rest) < MIN_EACH:
            continue
        a, b = _share(mine), _share(rest)
        if a - b >= GAP:
            out.append(
                Lead(
                    "own_filings",
                    KINDS["own_filings"],
                    names.get(unit_id, ""),
                    f"本单位人员登记的 {len(mine)} 件满意 {a:.0f}%，其他来源的 {len(rest)} 件满意 {b:.0f}%",
                    _refs(mine),
                )
            )
    return out


def may_read(user) -> bool:
    from jiceng.orgs.models import RoleCode as R

    return bool(
        user.is_authenticated
        and (user.is_superuser or user.has_role(R.SUPERVISOR, R.LEADER, R.ADMIN))
    )
