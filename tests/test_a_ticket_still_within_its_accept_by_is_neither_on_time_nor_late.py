"""Issue 13: "A unit whose only ticket is due at 18:00 today shows 响应率 0 % and ranks 27th."

A ticket dispatched but not accepted, whose accept-by has not passed, is pending: it is in
neither the numerator nor the denominator of 响应率 until it is accepted or its deadline
passes. A return waiting for the dispatcher's ruling is pending too. The command, the API, the
dashboard, the export and the evaluation indicators all say the same, and say so."""

import json
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from jiceng import factories
from jiceng.orgs.access import Scope
from jiceng.orgs.tokens import create_token
from jiceng.tickets import rates, selectors, services

TZ = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 3, 10, 9, tzinfo=TZ)  # a Tuesday


@pytest.fixture
def waiting(world, users, every_unit_ranked):
    """嘉顺社区's only March ticket, dispatched this morning and not yet accepted."""
    ticket = factories.ticket(world["jiashun"], at=MORNING)
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=MORNING)


def jiashun(world, **kwargs):
    rows = rates.ranking("2026-03", **kwargs)
    return next(r for r in rows if r.key == world["jiashun_unit"].code)


def test_before_its_accept_by_the_ticket_counts_neither_way(world, waiting):
    with time_machine.travel(waiting.accept_by - timedelta(minutes=5), tick=False):
        row = jiashun(world)
    assert (row.dispatched, row.on_time, row.pending) == (0, 0, 1)
    assert row.response_rate is None and row.rank is None  # not "0 %, 27th"


def test_accepted_in_time_it_counts_on_time(world, users, waiting):
    services.accept(users["dave"], waiting, at=waiting.accept_by - timedelta(minutes=1))
    with time_machine.travel(waiting.accept_by - timedelta(seconds=30), tick=False):
        row = jiashun(world)
    assert (row.dispatched, row.on_time, row.pending, row.response_rate) == (1, 1, 0, 100.0)


def test_once_its_accept_by_passes_unaccepted_it_counts_late(world, waiting):
    with time_machine.travel(waiting.accept_by + timedelta(minutes=1), tick=False):
        row = jiashun(world)
    assert (row.dispatched, row.on_time, row.pending, row.response_rate) == (1, 0, 0, 0.0)


def test_a_return_waiting_for_its_ruling_is_pending_until_ruled(world, users, waiting):
    services.return_ticket(users["dave"], waiting, "属于市政管网，不归社区", at=MORNING)
    with time_machine.travel(waiting.accept_by + timedelta(days=2), tick=False):
        assert (jiashun(world).dispatched, jiashun(world).pending) == (0, 1)
        services.reject_return(users["erin"], waiting, "属于社区职责")
        row = jiashun(world)
    assert (row.dispatched, row.on_time, row.pending) == (1, 0, 0)  # ruled: late


def test_every_way_of_reading_the_rates_leaves_it_out(world, users, waiting, login, capsys):
    with time_machine.travel(waiting.accept_by - timedelta(minutes=5), tick=False):
        call_command("metrics", "--period", "2026-03", "--format", "json")
        printed = json.loads(capsys.readouterr().out)
        cli = next(r for r in printed["rows"] if r["name"] == "嘉顺社区")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['erin'], 't')}")
        body = api.get("/api/v1/metrics?period=2026-03").json()
        via_api = next(r for r in body["rows"] if r["name"] == "嘉顺社区")
        page = login("erin").get("/dashboard/?period=2026-03").content.decode()
        book = openpyxl.load_workbook(
            BytesIO(login("erin").get("/dashboard/export.xlsx?period=2026-03").content)
        )
        area = rates.scope_rates(
            *selectors.metrics.period_bounds("2026-03"), Scope(path=world["jiashun"].path)
        )
    for row in (cli, via_api):
        assert (row["dispatched"], row["pending"], row["response_rate"]) == (0, 1, None)
    assert (area.dispatched, area.pending, area.response_rate) == (0, 1, None)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "排名")
    exported = dict(zip(rows[header], rows[header + 1], strict=True))
    assert exported["派单数（计入响应率）"] == 0 and exported["待接单未到时限（不计入）"] == 1
    assert exported["响应率(%)"] is None
    assert any("不计入响应率" in (r[0] or "") for r in rows[:header])  # the sheet says why
    assert "不计入响应率" in page and "measure=pending" in page


def test_the_evaluation_indicator_says_what_it_left_out(world, users, waiting):
    from types import SimpleNamespace

    from jiceng.evaluation.periods import _part

    indicator = SimpleNamespace(
        code="R",
        name="响应率",
        kind="tickets",
        source="response",
        low=0,
        high=100,
        higher_is_better=True,
    )
    item = SimpleNamespace(indicator=indicator, weight=1)
    start, end = selectors.metrics.period_bounds("2026-03")
    with time_machine.travel(waiting.accept_by - timedelta(minutes=5), tick=False):
        part = _part(None, world["jiashun"], item, start, end, {})
    assert part.raw is None
    assert "1 件待接单、未到时限，不计入响应率" in part.source
