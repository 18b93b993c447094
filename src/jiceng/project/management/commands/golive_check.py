"""`jiceng golive-check [--region CODE]`: 上线检查 on the command line — what is still missing
before a county's first request. Exits 1 while anything is missing."""

from django.core.management.base import BaseCommand, CommandError

from jiceng.project import golive
from jiceng.regions.models import Region


class Command(BaseCommand):
    help = "上线检查：列出受理第一件诉求前还缺的东西"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="县（市）或州的区划代码；不填为全州")

    def handle(self, *args, **opts):
        if opts["region"]:
            scope = Region.objects.filter(code=opts["region"]).first()
        else:
            scope = Region.objects.filter(level="prefecture").order_by("code").first()
        if scope is None:
            raise CommandError("没有这个区划；先运行 jiceng import-regions")
        items = golive.items(scope)
        self.stdout.write(f"上线检查：{scope.name}")
        for item in items:
            mark = "✓" if item.ok else "✗"
            self.stdout.write(f"  {mark} {item.title}")
            if not item.ok:
                self.stdout.write(f"      {item.problem}")
                if item.names:
                    more = f"……另有 {item.more} 个" if item.more else ""
                    self.stdout.write(f"      {'；'.join(item.names)}{more}")
                self.stdout.write(
                    f"      怎么补：{item.fix_label}{'（' + item.fix + '）' if item.fix else ''}"
                )
        missing = sum(1 for i in items if not i.ok)
        if missing:
            raise CommandError(f"还有 {missing} 项没有就绪")
        self.stdout.write(self.style.SUCCESS("全部就绪"))
