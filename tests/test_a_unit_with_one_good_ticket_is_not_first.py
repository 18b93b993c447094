"""Issue 13: "The December dashboard ranks 20 units at 100 as joint first, each with one
ticket." Below the assessors' minimum sample (10 dispatched for 响应率, 5 callbacks for 解决率
and 满意率, by default) a unit is 样本不足: it keeps its rates, shown with k/n and a 95 % Wilson
interval, but gets no rank and is listed after the ranked units. Only prefecture-wide
assessors change the minimum; the measured units cannot."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from jiceng import factories
from jiceng.tickets import metrics, rates, services
from jiceng.tickets.models import RankingSettings

TZ = ZoneInfo("Asia/Shanghai")
W = metrics.Weights()


def handled(users, unit, handler, n, *, callbacks=None, day=2):
    """`n` tickets of March dispatched to `unit`, accepted in time; the first `callbacks` of
    them replied and called back solved and 满意."""
    callbacks = n if callbacks is None else callbacks
    for i in range(n):
        at = datetime(2026, 3, day, 9, tzinfo=TZ) + timedelta(minutes=i)
        ticket = factories.ticket(unit.region, at=at)
        ticket = services.dispatch(users["erin"], ticket, unit, at=at)
        services.accept(handler, ticket, at=at + timedelta(minutes=30))
        if i < callbacks:
            services.reply(handler, ticket, "已处理完毕并答复", at=at + timedelta(hours=2))
            services.callback(
                users["ivan"], ticket, solved=True, satisfaction="满意", at=at + timedelta(days=1)
            )


def test_twenty_perfect_single_tickets_rank_nobody_first():
    counts = [metrics.Counts(f"u{i:02d}", f"单位{i}", 1, 1, 1, 1, {"满意": 1}) for i in range(20)]
    counts.append(metrics.Counts("big", "大社区", 40, 30, 12, 9, {"满意": 9, "不满意": 3}))
    rows = metrics.rank(counts, W, metrics.MinSample())
    assert [(r.key, r.rank) for r in rows[:1]] == [("big", 1)]
    assert all(r.rank is None and r.sample == "样本不足" for r in rows[1:])
    assert rows[1].score == 100.0  # the rates are still there, only unranked


def test_each_threshold_counts_on_its_own():
    enough = metrics.MinSample(10, 5)
    few_callbacks = metrics.Counts("a", "甲", 12, 12, 4, 4, {"满意": 4})
    few_dispatched = metrics.Counts("b", "乙", 9, 9, 6, 6, {"满意": 6})
    both = metrics.Counts("c", "丙", 10, 5, 5, 2, {"满意": 2, "不满意": 3})
    rows = {r.key: r for r in metrics.rank([few_callbacks, few_dispatched, both], W, enough)}
    assert not rows["a"].sufficient and not rows["b"].sufficient
    assert rows["c"].sufficient and rows["c"].rank == 1


def test_a_rate_without_weight_needs_no_sample():
    response_only = metrics.Weights(response=1.0, solved=0.0, satisfied=0.0)
    row = metrics.rate(metrics.Counts("a", "甲", 10, 9), response_only, metrics.MinSample())
    assert row.sufficient


@pytest.mark.parametrize(
    "k, n, interval",
    [(1, 1, (20.65, 100.0)), (0, 10, (0.0, 27.75)), (5, 10, (23.66, 76.34)), (0, 0, None)],
)
def test_the_wilson_interval_is_honest_at_the_edges(k, n, interval):
    assert metrics.wilson(k, n) == interval


def test_the_page_lists_small_samples_after_the_ranked_with_their_counts(world, users, login):
    handled(users, world["jiashun_unit"], users["dave"], 10)
    handled(users, world["jianguo_unit"], users["gina"], 1)
    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    table = page[page.index('<table class="ranking">') :]
    assert table.index("嘉顺社区") < table.index("建国社区")
    jianguo = table[table.index("建国社区") - 400 : table.index("建国社区")]
    assert "样本不足" in jianguo
    assert "按时接单 1 / 派单 1；95% 置信区间 20.65–100.0%" in table  # the tooltip
    assert "按时接单 10 / 派单 10；95% 置信区间 72.25–100.0%" in table
    assert "派单少于 10 件或回访少于 5 件" in page  # the page says what the rule is


def test_the_export_carries_counts_intervals_and_the_sample_column(world, users, login):
    handled(users, world["jiashun_unit"], users["dave"], 10)
    handled(users, world["jianguo_unit"], users["gina"], 1)
    response = login("erin").get("/dashboard/export.xlsx?period=2026-03")
    rows = list(openpyxl.load_workbook(BytesIO(response.content)).worksheets[0].values)
    header = next(i for i, r in enumerate(rows) if r[0] == "排名")
    table = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]]
    assert [(r["名称"], r["排名"], r["样本"]) for r in table] == [
        ("嘉顺社区", 1, None),  # an empty cell
        ("建国社区", None, "样本不足"),
    ]
    assert (table[1]["响应率95%区间下限"], table[1]["响应率95%区间上限"]) == (20.65, 100.0)
    assert (table[0]["解决率95%区间下限"], table[0]["解决率95%区间上限"]) == (72.25, 100.0)


def test_the_minimum_is_the_assessors_setting(world, users, login):
    handled(users, world["jiashun_unit"], users["dave"], 2)
    config = RankingSettings.current()
    config.min_dispatched, config.min_callbacks = 2, 2
    config.save()
    row = next(r for r in rates.ranking("2026-03") if r.name == "嘉顺社区")
    assert row.rank == 1


def test_only_a_prefecture_assessor_changes_the_minimum(world, users, client):
    from django.test import Client

    prefecture = factories.account("pa", ["assessor"], scope_region=world["changji"])
    county = factories.account("ca", ["assessor"], scope_region=world["changji_city"])
    url = "/admin/tickets/rankingsettings/1/change/"
    RankingSettings.current()
    data = {"min_dispatched": 3, "min_callbacks": 2, "volume_split": 30}
    for account, status in [
        (prefecture, 302),
        (county, 403),
        (users["dave"], 302),  # the measured unit's handler: sent to the admin's login
        (users["alice"], 403),  # a master-data administrator: not an assessor
    ]:
        browser = Client()
        browser.force_login(account)
        assert browser.post(url, data).status_code == status, account.username
    config = RankingSettings.current()
    assert (config.min_dispatched, config.min_callbacks) == (3, 2)
    assert "/admin/login/" in Client().post(url, data).get("Location", "")
