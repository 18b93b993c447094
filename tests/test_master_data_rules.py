import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiceng import factories
from jiceng.orgs.models import PartyOrg, Post
from jiceng.regions import rules
from jiceng.regions.models import Grid


def test_a_party_org_must_be_tied_to_a_region_or_a_unit(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyOrg.objects.create(name="无处可依党支部", kind="党支部")


def test_a_property_companys_branch_is_tied_to_its_community_too(world):
    branch = world["jiashun_property_branch"]
    assert branch.unit == world["jiashun_property"]
    assert branch.region == world["jiashun"]
    assert branch.parent.name == "建国路街道党工委"


def test_a_branch_cannot_have_a_branch_under_it(world):
    child = PartyOrg(
        name="子支部", kind="党支部", region=world["jiashun"], parent=world["jiashun_branch"]
    )
    with pytest.raises(ValidationError):
        child.full_clean()


def test_a_grid_sits_only_under_a_community_or_village(world):
    grid = Grid(code="x-01", name="第1网格", region=world["jianguolu"])
    with pytest.raises(ValidationError) as caught:
        grid.full_clean()
    assert "网格只能设在社区或村之下" in str(caught.value)


def test_only_secretaries_carry_a_source(world):
    person = factories.person(world["baojiadian_village"])
    post = Post(
        person=person, kind="两委成员", unit=world["baojiadian_village_unit"], source="回引"
    )
    with pytest.raises(ValidationError):
        post.full_clean()
    secretary = world["baojiadian_village_secretary"].posts.get(kind="书记")
    assert secretary.source == "内选"


def test_moving_a_region_moves_its_whole_subtree(world):
    jiashun = world["jiashun"]
    jiashun.parent = world["baojiadian"]
    jiashun.save()
    world["jiashun"].refresh_from_db()
    assert world["jiashun"].path == f"{world['baojiadian'].path}{jiashun.code}/"


@pytest.mark.parametrize(
    ("code", "level", "problem"),
    [
        ("652301000000", "county", None),
        ("652301004012", "village", None),
        ("652301004000", "village", "区划代码“652301004000”本级部分全为 0，不是村级代码"),
        ("6523010040", "township", "区划代码“6523010040”应为 12 位数字"),
    ],
)
def test_code_rules(code, level, problem):
    assert rules.code_problem(code, level) == problem


def test_native_length_codes_are_padded():
    assert rules.normalize_code("652301001") == "652301001000"
    assert rules.normalize_code("65") == "650000000000"


def test_village_kinds():
    assert rules.village_kind("652301004012", "嘉顺社区居委会") == "社区"
    assert rules.village_kind("652324102200", "包家店村村民委员会") == "村"
    assert rules.village_kind("652324500501", "新湖农场一连生活区") == "类似村级单位"
