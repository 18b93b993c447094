"""四个一批: each county's serving village secretaries by source (内选, 回引, 跨任, 下派) with
counts and shares, the 两委 posts whose term ends within six months, a 后备力量 pool with
training hours, and each person's yearly record (361 grade, surveys, training, 担当我先行),
all inside the reader's scope and reachable from the menu."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.evaluation import secretaries
from jiceng.evaluation.models import AssessmentPeriod, ReservePerson, Scheme, TrainingRecord
from jiceng.orgs.models import Person, Post


@pytest.fixture
def ann(world):
    return factories.account("ann", ["assessor"], scope_region=world["changji"])


def secretary_post(world, key) -> Post:
    return Post.objects.get(person=world[f"{key}_secretary"], kind="书记")


def test_secretaries_by_source_per_county(ann, world):
    Post.objects.filter(pk=secretary_post(world, "jiashun").pk).update(source="回引")
    Post.objects.filter(pk=secretary_post(world, "jianguo").pk).update(source="下派")
    result = secretaries.by_source(ann)
    city = next(r for r in result["rows"] if r["name"] == "昌吉市")
    cells = {s: (n, share) for s, n, share in city["cells"]}
    assert city["total"] == 2 and cells["回引"] == (1, 50.0) and cells["下派"] == (1, 50.0)
    assert result["total"]["total"] == 3  # with the village of 呼图壁县 (内选)
    local = factories.account("loc", ["assessor"], scope_region=world["changji_city"])
    assert [r["name"] for r in secretaries.by_source(local)["rows"]] == ["昌吉市"]


def test_terms_ending_within_six_months(ann, world):
    today = timezone.localdate()
    Post.objects.filter(pk=secretary_post(world, "jiashun").pk).update(
        term_ends_on=today + timedelta(days=60)
    )
    Post.objects.filter(pk=secretary_post(world, "jianguo").pk).update(
        term_ends_on=today + timedelta(days=400)
    )
    ending = secretaries.terms_ending(ann, today)
    assert [p.person for p in ending] == [world["jiashun_secretary"]]


def test_the_reserve_pool_with_training_hours(ann, world):
    candidate = Person.objects.create(code="P-young", name="马晓东", region=world["jiashun"])
    TrainingRecord.objects.create(
        person=candidate, course="村级后备干部培训班", held_on=date(2026, 5, 1), hours=16
    )
    entry = secretaries.add_reserve(ann, candidate, world["jiashun"], "致富带头人")
    with pytest.raises(ValidationError, match="已在后备力量库中"):
        secretaries.add_reserve(ann, candidate, world["jiashun"])
    (row,) = secretaries.reserve(ann, date(2026, 12, 1))
    assert row["entry"] == entry and row["hours"] == 16 and row["hours_year"] == 16
    with pytest.raises(ValidationError, match="移出原因"):
        secretaries.remove_reserve(ann, entry, "")
    secretaries.remove_reserve(ann, entry, "已当选村委委员")
    assert ReservePerson.objects.get(pk=entry.pk).state == "removed"
    assert [e.action for e in entry.events.order_by("id")] == ["add", "remove"]
    secretaries.add_reserve(ann, candidate, world["jiashun"])  # may come back later


def test_the_page_is_in_the_menu_and_scoped(ann, world):
    candidate = Person.objects.create(code="P-young", name="马晓东", region=world["jiashun"])
    client = Client()
    client.force_login(ann)
    assert "/evaluation/secretaries/" in client.get("/").content.decode()
    page = client.get("/evaluation/secretaries/?q=马晓").content.decode()
    assert 'id="sources"' in page and "马晓东" in page
    client.post("/evaluation/reserve/", {"person": candidate.pk, "note": "退役军人"})
    entry = ReservePerson.objects.get()
    far = Client()
    far.force_login(factories.account("fay", ["assessor"], scope_region=world["manas"]))
    assert far.post(f"/evaluation/reserve/{entry.pk}/remove/", {"reason": "x"}).status_code == 404
    assert "马晓东" not in far.get("/evaluation/secretaries/").content.decode()
    handler = Client()
    handler.force_login(factories.account("hal", ["handler"], scope_unit=world["jiashun_unit"]))
    assert handler.get("/evaluation/secretaries/").status_code == 403


def test_a_persons_yearly_record(ann, world):
    secretary = world["jiashun_secretary"]
    scheme = Scheme.objects.create(name="星级评定", region=world["changji"])
    AssessmentPeriod.objects.create(
        scheme=scheme,
        label="2026年第一季度",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
        state="published",
        results={
            "rows": [
                {
                    "region": world["jiashun"].code,
                    "name": "嘉顺",
                    "county": "652301",
                    "score": 91.5,
                    "grade": "优秀",
                }
            ]
        },
    )
    TrainingRecord.objects.create(
        person=secretary, course="党支部书记示范培训", held_on=date(2026, 4, 2), hours=24
    )
    (year,) = [y for y in secretaries.yearly_record(secretary) if y["year"] == 2026]
    assert year["grades"] == [{"period": "2026年第一季度", "grade": "优秀", "score": 91.5}]
    assert year["hours"] == 24
    client = Client()
    client.force_login(ann)
    page = client.get(f"/evaluation/people/{secretary.pk}/").content.decode()
    assert 'id="yearly"' in page and "2026年第一季度：优秀（91.5）" in page
