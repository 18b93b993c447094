"""把脉问诊 of a party branch: each item scored with evidence, a dimension is 好 at its
threshold, the grade counts the 好 dimensions, and weak items make the 整改清单."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from jiceng import factories
from jiceng.evaluation import checklist, diagnoses
from jiceng.evaluation.models import ChecklistItem, Diagnosis, Rectification


@pytest.fixture
def ann(world):
    return factories.account("ann", ["assessor"], scope_region=world["changji_city"])


def full_marks():
    return {i.pk: (i.points, "会议记录、台账齐全") for i in ChecklistItem.objects.all()}


def test_the_pure_grade_counts_good_dimensions():
    scores = [checklist.ItemScore(1, "班子好", 10, 9), checklist.ItemScore(2, "群众反映好", 10, 4)]
    result = checklist.grade(scores, {"班子好": 8, "群众反映好": 8})
    assert result["good"] == 1 and result["grade"] == "一个好" and result["weak"] == [2]


def test_full_marks_make_five_good_and_no_rectification(world, ann):
    diagnosis = diagnoses.record(
        ann, world["jiashun_branch"], full_marks(), assessed_on=date(2026, 11, 1)
    )
    assert (diagnosis.good_dimensions, diagnosis.grade) == (5, "五个好")
    assert diagnosis.rectifications.count() == 0 and diagnosis.scores.count() == 15


def test_weak_items_go_on_the_rectification_list_with_a_due_date(world, ann):
    scores = full_marks()
    weak = ChecklistItem.objects.filter(dimension__name="工作机制好").order_by("sort")
    for item in weak[:2]:
        scores[item.pk] = (1, "三会一课记录缺失")
    diagnosis = diagnoses.record(
        ann, world["jiashun_branch"], scores, assessed_on=date(2026, 11, 1)
    )
    assert diagnosis.grade == "四个好"
    dims = {d["name"]: d for d in diagnosis.summary}
    assert not dims["工作机制好"]["good"] and dims["工作机制好"]["score"] == 8.0
    rectifications = list(Rectification.objects.filter(diagnosis=diagnosis))
    assert len(rectifications) == 2 and rectifications[0].due_on == date(2026, 12, 1)


def test_a_missing_or_impossible_score_saves_nothing(world, ann):
    scores = full_marks()
    first = ChecklistItem.objects.first()
    scores[first.pk] = (first.points + 1, "")
    scores.pop(ChecklistItem.objects.last().pk)
    with pytest.raises(ValidationError) as refused:
        diagnoses.record(ann, world["jiashun_branch"], scores)
    messages = " ".join(m for ms in refused.value.message_dict.values() for m in ms)
    assert "应在 0 到" in messages and "未打分" in messages
    assert Diagnosis.objects.count() == 0


def test_another_countys_branch_is_not_found(world, ann):
    from django.http import Http404

    with pytest.raises(Http404):
        diagnoses.record(ann, world["baojiadian_village_branch"], full_marks())


def test_the_diagnosis_pages_record_and_show_the_grade(world, ann):
    from django.test import Client

    client = Client()
    client.force_login(ann)
    org = world["jiashun_branch"]
    form = client.get(f"/evaluation/diagnoses/new/?org={org.pk}").content.decode()
    assert "班子好" in form and "群众反映好" in form
    data = {"org": org.pk}
    for item in ChecklistItem.objects.all():
        data[f"s{item.pk}"] = str(item.points)
        data[f"e{item.pk}"] = "台账齐全"
    first = ChecklistItem.objects.first()
    data[f"s{first.pk}"] = "99"
    refused = client.post("/evaluation/diagnoses/new/", data)
    assert refused.status_code == 422 and "应在 0 到" in refused.content.decode()
    assert 'value="台账齐全"' in refused.content.decode()  # nothing typed is lost
    data[f"s{first.pk}"] = "1"
    done = client.post("/evaluation/diagnoses/new/", data)
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "五个好" in page or "四个好" in page
    assert "整改清单" in page and first.text in page
    far = factories.account("fay", ["assessor"], scope_region=world["manas"])
    other = Client()
    other.force_login(far)
    assert other.get(done["Location"]).status_code == 404
    assert other.get(f"/evaluation/diagnoses/new/?org={org.pk}").status_code == 404


def test_the_branch_is_found_by_name_and_only_within_scope(world, ann):
    from django.test import Client

    client = Client()
    client.force_login(ann)
    org = world["jiashun_branch"]
    found = client.get("/evaluation/diagnoses/", {"q": "嘉顺"}).content.decode()
    assert f"/evaluation/diagnoses/new/?org={org.pk}" in found
    assert world["baojiadian_village_branch"].name not in found
    missing = client.get("/evaluation/diagnoses/", {"q": "没有这个村"}).content.decode()
    assert "没有名称含“没有这个村”的党组织" in missing
    far = client.get("/evaluation/diagnoses/", {"q": world["baojiadian_village_branch"].name})
    assert f"?org={world['baojiadian_village_branch'].pk}" not in far.content.decode()
