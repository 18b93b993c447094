"""Issue 27, the onboarding workbook (上线数据.xlsx): a county loads its own units, party
organisations, people, posts, grids, accounts and rules from Excel.

- the demo's data, exported and applied into a database that holds only the regions, gives the
  same records, table by table;
- applying the same file again changes nothing; a changed row updates its record; a row taken
  out of the file is listed, and deactivated only when asked;
- a workbook with one error in each sheet changes nothing, and says each error at its sheet,
  row and column;
- every apply is recorded with the file's checksum.
"""

import openpyxl
import pytest
from django.core.management import call_command

from jiceng import demo
from jiceng.dispatch.models import RoutingRule
from jiceng.orgs.models import OnboardingRun, PartyOrg, Person, Post, Unit, User, WhistleRule
from jiceng.project import onboarding
from jiceng.project.onboarding import export
from jiceng.regions.models import Grid, Region


def snapshot() -> dict:
    """Every onboarded table, keyed by codes, as comparable sets."""
    return {
        "units": {
            (u.code, u.name, u.type.code, u.region.code, u.phone, u.address, u.is_active)
            for u in Unit.objects.select_related("type", "region")
        },
        "orgs": {
            (
                o.code,
                o.name,
                o.kind,
                o.parent.code if o.parent_id else "",
                o.region.code if o.region_id else "",
                o.unit.code if o.unit_id else "",
                o.founded_on,
                o.is_active,
            )
            for o in PartyOrg.objects.select_related("parent", "region", "unit")
        },
        "people": {
            (
                p.code,
                p.name,
                p.gender,
                p.ethnicity,
                p.birth_year,
                p.phone,
                p.is_party_member,
                p.region.code,
            )
            for p in Person.objects.select_related("region")
        },
        "posts": {
            (
                p.person.code,
                p.kind,
                p.unit.code if p.unit_id else "",
                p.party_org.code if p.party_org_id else "",
                p.grid.code if p.grid_id else "",
                p.source,
                p.started_on,
                p.term_ends_on,
                p.ended_on,
            )
            for p in Post.objects.select_related("person", "unit", "party_org", "grid")
        },
        "grids": {
            (g.code, g.name, g.region.code, g.description, g.households, g.is_active)
            for g in Grid.objects.select_related("region")
        },
        "accounts": {
            (
                u.username,
                u.person.code if u.person_id else "",
                tuple(sorted(u.role_codes())),
                u.scope_region.code if u.scope_region_id else "",
                u.scope_unit.code if u.scope_unit_id else "",
                u.is_active,
                u.bilingual,
            )
            for u in User.objects.filter(is_superuser=False).select_related(
                "person", "scope_region", "scope_unit"
            )
        },
        "routes": {
            (
                r.category.code,
                r.region.code if r.region_id else "",
                r.keywords,
                r.unit_type.code if r.unit_type_id else "",
                r.unit.code if r.unit_id else "",
            )
            for r in RoutingRule.objects.select_related("category", "region", "unit_type", "unit")
        },
        "whistles": {
            (w.caller, w.called, w.mode, w.reach, w.is_active) for w in WhistleRule.objects.all()
        },
        "names": set(
            Region.objects.exclude(name_ug="", name_kk="").values_list("code", "name_ug", "name_kk")
        ),
    }


def wipe_all_but_regions() -> None:
    Post.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    Person.objects.all().delete()
    Grid.objects.all().delete()
    RoutingRule.objects.all().delete()
    WhistleRule.objects.all().delete()
    PartyOrg.objects.update(parent=None)
    PartyOrg.objects.all().delete()
    Unit.objects.all().delete()
    Region.objects.update(name_ug="", name_kk="")


