"""The onboarding workbook, 上线数据.xlsx: its sheets and columns, the empty template, the
export of what is in the database, and the reading of a filled-in file.

Every sheet is keyed by a stable code (a unit's 单位编码, a person's 人员编号, an account's
用户名 …; a post by its person, post and place; a rule by what it matches), so the same file
can be applied again and a changed row updates its record. Row 2 of each sheet is an example,
marked 【示例】 in its first cell: the reader skips any such row.
"""

from dataclasses import dataclass, field
from pathlib import Path

from jiceng.core.tabular import ImportRefused, Problem, defuse
from jiceng.core.text import clean_text

EXAMPLE = "【示例】"
INSTRUCTIONS = "填表说明"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""
    choices: tuple[str, ...] = ()  # a drop-down in the template
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    about: str
    columns: tuple[Column, ...]
    example: dict = field(default_factory=dict)

    def header(self) -> list[str]:
        return [c.header for c in self.columns]


YES_NO = ("是", "否")
UNIT_CATEGORIES = ("社区居委会", "村委会", "物业服务企业", "乡镇/街道", "政府部门", "公共服务企业")

SHEETS = [
    Sheet(
        "单位",
        "承办单位：社区居委会、村委会、物业公司、乡镇街道、政府部门、公共服务企业",
        (
            Column("code", "单位编码", True, "字母、数字、点、下划线、连字符；一经使用不要改"),
            Column("name", "单位名称", True, "同一区划下不能重名", width=28),
            Column("type", "单位类型", True, "见下拉，如 社区居委会、住建局"),
            Column("region", "所属区划代码", True, "12 位统计用区划代码", width=16),
            Column("phone", "联系电话", False, "手机号或带区号的固定电话"),
            Column("address", "地址", width=24),
            Column("name_ug", "维吾尔文名称", width=24),
            Column("name_kk", "哈萨克文名称", width=24),
            Column("active", "启用", False, "是 / 否；不填为是", YES_NO, 8),
        ),
        {
            "code": "CJS-JGL-JS",
            "name": "嘉顺社区居委会",
            "type": "社区居委会",
            "region": "652301004012",
            "phone": "0994-2345678",
            "active": "是",
        },
    ),
    Sheet(
        "党组织",
        "党委、党总支、党支部；上级组织须在本表或系统中已有",
        (
            Column("code", "组织编码", True),
            Column("name", "组织名称", True, width=28),
            Column(
                "kind", "组织类别", True, "党委 / 党总支 / 党支部", ("党委", "党总支", "党支部")
            ),
            Column("parent", "上级组织编码"),
            Column("region", "所在区划代码", False, "所在区划代码与所在单位编码至少填一项"),
            Column("unit", "所在单位编码"),
            Column("founded_on", "成立日期", False, "如 2018-07-01"),
            Column("active", "启用", False, "是 / 否；不填为是", YES_NO, 8),
        ),
        {
            "code": "DZZ-JS",
            "name": "嘉顺社区党支部",
            "kind": "党支部",
            "parent": "DZZ-JGL",
            "region": "652301004012",
        },
    ),
    Sheet(
        "人员",
        "书记、两委成员、网格员、承办人等；手机号加密保存",
        (
            Column("code", "人员编号", True),
            Column("name", "姓名", True),
            Column("gender", "性别", False, "男 / 女", ("男", "女"), 8),
            Column("ethnicity", "民族", width=10),
            Column("birth_year", "出生年份", False, "四位数字，如 1985", width=10),
            Column("phone", "手机号", False, "11 位手机号；账号临时密码用短信发送时必填"),
            Column("party", "中共党员", False, "是 / 否", YES_NO, 10),
            Column("region", "所属区划代码", True),
        ),
        {
            "code": "P-0001",
            "name": "王建华",
            "gender": "男",
            "ethnicity": "汉族",
            "birth_year": "1982",
            "phone": "13900000000",
            "party": "是",
            "region": "652301004012",
        },
    ),
    Sheet(
        "任职",
        "一人一职一行：书记（填来源与任期届满）、两委成员、网格员（填网格编号）、承办人",
        (
            Column("person", "人员编号", True),
            Column(
                "kind",
                "职务",
                True,
                "见下拉",
                (
                    "书记",
                    "副书记",
                    "第一书记",
                    "主任",
                    "两委成员",
                    "网格员",
                    "承办人",
                    "负责人",
                    "工作人员",
                ),
            ),
            Column("unit", "单位编码", False, "单位编码、党组织编码、网格编号至少填一项"),
            Column("party_org", "党组织编码"),
            Column("grid", "网格编号"),
            Column(
                "source", "书记来源", False, "只有书记填写", ("内选", "回引", "跨任", "下派"), 10
            ),
            Column("started_on", "任职日期"),
            Column("term_ends_on", "任期届满"),
            Column("ended_on", "离任日期"),
        ),
        {
            "person": "P-0001",
            "kind": "书记",
            "party_org": "DZZ-JS",
            "source": "内选",
            "started_on": "2021-10-01",
            "term_ends_on": "2026-10-01",
        },
    ),
    Sheet(
        "网格",
        "网格只能设在社区或村之下",
        (
            Column("code", "网格编号", True),
            Column("name", "网格名称", True),
            Column("region", "所属村（社区）代码", True),
            Column("description", "范围说明", width=28),
            Column("households", "户数", width=8),
            Column("active", "启用", False, "是 / 否；不填为是", YES_NO, 8),
        ),
        {"code": "JS-01", "name": "第一网格", "region": "652301004012", "households": "320"},
    ),
    Sheet(
        "账号",
        "登录账号：不填密码，新账号由系统生成一次性密码，首次登录须修改",
        (
            Column("username", "用户名", True, "字母、数字和 @.+-_"),
            Column("person", "人员编号"),
            Column("roles", "角色", True, "多个用顿号分隔，如 派单员、受理员", width=24),
            Column("region", "管辖区划代码", False, "管辖区划代码与所属单位编码只填一项"),
            Column("unit", "所属单位编码"),
            Column("active", "启用", False, "是 / 否；不填为是", YES_NO, 8),
            Column("delivery", "密码发送", False, "短信 / 打印；不填为打印", ("短信", "打印"), 10),
            Column("bilingual", "双语受理", False, "能读维吾尔文或哈萨克文：是 / 否", YES_NO, 10),
        ),
        {"username": "js_handler", "person": "P-0001", "roles": "承办人", "unit": "CJS-JGL-JS"},
    ),
    Sheet(
        "派单规则",
        "诉求分类 × 区划 → 承办单位类型或指定单位；都不填则派给所在村（社区）",
        (
            Column("category", "诉求分类编码", True),
            Column("region", "适用区划代码", False, "不填为全州通用（仅州级管理员）"),
            Column("keywords", "关键词", False, "用空格或逗号分隔", width=20),
            Column("unit_type", "承办单位类型"),
            Column("unit", "指定承办单位编码"),
            Column("note", "说明", width=24),
        ),
        {"category": "010208", "region": "652301000000", "unit_type": "住建局"},
    ),
    Sheet(
        "吹哨规则",
        "谁可以向谁吹哨（全州通用，仅州级管理员可改）",
        (
            Column("caller", "吹哨单位大类", True, "", UNIT_CATEGORIES, 14),
            Column("called", "报到单位大类", True, "", UNIT_CATEGORIES, 14),
            Column("mode", "方式", True, "", ("直接吹哨", "提请吹哨"), 10),
            Column("reach", "范围", True, "", ("所在乡镇（街道）", "本县（市）", "本州"), 16),
            Column("active", "启用", False, "是 / 否；不填为是", YES_NO, 8),
        ),
        {"caller": "乡镇/街道", "called": "政府部门", "mode": "直接吹哨", "reach": "本县（市）"},
    ),
    Sheet(
        "区划名称",
        "区划的维吾尔文、哈萨克文官方名称（区划本身随系统提供，不在此新增）",
        (
            Column("code", "区划代码", True),
            Column("name", "中文名称", False, "仅供核对，不导入", width=20),
            Column("name_ug", "维吾尔文名称", width=28),
            Column("name_kk", "哈萨克文名称", width=28),
        ),
        {"code": "652301000000", "name": "昌吉市"},
    ),
]
BY_NAME = {sheet.name: sheet for sheet in SHEETS}


