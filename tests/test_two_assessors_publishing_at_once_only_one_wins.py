"""Two assessors press 发布 on the same reviewed period at the same moment: exactly one
publishes, the other is told the period has moved on, and there is one publish record."""

import threading
from datetime import date

import pytest
from django.db import connection

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator

S = AssessmentPeriod.State


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_assessors_publishing_at_once_only_one_wins(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    ben = factories.account("ben", ["assessor"], scope_region=world["changji_city"])
    cal = factories.account("cal", ["assessor"], scope_region=world["changji_city"])
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered")
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    periods.enter_value(cal, period, world["jiashun"], income, 50, "财务报表")
    periods.advance(cal, period, S.COLLECTED)
    periods.compute(cal, period)  # cal computes; ann reviews, and the reviewer may publish
    periods.advance(ann, period, S.REVIEWED)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def press_publish(user) -> None:
        try:
            barrier.wait()
            periods.advance(user, period, S.PUBLISHED)
            outcomes[user.username] = "won"
        except ServiceError as refused:
            outcomes[user.username] = refused.code
        finally:
            connection.close()

    threads = [threading.Thread(target=press_publish, args=(u,)) for u in (ann, ben)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes.values()) == ["invalid_transition", "won"]
    publish = period.events.get(action="publish")
    assert publish.actor.username == next(n for n, o in outcomes.items() if o == "won")
