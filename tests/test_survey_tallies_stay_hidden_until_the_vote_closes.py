"""While a satisfaction survey is open, nobody sees how the votes stand: not the assessor on
the campaign's page, not the person's record, not a star period computed meanwhile. Turnout
is shown; the tallies, rates and flags appear once the vote is closed."""

from datetime import date

import pytest
from django.test import Client

from jiceng import factories
from jiceng.evaluation import periods, surveys
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator


@pytest.fixture
def voted(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    secretary = world["jiashun_secretary"]
    campaign = surveys.create_campaign(
        ann, name="嘉顺社区两委测评", region=world["jiashun"], people=[(secretary, "书记")]
    )
    a, _ = surveys.issue_codes(ann, campaign, 2)
    surveys.set_state(ann, campaign, "open")
    ratee = campaign.ratees.get()
    surveys.cast_ballot(campaign, a, {ratee.pk: "不满意"})
    return ann, campaign, secretary


def test_the_results_hold_only_turnout_while_the_vote_is_open(voted):
    ann, campaign, _ = voted
    result = surveys.results(campaign)
    assert result["hidden"] and (result["issued"], result["voted"]) == (2, 1)
    assert result["people"] == [] and result["satisfied_rate"] is None
    campaign = surveys.set_state(ann, campaign, "closed")
    result = surveys.results(campaign)
    assert not result["hidden"] and result["satisfied_rate"] == 0.0
    assert result["people"][0].counts["不满意"] == 1


def test_the_pages_show_no_tally_while_open(voted):
    ann, campaign, secretary = voted
    staff = Client()
    staff.force_login(ann)
    page = staff.get(f"/evaluation/surveys/{campaign.pk}/").content.decode()
    assert 'id="tallies-hidden"' in page and 'id="survey-results"' not in page
    record = staff.get(f"/evaluation/people/{secretary.pk}/").content.decode()
    assert "投票中，结束后公布" in record and "低于预警线" not in record
    surveys.set_state(ann, campaign, "closed")
    page = staff.get(f"/evaluation/surveys/{campaign.pk}/").content.decode()
    assert 'id="survey-results"' in page and "低于" in page


def test_a_period_computed_meanwhile_does_not_read_an_open_survey(voted, world):
    ann, campaign, _ = voted
    scheme = Scheme.objects.create(name="星级评定", region=world["jianguolu"])
    survey = Indicator.objects.create(code="survey", name="群众满意度", kind="survey")
    SchemeIndicator.objects.create(scheme=scheme, indicator=survey, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme,
        label="2026年第四季度",
        starts_on=date(2026, 10, 1),
        ends_on=date(2099, 12, 31),
    )
    periods.advance(ann, period, "collected")
    period = periods.compute(ann, period)
    row = next(r for r in period.results["rows"] if r["region"] == world["jiashun"].code)
    assert row["parts"][0]["raw"] is None  # the open survey is not data yet
    surveys.set_state(ann, campaign, "closed")
    periods.compute(ann, period)
    period.refresh_from_db()
    row = next(r for r in period.results["rows"] if r["region"] == world["jiashun"].code)
    assert row["parts"][0]["raw"] == 0.0
