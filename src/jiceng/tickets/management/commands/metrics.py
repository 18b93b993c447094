import csv
import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import csv_text
from jiceng.orgs.access import Scope
from jiceng.regions.models import Region
from jiceng.tickets import metrics, selectors

COLUMNS = [
    ("rank", "排名"),
    ("key", "编码"),
    ("name", "名称"),
    ("dispatched", "派单数"),
    ("on_time", "按时接单"),
    ("response_rate", "响应率%"),
    ("callbacks", "回访数"),
    ("solved", "已解决"),
    ("solved_rate", "解决率%"),
    ("satisfied", "满意计分"),
    ("satisfied_rate", "满意率%"),
    ("score", "综合得分"),
]


class Command(BaseCommand):
    help = "按统计期计算三率与综合得分，并排名（全部由工单事件计算）"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM（月）或 YYYY（年）")
        parser.add_argument("--by", choices=["unit", "region"], default="unit")
        parser.add_argument(
            "--level",
            choices=list(selectors.LEVEL_DIGITS),
            default="county",
            help="--by region 时按哪一级区划汇总（默认县市）",
        )
        parser.add_argument("--region", help="只统计该区划（12 位代码）及其下级")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, period, by, level, region, format, **options):
        scope = None
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"区划代码 {region} 不存在")
            scope = Scope(path=found.path)
        try:
            rows = selectors.ranking(period, by=by, level=level, scope=scope)
        except metrics.BadPeriod as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            w = selectors.weights()
            document = json.dumps(
                {
                    "period": period,
                    "by": by,
                    "weights": {
                        "response": w.response,
                        "solved": w.solved,
                        "satisfied": w.satisfied,
                        "credit": w.credit,
                    },
                    "rows": [r.as_dict() for r in rows],
                },
                ensure_ascii=False,
                indent=2,
            )
            self.stdout.write(document)  # one write: OutputWrapper ends each with a newline
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow([label for _, label in COLUMNS] + ["数据不全"])
            for r in rows:
                d = r.as_dict()
                writer.writerow(
                    [csv_text(_cell(d[name])) for name, _ in COLUMNS] + ["是" if r.partial else ""]
                )
        else:
            self._table(rows, period)

    def _table(self, rows, period):
        out = self.stdout
        out.write(f"{period} 三率排名（{len(rows)} 个）")
        widths = [4, 24, 6, 8, 6, 8, 8, 8]
        out.write(
            _line(["排名", "名称", "派单", "响应率", "回访", "解决率", "满意率", "综合"], widths)
        )
        for r in rows:
            cells = [
                _cell(r.rank),
                r.name,
                r.dispatched,
                _cell(r.response_rate),
                r.callbacks,
                _cell(r.solved_rate),
                _cell(r.satisfied_rate),
                _cell(r.score),
            ]
            out.write(_line(cells, widths) + (" *" if r.partial else ""))
        if any(r.partial for r in rows):
            out.write("* 数据不全：部分比率无分母，综合得分按其余比率的权重折算")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(cells, widths) -> str:
    """Columns that line up in a terminal, counting a Chinese character as two."""
    parts = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        text = str(cell)
        pad = " " * max(0, width - _width(text))
        parts.append(text + pad if i == 1 else pad + text)
    return " ".join(parts)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