def test_the_demos_data_comes_back_the_same_through_an_export_and_an_apply(db, tmp_path):
    demo.seed()
    Region.objects.filter(code="652301000000").update(name_ug="سانجى شەھىرى")
    before = snapshot()
    assert len(before["units"]) > 300 and len(before["accounts"]) >= 10
    path = tmp_path / "上线数据.xlsx"
    export.export(path)
    wipe_all_but_regions()
    assert not Unit.objects.exists()
    plan, result = onboarding.apply_file(path)
    assert plan.ok, plan.problems[:5]
    after = snapshot()
    for table in before:
        assert after[table] == before[table], table
    assert result.counts["单位"]["created"] == len(before["units"])
    # the same file again: nothing changes, and the apply is recorded with its checksum
    _, again = onboarding.apply_file(path)
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
    assert snapshot() == before
    runs = list(OnboardingRun.objects.order_by("at"))
    assert len(runs) == 2 and runs[0].checksum == onboarding.checksum(path)
    assert runs[0].counts["单位"]["created"] == len(before["units"])


def small_book(tmp_path, **sheets) -> "Path":  # noqa: F821
    """A workbook from the template with these rows (sheet name → list of row lists)."""
    path = tmp_path / "上线数据.xlsx"
    export.template(path)
    wb = openpyxl.load_workbook(path)
    for name, rows in sheets.items():
        for row in rows:
            wb[name].append(row)
    wb.save(path)
    return path


GOOD = {
    "单位": [
        ["JS", "嘉顺社区居委会", "社区居委会", "652301004012", "0994-2345678", "", "", "", "是"]
    ],
    "党组织": [
        ["JGL", "建国路街道党工委", "党委", "", "652301004000", "", "", "是"],
        ["JS-DZB", "嘉顺社区党支部", "党支部", "JGL", "652301004012", "JS", "2018-07-01", "是"],
    ],
    "人员": [["P1", "王建华", "男", "汉族", "1982", "13900000001", "是", "652301004012"]],
    "网格": [["JS-01", "第一网格", "652301004012", "", "320", "是"]],
    "任职": [
        ["P1", "书记", "", "JS-DZB", "", "内选", "2021-10-01", "2026-10-01", ""],
        ["P1", "网格员", "JS", "", "JS-01", "", "", "", ""],
    ],
    "账号": [["js_handler", "P1", "承办人", "", "JS", "是", "打印"]],
    "派单规则": [["010208", "652301004000", "暖气", "", "JS", ""]],
}


def test_a_workbook_is_applied_again_unchanged_and_a_changed_row_updates(world, tmp_path):
    path = small_book(tmp_path, **GOOD)
    plan, result = onboarding.apply_file(path)
    assert plan.ok, plan.problems
    assert result.counts["单位"]["created"] == 1 and result.counts["任职"]["created"] == 2
    unit = Unit.objects.get(code="JS")
    assert unit.region == world["jiashun"] and unit.phone == "0994-2345678"
    assert PartyOrg.objects.get(code="JS-DZB").parent.code == "JGL"
    _, again = onboarding.apply_file(path)
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
    changed = dict(GOOD)
    changed["单位"] = [
        ["JS", "嘉顺社区居委会", "社区居委会", "652301004012", "0994-7654321", "", "", "", "是"]
    ]
    _, third = onboarding.apply_file(_rewrite(tmp_path, changed))
    assert third.counts["单位"]["updated"] == 1
    assert Unit.objects.get(code="JS").phone == "0994-7654321"


def _rewrite(tmp_path, sheets):
    folder = tmp_path / "second"
    folder.mkdir(exist_ok=True)
    return small_book(folder, **sheets)


def test_a_row_taken_out_is_listed_and_deactivated_only_when_asked(world, tmp_path):
    onboarding.apply_file(small_book(tmp_path, **GOOD))
    fewer = dict(GOOD)
    fewer["网格"] = []
    fewer["任职"] = [GOOD["任职"][0]]
    path = _rewrite(tmp_path, fewer)
    _, result = onboarding.apply_file(path)
    assert "JS-01" in result.missing["网格"]
    assert Grid.objects.get(code="JS-01").is_active  # listed, not touched
    _, result = onboarding.apply_file(path, deactivate_missing=True)
    assert not Grid.objects.get(code="JS-01").is_active
    assert Post.objects.get(kind="网格员", person__code="P1").ended_on is not None
    assert OnboardingRun.objects.filter(deactivated=True).count() == 1


