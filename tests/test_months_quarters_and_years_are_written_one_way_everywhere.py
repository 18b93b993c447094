"""Issue 13: "The year view is a 500." A month (2026-10), a quarter (2026-Q4) and a year (2026)
work on the dashboard, the export, the unit page, the API and the command, written the same
way everywhere. The dashboard opens on the last complete month and offers the current month
marked 进行中."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.tickets import metrics, services

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "text, canonical, label, start, end",
    [
        ("2026-10", "2026-10", "2026年10月", (2026, 10, 1), (2026, 11, 1)),
        ("2026-3", "2026-03", "2026年3月", (2026, 3, 1), (2026, 4, 1)),
        ("2026-Q4", "2026-Q4", "2026年第四季度", (2026, 10, 1), (2027, 1, 1)),
        ("2026q1", "2026-Q1", "2026年第一季度", (2026, 1, 1), (2026, 4, 1)),
        ("2026", "2026", "2026年全年", (2026, 1, 1), (2027, 1, 1)),
        ("2026-12", "2026-12", "2026年12月", (2026, 12, 1), (2027, 1, 1)),
    ],
)
def test_a_period_is_read_and_written_one_way(text, canonical, label, start, end):
    period = metrics.parse_period(text)
    assert (period.text, period.label) == (canonical, label)
    assert period.start == datetime(*start, tzinfo=TZ) and period.end == datetime(*end, tzinfo=TZ)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-Q0", "2026-13", "26-Q1", "2026-H1", "Q4"])
def test_a_bad_period_is_refused_in_chinese(bad):
    with pytest.raises(metrics.BadPeriod, match=r"[\u4e00-\u9fff]"):
        metrics.parse_period(bad)


@pytest.fixture
def october(world, users, every_unit_ranked):
    at = datetime(2026, 10, 13, 10, tzinfo=TZ)
    ticket = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    services.accept(users["dave"], ticket, at=at.replace(hour=11))
    services.reply(users["dave"], ticket, "已修好楼道灯", at=at.replace(day=14))
    services.callback(
        users["ivan"], ticket, solved=True, satisfaction="满意", at=at.replace(day=15)
    )
    return ticket


@pytest.mark.parametrize("period", ["2026-10", "2026-Q4", "2026"])
def test_every_page_and_export_answers_for_a_month_a_quarter_and_a_year(
    period, october, world, login
):
    erin = login("erin")
    with time_machine.travel(datetime(2026, 12, 4, 10, tzinfo=TZ)):
        page = erin.get(f"/dashboard/?period={period}")
        assert page.status_code == 200
        assert "嘉顺社区" in page.content.decode()
        assert erin.get(f"/dashboard/?period={period}&view=region").status_code == 200
        export = erin.get(f"/dashboard/export.xlsx?period={period}")
        assert export.status_code == 200 and f"sanlv-{period}-" in export["Content-Disposition"]
        unit = erin.get(f"/dashboard/units/{world['jiashun_unit'].pk}/?period={period}")
        assert unit.status_code == 200


def test_the_api_and_the_command_write_the_period_the_same_way(october, users, capsys):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['erin'], 't')}")
    for asked, canonical in [("2026-q4", "2026-Q4"), ("2026-10", "2026-10"), ("2026", "2026")]:
        body = api.get(f"/api/v1/metrics?period={asked}").json()
        assert body["period"] == canonical
        assert [r["dispatched"] for r in body["rows"]] == [1]
        call_command("metrics", "--period", asked, "--format", "json")
        assert json.loads(capsys.readouterr().out)["period"] == canonical
    refused = api.get("/api/v1/metrics?period=2026-Q7")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_period"


def test_a_quarter_counts_what_its_months_count(october, world, users):
    from jiceng.tickets import rates

    for period in ["2026-10", "2026-Q4", "2026"]:
        (row,) = rates.ranking(period)
        assert (row.dispatched, row.callbacks) == (1, 1)
    assert rates.ranking("2026-Q3") == []


def test_the_dashboard_opens_on_the_last_complete_month(login, world):
    with time_machine.travel(datetime(2026, 12, 4, 10, tzinfo=TZ)):
        page = login("erin").get("/dashboard/").content.decode()
    assert '<option value="2026-11" selected>2026年11月</option>' in page
    assert '<option value="2026-12">2026年12月（进行中）</option>' in page
    assert '<option value="2026-Q4">2026年第四季度（进行中）</option>' in page
    assert '<option value="2026-Q3">2026年第三季度</option>' in page
    assert 'id="in-progress"' not in page


def test_the_current_month_says_it_is_still_moving(login, world):
    with time_machine.travel(datetime(2026, 12, 4, 10, tzinfo=TZ)):
        page = login("erin").get("/dashboard/?period=2026-12").content.decode()
    assert 'id="in-progress"' in page and "数字还会变化" in page


def test_january_opens_on_last_december(login, world):
    with time_machine.travel(datetime(2027, 1, 3, 10, tzinfo=TZ)):
        page = login("erin").get("/dashboard/").content.decode()
    assert '<option value="2026-12" selected>' in page
