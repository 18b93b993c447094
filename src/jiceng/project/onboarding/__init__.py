"""Going live: a county's units, party organisations, people, posts, grids, accounts and rules
from one workbook, 上线数据.xlsx (`jiceng onboard`, and the page /onboarding/).

`check_file` reads and checks a file and changes nothing; `apply_file` applies it, all or
nothing; `export.export` writes what the database holds in the same workbook; `export.template`
writes the empty one. The modules: `book` (sheets, writing, reading), `plan` (checking),
`apply` (writing to the database), `export`.
"""

import csv
import hashlib
from pathlib import Path

from jiceng.core.tabular import ImportRefused, Problem

from . import book
from .apply import Result, apply, preview
from .plan import Plan, check

__all__ = [
    "Plan",
    "Result",
    "apply_file",
    "check_file",
    "preview",
    "report_path",
    "write_report",
]


def checksum(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_file(path: Path | str, actor=None) -> Plan:
    """Every problem of the file, and what it would do; nothing is written."""
    try:
        read = book.read(path)
    except ImportRefused as refused:
        return Plan(
            problems=[book.SheetProblem("文件", None, "", p.message) for p in refused.problems]
        )
    return check(read, actor)


def apply_file(
    path: Path | str,
    actor=None,
    *,
    deactivate_missing: bool = False,
    progress=None,
    actor_label: str = "",
    file_name: str = "",
) -> tuple[Plan, Result | None]:
    """Check, then apply when there is no problem. Returns the plan and the result (None when
    the file has problems: nothing was written)."""
    plan = check_file(path, actor)
    if not plan.ok:
        return plan, None
    result = apply(
        plan,
        actor,
        file_name=file_name or Path(path).name,
        checksum=checksum(path),
        deactivate_missing=deactivate_missing,
        progress=progress,
        actor_label=actor_label,
    )
    return plan, result


def report_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(f"{path.stem}.检查报告.csv")


def write_report(path: Path | str, plan: Plan) -> Path:
    """The problems beside the file, as a CSV that Excel opens: 表, 行, 列, 问题."""
    out = report_path(path)
    with out.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["表", "行", "列", "问题"])
        for p in plan.problems:
            writer.writerow([p.sheet, p.row or "", p.column, p.message])
    return out


def refused(plan: Plan) -> ImportRefused:
    return ImportRefused([Problem(p.row, str(p)) for p in plan.problems])


def write_passwords(path: Path | str, passwords: list) -> Path:
    """The printable sheet of one-time passwords (用户名, 姓名, 临时密码), readable by its owner
    only; the county office prints it and deletes the file."""
    import os

    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["用户名", "姓名", "临时密码（仅可使用一次，首次登录须修改）"])
        writer.writerows(passwords)
    return path
