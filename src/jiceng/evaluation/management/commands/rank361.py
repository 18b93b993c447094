import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import ImportRefused
from jiceng.evaluation.ranking import Rules361, rank361
from jiceng.evaluation.spreadsheets import read_entries, write_grades


class Command(BaseCommand):
    help = (
        "按“361”规则评定等次：读取 .xlsx 或 .csv（列 name, score，可选 group, veto；"
        "中文表头 名称、得分、分组、一票否决 亦可），输出 JSON，或用 --output 写回 Excel。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--output", help="写出带 排名、等次、说明 三列的 .xlsx")
        parser.add_argument("--excellent", type=float, default=0.30, help="优秀比例（默认 0.30）")
        parser.add_argument("--poor", type=float, default=0.10, help="差的比例（默认 0.10）")
        parser.add_argument(
            "--min-group", type=int, default=10, help="强制评差的最小组规模（默认 10）"
        )
        parser.add_argument("--floor", type=float, default=60.0, help="小组评差的分数线（默认 60）")

    def handle(self, *args, file, output, excellent, poor, min_group, floor, **options):
        try:
            rules = Rules361(
                excellent_share=excellent, poor_share=poor, min_group=min_group, floor=floor
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if output and not output.lower().endswith(".xlsx"):
            raise CommandError("--output 须为 .xlsx 文件")
        try:
            entries, lines = read_entries(file)
        except ImportRefused as refused:
            raise CommandError(refused.report().replace("导入被拒绝", "评定被拒绝")) from None
        graded = rank361(entries, rules)
        if output:
            write_grades(file, graded, lines, output)
            self.stderr.write(
                f"已写出 {Path(output)}（{len(graded)} 行）。规则：{rules.describe()}"
            )
            return
        # one write: Django's OutputWrapper ends every write() with a newline, which would put
        # one after each of json.dump's chunks
        self.stdout.write(json.dumps([g.as_dict() for g in graded], ensure_ascii=False, indent=2))
