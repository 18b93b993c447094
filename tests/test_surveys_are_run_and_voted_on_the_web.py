"""The survey on the web: an assessor sets up a village's campaign, prints one-time codes and
reads the results; a resident votes with a code on a phone, once."""

import re

from django.test import Client

from jiceng import factories
from jiceng.evaluation.models import Campaign


def set_up(world, client):
    response = client.post(
        "/evaluation/surveys/new/",
        {
            "region": world["jiashun"].code,
            "name": "嘉顺社区两委测评",
            "flag_below": "80",
            "posts": [str(p.pk) for p in world["jiashun_secretary"].posts.all()],
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    campaign = Campaign.objects.get()
    slips = client.post(
        f"/evaluation/surveys/{campaign.pk}/codes/", {"count": "3"}
    ).content.decode()
    codes = re.findall(r'<span class="slip-code">([A-Z0-9]{10})</span>', slips)
    client.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "open"})
    return campaign, codes


def test_an_assessor_runs_a_campaign_and_residents_vote_once(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    staff = Client()
    staff.force_login(ann)
    campaign, codes = set_up(world, staff)
    assert len(codes) == 3
    ratee = campaign.ratees.get()

    voter = Client()
    page = voter.post("/vote/", {"code": codes[0].lower()}).content.decode()
    assert world["jiashun_secretary"].name in page
    missing = voter.post("/vote/", {})
    assert missing.status_code == 422 and "每一位" in missing.content.decode()
    done = voter.post("/vote/", {f"r{ratee.pk}": "基本满意"})
    assert "投票成功" in done.content.decode()
    again = Client().post("/vote/", {"code": codes[0]})
    assert again.status_code == 422 and "已经使用" in again.content.decode()

    results = staff.get(f"/evaluation/surveys/{campaign.pk}/").content.decode()
    assert "已投票 <b>1</b>" in results and "参与率 <b>33.33</b>" in results
    assert "结束投票后公布" in results and "100.0" not in results  # hidden while open
    staff.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "close"})
    results = staff.get(f"/evaluation/surveys/{campaign.pk}/").content.decode()
    assert "100.0" in results


def test_another_countys_assessor_cannot_open_the_campaign(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    staff = Client()
    staff.force_login(ann)
    campaign, _ = set_up(world, staff)
    far = factories.account("fay", ["assessor"], scope_region=world["manas"])
    other = Client()
    other.force_login(far)
    assert other.get(f"/evaluation/surveys/{campaign.pk}/").status_code == 404
    assert (
        other.post(f"/evaluation/surveys/{campaign.pk}/codes/", {"count": "5"}).status_code == 404
    )
    assert (
        other.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "close"}).status_code
        == 404
    )
    assert "嘉顺" not in other.get("/evaluation/surveys/").content.decode()
    handler = Client()
    handler.force_login(factories.account("hal", ["handler"], scope_unit=world["jiashun_unit"]))
    refused = handler.post(
        "/evaluation/surveys/new/", {"region": world["jiashun"].code, "name": "x"}
    )
    assert Campaign.objects.count() == 1 and refused.status_code in (403, 404, 422)