def test_one_error_in_each_sheet_changes_nothing_and_each_is_said_where_it_is(world, tmp_path):
    bad = {
        "单位": [["JS", "嘉顺社区居委会", "社区居委会", "652301999999", "", "", "", "", "是"]],
        "党组织": [["JS-DZB", "嘉顺社区党支部", "党支部", "NOPE", "652301004012", "", "", ""]],
        "人员": [["P1", "王建华", "男", "", "1982", "1390000", "是", "652301004012"]],
        "网格": [["JS-01", "第一网格", "652301004000", "", "", ""]],
        "任职": [["P1", "村长", "", "", "JS-01", "", "", "", ""]],
        "账号": [["js_handler", "P1", "站长", "", "JS", "", ""]],
        "派单规则": [["999999", "", "", "", "", ""]],
        "吹哨规则": [["乡镇/街道", "政府部门", "大声吹哨", "本县（市）", ""]],
        "区划名称": [["652301000001", "", "x", ""]],
    }
    path = small_book(tmp_path, **bad)
    units_before = Unit.objects.count()
    plan, result = onboarding.apply_file(path)
    assert result is None and Unit.objects.count() == units_before
    assert not OnboardingRun.objects.exists()
    said = {(p.sheet, p.row, p.column) for p in plan.problems}
    for expected in [
        ("单位", 3, "所属区划代码"),
        ("党组织", 3, "上级组织编码"),
        ("人员", 3, "手机号"),
        ("网格", 3, "所属村（社区）代码"),
        ("任职", 3, "职务"),
        ("账号", 3, "角色"),
        ("派单规则", 3, "诉求分类编码"),
        ("吹哨规则", 3, "方式"),
        ("区划名称", 3, "区划代码"),
    ]:
        assert expected in said, (expected, [str(p) for p in plan.problems])
    text = {str(p) for p in plan.problems}
    assert (
        "单位 第 3 行（所属区划代码）：区划代码“652301999999”不存在（须为 12 位统计用区划代码）"
        in text
    )
    assert any("网格只能设在社区或村之下" in t for t in text)
    # the command prints them, writes the report beside the file, and changes nothing
    with pytest.raises(Exception, match="处问题，未改任何数据"):
        call_command("onboard", str(path))
    report = onboarding.report_path(path).read_text(encoding="utf-8-sig")
    assert "单位,3,所属区划代码" in report


def test_duplicates_and_a_grid_outside_its_community_are_reported(world, tmp_path):
    sheets = dict(GOOD)
    sheets["单位"] = GOOD["单位"] + [GOOD["单位"][0]]
    sheets["网格"] = [["JS-01", "第一网格", "652301004001", "", "", "是"]]  # 建国社区
    plan = onboarding.check_file(small_book(tmp_path, **sheets))
    text = [str(p) for p in plan.problems]
    assert any("单位 第 4 行（单位编码）" in t and "重复" in t for t in text), text
    assert any("任职" in t and "不在单位“JS”所在的嘉顺社区居委会内" in t for t in text), text


def test_the_dry_run_changes_nothing_and_says_it_passed(world, tmp_path, capsys):
    path = small_book(tmp_path, **GOOD)
    call_command("onboard", str(path), "--dry-run")
    assert "检查通过" in capsys.readouterr().out
    assert not Unit.objects.filter(code="JS").exists()


def test_the_template_has_instructions_drop_downs_and_a_marked_example(world, tmp_path):
    path = tmp_path / "模板.xlsx"
    call_command("onboard", "--template", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:9] == [
        "填表说明",
        "单位",
        "党组织",
        "人员",
        "任职",
        "网格",
        "账号",
        "派单规则",
        "吹哨规则",
    ]
    units = wb["单位"]
    assert units["A1"].value == "单位编码*" and units["A2"].value.startswith("【示例】")
    lists = {str(dv.sqref)[:1]: dv.formula1 for dv in units.data_validations.dataValidation}
    # unit types and region codes from the database: on a hidden sheet when they are long
    assert "社区居委会" in lists["C"] or "选项" in lists["C"]
    assert world["jiashun"].code in lists["D"] or "选项" in lists["D"]
    # the example row is never imported
    assert onboarding.check_file(path).ok and onboarding.check_file(path).rows == 0
