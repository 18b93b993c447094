"""`jiceng flows`: the evaluation's workflow tables, as Markdown (what docs/evaluation.md shows)."""

from django.core.management.base import BaseCommand

from jiceng.evaluation.tables import markdown


class Command(BaseCommand):
    help = "打印考评各流程的状态转换表与各步骤的操作角色（Markdown）"

    def handle(self, *args, **options):
        self.stdout.write(markdown())
