"""Reading CSV and Excel files for imports, and the row-numbered report they produce.

Pure helpers with no Django import. Every import in jiceng (regions, ledgers, scores) reads its
file here, checks every row, and either saves all rows or none.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .text import clean_text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `row` is the line number a person sees in Excel."""

    row: int | None
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        if self.column:
            where += f"（{self.column}）"
        return f"{where}：{self.message}"


class ImportRefused(Exception):
    """The file was refused as a whole; `problems` says why, row by row. Nothing was saved."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        lines = [f"导入被拒绝，共 {len(self.problems)} 处问题，未保存任何数据："]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ……另有 {len(self.problems) - limit} 处问题未列出")
        return "\n".join(lines)


@dataclass
class Table:
    """Rows of a file as dicts keyed by the canonical column names, with their line numbers."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; then GB18030, which Excel in China often writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([Problem(None, "无法识别文件编码，请另存为 UTF-8 编码的 CSV")])


def read_rows(path: Path | str) -> list[list[str]]:
    """All rows of a .csv or .xlsx file as lists of stripped strings, header first."""
    path = Path(path)
    if not path.exists():
        raise ImportRefused([Problem(None, f"找不到文件 {path}")])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in {".csv", ".txt", ""}:
        text = decode(path.read_bytes())
        try:
            # control characters (NUL above all: PostgreSQL refuses it) never reach a row
            return [
                [clean_text(cell).strip() for cell in row] for row in csv.reader(io.StringIO(text))
            ]
        except csv.Error as exc:
            raise ImportRefused([Problem(None, f"CSV 格式错误：{exc}")]) from exc
    raise ImportRefused([Problem(None, f"不支持的文件类型 {suffix}，请使用 .csv 或 .xlsx")])


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportRefused([Problem(None, f"无法读取 Excel 文件：{exc}")]) from exc
    rows = []
    try:
        # read-only workbooks parse the sheet lazily: a truncated sheet fails here, not above
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else _cell_text(v) for v in values])
    except Exception as exc:  # a damaged sheet raises zip, XML or value errors
        raise ImportRefused([Problem(None, f"Excel 文件已损坏，无法读取：{exc}")]) from exc
    finally:
        book.close()
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def read_table(
    path: Path | str,
    required: list[str],
    optional: list[str] = (),  # type: ignore[assignment]
    aliases: dict[str, str] | None = None,
) -> Table:
    """Read a file whose header names columns; Chinese header aliases map to canonical names.

    A missing required column, a duplicated column or an empty file refuses the file.
    Unknown columns are ignored. Blank lines are skipped.
    """
    aliases = aliases or {}
    rows = read_rows(path)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportRefused([Problem(None, "文件为空")])
    header = [aliases.get(h.strip(), h.strip()) for h in rows[0]]
    problems = []
    seen = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(1, f"列 {name} 重复出现"))
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        problems.append(
            Problem(1, f"缺少必需的列：{'、'.join(missing)}；表头应包含 {', '.join(required)}")
        )
    if problems:
        raise ImportRefused(problems)
    wanted = set(required) | set(optional)
    index = {name: i for i, name in enumerate(header) if name in wanted}
    table = Table(columns=[name for name in header if name in wanted])
    for line_no, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue
        record = {name: (values[i] if i < len(values) else "") for name, i in index.items()}
        table.rows.append((line_no, record))
    return table


# --- writing: text stays text ------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ (or a tab or a
    CR) gets a leading apostrophe, as OWASP advises. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def defuse(book) -> None:
    """Every text cell of an openpyxl workbook stays text. openpyxl stores a string that
    starts with "=" as a live formula (a unit named =HYPERLINK(…) became a link in the 通报);
    jiceng writes no formulas, so each such cell is turned back into a string."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START)
                ):
                    cell.data_type = "s"
