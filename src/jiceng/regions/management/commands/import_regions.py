from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import ImportRefused
from jiceng.regions.services import SHIPPED_REGIONS, import_regions


class Command(BaseCommand):
    help = "导入统计用区划代码（CSV 或 Excel）。整份文件全部导入或全部拒绝；重复导入只更新不重复。"

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(SHIPPED_REGIONS),
            help="区划文件；不填则导入随软件提供的昌吉州 2023 年区划代码",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")

    def handle(self, file, dry_run, **options):
        try:
            result = import_regions(file, dry_run=dry_run)
        except ImportRefused as refused:
            raise CommandError(refused.report()) from None
        prefix = "检查通过（未保存）：" if dry_run else "导入完成："
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
