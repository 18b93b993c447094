"""Every change to the division tree: the import of official codes, and grids."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from jiceng.core.tabular import ImportRefused, Problem, read_table

from . import rules
from .models import Level, Region, rewrite_subtree_paths

SHIPPED_REGIONS = Path(__file__).resolve().parent / "data" / "changji.csv"

COLUMN_ALIASES = {
    "区划代码": "code",
    "代码": "code",
    "名称": "name",
    "层级": "level",
    "级别": "level",
    "上级代码": "parent_code",
    "上级区划代码": "parent_code",
    "全称": "full_name",
    "类别": "kind",
}
LEVEL_ALIASES = {
    "省": "province",
    "省级": "province",
    "州": "prefecture",
    "地级": "prefecture",
    "县": "county",
    "县级": "county",
    "乡": "township",
    "乡级": "township",
    "乡镇": "township",
    "村": "village",
    "村级": "village",
}


@dataclass
class RegionImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        levels = "，".join(
            f"{rules.level_label(level)} {self.by_level[level]} 个"
            for level in rules.LEVELS
            if self.by_level[level]
        )
        return (
            f"共 {sum(self.by_level.values())} 行（{levels}）："
            f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        )


@dataclass
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    full_name: str
    kind: str


def _check_rows(path: Path | str) -> list[_Row]:
    table = read_table(
        path,
        required=["code", "name", "level", "parent_code"],
        optional=["code_native", "full_name", "township_kind", "kind"],
        aliases=COLUMN_ALIASES,
    )
    problems: list[Problem] = []
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, record in table.rows:
        code = rules.normalize_code(record["code"])
        level = LEVEL_ALIASES.get(record["level"], record["level"])
        name = record["name"]
        if level not in rules.LEVELS:
            problems.append(
                Problem(
                    line, f"层级“{record['level']}”无效，应为 {'/'.join(rules.LEVELS)}", "level"
                )
            )
            continue
        why = rules.code_problem(code, level)
        if why:
            problems.append(Problem(line, why, "code"))
            continue
        native = record.get("code_native", "")
        if native and native != code[: rules.OWN_DIGITS[level]]:
            problems.append(Problem(line, f"code_native“{native}”与区划代码不符", "code_native"))
        if not name:
            problems.append(Problem(line, "名称不能为空", "name"))
        elif len(name) > 100:
            problems.append(Problem(line, "名称超过 100 个字", "name"))
        if code in first_line:
            problems.append(
                Problem(line, f"区划代码“{code}”与第 {first_line[code]} 行重复", "code")
            )
            continue
        first_line[code] = line
        if level == "township":
            kind = rules.township_kind(
                code, name, record.get("township_kind") or record.get("kind", "")
            )
        elif level == "village":
            kind = rules.village_kind(code, name)
        else:
            kind = ""
        rows.append(
            _Row(
                line,
                code,
                name,
                level,
                rules.normalize_code(record["parent_code"]),
                record.get("full_name", ""),
                kind,
            )
        )

    in_file = {row.code: row.level for row in rows}
    parent_codes = {row.parent_code for row in rows if row.parent_code} - set(in_file)
    in_db = dict(Region.objects.filter(code__in=parent_codes).values_list("code", "level"))
    for row in rows:
        if not row.parent_code:
            if row.level != "province":
                problems.append(Problem(row.line, "缺少上级代码", "parent_code"))
            continue
        parent_level = in_file.get(row.parent_code) or in_db.get(row.parent_code)
        if parent_level is None:
            problems.append(
                Problem(
                    row.line, f"上级代码“{row.parent_code}”在文件和系统中都不存在", "parent_code"
                )
            )
            continue
        why = rules.parent_problem(row.code, row.level, row.parent_code, parent_level)
        if why:
            problems.append(Problem(row.line, why, "parent_code"))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ImportRefused(problems)
    return rows


def import_regions(path: Path | str = SHIPPED_REGIONS, *, dry_run: bool = False) -> RegionImport:
    """Load a division-code file: all rows or none. Existing codes are updated in place.

    Raises ImportRefused with a row-numbered report when any row is wrong.
    """
    rows = _check_rows(path)
    result = RegionImport()
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=[row.code for row in rows])}
        parents = {
            r.code: r
            for r in Region.objects.filter(
                code__in={row.parent_code for row in rows} - set(existing)
            )
        }
        known = {**parents, **existing}
        moved: list[tuple[str, str]] = []
        for level in rules.LEVELS:
            to_create, to_update = [], []
            for row in (row for row in rows if row.level == level):
                result.by_level[level] += 1
                parent = known.get(row.parent_code) if row.parent_code else None
                path_ = f"{parent.path if parent else '/'}{row.code}/"
                values = {
                    "name": row.name,
                    "level": row.level,
                    "kind": row.kind,
                    "parent_id": parent.pk if parent else None,
                    "full_name": row.full_name,
                    "path": path_,
                }
                region = existing.get(row.code)
                if region is None:
                    region = Region(code=row.code, **values)
                    to_create.append(region)
                    result.created += 1
                elif any(getattr(region, k) != v for k, v in values.items()):
                    if region.path != path_:
                        moved.append((region.path, path_))
                    for key, value in values.items():
                        setattr(region, key, value)
                    to_update.append(region)
                    result.updated += 1
                else:
                    result.unchanged += 1
                known[row.code] = region
            Region.objects.bulk_create(to_create, batch_size=500)
            if any(r.pk is None for r in to_create):  # backends that return no ids
                ids = dict(
                    Region.objects.filter(code__in=[r.code for r in to_create]).values_list(
                        "code", "pk"
                    )
                )
                for region in to_create:
                    region.pk = ids[region.code]
            Region.objects.bulk_update(
                to_update, ["name", "level", "kind", "parent", "full_name", "path"], batch_size=500
            )
        for old_path, new_path in moved:
            rewrite_subtree_paths(old_path, new_path)
        if dry_run:
            transaction.set_rollback(True)
    return result


def region_counts() -> dict[str, int]:
    counts = Counter(Region.objects.values_list("level", flat=True))
    return {level: counts.get(level, 0) for level in Level.values}
