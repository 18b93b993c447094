"""When a village has no value for an indicator, the scheme decides: leave it out and scale
the other weights (the default), or count it as 0. A village with no data at all is never
ranked. The result page states the policy that applied."""

from datetime import date

import pytest
from django.test import Client

from jiceng import factories
from jiceng.evaluation import periods, scoring
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator
from jiceng.evaluation.scoring import Part


def parts(second=None):
    return [
        Part("a", "甲", 0.6, 80.0, 80.0),
        Part("b", "乙", 0.4, second, second),
    ]


def test_rescale_leaves_the_missing_indicator_out_and_scales_the_rest():
    scored = scoring.weighted(parts(), "rescale")
    assert scored.total == 80.0 and scored.missing == ["乙"]
    assert scored.parts[0]["effective_weight"] == 1.0 and scored.parts[1]["contribution"] is None


def test_zero_counts_the_missing_indicator_as_nothing():
    scored = scoring.weighted(parts(), "zero")
    assert scored.total == 48.0 and scored.missing == ["乙"]
    assert scored.parts[1]["contribution"] == 0.0 and "按 0 分计" in scored.parts[1]["source"]


def test_both_policies_agree_when_nothing_is_missing():
    assert (
        scoring.weighted(parts(50.0), "zero").total == scoring.weighted(parts(50.0)).total == 68.0
    )


def test_a_subject_with_no_data_at_all_stays_unscored_under_either_policy():
    empty = [Part("a", "甲", 1.0, None, None)]
    assert scoring.weighted(empty, "zero").total is None
    assert scoring.weighted(empty, "rescale").total is None


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        scoring.weighted(parts(), "guess")


@pytest.mark.parametrize(
    ("policy", "jiashun", "jianguo"), [("rescale", 100.0, 50.0), ("zero", 40.0, 30.0)]
)
def test_the_period_uses_the_schemes_policy_and_says_so(world, policy, jiashun, jianguo):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    scheme = Scheme.objects.create(
        name="星级评定", region=world["jianguolu"], missing_policy=policy
    )
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered", high=50)
    hours = Indicator.objects.create(code="hours", name="培训学时", kind="entered", high=12)
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="0.4")
    SchemeIndicator.objects.create(scheme=scheme, indicator=hours, weight="0.6")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="一季度", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    # 嘉顺 has only its income entered, 建国 only its training hours.
    periods.enter_value(ann, period, world["jiashun"], income, 50, "收支台账")
    periods.enter_value(ann, period, world["jianguo"], hours, 6, "培训签到表")
    periods.advance(ann, period, "collected")
    periods.compute(ann, period)
    rows = {r["name"]: r for r in AssessmentPeriod.objects.get(pk=period.pk).results["rows"]}
    assert rows["嘉顺社区居委会"]["score"] == jiashun
    assert rows["建国社区居委会"]["score"] == jianguo
    client = Client()
    client.force_login(ann)
    page = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert scoring.MISSING_POLICIES[policy] in page