# --- writing ----------------------------------------------------------------------------------


def write(path: Path | str, rows: dict[str, list[dict]] | None = None, choices: dict | None = None):
    """Write the workbook: the instructions, then each sheet with its header, its example row
    and `rows` (sheet name → list of {column key: value}). `choices` adds drop-down lists the
    database knows (unit types, roles, region codes) to the template."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS
    guide.append(["上线数据填表说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in (
        "1. 每张表第 1 行是表头，请勿修改；第 2 行是示例（首格以【示例】开头），导入时跳过，可删可留。",
        "2. 每行以编码为准：同一文件可以反复导入；改了某行，再导入即更新该记录；编码一经使用不要改。",
        "3. 文件中删掉的行不会被悄悄删除：导入时会列出，需勾选“停用文件中没有的记录”才停用。",
        "4. 账号表不填密码：新账号由系统生成一次性密码（短信发送或打印），首次登录须修改。",
        "5. 先“检查”（不改任何数据），按报告逐条改正后再“导入”；导入要么全部成功，要么什么也不改。",
        "6. 区划代码用 12 位统计用区划代码；区划本身随系统提供。",
        "",
        "表名 / 内容：",
    ):
        guide.append([line])
    for sheet in SHEETS:
        guide.append([f"{sheet.name}：{sheet.about}"])
    guide.column_dimensions["A"].width = 100
    choices = choices or {}
    grey = Font(italic=True, color="888888")
    head = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF3FA")
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append([c.header + ("*" if c.required else "") for c in sheet.columns])
        for i, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = head
            cell.fill = fill
            ws.column_dimensions[get_column_letter(i)].width = column.width
            if column.note:
                from openpyxl.comments import Comment

                cell.comment = Comment(column.note, "jiceng")
        example = [sheet.example.get(c.key, "") for c in sheet.columns]
        example[0] = EXAMPLE + str(example[0])
        ws.append(example)
        for i in range(1, len(sheet.columns) + 1):
            ws.cell(row=2, column=i).font = grey
        for row in (rows or {}).get(sheet.name, []):
            ws.append([_cell(row.get(c.key, "")) for c in sheet.columns])
        ws.freeze_panes = "A3"
        for i, column in enumerate(sheet.columns, start=1):
            options = column.choices or choices.get((sheet.name, column.key), ())
            if not options:
                continue
            letter = get_column_letter(i)
            formula = _list_formula(book, options, f"{sheet.name}_{column.key}")
            rule = DataValidation(type="list", formula1=formula, allow_blank=True)
            rule.error = "请从下拉列表中选择"
            rule.errorTitle = column.header
            rule.showErrorMessage = not column.key == "roles"  # roles hold several names
            ws.add_data_validation(rule)
            rule.add(f"{letter}3:{letter}20000")
    defuse(book)
    book.save(path)


def _list_formula(book, options, name: str) -> str:
    """A drop-down's list: inline when short (Excel allows 255 characters), otherwise on a
    hidden sheet of lists (region codes, unit types)."""
    inline = ",".join(options)
    if len(inline) <= 250 and '"' not in inline:
        return f'"{inline}"'
    if "选项" not in book.sheetnames:
        lists = book.create_sheet("选项")
        lists.sheet_state = "hidden"
    lists = book["选项"]
    column = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    for i, option in enumerate(options, start=1):
        lists.cell(row=i, column=column, value=option)
    return f"'选项'!${letter}$1:${letter}${len(options)}"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value if isinstance(value, int) else str(value)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Read:
    """A filled-in workbook: each known sheet's rows as (Excel row number, {key: text})."""

    sheets: dict[str, list[tuple[int, dict[str, str]]]]
    problems: list  # SheetProblem


