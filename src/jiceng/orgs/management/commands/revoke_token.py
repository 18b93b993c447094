from django.core.management.base import BaseCommand, CommandError

from jiceng.orgs.models import ApiToken


class Command(BaseCommand):
    help = "吊销 API 令牌：给出令牌本身、令牌前缀（如 jc_AbCdEfG），或 --user 吊销某账号的全部令牌"

    def add_arguments(self, parser):
        parser.add_argument("token", nargs="?", default="", help="令牌或其前缀")
        parser.add_argument("--user", default="", help="吊销该账号的全部令牌")

    def handle(self, *args, token, user, **options):
        from jiceng.orgs.tokens import digest, revoke

        tokens = ApiToken.objects.filter(is_active=True)
        if user:
            tokens = tokens.filter(user__username=user)
        elif token:
            tokens = tokens.filter(digest=digest(token)) | tokens.filter(prefix=token[:10])
        else:
            raise CommandError("请给出令牌、令牌前缀，或 --user 账号")
        if token and not user and tokens.count() > 1:
            raise CommandError("该前缀对应多个令牌，请给出完整令牌")
        count = revoke(tokens)
        if not count:
            raise CommandError("没有找到启用中的匹配令牌")
        self.stdout.write(self.style.SUCCESS(f"已吊销 {count} 个令牌"))
