"""Scores kept in spreadsheets: read `name, score [, group, veto]` rows, write the grades back.

Every row is checked before anything is ranked: a bad row refuses the whole file with its row
number (`ImportRefused`), never a partial result.
"""

from pathlib import Path

import openpyxl

from jiceng.core.tabular import ImportRefused, Problem, defuse, read_table

from .ranking import Entry, Graded

ALIASES = {
    "名称": "name",
    "单位": "name",
    "单位名称": "name",
    "姓名": "name",
    "村（社区）": "name",
    "得分": "score",
    "分数": "score",
    "综合得分": "score",
    "总分": "score",
    "分组": "group",
    "组别": "group",
    "县市": "group",
    "所属县市": "group",
    "一票否决": "veto",
    "否决": "veto",
}
YES = {"是", "y", "yes", "true", "1", "否决", "√"}
NO = {"", "否", "n", "no", "false", "0"}


def read_entries(path: Path | str) -> tuple[list[Entry], list[int]]:
    """The entries of the file and their line numbers."""
    table = read_table(
        path, required=["name", "score"], optional=["group", "veto"], aliases=ALIASES
    )
    problems: list[Problem] = []
    entries: list[Entry] = []
    lines: list[int] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in table.rows:
        name, group = row["name"].strip(), row.get("group", "").strip()
        text = row["score"].strip()
        veto_text = row.get("veto", "").strip().lower()
        if not name:
            problems.append(Problem(line, "名称不能为空", "name"))
        try:
            score = float(text)
            if score != score or score in (float("inf"), float("-inf")):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(line, f"得分“{text}”不是数字" if text else "得分不能为空", "score")
            )
            score = None
        if veto_text not in YES | NO:
            problems.append(
                Problem(line, f"一票否决“{row.get('veto')}”应填 是 或 否（或留空）", "veto")
            )
        if name and (group, name) in seen:
            problems.append(
                Problem(line, f"“{name}”在同一组内与第 {seen[(group, name)]} 行重复", "name")
            )
        seen.setdefault((group, name), line)
        if score is not None and name:
            entries.append(Entry(name=name, score=score, group=group, veto=veto_text in YES))
            lines.append(line)
    if not table.rows:
        problems.append(Problem(None, "文件中没有数据行"))
    if problems:
        raise ImportRefused(problems)
    return entries, lines


def write_grades(
    source: Path | str, graded: list[Graded], lines: list[int], output: Path | str
) -> None:
    """The source table with 排名, 等次 and 说明 added, as .xlsx. An .xlsx source keeps its sheet."""
    source = Path(source)
    if source.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(source)
        sheet = book.worksheets[0]
    else:
        from jiceng.core.tabular import read_rows

        book = openpyxl.Workbook()
        sheet = book.active
        for row in read_rows(source):
            sheet.append(row)
    header_row = next(
        i
        for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        if any(v not in (None, "") for v in row)
    )
    first_free = sheet.max_column + 1
    for offset, title in enumerate(["排名", "等次", "说明"]):
        sheet.cell(row=header_row, column=first_free + offset, value=title)
    for g, line in zip(graded, lines, strict=True):
        sheet.cell(row=line, column=first_free, value=g.rank)
        sheet.cell(row=line, column=first_free + 1, value=g.grade)
        sheet.cell(row=line, column=first_free + 2, value=g.reason)
    defuse(book)
    book.save(output)