@dataclass(frozen=True)
class SheetProblem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f"（{self.column}）"
        return f"{where}：{self.message}"


def read(path: Path | str) -> Read:
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise ImportRefused([Problem(None, f"找不到文件 {path}")])
    if path.suffix.lower() != ".xlsx":
        raise ImportRefused([Problem(None, "上线数据须为 .xlsx 工作簿（可先下载模板）")])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportRefused([Problem(None, f"无法读取 Excel 文件：{exc}")]) from exc
    sheets: dict[str, list] = {}
    problems: list[SheetProblem] = []
    try:
        known = [name for name in book.sheetnames if name in BY_NAME]
        if not known:
            raise ImportRefused(
                [Problem(None, "工作簿中没有任何上线数据表（单位、党组织、人员……），请使用模板")]
            )
        for name in known:
            sheet = BY_NAME[name]
            by_header = {c.header: c for c in sheet.columns}
            rows = sheet_rows(book[name])
            if not rows:
                continue
            header = [h.rstrip("*").strip() for h in rows[0]]
            index = {}
            for i, text in enumerate(header):
                if text in by_header:
                    if by_header[text].key in index:
                        problems.append(SheetProblem(name, 1, text, "列重复出现"))
                    index[by_header[text].key] = i
            missing = [c.header for c in sheet.columns if c.required and c.key not in index]
            if missing:
                problems.append(SheetProblem(name, 1, "", f"缺少必需的列：{'、'.join(missing)}"))
                continue
            out = []
            for number, values in enumerate(rows[1:], start=2):
                if not any(values) or (values and values[0].startswith(EXAMPLE)):
                    continue
                out.append(
                    (
                        number,
                        {k: (values[i] if i < len(values) else "") for k, i in index.items()},
                    )
                )
            sheets[name] = out
    except ImportRefused:
        raise
    except Exception as exc:  # a damaged sheet raises zip, XML or value errors
        raise ImportRefused([Problem(None, f"Excel 文件已损坏，无法读取：{exc}")]) from exc
    finally:
        book.close()
    return Read(sheets, problems)


def sheet_rows(ws) -> list[list[str]]:
    rows = []
    for values in ws.iter_rows(values_only=True):
        rows.append([_text(v) for v in values])
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _text(value) -> str:
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()
