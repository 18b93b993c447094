"""How long a county's onboarding workbook of 20,000 rows takes to check and apply.

    .venv/bin/python bench/onboarding.py [--rows 20000] [--database-url URL]

Makes a fresh database (SQLite in a temporary folder unless --database-url is given), imports
the regions, writes a workbook of units, party organisations, people, posts, grids and accounts
spread over the prefecture's villages, and times `jiceng onboard --dry-run`, the first apply and
a second apply of the same file (which must change nothing). Prints a Markdown table for
docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jiceng-onboard-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("JICENG_VAR_DIR", str(folder))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # --database-url: a fresh, empty database
    call_command("import_regions", verbosity=0)
    path = folder / "上线数据.xlsx"
    counts = write_book(path, args.rows)
    from jiceng.project import onboarding

    timings = []
    started = time.perf_counter()
    plan = onboarding.check_file(path)
    timings.append(("检查（--dry-run）", time.perf_counter() - started))
    assert plan.ok, [str(p) for p in plan.problems[:10]]
    started = time.perf_counter()
    _, result = onboarding.apply_file(path)
    timings.append(("第一次导入（全部新增）", time.perf_counter() - started))
    started = time.perf_counter()
    _, again = onboarding.apply_file(path)
    timings.append(("同一文件再导入（无变化）", time.perf_counter() - started))
    changed = sum(c["created"] + c["updated"] for c in again.counts.values())
    assert changed == 0, again.summary()
    total = sum(counts.values())
    print(f"\n{total:,} rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}\n")
    print("| step | seconds |")
    print("|---|---|")
    for name, seconds in timings:
        print(f"| {name} | {seconds:.1f} |")
    print(f"\nfirst apply: {result.summary()}")


def write_book(path: Path, rows: int) -> dict:
    import openpyxl

    from jiceng.project.onboarding import export
    from jiceng.regions.models import Region

    villages = list(Region.objects.filter(level="village").values_list("code", flat=True))
    export.template(path)
    wb = openpyxl.load_workbook(path)
    # per village: a unit, a branch, people with a post each, a grid; accounts for some
    per_village = max(1, round((rows - 2 * len(villages)) / (len(villages) * 3)))
    counts = {"单位": 0, "党组织": 0, "人员": 0, "任职": 0, "网格": 0, "账号": 0}
    n = 0
    for i, code in enumerate(villages):
        unit = f"U{i:05d}"
        wb["单位"].append([unit, f"第{i}号村（社区）委员会", "村委会", code, "", "", "", "", "是"])
        wb["党组织"].append([f"O{i:05d}", f"第{i}号党支部", "党支部", "", code, unit, "", "是"])
        counts["单位"] += 1
        counts["党组织"] += 1
        for g in range(per_village):
            grid = f"G{i:05d}{g:02d}"
            wb["网格"].append([grid, f"第{g + 1}网格", code, "", "100", "是"])
            counts["网格"] += 1
            person = f"P{i:05d}{g:02d}"
            phone = f"139{(i * 100 + g) % 10**8:08d}"
            wb["人员"].append([person, f"人员{i}-{g}", "女", "汉族", "1985", phone, "否", code])
            wb["任职"].append([person, "网格员", unit, "", grid, "", "", "", ""])
            counts["人员"] += 1
            counts["任职"] += 1
            n += 1
            if g == 0 and i % 4 == 0:
                wb["账号"].append([f"user{i:05d}", person, "网格员", "", unit, "是", "打印"])
                counts["账号"] += 1
    wb.save(path)
    return counts


if __name__ == "__main__":
    main()
