"""`jiceng rank361 FILE` grades the scores assessors keep in spreadsheets: JSON out, or the
same sheet back with 排名, 等次 and 说明; a bad row refuses the file with its row number."""

import csv
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command


def write_csv(path, rows, header=("name", "score", "group", "veto")):
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


VILLAGES = [(f"村{i:02d}", 95 - 2 * i, "昌吉市", "") for i in range(10)]


def test_json_grades_with_rank_and_reason(tmp_path, capsys):
    call_command("rank361", str(write_csv(tmp_path / "scores.csv", VILLAGES)))
    out = capsys.readouterr().out
    result = json.loads(out)
    assert out == json.dumps(result, ensure_ascii=False, indent=2) + "\n"  # readable, as printed
    assert [r["grade"] for r in result] == ["优秀"] * 3 + ["良好"] * 6 + ["差"]
    assert result[0] == {
        "name": "村00",
        "group": "昌吉市",
        "score": 95.0,
        "rank": 1,
        "grade": "优秀",
        "reason": "组内第 1/10 名；在前 30%（3 个）之内",
    }


def test_an_excel_file_with_chinese_headers_gets_three_columns_back(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["名称", "得分", "分组", "一票否决"])
    for name, score, group, _ in VILLAGES:
        book.active.append([name, score, group, "是" if name == "村01" else ""])
    book.save(tmp_path / "in.xlsx")
    call_command("rank361", str(tmp_path / "in.xlsx"), "--output", str(tmp_path / "out.xlsx"))
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))
    assert rows[0] == ("名称", "得分", "分组", "一票否决", "排名", "等次", "说明")
    assert rows[2][:6] == ("村01", 93, "昌吉市", "是", 2, "差")
    assert [r[5] for r in rows[1:]].count("优秀") == 3


def test_the_rules_are_options(tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", VILLAGES)
    call_command("rank361", str(path), "--excellent", "0.2", "--poor", "0.2")
    grades = [r["grade"] for r in json.loads(capsys.readouterr().out)]
    assert grades.count("优秀") == 2 and grades.count("差") == 2
    with pytest.raises(CommandError, match="不能超过 100%"):
        call_command("rank361", str(path), "--excellent", "0.8", "--poor", "0.5")


def test_bad_rows_refuse_the_file_with_row_numbers(tmp_path, capsys):
    rows = [
        *VILLAGES[:3],
        ("", "80", "昌吉市", ""),
        ("村09", "八十", "昌吉市", ""),
        ("村00", "70", "昌吉市", ""),
        ("村11", "70", "昌吉市", "也许"),
    ]
    with pytest.raises(CommandError) as refused:
        call_command(
            "rank361",
            str(write_csv(tmp_path / "bad.csv", rows)),
            "--output",
            str(tmp_path / "out.xlsx"),
        )
    report = str(refused.value)
    for fragment in ["第 5 行（name）", "第 6 行（score）", "第 7 行（name）", "第 8 行（veto）"]:
        assert fragment in report, report
    assert not (tmp_path / "out.xlsx").exists()


def test_a_file_without_the_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command(
            "rank361", str(write_csv(tmp_path / "x.csv", [("a", "b")], header=("单位", "备注")))
        )
