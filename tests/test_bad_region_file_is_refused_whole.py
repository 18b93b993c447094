import pytest
from django.core.management import CommandError, call_command

from jiceng.core.tabular import ImportRefused
from jiceng.regions.models import Region
from jiceng.regions.services import import_regions

HEADER = "code,name,level,parent_code\n"
GOOD = (
    "650000000000,新疆维吾尔自治区,province,\n"
    "652300000000,昌吉回族自治州,prefecture,650000000000\n"
    "652301000000,昌吉市,county,652300000000\n"
)


def refused(tmp_path, text: str, encoding: str = "utf-8") -> list[str]:
    path = tmp_path / "regions.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ImportRefused) as caught:
        import_regions(path)
    assert Region.objects.count() == 0, "a refused file must save nothing"
    return [str(problem) for problem in caught.value.problems]


def test_wrong_columns_are_refused(db, tmp_path):
    problems = refused(tmp_path, "编号,名字\n1,2\n")
    assert problems == [
        "第 1 行：缺少必需的列：code、name、level、parent_code；"
        "表头应包含 code, name, level, parent_code"
    ]


def test_an_unknown_parent_refuses_every_row_of_the_file(db, tmp_path):
    problems = refused(tmp_path, HEADER + GOOD + "652399001000,无主街道,township,652399000000\n")
    assert problems == ["第 5 行（parent_code）：上级代码“652399000000”在文件和系统中都不存在"]


def test_broken_codes_are_reported_by_row(db, tmp_path):
    problems = refused(
        tmp_path,
        HEADER
        + GOOD
        + "65230100400X,建国路街道,township,652301000000\n"
        + "652301004001,错层级,township,652301000000\n"
        + "652302004000,跨县,township,652301000000\n",
    )
    assert problems == [
        "第 5 行（code）：区划代码“65230100400X”应为 12 位数字",
        "第 6 行（code）：乡级的区划代码第 10 位起应全为 0，实为“652301004001”",
        "第 7 行（parent_code）：区划代码“652302004000”的前 6 位与上级代码“652301000000”不一致",
    ]


def test_duplicate_codes_empty_names_and_unknown_levels_are_refused(db, tmp_path):
    problems = refused(
        tmp_path,
        HEADER
        + GOOD
        + "652301000000,昌吉市,county,652300000000\n"
        + "652302000000,,county,652300000000\n"
        + "652303000000,某地,city,652300000000\n",
    )
    assert problems == [
        "第 5 行（code）：区划代码“652301000000”与第 4 行重复",
        "第 6 行（name）：名称不能为空",
        "第 7 行（level）：层级“city”无效，应为 province/prefecture/county/township/village",
    ]


def test_a_level_under_the_wrong_parent_level_is_refused(db, tmp_path):
    problems = refused(tmp_path, HEADER + GOOD + "652301004001,某社区,village,652301000000\n")
    assert problems == ["第 5 行（parent_code）：上级“652301000000”是县级，村级的上级应为乡级"]


def test_a_bad_file_leaves_earlier_data_untouched(db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    import_regions(good)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "652301000000,改名,county,652300000000\n652302000000,X,county,999\n")
    with pytest.raises(ImportRefused):
        import_regions(bad)
    assert Region.objects.get(code="652301000000").name == "昌吉市"
    assert Region.objects.count() == 3


def test_files_saved_by_excel_in_gb18030_are_read(db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(("区划代码,名称,层级,上级代码\n" + GOOD).encode("gb18030"))
    assert import_regions(path).created == 3
    assert Region.objects.get(code="652301000000").name == "昌吉市"


def test_excel_workbooks_are_read_too(db, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "name", "level", "parent_code"])
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "regions.xlsx"
    book.save(path)
    assert import_regions(path).created == 3


def test_the_command_prints_the_report_and_fails(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "652301000000,昌吉市,county,652300000000\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_regions", str(path))
    assert "导入被拒绝" in str(caught.value)
    assert "第 2 行（parent_code）" in str(caught.value)
    assert Region.objects.count() == 0
