"""担当我先行: five seats never elect six people. A tie at the last seat elects none of the tied
by the count alone; the selection cannot go to its 公示 until a run-off vote among the tied
or an assessor's decision (with its reason, kept in the record) resolves it. The 公示 then
runs five working days on the holiday calendar: objections are taken only inside it, and the
result is announced only after it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import seats
from jiceng.evaluation import selection as sel
from jiceng.evaluation.models import Nomination, Selection
from jiceng.orgs.models import Person

TZ = ZoneInfo("Asia/Shanghai")
DEEDS = "带领群众发展庭院经济，村集体收入三年翻一番，疫情期间带头值守四十天。"


def test_the_rule_never_elects_more_than_the_seats():
    votes = [9, 8, 7, 6, 5, 5]  # six nominees, five seats, the last two tied
    candidates = [seats.Candidate(i, v) for i, v in enumerate(votes)]
    result = seats.outcome(candidates, 5)
    assert result.elected == [0, 1, 2, 3] and result.tied == [4, 5] and result.open_seats == 1
    assert "同为 5 票" in result.how
    # a run-off splits them …
    runoff = [seats.Candidate(i, v, 3 if i == 5 else 1) for i, v in enumerate(votes)]
    assert seats.outcome(runoff, 5, runoff_held=True).elected == [0, 1, 2, 3, 5]
    # … or does not, and the assessor decides
    even = [seats.Candidate(i, v, 2, decided=(i == 4)) for i, v in enumerate(votes)]
    result = seats.outcome(even, 5, runoff_held=True)
    assert result.elected == [0, 1, 2, 3, 4] and "考评员裁定" in result.how
    # no tie: the count decides
    assert seats.outcome([seats.Candidate(1, 3), seats.Candidate(2, 2)], 1).elected == [1]


@pytest.fixture
def tied(world, users):
    """Two seats, three nominees; the vote ends 2 : 1 : 1, a tie for the second seat."""
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    contest = Selection.objects.create(name="担当我先行", region=world["changji_city"], seats=2)
    third = Person.objects.create(code="P-third", name="马建军", region=world["jianguo"])
    people = [world["jiashun_secretary"], world["jianguo_secretary"], third]
    a, b, c = [sel.nominate(ann, contest, p, DEEDS) for p in people]
    sel.advance(ann, contest)
    for n in (a, b, c):
        sel.review(ann, n, True)
    sel.advance(ann, contest)
    sel.vote(users["dave"], contest, [a.pk, b.pk])
    sel.vote(users["gina"], contest, [a.pk, c.pk])
    return ann, contest, a, b, c


def test_a_tie_at_the_last_seat_stops_the_vote_from_closing(tied):
    ann, contest, a, _b, _c = tied
    assert [n.pk for n in sel.winners(contest)] == [a.pk]  # one seat taken, one open
    with pytest.raises(ServiceError, match="平票加试投票，或由考评员裁定") as refused:
        sel.step(ann, contest, "close_voting")
    assert refused.value.code == "tie_at_last_seat"
    assert Selection.objects.get(pk=contest.pk).state == "voting"


def test_a_runoff_among_the_tied_decides(tied, users):
    ann, contest, a, b, c = tied
    sel.step(ann, contest, "open_runoff")
    contest.refresh_from_db()
    assert contest.state == "runoff" and contest.runoff_seats == 1
    with pytest.raises(ValidationError, match="平票的人选"):
        sel.vote(users["dave"], contest, [a.pk])  # a is elected already, not on this ballot
    sel.vote(users["dave"], contest, [c.pk])  # dave voted in the first round too
    sel.vote(users["gina"], contest, [c.pk])
    sel.vote(users["frank"], contest, [b.pk])
    with pytest.raises(ServiceError, match="已经投过票"):
        sel.vote(users["dave"], contest, [b.pk])
    sel.step(ann, contest, "close_runoff")
    assert [n.pk for n in sel.winners(contest)] == [a.pk, c.pk]
    assert Selection.objects.get(pk=contest.pk).state == "publicity"


def test_an_assessor_decides_a_tie_with_the_reason_on_record(tied):
    ann, contest, a, b, c = tied
    with pytest.raises(ValidationError, match="理由"):
        sel.decide_tie(ann, contest, [b.pk], "按年限")
    with pytest.raises(ValidationError, match="选出 1 人"):
        sel.decide_tie(ann, contest, [b.pk, c.pk], "经评选领导小组研究，按任职年限较长者优先")
    sel.decide_tie(ann, contest, [b.pk], "经评选领导小组研究，按任职年限较长者优先")
    decision = contest.events.get(action="decide_tie")
    assert (
        decision.actor == ann and "任职年限" in decision.note and decision.data["chosen"] == [b.pk]
    )
    sel.step(ann, contest, "close_voting")
    assert [n.pk for n in sel.winners(contest)] == [a.pk, b.pk]
    assert Nomination.objects.get(pk=c.pk).tie_decided is False


def test_the_publicity_runs_five_working_days_and_the_result_comes_after(tied):
    ann, contest, a, b, _c = tied
    sel.decide_tie(ann, contest, [b.pk], "经评选领导小组研究，按任职年限较长者优先")
    # Friday 2 October 2026 is in the National Day holiday; work resumes on Thursday the 8th,
    # Saturday the 10th is a swapped working day: the 8th, 9th, 10th, 12th and 13th
    with time_machine.travel(datetime(2026, 10, 2, 10, tzinfo=TZ)):
        sel.step(ann, contest, "close_voting")
    contest.refresh_from_db()
    assert (contest.publicity_starts, contest.publicity_ends) == (
        date(2026, 10, 2),
        date(2026, 10, 13),
    )
    with time_machine.travel(datetime(2026, 10, 1, 10, tzinfo=TZ)):  # before it began
        with pytest.raises(ServiceError, match="不受理异议"):
            sel.object_to(a, "该同志所在村去年有一笔资金公示不及时，请核实。")
    with time_machine.travel(datetime(2026, 10, 13, 17, tzinfo=TZ)):
        objection = sel.object_to(a, "该同志所在村去年有一笔资金公示不及时，请核实。")
        sel.resolve(ann, objection, False, "经核查，资金已按规定公示，异议不成立")
        with pytest.raises(ServiceError, match="公示期满后"):
            sel.step(ann, contest, "announce")
    with time_machine.travel(datetime(2026, 10, 14, 9, tzinfo=TZ)):
        with pytest.raises(ServiceError, match="不受理异议"):
            sel.object_to(b, "公示期已过后提出的异议，不应再受理才对。")
        sel.step(ann, contest, "announce")
    assert Selection.objects.get(pk=contest.pk).state == "done"


def test_the_page_says_who_is_tied_and_offers_the_decision(tied, world):
    from django.test import Client

    ann, contest, _a, _b, c = tied
    staff = Client()
    staff.force_login(ann)
    page = staff.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    assert 'id="tie"' in page and "平票待定" in page and "马建军" in page
    assert "平票加试投票" in page and "结束投票，进入公示" not in page
    staff.post(
        f"/evaluation/selections/{contest.pk}/",
        {"action": "decide_tie", "chosen": [str(c.pk)], "reason": "经评选领导小组研究决定由其当选"},
    )
    page = staff.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    assert 'id="tie"' not in page and "结束投票，进入公示" in page


def test_voters_see_no_count_while_the_vote_is_open(tied, users):
    from django.test import Client

    ann, contest, _, b, _ = tied
    voter = Client()
    voter.force_login(users["frank"])
    page = voter.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    assert "得票" not in page and 'id="tie"' not in page  # neither counts nor the tie
    sel.decide_tie(ann, contest, [b.pk], "经评选领导小组研究，按任职年限较长者优先")
    sel.step(ann, contest, "close_voting")
    page = voter.get(f"/evaluation/selections/{contest.pk}/").content.decode()
    assert "得票" in page  # shown from the 公示
