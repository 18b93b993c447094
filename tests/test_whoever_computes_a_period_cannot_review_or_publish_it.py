"""Separation of duties: whoever computed an assessment period cannot review it or publish it;
the reviewer may publish. It is the scheme's setting, on by default, and nobody is exempt: not
a superuser, not the command line, which must name its `--user`."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jiceng import factories
from jiceng.core.errors import Forbidden
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator

S = AssessmentPeriod.State


@pytest.fixture
def computed(world):
    """A period computed by ann; ben and cai are assessors of the same place."""
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    ben = factories.account("ben", ["assessor"], scope_region=world["changji_city"])
    cai = factories.account("cai", ["assessor"], scope_region=world["changji_city"])
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered")
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    periods.enter_value(ann, period, world["jiashun"], income, 50, "财务报表")
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    return period, ann, ben, cai


def state(period) -> str:
    return AssessmentPeriod.objects.get(pk=period.pk).state


def test_the_assessor_who_computed_cannot_review(computed):
    period, ann, ben, _ = computed
    with pytest.raises(Forbidden, match="职责分离") as refused:
        periods.advance(ann, period, S.REVIEWED)
    assert refused.value.code == "separation_of_duties"
    assert state(period) == S.COMPUTED and not period.events.filter(action="review").exists()
    periods.advance(ben, period, S.REVIEWED)
    assert state(period) == S.REVIEWED


def test_the_reviewer_may_publish_and_the_computer_may_not(computed):
    period, ann, ben, _ = computed
    periods.advance(ben, period, S.REVIEWED)
    with pytest.raises(Forbidden, match="职责分离"):
        periods.advance(ann, period, S.PUBLISHED)
    periods.advance(ben, period, S.PUBLISHED)
    steps = [(e.action, e.actor.username) for e in period.events.order_by("id")]
    assert steps[-3:] == [("compute", "ann"), ("review", "ben"), ("publish", "ben")]


def test_a_third_assessor_may_publish_what_another_reviewed(computed):
    period, _, ben, cai = computed
    periods.advance(ben, period, S.REVIEWED)
    periods.advance(cai, period, S.PUBLISHED)
    assert state(period) == S.PUBLISHED


def test_recomputing_makes_the_new_computer_the_one_who_cannot_review(computed):
    period, ann, ben, _ = computed
    periods.compute(ben, period)  # ben computes again before review
    with pytest.raises(Forbidden):
        periods.advance(ben, period, S.REVIEWED)
    periods.advance(ann, period, S.REVIEWED)
    assert state(period) == S.REVIEWED


def test_a_superuser_is_not_exempt(computed, world):
    period, *_ = computed
    root = factories.account("root", [], scope_region=world["changji"])
    root.is_superuser = True
    root.save()
    periods.compute(root, period)
    with pytest.raises(Forbidden, match="职责分离"):
        periods.advance(root, period, S.REVIEWED)


def test_the_scheme_may_turn_the_separation_off(computed):
    period, ann, *_ = computed
    period.scheme.separate_duties = False
    period.scheme.save()
    periods.advance(ann, period, S.REVIEWED)
    periods.advance(ann, period, S.PUBLISHED)
    assert state(period) == S.PUBLISHED


def test_the_command_line_names_its_user_and_is_held_to_the_same_rule(computed):
    period, *_ = computed
    with pytest.raises(CommandError, match="--user"):
        call_command("period", "review", str(period.pk))
    with pytest.raises(CommandError, match="separation_of_duties"):
        call_command("period", "review", str(period.pk), "--user", "ann")
    call_command("period", "review", str(period.pk), "--user", "ben")
    assert state(period) == S.REVIEWED


def test_the_page_refuses_the_computer_in_words_and_offers_the_button_to_another(computed):
    period, ann, ben, _ = computed
    own, other = Client(), Client()
    own.force_login(ann)
    other.force_login(ben)
    page = own.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "须由另一名考评员审核、发布" in page and "审核通过" not in page
    response = own.post(f"/evaluation/periods/{period.pk}/act/", {"action": "review"})
    assert response.status_code == 403
    assert state(period) == S.COMPUTED
    assert "审核通过" in other.get(f"/evaluation/periods/{period.pk}/").content.decode()
    other.post(f"/evaluation/periods/{period.pk}/act/", {"action": "review"})
    assert state(period) == S.REVIEWED
