from django.core.management.base import BaseCommand

from jiceng.core.observe import Job
from jiceng.tickets import services


class Command(BaseCommand):
    help = "标记超时工单、写入催办通知、升级长期超时工单（可重复运行，多机同时运行也只做一次）"

    def handle(self, *args, **options):
        with Job("sweep") as job:
            result = services.sweep()
            job.result.update(
                overdue=result.overdue,
                escalated=result.escalated,
                whistle_reminders=result.whistle_reminders,
            )
        self.stdout.write(
            f"超时 {result.overdue} 件，升级督办 {result.escalated} 件，吹哨报到催办 {result.whistle_reminders} 条"
        )
