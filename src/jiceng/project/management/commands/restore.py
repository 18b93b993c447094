from django.core.management.base import BaseCommand, CommandError

from jiceng.project import backup


class Command(BaseCommand):
    help = "从 jiceng backup 的归档恢复到空数据库与空目录；先核对全部校验和。非空目标需加 --force"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份归档（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据")

    def handle(self, *args, file, force, **options):
        try:
            done = backup.restore(file, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        counts = "，".join(f"{k} {v}" for k, v in done.manifest["counts"].items())
        self.stdout.write(f"已恢复 {done.manifest['created_at']} 的备份：{counts}")
        self.stdout.write(self.style.SUCCESS(f"恢复完成，用时 {done.seconds:.1f} 秒"))
