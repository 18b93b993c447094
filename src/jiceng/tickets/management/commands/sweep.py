from django.core.management.base import BaseCommand
from django.utils import timezone

from jiceng.core.observe import Job
from jiceng.tickets import exports, hooks, metrics, services
from jiceng.tickets.rates import rollup


class Command(BaseCommand):
    help = (
        "标记超时工单、写入催办通知、升级长期超时工单（可重复运行，多机同时运行也只做一次）；"
        "并重算近 13 个月中有变动的三率月度汇总，使看板不必在请求时重算"
    )

    def handle(self, *args, **options):
        with Job("sweep") as job:
            result = services.sweep()
            rectifications = hooks.call("swept", default=0)
            exports.prune()  # large exports are kept for a day
            # recount the months that events changed, here rather than on a leader's request
            this_month = metrics.month_of(timezone.now())
            months = [metrics.shift_month(this_month, -i) for i in range(1, 14)]
            kept = rollup.stored_months(months)
            job.result.update(
                overdue=result.overdue,
                escalated=result.escalated,
                whistle_reminders=result.whistle_reminders,
                due_soon=result.due_soon,
                rectification_reminders=rectifications,
                followed_up=result.followed_up,
                tasks_pruned=result.tasks_pruned,
                months_kept=len(kept),
            )
        self.stdout.write(
            f"超时 {result.overdue} 件，升级督办 {result.escalated} 件，吹哨报到催办 {result.whistle_reminders} 条，"
            f"即将超时提醒 {result.due_soon} 条，整改到期提醒 {rectifications} 条；"
            f"补做后台处理 {result.followed_up} 件，清理已完成任务 {result.tasks_pruned} 条；"
            f"三率月度汇总 {len(kept)} 个月可直接读取"
        )
