"""担当我先行: nominations with deeds, an eligibility review, one vote per eligible account
(even when pressed twice at once), objections during the 公示, and the result."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from jiceng import factories
from jiceng.core.errors import Forbidden, ServiceError
from jiceng.evaluation import selection as sel
from jiceng.evaluation.models import Selection

TZ = ZoneInfo("Asia/Shanghai")
DEEDS = "带领群众发展庭院经济，村集体收入三年翻一番，疫情期间带头值守四十天。"


@pytest.fixture
def race(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    contest = Selection.objects.create(
        name="2026年“担当我先行”优秀书记评选", region=world["changji_city"], seats=1, created_by=ann
    )
    a = sel.nominate(ann, contest, world["jiashun_secretary"], DEEDS)
    b = sel.nominate(ann, contest, world["jianguo_secretary"], DEEDS)
    return ann, contest, a, b


def to_voting(ann, contest, a, b):
    sel.advance(ann, contest)
    sel.review(ann, a, True)
    sel.review(ann, b, True)
    sel.advance(ann, contest)


def test_the_whole_selection(world, users, race):
    ann, contest, a, b = race
    with pytest.raises(ValidationError):
        sel.nominate(ann, contest, world["jiashun_secretary"], DEEDS)  # already nominated
    with pytest.raises(ValidationError):
        sel.nominate(ann, contest, world["baojiadian_village_secretary"], DEEDS)  # outside 昌吉市
    sel.advance(ann, contest)
    with pytest.raises(ServiceError, match="未完成资格审查"):
        sel.advance(ann, contest)
    with pytest.raises(ValidationError, match="理由"):
        sel.review(ann, b, False)
    sel.review(ann, a, True)
    sel.review(ann, b, True)
    sel.advance(ann, contest)
    for name in ["dave", "gina", "erin"]:
        sel.vote(users[name], contest, [a.pk])
    sel.vote(users["frank"], contest, [b.pk])
    with pytest.raises(ServiceError, match="已经投过票"):
        sel.vote(users["dave"], contest, [b.pk])
    with pytest.raises(Forbidden):
        sel.vote(users["alice"], contest, [a.pk])  # a prefecture account is outside 昌吉市's vote
    with pytest.raises(ValidationError, match="最多选择 1 人"):
        sel.vote(users["ivan"], contest, [a.pk, b.pk])
    sel.advance(ann, contest)
    assert [n.person for n in sel.winners(contest)] == [world["jiashun_secretary"]]
    objection = sel.object_to(a, "该同志所在村去年发生过重大安全事故，与事迹不符。")
    with pytest.raises(ServiceError, match="异议未处理"):
        sel.advance(ann, contest)
    sel.resolve(ann, objection, True, "经核查情况属实，取消入选资格")
    assert [n.person for n in sel.winners(contest)] == [world["jianguo_secretary"]]
    with pytest.raises(ServiceError, match="公示期满后"):
        sel.advance(ann, contest)
    after = Selection.objects.get(pk=contest.pk).publicity_ends + timedelta(days=1)
    with time_machine.travel(datetime.combine(after, time(9), TZ)):
        sel.advance(ann, contest)
    assert Selection.objects.get(pk=contest.pk).state == "done"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_account_pressing_vote_twice_at_once_counts_once(world, users, race):
    ann, contest, a, b = race
    to_voting(ann, contest, a, b)
    barrier = threading.Barrier(3)
    outcomes = []

    def press():
        try:
            barrier.wait()
            sel.vote(users["dave"], contest, [a.pk])
            outcomes.append("voted")
        except ServiceError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_voted", "already_voted", "voted"]
    a.refresh_from_db()
    assert a.votes == 1


def test_the_pages_carry_the_stages_and_the_public_can_object(world, users, race, login):
    from django.test import Client

    ann, contest, a, b = race
    staff = Client()
    staff.force_login(ann)
    page = staff.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    assert world["jiashun_secretary"].name in page and "推荐人选" in page
    assert "结束推荐，进入资格审查" in page  # the button the table offers in this stage
    staff.post(
        f"/evaluation/selections/{contest.pk}/", {"action": "step", "step": "close_nominations"}
    )
    staff.post(
        f"/evaluation/selections/{contest.pk}/",
        {"action": "review", "nomination": a.pk, "eligible": "1"},
    )
    staff.post(
        f"/evaluation/selections/{contest.pk}/",
        {"action": "review", "nomination": b.pk, "eligible": "1"},
    )
    staff.post(f"/evaluation/selections/{contest.pk}/", {"action": "step", "step": "open_voting"})
    login("dave").post(
        f"/evaluation/selections/{contest.pk}/", {"action": "vote", "nominations": [a.pk]}
    )
    staff.post(f"/evaluation/selections/{contest.pk}/", {"action": "step", "step": "close_voting"})
    public = Client()
    assert (
        world["jiashun_secretary"].name in public.get(f"/publicity/{contest.pk}/").content.decode()
    )
    short = public.post(f"/publicity/{contest.pk}/", {"nomination": a.pk, "text": "不行"})
    assert short.status_code == 422 and "至少 10 字" in short.content.decode()
    done = public.post(
        f"/publicity/{contest.pk}/", {"nomination": a.pk, "text": "该同志事迹材料有夸大，请核实。"}
    )
    assert "异议已收到" in done.content.decode()
    far = Client()
    far.force_login(factories.account("fay", ["assessor"], scope_region=world["manas"]))
    assert far.get(f"/evaluation/selections/{contest.pk}/").status_code == 404
