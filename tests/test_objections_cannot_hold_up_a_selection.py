"""Issue 11, finding 5: someone posted 20 objections in 1.3 s, one of them 1 MB, and every
unresolved objection blocked the next stage. Objections now have a size limit and a rate
limit, and an assessor can dismiss one as spam with the reason on record."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.evaluation import selection as sel
from jiceng.evaluation.models import Objection, Selection

DEEDS = "带领群众发展庭院经济，村集体收入三年翻一番，疫情期间带头值守四十天。"


@pytest.fixture
def in_publicity(world, users):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    contest = Selection.objects.create(
        name="2026年“担当我先行”优秀书记评选", region=world["changji_city"], seats=1, created_by=ann
    )
    a = sel.nominate(ann, contest, world["jiashun_secretary"], DEEDS)
    sel.advance(ann, contest)
    sel.review(ann, a, True)
    sel.advance(ann, contest)
    sel.vote(users["dave"], contest, [a.pk])
    sel.advance(ann, contest)
    return ann, contest, a


def test_a_huge_objection_is_refused(in_publicity):
    _, contest, a = in_publicity
    with pytest.raises(ValidationError, match="不能超过 2000 字"):
        sel.object_to(a, "不实" * 600_000)
    page = Client().post(f"/publicity/{contest.pk}/", {"nomination": a.pk, "text": "x" * 3000})
    assert page.status_code == 422 and "不能超过 2000 字" in page.content.decode()
    assert not Objection.objects.exists()


def test_one_address_cannot_flood_the_publicity_page(in_publicity, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection_ip": "5/h"}
    _, contest, a = in_publicity
    flood = Client()
    codes = [
        flood.post(
            f"/publicity/{contest.pk}/",
            {"nomination": a.pk, "text": f"第{n}条：该同志事迹与实际不符。"},
        ).status_code
        for n in range(8)
    ]
    assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3
    assert Objection.objects.count() == 5


def test_an_assessor_dismisses_spam_with_a_reason_and_the_selection_goes_on(world, in_publicity):
    ann, contest, a = in_publicity
    spam = sel.object_to(a, "啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊")
    with pytest.raises(ValidationError, match="理由"):
        sel.resolve(ann, spam, False, "", spam=True)
    client = Client()
    client.force_login(ann)
    client.post(
        f"/evaluation/selections/{contest.pk}/",
        {
            "action": "resolve",
            "objection": spam.pk,
            "upheld": "spam",
            "resolution": "无具体事实，灌水",
        },
    )
    spam.refresh_from_db()
    assert (spam.spam, spam.upheld, spam.resolution) == (True, False, "无具体事实，灌水")
    assert "视为灌水" in client.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    after = Selection.objects.get(pk=contest.pk).publicity_ends + timedelta(days=1)
    with time_machine.travel(datetime.combine(after, time(9), ZoneInfo("Asia/Shanghai"))):
        sel.advance(ann, contest)  # nothing unresolved holds it up, and the 公示 is over
    assert Selection.objects.get(pk=contest.pk).state == "done"
