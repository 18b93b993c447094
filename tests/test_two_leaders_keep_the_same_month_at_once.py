"""Two leaders open the dashboard at the same moment, both finding an ended month not yet kept:
both count it, one keeps it, and no figure is doubled (PostgreSQL, real threads)."""

import random
import threading

import pytest
from django.db import connections

from jiceng import factories
from jiceng.tickets import metrics, rates, services
from jiceng.tickets.models import RateCell, Ticket
from jiceng.tickets.rates import rollup
from jiceng.tickets.states import Status

# SQLite serialises writers: the race needs PostgreSQL
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def test_two_readers_keep_a_month_once(world, users):
    factories.random_histories(world, users, random.Random(14), 40)
    for ticket in Ticket.objects.filter(status=Status.RETURNED):
        services.reject_return(users["erin"], ticket, "属于本单位职责")
    april = metrics.parse_period("2026-04")
    day = rollup._first_day(april)
    token = rollup._tokens([day])[day][0]
    cells = rollup.compute(april)
    start = threading.Barrier(2)

    def reader():
        try:
            start.wait()
            rollup._store(april, token, cells)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert RateCell.objects.filter(month=day).count() == len(cells)
    kept = sorted(rates.rate_counts("2026-04"), key=lambda c: c.key)
    from_events = sorted(rates.rate_counts(april.bounds()), key=lambda c: c.key)
    assert kept == from_events
