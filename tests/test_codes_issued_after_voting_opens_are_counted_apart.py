"""Issue 26, finding 7 (survey codes): an assessor issued two new codes for a survey while it
was open, and both votes counted. Codes are issued before voting opens; any issued later are
counted apart and shown apart on the result, never mixed into it."""

import re

from django.test import Client

from jiceng import factories
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Campaign, EvaluationEvent


def vote(code, ratee, answer):
    voter = Client()
    voter.post("/vote/", {"code": code})
    return voter.post("/vote/", {f"r{ratee.pk}": answer})


def test_late_codes_vote_but_are_counted_and_shown_apart(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    staff = Client()
    staff.force_login(ann)
    staff.post(
        "/evaluation/surveys/new/",
        {
            "region": world["jiashun"].code,
            "name": "嘉顺社区两委测评",
            "flag_below": "80",
            "posts": [str(p.pk) for p in world["jiashun_secretary"].posts.all()],
        },
    )
    campaign = Campaign.objects.get()
    slips = staff.post(f"/evaluation/surveys/{campaign.pk}/codes/", {"count": "5"})
    early = re.findall(r'<span class="slip-code">([A-Z0-9]{10})</span>', slips.content.decode())
    staff.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "open"})
    slips = staff.post(f"/evaluation/surveys/{campaign.pk}/codes/", {"count": "2"})
    late = re.findall(r'<span class="slip-code">([A-Z0-9]{10})</span>', slips.content.decode())
    assert len(early) == 5 and len(late) == 2
    note = EvaluationEvent.objects.filter(action="issue_codes").order_by("id").last()
    assert "开始投票后补发" in note.note
    ratee = campaign.ratees.get()
    for code in early[:3]:
        assert "投票成功" in vote(code, ratee, "不满意").content.decode()
    for code in late:
        assert "投票成功" in vote(code, ratee, "满意").content.decode()
    staff.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "close"})
    result = surveys.results(Campaign.objects.get(pk=campaign.pk))
    # the result is the five codes issued before the vote: 3 of 5 voted, all 不满意
    assert (result["issued"], result["voted"]) == (5, 3)
    assert result["satisfied_rate"] == 0.0
    assert result["people"][0].counts == {"满意": 0, "基本满意": 0, "不满意": 3}
    assert result["late"] == {"issued": 2, "voted": 2, "totals": None, "too_few": True}
    page = staff.get(f"/evaluation/surveys/{campaign.pk}/").content.decode()
    assert "开始投票后补发投票码 2 个，已投 2 票" in page and "不计入" in page
