"""把脉问诊 coverage: of each county's party branches, how many were diagnosed in the year and
with which grade (each branch's latest diagnosis of that year), inside the reader's scope."""

from datetime import date

import pytest
from django.test import Client

from jiceng import factories
from jiceng.evaluation import coverage, diagnoses
from jiceng.evaluation.models import ChecklistItem


def marks(weak_dimensions=()):
    scores = {}
    for item in ChecklistItem.objects.select_related("dimension"):
        low = item.dimension.name in weak_dimensions
        scores[item.pk] = (0 if low else item.points, "台账")
    return scores


@pytest.fixture
def diagnosed(world):
    pref = factories.account("pref", ["assessor"], scope_region=world["changji"])
    diagnoses.record(pref, world["jiashun_branch"], marks(), assessed_on=date(2026, 3, 1))
    diagnoses.record(pref, world["jianguo_branch"], marks(), assessed_on=date(2025, 9, 1))
    village = world["baojiadian_village_branch"]
    diagnoses.record(pref, village, marks(["班子好", "党员队伍好"]), assessed_on=date(2026, 2, 1))
    diagnoses.record(pref, village, marks(["班子好"]), assessed_on=date(2026, 10, 1))
    return pref


def test_each_county_counts_its_branches_and_their_latest_grade(diagnosed, world):
    result = coverage.by_county(diagnosed, 2026)
    rows = {r["name"]: r for r in result["rows"]}
    city = rows["昌吉市"]  # 嘉顺, 建国 (diagnosed in 2025 only) and 嘉顺物业's branch
    assert (city["branches"], city["diagnosed"], city["share"]) == (3, 1, 33.3)
    assert city["grades"]["五个好"] == 1
    village_county = next(r for r in result["rows"] if r["name"] != "昌吉市")
    assert (village_county["branches"], village_county["diagnosed"]) == (1, 1)
    assert village_county["grades"]["四个好"] == 1 and village_county["grades"]["三个好"] == 0
    assert village_county["rectifying"] == 1
    assert (result["total"]["branches"], result["total"]["diagnosed"]) == (4, 2)
    assert coverage.by_county(diagnosed, 2025)["total"]["diagnosed"] == 1


def test_a_county_reads_only_its_own(diagnosed, world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    result = coverage.by_county(ann, 2026)
    assert [r["name"] for r in result["rows"]] == ["昌吉市"]


def test_the_page_for_leaders_and_assessors_only(diagnosed, world):
    leader = Client()
    leader.force_login(factories.account("lea", ["leader"], scope_region=world["changji"]))
    page = leader.get("/evaluation/diagnoses/coverage/?year=2026").content.decode()
    assert 'id="coverage-total"' in page and "共 <b>4</b> 个党支部" in page
    assert "已把脉问诊 <b>2</b> 个（50.0%）" in page
    handler = Client()
    handler.force_login(factories.account("hal", ["handler"], scope_unit=world["jiashun_unit"]))
    assert handler.get("/evaluation/diagnoses/coverage/").status_code == 403
    assert leader.get("/evaluation/diagnoses/coverage/?year=abc").status_code == 200
