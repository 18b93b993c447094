from jiceng.regions.models import Kind, Level, Region
from jiceng.regions.services import import_regions, region_counts


def test_shipped_file_gives_seven_counties_106_townships_and_926_villages(db):
    result = import_regions()
    assert result.created == 1041
    assert region_counts() == {
        "province": 1,
        "prefecture": 1,
        "county": 7,
        "township": 106,
        "village": 926,
    }


def test_running_the_import_again_updates_instead_of_duplicating(db):
    import_regions()
    Region.objects.filter(code="652301004000").update(name="旧名称")
    again = import_regions()
    assert Region.objects.count() == 1041
    assert again.created == 0
    assert again.updated == 1
    assert Region.objects.get(code="652301004000").name == "建国路街道"


def test_every_region_sits_under_its_parent_and_its_subtree_is_a_prefix_query(db):
    import_regions()
    changji_city = Region.objects.get(code="652301000000")
    assert changji_city.subtree().filter(level=Level.TOWNSHIP).count() == 22
    assert changji_city.subtree().filter(level=Level.VILLAGE).count() == 167
    jiashun = Region.objects.get(name="嘉顺社区居委会")
    assert jiashun.parent.name == "建国路街道"
    assert jiashun.path.startswith(changji_city.path)
    assert jiashun.ancestor(Level.COUNTY) == changji_city


def test_kinds_come_from_the_name_first_and_the_code_second(db):
    import_regions()
    assert Region.objects.get(name="建国路街道").kind == Kind.STREET
    assert Region.objects.get(name="包家店镇").kind == Kind.TOWN
    assert Region.objects.get(name="包家店村村民委员会").kind == Kind.VILLAGE
    # Coded 村民委员会 but named with a truncated suffix: the code decides.
    assert Region.objects.get(name="西沟村村民委员").kind == Kind.VILLAGE
    counts = {kind: Region.objects.filter(kind=kind).count() for kind in Kind.values}
    assert counts["街道"] == 9 and counts["镇"] == 46 and counts["乡"] == 26
    assert counts["社区"] + counts["村"] + counts["类似村级单位"] == 926


def test_a_dry_run_checks_and_saves_nothing(db):
    result = import_regions(dry_run=True)
    assert result.created == 1041
    assert Region.objects.count() == 0
