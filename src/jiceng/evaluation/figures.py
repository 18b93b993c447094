"""Entered figures in a spreadsheet: the template an assessor fills in, and reading it back.

One row per village (community) and indicator: `村（社区）代码, 村（社区）, 指标代码, 指标, 数值,
佐证`. Every row is checked before anything is saved; a bad row refuses the whole file with its
row number (`ImportRefused`). A row whose value is empty is skipped: nothing entered there yet.
"""

from decimal import Decimal, InvalidOperation
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from jiceng.core.tabular import ImportRefused, Problem, defuse, read_table

HEADER = ["村（社区）代码", "村（社区）", "指标代码", "指标", "数值", "佐证"]
ALIASES = {
    "村（社区）代码": "region",
    "区划代码": "region",
    "代码": "region",
    "村（社区）": "name",
    "名称": "name",
    "指标代码": "indicator",
    "指标": "indicator_name",
    "数值": "value",
    "佐证": "evidence",
    "佐证材料": "evidence",
}
YES = {"是", "否决", "1", "y", "yes", "true", "√"}
NO = {"否", "0", "n", "no", "false"}
MAX_VALUE = Decimal("999999999999")  # the column holds 14 digits, 2 after the point


def template(subjects, indicators, existing: dict) -> bytes:
    """The sheet to fill in: every village and enterable indicator, with what is entered."""
    book = Workbook()
    sheet = book.active
    sheet.title = "录入数值"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for region in subjects:
        for indicator in indicators:
            found = existing.get((region.pk, indicator.pk))
            value = None
            if found is not None:
                value = ("是" if found.value else "否") if indicator.kind == "veto" else found.value
            sheet.append(
                [
                    region.code,
                    region.name,
                    indicator.code,
                    indicator.name + ("（填 是/否）" if indicator.kind == "veto" else ""),
                    value,
                    found.evidence if found is not None else None,
                ]
            )
    for column, width in zip("ABCDEF", (16, 22, 12, 24, 12, 40), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    defuse(book)
    book.save(out)
    return out.getvalue()


def read_values(path, regions: dict, indicators) -> list[tuple]:
    """(region, indicator, value, evidence) for every filled-in row, or ImportRefused."""
    table = read_table(
        path,
        required=["region", "indicator", "value"],
        optional=["name", "indicator_name", "evidence"],
        aliases=ALIASES,
    )
    return check_values(table.rows, regions, indicators)


def check_values(rows, regions: dict, indicators, *, empty: str = "文件中没有填写任何数值"):
    """The checks of a filled-in sheet, over (line, {region, indicator, value, evidence})
    rows from a file or from the API: every problem with its line, or ImportRefused."""
    by_code = {i.code: i for i in indicators}
    problems: list[Problem] = []
    out: list[tuple] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        text = str(row["value"] if row["value"] is not None else "").strip()
        if not text:
            continue
        code, key = str(row["region"]).strip(), str(row["indicator"]).strip()
        evidence = (row.get("evidence") or "").strip()
        region, indicator = regions.get(code), by_code.get(key)
        if region is None:
            problems.append(
                Problem(line, f"村（社区）代码“{code}”不在本方案的考评范围内", "村（社区）代码")
            )
        if indicator is None:
            problems.append(Problem(line, f"指标代码“{key}”不是本方案中需录入的指标", "指标代码"))
        value = _value(text, indicator, line, problems)
        needs_evidence = indicator is not None and (indicator.kind != "veto" or value)
        if value is not None and needs_evidence and not evidence:
            problems.append(Problem(line, "请填写佐证（材料名称、文号或说明）", "佐证"))
        if len(evidence) > 2000:
            problems.append(Problem(line, "佐证不能超过 2000 字", "佐证"))
        if (code, key) in seen:
            problems.append(
                Problem(line, f"与第 {seen[(code, key)]} 行是同一村（社区）的同一指标", "指标代码")
            )
        seen.setdefault((code, key), line)
        if region is not None and indicator is not None and value is not None:
            out.append((region, indicator, value, evidence))
    if problems:
        raise ImportRefused(problems)
    if not out:
        raise ImportRefused([Problem(None, empty)])
    return out


def _value(text: str, indicator, line: int, problems: list) -> Decimal | None:
    if indicator is not None and indicator.kind == "veto":
        lowered = text.lower()
        if lowered in YES:
            return Decimal(1)
        if lowered in NO:
            return Decimal(0)
        problems.append(Problem(line, f"一票否决应填 是 或 否，而不是“{text}”", "数值"))
        return None
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        problems.append(Problem(line, f"数值“{text}”不是数字", "数值"))
        return None
    if not value.is_finite() or abs(value) > MAX_VALUE:
        problems.append(Problem(line, f"数值“{text}”超出范围", "数值"))
        return None
    return value.quantize(Decimal("0.01"))
