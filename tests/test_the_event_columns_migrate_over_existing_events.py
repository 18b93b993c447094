"""The 三率's derived event columns are added to databases that already hold tickets: the
migrations fill them from the events there, and index them, on SQLite and on PostgreSQL (where
filling and indexing in one transaction fails with "pending trigger events")."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TZ = ZoneInfo("Asia/Shanghai")
BEFORE = [("tickets", "0015_ranking_settings")]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_events_get_their_columns(world):
    old = migrate(BEFORE)
    Ticket = old.get_model("tickets", "Ticket")
    Event = old.get_model("tickets", "TicketEvent")
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    unit_id, other_id = world["jiashun_unit"].pk, world["changji_zjj"].pk
    ticket = Ticket.objects.create(
        number="T1",
        tracking_code="ABC123",
        channel="hotline",
        title="灯不亮",
        content="灯不亮",
        region_id=world["jiashun"].pk,
        status="closed",
        received_at=at,
        deadlines_provisional=False,
    )

    def event(action, hours, unit=None, **fields):
        return Event.objects.create(
            ticket=ticket,
            action=action,
            at=at + timedelta(hours=hours),
            to_status="x",
            unit_id=unit,
            **fields,
        )

    first = event("dispatch", 1, other_id, due_at=at + timedelta(hours=5))
    event("accept", 2, other_id)
    final = event("redispatch", 3, unit_id, due_at=at + timedelta(hours=8))
    event("accept", 4, unit_id)
    early = event("callback", 30, unit_id, data={"solved": False, "satisfaction": "不满意"})
    last = event("callback", 50, unit_id, data={"solved": True, "satisfaction": "满意"})

    new = migrate([("tickets", "0017_callback_answer_columns")])
    Event = new.get_model("tickets", "TicketEvent")
    rows = {e.pk: e for e in Event.objects.all()}
    assert rows[first.pk].superseded_at == final.at and rows[
        first.pk
    ].accepted_at == at + timedelta(hours=2)
    assert rows[final.pk].superseded_at is None and rows[final.pk].accepted_at == at + timedelta(
        hours=4
    )
    assert rows[early.pk].superseded_at == last.at
    assert (rows[early.pk].solved, rows[early.pk].satisfaction) == (False, "不满意")
    assert (rows[last.pk].solved, rows[last.pk].satisfaction, rows[last.pk].superseded_at) == (
        True,
        "满意",
        None,
    )
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
