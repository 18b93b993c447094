from django.core.management.base import BaseCommand, CommandError

from jiceng.open311.models import Open311Key
from jiceng.regions.models import Region


class Command(BaseCommand):
    help = "为 Open311 客户端生成 api_key（只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("name", help="客户端名称，例如“随手拍小程序”")
        parser.add_argument(
            "--region", default="652300000000", help="受理区划代码（默认昌吉州 652300000000）"
        )

    def handle(self, *args, name, region, **options):
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"区划代码 {region} 不存在，请先导入区划")
        if Open311Key.objects.filter(name=name).exists():
            raise CommandError(f"客户端名称“{name}”已存在")
        _, key = Open311Key.issue(name, found)
        self.stdout.write(key)
