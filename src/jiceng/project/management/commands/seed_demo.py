from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from jiceng.demo import secretary_login, seed
from jiceng.dispatch import demo as dispatch_demo
from jiceng.dispatch.models import Suggestion
from jiceng.evaluation import demo as evaluation_demo
from jiceng.evaluation import demo_periods
from jiceng.orgs.models import Person, Unit
from jiceng.regions.models import Grid
from jiceng.tickets import demo as ticket_demo
from jiceng.tickets import demo_history
from jiceng.tickets.models import EngineSettings, Ticket

AT_ONCE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Command(BaseCommand):
    help = "建立演示数据：真实区划、各县市部门、社区物业、网格、人员、各角色账号和近半年的工单。可重复运行。"

    def handle(self, **options):
        config = EngineSettings.current()
        if not config.is_demo and Ticket.objects.exists():
            raise CommandError(
                "这个数据库里已有真实工单，seed-demo 不会向其中写入演示数据。"
                "请在一个新的数据库上运行（例如设置 JICENG_VAR_DIR 或 DATABASE_URL）。"
            )
        # marked first, so that even a seed cut short shows the 演示数据 banner
        EngineSettings.objects.filter(pk=config.pk).update(is_demo=True)
        # The half year of demo tickets gets its follow-up (advice, auto-dispatch of today's
        # hotline calls) as each is taken in, not thousands of tasks for the worker at start.
        with override_settings(TASKS=AT_ONCE):
            self.seed_all()

    def seed_all(self):
        logins = seed(stdout=self.stdout)
        version = dispatch_demo.train(stdout=self.stdout)
        if version is not None:
            self.stdout.write(f"智能派单模型 v{version.version}：{version.examples} 条样本")
        self.stdout.write("生成近两年的历史工单（按文中昌吉市的件量和各县市人口比例，批量写入）……")
        demo_history.seed(stdout=self.stdout)
        self.stdout.write("生成近半年的演示工单（经由办理服务，逐件派单、接单、答复、回访）……")
        ticket_demo.seed(stdout=self.stdout)
        published = ticket_demo.publish_some()
        if published:
            self.stdout.write(f"已公开审核 {published} 件已办结诉求：公开接口 /open311/ 可见")
        fresh = dispatch_demo.today(stdout=self.stdout)
        if fresh:
            auto = Suggestion.objects.filter(ticket__in=fresh, auto_dispatched=True).count()
            self.stdout.write(f"今天新来的 {len(fresh)} 件热线诉求中，{auto} 件由智能派单自动派出")
        dispatch_demo.seed_theme(stdout=self.stdout)
        codes = evaluation_demo.seed(stdout=self.stdout)
        period = demo_periods.seed(stdout=self.stdout)
        chosen = evaluation_demo.seed_selection(stdout=self.stdout)
        if chosen is not None:
            self.stdout.write(f"“担当我先行”评选已进入公示，有一条异议待考评员处理：{chosen}")
        if period is not None:
            self.stdout.write(f"已计算并发布演示星级考评：{period}")
        secretary = secretary_login()
        if secretary is not None:
            logins.append(secretary)
        self.stdout.write(
            f"单位 {Unit.objects.count()} 个，网格 {Grid.objects.count()} 个，"
            f"人员 {Person.objects.count()} 人，工单 {Ticket.objects.count()} 件。"
        )
        self.stdout.write(self.style.SUCCESS("演示账号（用户名 / 密码 / 角色 / 管辖范围）："))
        for login in logins:
            self.stdout.write(
                f"  {login.username:<11} {login.password:<16} {login.role:<4} {login.scope}"
            )
        if codes:
            self.stdout.write(
                "满意度测评（嘉顺社区）已投 41 票；可在 /vote/ 用这些投票码试投（各限一次）："
                + "、".join(codes)
            )
