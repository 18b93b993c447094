"""Organization life: a branch's meetings with attendance (an absence needs a reason), counted
by a meetings indicator in the star scheme, with the meetings named as its evidence."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.evaluation import life, periods
from jiceng.evaluation.models import (
    AssessmentPeriod,
    Indicator,
    OrgMeeting,
    Scheme,
    SchemeIndicator,
)


@pytest.fixture
def ann(world):
    return factories.account("ann", ["assessor"], scope_region=world["changji_city"])


def test_an_absence_needs_a_reason_and_a_bad_record_saves_nothing(world, ann):
    member = world["jiashun_secretary"]
    with pytest.raises(ValidationError) as refused:
        life.record_meeting(
            ann,
            world["jiashun_branch"],
            kind="lecture",
            held_on=date(2026, 8, 1),
            topic="学习二十届四中全会精神",
            attendance=[(member, False, "")],
        )
    assert "缺席，请填写原因" in str(refused.value) and OrgMeeting.objects.count() == 0
    meeting = life.record_meeting(
        ann,
        world["jiashun_branch"],
        kind="lecture",
        held_on=date(2026, 8, 1),
        topic="学习二十届四中全会精神",
        speaker="王书记",
        attendance=[(member, False, "外出务工")],
    )
    assert meeting.attendance.get().absence_reason == "外出务工"


def test_meetings_feed_the_meetings_indicator(world, ann):
    for day, kind in [
        (date(2026, 7, 5), "lecture"),
        (date(2026, 8, 5), "theme_day"),
        (date(2026, 9, 5), "members"),
    ]:
        life.record_meeting(ann, world["jiashun_branch"], kind=kind, held_on=day, topic="组织生活")
    scheme = Scheme.objects.create(name="星级评定", region=world["jianguolu"])
    lectures = Indicator.objects.create(
        code="life",
        name="党课与主题党日",
        kind="meetings",
        meeting_kinds="lecture,theme_day",
        low=0,
        high=4,
    )
    SchemeIndicator.objects.create(scheme=scheme, indicator=lectures, weight=1)
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    periods.advance(ann, period, "collected")
    periods.compute(ann, period)
    row = next(
        r
        for r in AssessmentPeriod.objects.get(pk=period.pk).results["rows"]
        if r["name"] == "嘉顺社区居委会"
    )
    assert row["parts"][0]["raw"] == 2.0 and row["score"] == 50.0
    assert "党课" in row["parts"][0]["source"] and "主题党日" in row["parts"][0]["source"]


def test_the_meeting_page_keeps_what_was_typed_and_is_scoped(world, ann):
    client = Client()
    client.force_login(ann)
    org = world["jiashun_branch"]
    member = world["jiashun_secretary"]
    refused = client.post(
        "/evaluation/meetings/new/",
        {"org": org.pk, "kind": "lecture", "held_on": "2026-08-01", "topic": "专题党课"},
    )
    assert refused.status_code == 422 and "缺席，请填写原因" in refused.content.decode()
    assert 'value="专题党课"' in refused.content.decode()
    done = client.post(
        "/evaluation/meetings/new/",
        {
            "org": org.pk,
            "kind": "lecture",
            "held_on": "2026-08-01",
            "topic": "专题党课",
            f"present-{member.pk}": "on",
        },
    )
    assert done.status_code == 302 and OrgMeeting.objects.count() == 1
    far = Client()
    far.force_login(factories.account("fay", ["assessor"], scope_region=world["manas"]))
    assert far.get(f"/evaluation/meetings/new/?org={org.pk}").status_code == 404
    assert "专题党课" not in far.get("/evaluation/meetings/").content.decode()
