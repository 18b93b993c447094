from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import ImportRefused
from jiceng.tickets.services import as_system, calendar


class Command(BaseCommand):
    help = (
        "节假日安排：status 列出各年份的来源（官方、管理员录入、暂定）；"
        "import FILE 录入某年的官方放假安排（CSV/Excel：日期、安排[放假/上班]、名称），"
        "并重算所有暂定时限。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="各年份日历的来源")
        imp = sub.add_parser("import", help="录入一年的官方放假安排")
        imp.add_argument("file", help="CSV 或 .xlsx：日期,安排,名称")
        imp.add_argument("--year", type=int, help="安排所属年份（默认：文件中最晚的年份）")
        imp.add_argument(
            "--note", default="", help="说明，如“国务院办公厅通知 国办发明电〔2026〕x号”"
        )

    def handle(self, *args, action, **options):
        if action == "status":
            for item in calendar.status():
                note = f"  {item.note}" if item.note else ""
                self.stdout.write(f"{item.year}  {item.source:<11}  {item.label}{note}")
            missing = calendar.missing_years()
            if missing:
                years = "、".join(str(y) for y in missing)
                self.stdout.write(
                    self.style.WARNING(f"{years} 年的官方放假安排尚未录入，相关时限为暂定。")
                )
            return
        try:
            days = calendar.read_arrangement(options["file"])
            year = options["year"] or max(day.year for day in days)
            with as_system("节假日安排录入"):
                result = calendar.enter_arrangement(None, year, days, note=options["note"])
        except ImportRefused as refused:
            raise CommandError(refused.report()) from None
        except ValidationError as exc:
            raise CommandError(
                "；".join(m for ms in exc.message_dict.values() for m in ms)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已录入 {result.year} 年官方安排：放假 {result.rest_days} 天，调休上班 "
                f"{result.work_days} 天；重算暂定时限的工单 {result.recomputed} 件。"
            )
        )
