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


def ticket_items(tickets, key) -> list[similarity.Item]:
    """Tickets as items to cluster, each placed in its township (street), so that the same
    words in two townships make two hot spots."""
    items = []
    for t in tickets:
        codes = t.region.ancestor_codes()  # province, prefecture, county, township, village
        items.append(
            similarity.Item(
                key(t),
                similarity.message_text(t.title, t.content),
                t.received_at,
                place=codes[3] if len(codes) > 3 else codes[-1],
            )
        )
    return items
