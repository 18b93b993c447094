import time

from django.core.management.base import BaseCommand

from jiceng.core.observe import Job
from jiceng.tickets import notify


class Command(BaseCommand):
    help = "发送通知发件箱中待发送的消息（后端由 JICENG_NOTIFY_BACKEND 设置）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="不退出，每隔这么多秒再发一次（make demo 与后台任务一起运行）",
        )

    def handle(self, *args, limit, every, **options):
        while True:
            with Job("send-notifications") as job:
                sent, failed = notify.send_pending(limit)
                job.result.update(sent=sent, failed=failed)
            if not every:
                self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条")
                return
            if sent or failed:
                self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条")
                self.stdout.flush()
            time.sleep(every)
