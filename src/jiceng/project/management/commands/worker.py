"""`jiceng worker`: django-tasks-db's `db_worker`, with the dispatch model read before the
first task, so the first request after a restart is followed up as fast as the rest (reading
the model and jieba's dictionary takes ≈ 5 s here)."""

from django_tasks_db.management.commands import db_worker

from jiceng.dispatch.services import warm_up


class Command(db_worker.Command):
    help = "后台任务进程：新诉求的派单建议、自动派单、每月一题关联和受理短信（参数同 db_worker）"

    def handle(self, *args, **options):
        warm_up()
        return super().handle(*args, **options)
