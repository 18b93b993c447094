from django.core.management.base import BaseCommand

from jiceng.core.observe import Job
from jiceng.tickets import notify


class Command(BaseCommand):
    help = "发送通知发件箱中待发送的消息（后端由 JICENG_NOTIFY_BACKEND 设置）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, limit, **options):
        with Job("send-notifications") as job:
            sent, failed = notify.send_pending(limit)
            job.result.update(sent=sent, failed=failed)
        self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条")
