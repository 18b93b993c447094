"""The 三率 read facts the services keep as events happen (`superseded_at`, `accepted_at`, a
callback's `solved` and `satisfaction`). The events stay the only source of truth: for any
ticket history, the kept facts equal the facts `jiceng metrics rebuild` computes from the raw
events alone, and a fact changed outside the services is found and put right."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng import factories
from jiceng.tickets import derived, rates
from jiceng.tickets.models import RateMonth, TicketEvent

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 12, tzinfo=TZ)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False), n=st.integers(min_value=1, max_value=6))
def test_for_any_history_the_kept_facts_are_the_rebuilt_ones(world, users, rng, n):
    # each example adds its tickets to those of the examples before it, all checked
    factories.random_histories(world, users, rng, n, now=NOW)
    report = derived.check()
    assert report.wrong == 0, report.examples


@pytest.fixture
def history(world, users):
    import random

    factories.random_histories(world, users, random.Random(5), 40, now=NOW)
    assert TicketEvent.objects.filter(action="callback").exists()


def test_a_fact_changed_outside_the_services_is_found_and_rebuilt(history, capsys):
    before = {month: rates.rate_counts(month, as_of=NOW) for month in ("2026-03", "2026-04")}
    assert RateMonth.objects.exists()  # the ended months are kept by the rollup
    last = TicketEvent.objects.filter(action="dispatch", superseded_at__isnull=True).first()
    answer = TicketEvent.objects.filter(action="callback").first()
    TicketEvent.objects.filter(pk=last.pk).update(superseded_at=last.at + timedelta(hours=1))
    TicketEvent.objects.filter(pk=answer.pk).update(solved=not answer.solved, satisfaction="")

    report = derived.check()
    assert report.wrong == 2 and report.examples == sorted([last.pk, answer.pk])
    with pytest.raises(CommandError, match="rebuild"):
        call_command("metrics", "rebuild", "--check")
    assert "2 条所存事实与事件推算不符" in capsys.readouterr().out

    call_command("metrics", "rebuild")
    assert "2 条" in capsys.readouterr().out
    assert derived.check().wrong == 0
    assert not RateMonth.objects.exists()  # every month is counted again from the events
    for month, counts in before.items():
        assert rates.rate_counts(month, as_of=NOW) == counts
    call_command("metrics", "rebuild", "--check")
    assert "0 条所存事实与事件推算不符" in capsys.readouterr().out


def test_metrics_without_a_period_says_what_it_needs(db):
    with pytest.raises(CommandError, match="--period"):
        call_command("metrics")
