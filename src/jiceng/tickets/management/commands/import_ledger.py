from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import ImportRefused
from jiceng.tickets.ledger import import_ledger


class Command(BaseCommand):
    help = (
        "导入历史工单台账（.xlsx 或 .csv），按各环节时间重建流转记录。"
        "整份文件全部导入或全部拒绝；同一工单编号再次导入只更新不重复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")

    def handle(self, file, dry_run, **options):
        def progress(done, total):
            self.stderr.write(f"  已处理 {done}/{total} 行")

        try:
            result = import_ledger(file, dry_run=dry_run, progress=progress)
        except ImportRefused as refused:
            raise CommandError(refused.report()) from None
        prefix = "检查通过（未保存）：" if dry_run else "导入完成："
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
