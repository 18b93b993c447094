"""The 三率 read two derived columns of the event table (`superseded_at`, `accepted_at`) so
that a period is one index range instead of a probe per ticket for its later events. They must
never change a number: over random ticket histories (dispatches, returns upheld and rejected,
redispatches, accepts in and out of time, replies, callbacks, reopenings, in month order and
across month edges) the counts equal those of the definition written directly over the
events, and the migration that fills the columns for old events gives the columns the services
keep."""

import random
from datetime import datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db.models import Count, Exists, OuterRef, Q

from jiceng import factories
from jiceng.tickets import rates
from jiceng.tickets.models import TicketEvent
from jiceng.tickets.states import ASSIGNING, Status

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, tzinfo=TZ)


def by_definition(start, end, as_of):
    """PRODUCT.md's rules as correlated queries over the raw events (the engine before the
    derived columns): unit -> (dispatched, on_time, pending, callbacks, solved)."""
    later = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"), action__in=ASSIGNING, id__gt=OuterRef("id")
    )
    accepted = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        action="accept",
        unit_id=OuterRef("unit_id"),
        id__gt=OuterRef("id"),
    )
    assigned = (
        TicketEvent.objects.filter(action__in=ASSIGNING, at__gte=start, at__lt=end)
        .filter(~Exists(later))
        .annotate(
            on_time=Exists(accepted.filter(at__lte=OuterRef("due_at"))),
            acc=Exists(accepted),
        )
    )
    out: dict = {}
    for e in assigned.select_related("ticket"):
        pending = not e.acc and (e.due_at > as_of or e.ticket.status == Status.RETURNED)
        row = out.setdefault(e.unit_id, [0, 0, 0, 0, 0])
        row[0] += not pending
        row[1] += e.on_time
        row[2] += pending
    later_callback = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"), action="callback", id__gt=OuterRef("id"), at__lt=end
    )
    callbacks = (
        TicketEvent.objects.filter(action="callback", at__gte=start, at__lt=end)
        .filter(~Exists(later_callback))
        .values("unit_id")
        .annotate(n=Count("id"), solved=Count("id", filter=Q(data__solved=True)))
    )
    for c in callbacks:
        row = out.setdefault(c["unit_id"], [0, 0, 0, 0, 0])
        row[3], row[4] = c["n"], c["solved"]
    return out


def through_the_engine(start, end, as_of):
    counts = rates.rate_counts((start, end), as_of=as_of)
    from jiceng.orgs.models import Unit

    ids = dict(Unit.objects.values_list("code", "pk"))
    return {
        ids[c.key]: [c.dispatched, c.on_time, c.pending, c.callbacks, c.solved]
        for c in counts
        if any([c.dispatched, c.on_time, c.pending, c.callbacks, c.solved])
    }


PERIODS = [
    (datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ)),
    (datetime(2026, 4, 1, tzinfo=TZ), datetime(2026, 5, 1, tzinfo=TZ)),
    (datetime(2026, 5, 1, tzinfo=TZ), datetime(2026, 6, 1, tzinfo=TZ)),
    (datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)),
    (datetime(2026, 4, 10, tzinfo=TZ), datetime(2026, 4, 17, tzinfo=TZ)),  # an odd window
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_histories_count_the_same_both_ways(world, users, seed):
    factories.random_histories(world, users, random.Random(seed), 60)
    assert TicketEvent.objects.filter(action="callback").count() > 5
    for start, end in PERIODS:
        for as_of in (NOW, NOW - timedelta(days=25)):
            assert through_the_engine(start, end, as_of) == by_definition(start, end, as_of), (
                start,
                as_of,
            )


def test_the_migration_fills_the_columns_as_the_services_keep_them(world, users):
    factories.random_histories(world, users, random.Random(7), 60)
    kept = list(
        TicketEvent.objects.order_by("id").values_list("id", "superseded_at", "accepted_at")
    )
    TicketEvent.objects.update(superseded_at=None, accepted_at=None)
    migration = import_module("jiceng.tickets.migrations.0016_event_derived_columns")
    migration.derive(django_apps, None)
    filled = list(
        TicketEvent.objects.order_by("id").values_list("id", "superseded_at", "accepted_at")
    )
    assert filled == kept
    assert any(s for _, s, _ in kept) and any(a for _, _, a in kept)
    answers = list(TicketEvent.objects.order_by("id").values_list("id", "solved", "satisfaction"))
    TicketEvent.objects.update(solved=None, satisfaction="")
    import_module("jiceng.tickets.migrations.0017_callback_answer_columns").copy_answers(
        django_apps, None
    )
    assert (
        list(TicketEvent.objects.order_by("id").values_list("id", "solved", "satisfaction"))
        == answers
    )
    assert {s for _, _, s in answers} >= {"满意", "不满意", ""}


def test_month_by_month_in_one_query_equals_each_month_on_its_own(world, users):
    factories.random_histories(world, users, random.Random(11), 80)
    months = ["2026-03", "2026-04", "2026-05"]
    for by in ("unit", "scope", "channel"):
        together = rates.monthly_rate_counts(months, by=by, as_of=NOW)
        for month in months:
            alone = rates.rate_counts(month, by=by, as_of=NOW)
            assert sorted(together[month], key=lambda c: c.key) == sorted(
                alone, key=lambda c: c.key
            ), (by, month)
    assert any(c.callbacks for c in rates.monthly_rate_counts(months, by="unit")["2026-04"])
