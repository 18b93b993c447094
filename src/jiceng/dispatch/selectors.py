"""What dispatchers and leaders see of the model: a ticket's advice, its likely duplicates,
and the hot spots of a period. Every query is inside the user's scope."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from jiceng.orgs.access import visible
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region
from jiceng.tickets.access import visible_tickets
from jiceng.tickets.models import Ticket, text_for_model
from jiceng.tickets.states import OPEN

from . import cache, hotspots, routing, similarity, training
from .models import DispatchSettings, Suggestion


@functools.cache
def background() -> similarity.Background:
    """Word weights for duplicate detection, from the shipped messages (built once)."""
    return similarity.Background([t for t, _ in training.raw_messages()])


@dataclass
class Advice:
    suggestion: Suggestion | None
    top: list[dict]  # {"code", "name", "p", "percent"}
    unit: Unit | None  # the unit the routing table gives, if the user may pick it
    reason: str


def advice(user, ticket: Ticket) -> Advice:
    """The stored suggestion, and the unit routing gives for the ticket's category (or the
    model's, while the ticket has none)."""
    suggestion = (
        Suggestion.objects.filter(ticket=ticket).select_related("model_version", "category").first()
    )
    top = [dict(t, percent=round(100 * t["p"])) for t in (suggestion.top if suggestion else [])]
    category = ticket.category or (suggestion.category if suggestion else None)
    route = routing.route(category, ticket.region, text_for_model(ticket))
    unit = route.unit
    if unit is not None and not visible(user, Unit.objects.filter(pk=unit.pk)).exists():
        unit = None
    return Advice(suggestion, top, unit, route.reason)


def similar_open(user, ticket: Ticket, limit: int = 5) -> list[tuple[Ticket, float]]:
    """Open tickets of the same township (street) from the last weeks that say the same
    thing, most similar first: candidates for a merge, which stays the dispatcher's call."""
    return _similar(
        user,
        similarity.message_text(ticket.title, ticket.content),
        ticket.region,
        ticket.received_at,
        exclude=ticket.pk,
        limit=limit,
    )


def similar_to_text(user, text: str, region=None, limit: int = 3):
    """The same, for a request still being typed in (of the place's township when one is
    chosen, else anywhere in scope)."""
    return _similar(
        user, similarity.message_text(text[:30], text), region, timezone.now(), limit=limit
    )


def _similar(user, text, region, at, exclude=None, limit=5) -> list[tuple[Ticket, float]]:
    config = cache.get("settings", DispatchSettings.current)
    found = visible_tickets(user).filter(
        status__in=[s.value for s in OPEN],
        received_at__gte=at - timedelta(days=config.similar_days),
    )
    if region is not None:
        area = region.parent if region.level == "village" and region.parent_id else region
        found = found.filter(region__path__startswith=area.path)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    candidates = list(
        found.only("id", "number", "title", "content", "received_at", "status").order_by(
            "-received_at"
        )[:500]
    )
    matches = similarity.most_similar(
        text,
        [(t, similarity.message_text(t.title, t.content)) for t in candidates],
        background(),
        threshold=float(config.similar_threshold),
        k=limit,
    )
    return [(m.key, m.score) for m in matches]


@dataclass
class HotSpot:
    place: str
    size: int
    growth: int
    heat: float
    keywords: list[str]
    representatives: list[Ticket]
    first: datetime | None
    last: datetime | None
    categories: list[str]
    members: list[int]  # every ticket of the cluster
    tickets: list[Ticket]  # every ticket: the representatives first, then the newest
    region_code: str  # the deepest place all members share
    category_code: str  # the most common first-level category, if any


def hot_spots(
    user, days: int = 30, limit: int = 20, now: datetime | None = None
) -> tuple[list[HotSpot], int]:
    """Tickets of the last `days` in scope, clustered by topic within each township, hottest
    first. Returns (clusters, tickets looked at)."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    tickets = list(
        visible_tickets(user)
        .filter(received_at__gte=start, received_at__lt=now, duplicate_of__isnull=True)
        .select_related("region", "category")
        .order_by("-received_at")[:5000]
    )
    items = hotspots.ticket_items(tickets, key=lambda t: t.pk)
    by_id = {t.pk: t for t in tickets}
    clusters = similarity.cluster(items, window=(start, now))[:limit]
    out = []
    for c in clusters:
        members = [by_id[k] for k in c.keys]
        names, codes = {}, {}
        for t in members:
            root = t.category.full_name.split("/")[0] if t.category_id else "未分类"
            names[root] = names.get(root, 0) + 1
            if t.category_id:
                codes[t.category.code[:2]] = codes.get(t.category.code[:2], 0) + 1
        place = _common_place(members)
        region = _common_region(members)
        out.append(
            HotSpot(
                place=place,
                size=c.size,
                growth=c.growth,
                heat=c.heat,
                keywords=c.keywords,
                representatives=[by_id[k] for k in c.representatives],
                first=c.first,
                last=c.last,
                categories=[n for n, _ in sorted(names.items(), key=lambda kv: -kv[1])],
                members=[t.pk for t in members],
                tickets=[by_id[k] for k in c.representatives]
                + sorted(
                    (t for t in members if t.pk not in set(c.representatives)),
                    key=lambda t: t.received_at,
                    reverse=True,
                ),
                region_code=region.code,
                category_code=max(codes, key=codes.get) if codes else "",
            )
        )
    return out, len(tickets)


def _common_region(members: list[Ticket]) -> Region:
    first = members[0].region
    if not all(t.region_id == first.pk for t in members) and first.parent_id is not None:
        return first.parent
    return first


def _common_place(members: list[Ticket]) -> str:
    """The deepest place all members share (a village, else their township), named from the
    county down (the province and prefecture go without saying)."""
    first = members[0].region
    place = first
    if not all(t.region_id == first.pk for t in members) and first.parent_id is not None:
        place = first.parent
    codes = place.ancestor_codes()[2:] or place.ancestor_codes()
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return "".join(names.get(c, "") for c in codes) or place.name
