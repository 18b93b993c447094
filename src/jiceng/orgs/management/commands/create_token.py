from django.core.management.base import BaseCommand, CommandError

from jiceng.orgs.models import User
from jiceng.orgs.tokens import create_token


class Command(BaseCommand):
    help = "为账号生成一个 API 令牌（Authorization: Bearer …），只显示这一次"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="用途说明，例如“12345 热线对接”")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用")
        self.stdout.write(create_token(user, name))
