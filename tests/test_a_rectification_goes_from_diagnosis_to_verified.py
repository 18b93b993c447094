"""整改清单: each item of a diagnosis has a responsible person (the branch's secretary until
someone else is named) and a due date; it is reported done with evidence, and an assessor
verifies it or sends it back with the reason. When the last item is verified the diagnosis
is 整改完成. Overdue items are listed for the county; the next diagnosis of the same
organization shows what was fixed; the grade and the message never contradict each other."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.core.errors import Forbidden
from jiceng.evaluation import checklist, diagnoses
from jiceng.evaluation.models import ChecklistItem, Diagnosis, Rectification

TZ = ZoneInfo("Asia/Shanghai")


def full_marks():
    return {i.pk: (i.points, "会议记录、台账齐全") for i in ChecklistItem.objects.all()}


def seventy_percent_in(dimension: str):
    """Every item of one dimension at 70 % of its points: none is weak on its own (below
    60 %), yet the dimension (80 % needed) is not 好."""
    scores = full_marks()
    for item in ChecklistItem.objects.filter(dimension__name=dimension):
        scores[item.pk] = (round(float(item.points) * 0.7, 1), "部分台账不全")
    return scores


@pytest.fixture
def people(world):
    return {
        "ann": factories.account("ann", ["assessor"], scope_region=world["changji_city"]),
        "ben": factories.account("ben", ["assessor"], scope_region=world["changji_city"]),
        "sec": factories.account(  # 嘉顺社区's secretary, through his own account
            "sec", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_secretary"]
        ),
        "far": factories.account("far", ["assessor"], scope_region=world["manas"]),
    }


@pytest.fixture
def diagnosed(world, people):
    return diagnoses.record(
        people["ann"],
        world["jiashun_branch"],
        seventy_percent_in("班子好"),
        assessed_on=date(2026, 11, 1),
    )


def test_a_dimension_that_is_not_good_always_has_something_to_fix():
    scores = [checklist.ItemScore(1, "班子好", 10, 7), checklist.ItemScore(2, "班子好", 10, 6.5)]
    result = checklist.grade(scores, {"班子好": 16})
    assert result["grade"] == "零个好" and result["weak"] == [2]  # the lowest, not none


def test_the_list_names_the_secretary_and_the_date(diagnosed, world):
    assert diagnosed.grade == "四个好" and diagnosed.state == "rectifying"
    item = diagnosed.rectifications.get()
    assert item.responsible == world["jiashun_secretary"] and item.due_on == date(2026, 12, 1)
    assert diagnosed.events.get().action == "record"


def test_reported_by_the_responsible_and_verified_by_an_assessor(diagnosed, people):
    item = diagnosed.rectifications.get()
    with pytest.raises(ValidationError, match="至少 10 字"):
        diagnoses.report(people["sec"], item, "已整改")
    diagnoses.report(people["sec"], item, "已召开支委会明确分工，补齐换届资料并报街道备案")
    item.refresh_from_db()
    assert item.state == "reported" and item.reported_by == people["sec"]
    with pytest.raises(Forbidden):
        diagnoses.verify(people["sec"], item)  # the responsible cannot verify
    diagnoses.verify(people["ann"], item)
    item.refresh_from_db()
    assert item.state == "verified" and item.verified_by == people["ann"] and item.done_on
    assert Diagnosis.objects.get(pk=diagnosed.pk).state == "rectified"  # its last item
    steps = [e.action for e in item.events.order_by("id")]
    assert steps == ["report", "verify"]


def test_whoever_reported_cannot_verify(diagnosed, people):
    item = diagnosed.rectifications.get()
    diagnoses.report(people["ann"], item, "考评员代为登记：已补齐换届资料并报街道备案")
    with pytest.raises(Forbidden, match="另一名考评员"):
        diagnoses.verify(people["ann"], item)
    diagnoses.verify(people["ben"], item)
    assert Rectification.objects.get(pk=item.pk).state == "verified"


def test_sent_back_with_the_reason_then_reported_again(diagnosed, people):
    item = diagnosed.rectifications.get()
    diagnoses.report(people["sec"], item, "已召开支委会明确分工，补齐换届资料并报街道备案")
    with pytest.raises(ValidationError, match="退回理由"):
        diagnoses.send_back(people["ann"], item, "")
    diagnoses.send_back(people["ann"], item, "备案回执未上传，请补充")
    item.refresh_from_db()
    assert item.state == "open" and item.sent_back == "备案回执未上传，请补充"
    diagnoses.report(people["sec"], item, "已上传街道备案回执，并在支委会上通报整改情况")
    item.refresh_from_db()
    assert item.state == "reported" and item.sent_back == ""


def test_another_county_cannot_touch_the_list(diagnosed, people):
    from django.http import Http404

    item = diagnosed.rectifications.get()
    with pytest.raises(Http404):
        diagnoses.verify(people["far"], item)
    far = Client()
    far.force_login(people["far"])
    assert far.get(f"/evaluation/diagnoses/{diagnosed.pk}/").status_code == 404
    response = far.post(f"/evaluation/rectifications/{item.pk}/", {"action": "verify"})
    assert response.status_code == 404


def test_overdue_items_are_listed_for_the_county(diagnosed, people):
    staff = Client()
    staff.force_login(people["ann"])
    with time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=TZ)):
        page = staff.get("/evaluation/rectifications/").content.decode()
        assert "没有逾期的整改事项" in page
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=TZ)):
        staff.force_login(people["ann"])
        page = staff.get("/evaluation/rectifications/").content.decode()
        assert "已逾期" in page and "昌吉市 <b>1</b> 项" in page
        assert list(diagnoses.overdue(people["ann"])) == [diagnosed.rectifications.get()]
        assert list(diagnoses.overdue(people["far"])) == []


def test_the_next_diagnosis_shows_what_was_fixed(diagnosed, people, world):
    item = diagnosed.rectifications.get()
    diagnoses.report(people["sec"], item, "已召开支委会明确分工，补齐换届资料并报街道备案")
    diagnoses.verify(people["ann"], item)
    later = diagnoses.record(
        people["ann"], world["jiashun_branch"], full_marks(), assessed_on=date(2027, 5, 1)
    )
    staff = Client()
    staff.force_login(people["ann"])
    page = staff.get(f"/evaluation/diagnoses/{later.pk}/").content.decode()
    assert "上次把脉问诊以来的整改" in page and "已核验" in page
    assert f"{item.item.points} / {item.item.points}" in page  # full marks this time
    assert "五个维度均达到“好”，无需整改" in page


def test_the_responsible_person_reports_from_the_page(diagnosed, people):
    item = diagnosed.rectifications.get()
    own = Client()
    own.force_login(people["sec"])
    home = own.get("/evaluation/rectifications/?show=open").content.decode()
    assert "我的整改" in home and f"#r{item.pk}" in home  # in the menu, with the item
    page = own.get(f"/evaluation/diagnoses/{diagnosed.pk}/").content.decode()
    assert "报整改完成" in page and "核验通过" not in page
    own.post(
        f"/evaluation/rectifications/{item.pk}/",
        {"action": "report", "evidence": "已召开支委会明确分工，补齐换届资料并报街道备案"},
    )
    assert Rectification.objects.get(pk=item.pk).state == "reported"
