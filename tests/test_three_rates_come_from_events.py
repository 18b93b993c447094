"""三率 and the composite score, computed from events exactly as PRODUCT.md defines them:
the unit that finally kept a ticket carries it, an upheld return does not count against the
returning unit, and a ticket's last callback in the period is the one that counts."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from jiceng import factories
from jiceng.tickets import metrics, rates, services
from jiceng.tickets.models import EngineSettings

TZ = ZoneInfo("Asia/Shanghai")


def t(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture
def march(world, users, every_unit_ranked):
    erin, dave, ivan, zoe = users["erin"], users["dave"], users["ivan"], users["zoe"]
    jiashun, zjj = world["jiashun_unit"], world["changji_zjj"]

    def new(day, month=3):
        ticket = factories.ticket(world["jiashun"], at=t(day, 9, month))
        return services.dispatch(erin, ticket, jiashun, at=t(day, 10, month))

    # 1: accepted in time, solved and 满意
    one = new(2)
    services.accept(dave, one, at=t(2, 11))
    services.reply(dave, one, "已更换楼道灯泡", at=t(3))
    services.callback(ivan, one, solved=True, satisfaction="满意", at=t(4))
    # 2: accepted late; first callback unsolved, reopened, then solved and 基本满意
    two = new(2)
    services.accept(dave, two, at=t(5))
    services.reply(dave, two, "已联系物业处理", at=t(5, 15))
    services.callback(ivan, two, solved=False, satisfaction="不满意", at=t(6))
    services.reopen(erin, two, "群众反映仍未处理", at=t(6, 11))
    services.reply(dave, two, "物业已修复，现场确认", at=t(9))
    services.callback(ivan, two, solved=True, satisfaction="基本满意", at=t(10))
    # 3: returned, the return upheld, kept by 住建局 (accepted in time): not 嘉顺's
    three = new(3)
    services.return_ticket(dave, three, "属于市政管网，不归社区", at=t(3, 11))
    services.uphold_return(erin, three, zjj, at=t(3, 12))
    services.accept(zoe, three, at=t(3, 14))
    # 4: returned, the return rejected: still 嘉顺's, accepted after its first accept-by
    four = new(4)
    services.return_ticket(dave, four, "不属于本社区", at=t(4, 11))
    services.reject_return(erin, four, "属于社区职责", at=t(4, 12))
    services.accept(dave, four, at=t(6))
    # 5: dispatched in February: not March's
    five = new(20, month=2)
    services.accept(dave, five, at=t(20, 11, month=2))
    return world


def by_key(rows):
    return {r.key: r for r in rows}


def test_march_counts_and_rates_per_unit(march):
    rows = by_key(rates.ranking("2026-03"))
    jiashun = rows[march["jiashun_unit"].code]
    assert (jiashun.dispatched, jiashun.on_time) == (3, 1)
    assert (jiashun.callbacks, jiashun.solved, jiashun.satisfied) == (2, 2, 2)
    assert jiashun.response_rate == 33.33
    assert (jiashun.solved_rate, jiashun.satisfied_rate) == (100.0, 100.0)
    assert jiashun.score == round(0.10 * 100 / 3 + 0.45 * 100 + 0.45 * 100, 2)
    zjj = rows[march["changji_zjj"].code]
    assert (zjj.dispatched, zjj.on_time, zjj.callbacks) == (1, 1, 0)
    assert zjj.partial and zjj.score == 100.0 and zjj.rank == 1 and jiashun.rank == 2


def test_the_weights_and_credits_are_the_assessors_to_change(march):
    config = EngineSettings.current()
    config.credit_basic = 0.5
    config.weight_response, config.weight_solved, config.weight_satisfied = 0.2, 0.4, 0.4
    config.save()
    jiashun = by_key(rates.ranking("2026-03"))[march["jiashun_unit"].code]
    assert jiashun.satisfied_rate == 75.0
    assert jiashun.score == round(0.2 * 100 / 3 + 0.4 * 100 + 0.4 * 75, 2)


def test_by_region_sums_the_tickets_of_each_county(march):
    rows = rates.ranking("2026-03", by="region", level="county")
    assert [(r.key, r.name, r.dispatched, r.callbacks) for r in rows] == [
        ("652301000000", "昌吉市", 4, 2)
    ]


def test_a_scope_sees_only_its_own_units(march, users):
    assert {r.key for r in rates.ranking("2026-03", user=users["dave"])} == {
        march["jiashun_unit"].code
    }
    assert rates.ranking("2026-03", user=users["gina"]) == []


def test_the_command_prints_json_with_the_ranking(march, capsys):
    call_command("metrics", "--period", "2026-03", "--format", "json")
    printed = capsys.readouterr().out
    out = json.loads(printed)
    assert printed == json.dumps(out, ensure_ascii=False, indent=2) + "\n"  # readable, as printed
    assert [r["rank"] for r in out["rows"]] == [1, 2]
    assert out["weights"]["solved"] == 0.45


def test_the_command_prints_a_table_and_csv(march, capsys):
    call_command("metrics", "--period", "2026-03")
    assert "嘉顺社区" in capsys.readouterr().out
    call_command("metrics", "--period", "2026-03", "--format", "csv", "--by", "region")
    assert capsys.readouterr().out.splitlines()[1].startswith("1,652301000000,昌吉市,4,")


def test_equal_scores_share_a_rank_and_empty_units_come_last():
    w = metrics.Weights()
    rows = metrics.rank(
        [
            metrics.Counts("a", "甲", 2, 2, 2, 2, {"满意": 2}),
            metrics.Counts("b", "乙", 2, 2, 2, 2, {"满意": 2}),
            metrics.Counts("c", "丙", 2, 1, 2, 1, {"不满意": 2}),
            metrics.Counts("d", "丁"),
        ],
        w,
    )
    assert [(r.key, r.rank) for r in rows] == [("a", 1), ("b", 1), ("c", 3), ("d", None)]


@pytest.mark.parametrize("bad", ["2026-13", "26-03", "", "2026/03", "1999"])
def test_a_bad_period_is_refused_in_chinese(bad):
    with pytest.raises(metrics.BadPeriod):
        metrics.period_bounds(bad)
