"""Inputs of the hot-spot report: a file of messages (the benchmark's format), or the tickets
of a recent window. Reading a file needs no Django (the benchmark runs without a database)."""

import csv
from datetime import datetime, timedelta
from pathlib import Path

from jiceng.core.tabular import decode

from . import similarity

TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M")


def _when(value: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime((value or "").strip(), fmt)
        except ValueError:
            continue
    return None


def read_messages(path: Path) -> tuple[list[similarity.Item], dict]:
    """Rows with `title` and `body` (or `text`), optional `id`, `time` and `likes`."""
    if not path.exists():
        raise ValueError(f"找不到文件 {path}")
    rows = list(csv.DictReader(decode(path.read_bytes()).splitlines()))
    if not rows or not ({"title", "body"} <= set(rows[0]) or "text" in rows[0]):
        raise ValueError(f"{path.name}：须有 title 与 body 列，或 text 列")
    items, titles = [], {}
    for n, row in enumerate(rows, start=2):
        key = (row.get("id") or "").strip() or str(n)
        title = row.get("title") or (row.get("text") or "")[:30]
        body = row.get("body") or row.get("text") or ""
        try:
            likes = int(row.get("likes") or 0)
        except ValueError:
            raise ValueError(f"{path.name} 第 {n} 行：likes 须为整数") from None
        items.append(
            similarity.Item(
                key, similarity.message_text(title, body), _when(row.get("time")), likes
            )
        )
        titles[key] = title
    return items, titles


def recent_tickets(days: int, threshold: float):
    """All tickets of the last `days`, clustered within each township."""
    from django.utils import timezone

    from jiceng.tickets.models import Ticket

    now = timezone.now()
    start = now - timedelta(days=days)
    tickets = list(
        Ticket.objects.filter(received_at__gte=start, duplicate_of__isnull=True)
        .select_related("region")
        .only("id", "title", "content", "received_at", "region__path", "number")
    )
    items = ticket_items(tickets, key=lambda t: t.number)
    clusters = similarity.cluster(items, threshold=threshold, window=(start, now))
    return items, {t.number: t.title for t in tickets}, clusters


# what a place's name ends with, dropped to find the name people write ("嘉顺社区" → "嘉顺")
PLACE_SUFFIXES = (
    "社区居委会",
    "居委会",
    "村民委员会",
    "村委会",
    "委员会",
    "社区",
    "街道",
    "镇",
    "乡",
    "村",
    "县",
    "市",
)


def place_words(names) -> list[str]:
    """The ways a place is written: its name and its name without the kind ("嘉顺社区居委会",
    "嘉顺社区", "嘉顺"), longest first, none shorter than two characters."""
    found = set()
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            found.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                found.add(name[: -len(suffix)])
    return sorted(found, key=len, reverse=True)


def without_places(text: str, words: list[str]) -> str:
    """The text without its place names: within one township, what two requests share is
    then what they complain of, not the village they both name (a street light, a pothole and
    a blocked fire lane of 嘉顺小区 are three problems, not one hot spot)."""
    for word in words:
        text = text.replace(word, " ")
    return text


def ticket_items(tickets, key) -> list[similarity.Item]:
    """Tickets as items to cluster, each placed in its township (street), so that the same
    words in two townships make two hot spots, and compared on what they say without the names
    of their own places (`without_places`)."""
    from jiceng.regions.models import Region

    codes = {code for t in tickets for code in t.region.ancestor_codes()}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    items = []
    for t in tickets:
        codes = t.region.ancestor_codes()  # province, prefecture, county, township, village
        words = place_words(names.get(c, "") for c in codes[2:])
        items.append(
            similarity.Item(
                key(t),
                without_places(similarity.message_text(t.title, t.content), words),
                t.received_at,
                place=codes[3] if len(codes) > 3 else codes[-1],
            )
        )
    return items
