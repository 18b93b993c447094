import csv
import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.core.tabular import csv_text
from jiceng.orgs.access import Scope
from jiceng.regions.models import Region
from jiceng.tickets import derived, metrics, rates


class Command(BaseCommand):
    help = (
        "按统计期计算三率与综合得分，并排名（全部由工单事件计算）。"
        "样本不足的单位不排名；待接单、未到时限的工单不计入响应率。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            choices=["rebuild"],
            help="rebuild：由工单事件重新计算三率所依据的事实（派单是否被取代、接单时间、回访结果），"
            "并清空按月汇总，下次读取时重新统计；加 --check 只核对、不写入",
        )
        parser.add_argument("--check", action="store_true", help="与 rebuild 同用：只核对")
        parser.add_argument("--period", help="YYYY-MM（月）、YYYY-Qn（季度）或 YYYY（年）")
        parser.add_argument("--by", choices=["unit", "region", "channel"], default="unit")
        parser.add_argument(
            "--level",
            choices=list(rates.LEVEL_DIGITS),
            default="county",
            help="--by region 时按哪一级区划汇总（默认县市）",
        )
        parser.add_argument(
            "--view",
            choices=list(rates.VIEWS),
            help="按组分别排名，如通报：kind 按单位类别，region 按区划层级（此时忽略 --by）",
        )
        parser.add_argument("--region", help="只统计该区划（12 位代码）及其下级")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, action, check, period, by, level, view, region, format, **options):
        if action == "rebuild":
            return self.rebuild(check)
        if not period:
            raise CommandError("请用 --period 给出统计期，如 2026-06、2026-Q2 或 2026")
        scope = None
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"区划代码 {region} 不存在")
            scope = Scope(path=found.path)
        try:
            parsed = metrics.parse_period(period)
        except metrics.BadPeriod as exc:
            raise CommandError(str(exc)) from None
        in_progress = not parsed.is_complete(timezone.now())
        if format == "json":
            document = json.dumps(
                rates.report(parsed.text, by=by, level=level, view=view or "", scope=scope),
                ensure_ascii=False,
                indent=2,
            )
            self.stdout.write(document)  # one write: OutputWrapper ends each with a newline
            return
        if view:
            groups = rates.grouped_ranking(parsed.text, view=view, scope=scope)
        else:
            groups = [("", rates.ranking(parsed.text, by=by, level=level, scope=scope))]
        rows = [r for _, group in groups for r in group]
        if format == "csv":
            writer = csv.writer(self.stdout)
            columns = metrics.REPORT_COLUMNS
            writer.writerow(["分组"] * bool(view) + [label for label, _ in columns])
            for r in rows:
                d = r.as_dict()
                writer.writerow(
                    [csv_text(r.group)] * bool(view)
                    + [csv_text(_cell(value(d))) for _, value in columns]
                )
        else:
            if in_progress:
                self.stdout.write(f"注意：{parsed.label}尚未结束（进行中），数字还会变化。")
            for label, group in groups:
                self._table(group, parsed.text, label)

    def rebuild(self, check_only: bool) -> None:
        report = derived.check() if check_only else derived.rebuild()
        self.stdout.write(
            f"核对了 {report.examined} 条工单事件：{report.wrong} 条所存事实与事件推算不符"
            + (f"（如事件 {', '.join(map(str, report.examples))}）" if report.wrong else "")
        )
        if check_only:
            if report.wrong:
                raise CommandError("所存事实与事件不符：运行 jiceng metrics rebuild 重建")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已由事件重建全部事实，清空了 {report.months_dropped} 个月的汇总（下次读取时重新统计）"
            )
        )

    def _table(self, rows, period, label):
        out = self.stdout
        out.write(f"{period} 三率排名{'·' + label if label else ''}（{len(rows)} 个）")
        widths = [8, 24, 14, 6, 14, 14, 8]
        out.write(
            _line(["排名", "名称", "响应率(k/n)", "待接", "解决率(k/n)", "满意率", "综合"], widths)
        )
        for r in rows:
            cells = [
                _cell(r.rank) if r.sufficient else r.sample,
                r.name,
                f"{_cell(r.response_rate)} {r.on_time}/{r.dispatched}",
                r.pending,
                f"{_cell(r.solved_rate)} {r.solved}/{r.callbacks}",
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
