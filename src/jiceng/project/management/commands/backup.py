from django.core.management.base import BaseCommand, CommandError

from jiceng.core.observe import Job
from jiceng.project import backup


class Command(BaseCommand):
    help = "备份数据库、上传文件与派单模型到一个归档（含校验清单），并只保留最新的若干份"

    def add_arguments(self, parser):
        parser.add_argument("--to", default="", help="备份目录（默认 BACKUP_DIR）")
        parser.add_argument(
            "--keep", type=int, default=None, help="保留最新的几份（默认 BACKUP_KEEP）"
        )

    def handle(self, *args, to, keep, **options):
        try:
            with Job("backup") as job:
                done = backup.create(to or None, keep=keep)
                job.result.update(bytes=done.path.stat().st_size, **done.manifest["counts"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        size = done.path.stat().st_size / (1024 * 1024)
        counts = "，".join(f"{k} {v}" for k, v in done.manifest["counts"].items())
        self.stdout.write(f"{done.path}（{size:.1f} MB，{len(done.manifest['files'])} 个文件）")
        self.stdout.write(f"内容：{counts}")
        self.stdout.write(self.style.SUCCESS(f"备份完成，用时 {done.seconds:.1f} 秒"))
