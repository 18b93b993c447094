"""The evaluation's workflows write their events into one table (`EvaluationEvent`). A database
that already holds the history of its assessment periods (the old `PeriodEvent` rows) keeps
every row, with its actor, time, states, note and data, through the migration."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiceng import factories

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_period_events_move_with_everything_they_said(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    old = migrate([("evaluation", "0012_files_random_names")])
    Scheme = old.get_model("evaluation", "Scheme")
    Period = old.get_model("evaluation", "AssessmentPeriod")
    PeriodEvent = old.get_model("evaluation", "PeriodEvent")
    scheme = Scheme.objects.create(name="星级评定", region_id=world["jianguolu"].pk)
    period = Period.objects.create(
        scheme=scheme, label="2026年第一季度", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    at = datetime(2026, 4, 2, 10, tzinfo=TZ)
    PeriodEvent.objects.create(
        period=period,
        action="import",
        actor_id=ann.pk,
        at=at,
        from_state="open",
        to_state="open",
        note="从 a.xlsx 导入",
        data={"rows": 3},
    )
    PeriodEvent.objects.create(
        period=period,
        action="compute",
        actor_id=None,
        at=at,
        from_state="collected",
        to_state="computed",
        note="计算 2 个村（社区）",
    )
    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Event = new.get_model("evaluation", "EvaluationEvent")
    rows = list(Event.objects.order_by("id").values())
    assert [(r["flow"], r["object_id"], r["action"], r["actor_id"]) for r in rows] == [
        ("period", period.pk, "import", ann.pk),
        ("period", period.pk, "compute", None),
    ]
    assert rows[0]["data"] == {"rows": 3} and rows[0]["at"] == at
    assert (rows[1]["from_state"], rows[1]["to_state"], rows[1]["note"]) == (
        "collected",
        "computed",
        "计算 2 个村（社区）",
    )
