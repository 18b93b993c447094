"""`jiceng onboard`: a county goes live from one workbook (上线数据.xlsx).

    jiceng onboard --template 上线数据.xlsx       the empty workbook, with instructions
    jiceng onboard 上线数据.xlsx --dry-run        check everything, change nothing
    jiceng onboard 上线数据.xlsx                  apply all of it, or nothing
    jiceng onboard 上线数据.xlsx --deactivate-missing
    jiceng onboard --export 现有数据.xlsx         what the database holds, in the same workbook

`--as USERNAME` limits the file to that administrator's scope, as the page does.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.orgs.models import User
from jiceng.project import onboarding
from jiceng.project.onboarding import export


class Command(BaseCommand):
    help = "上线数据：下载模板、检查、导入或导出单位、党组织、人员、任职、网格、账号和规则"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="上线数据.xlsx")
        parser.add_argument("--template", metavar="FILE", help="写出空白模板")
        parser.add_argument("--export", metavar="FILE", help="导出现有数据")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不改任何数据")
        parser.add_argument(
            "--deactivate-missing", action="store_true", help="停用文件中没有的记录"
        )
        parser.add_argument("--as", dest="username", help="以该管理员的管辖范围导入或导出")
        parser.add_argument("--passwords", metavar="FILE", help="账号开通单（一次性密码）写到此处")

    def handle(self, *args, **opts):
        actor = None
        if opts["username"]:
            actor = User.objects.filter(username=opts["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有启用的账号 {opts['username']}")
        if opts["template"]:
            export.template(opts["template"], actor)
            self.stdout.write(f"已写出模板 {opts['template']}")
            return
        if opts["export"]:
            counts = export.export(opts["export"], actor)
            summary = "，".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"已导出 {opts['export']}：{summary}")
            return
        if not opts["file"]:
            raise CommandError("请给出上线数据文件，或使用 --template / --export")
        path = Path(opts["file"])
        started = time.monotonic()

        def progress(text):
            self.stdout.write(f"  [{time.monotonic() - started:5.1f} s] {text}")
            self.stdout.flush()

        progress("读取并检查……")
        plan = onboarding.check_file(path, actor)
        progress(f"已检查 {plan.rows} 行")
        if not plan.ok:
            report = onboarding.write_report(path, plan)
            for problem in plan.problems[:100]:
                self.stdout.write(f"  {problem}")
            if len(plan.problems) > 100:
                self.stdout.write(f"  ……另有 {len(plan.problems) - 100} 处问题")
            raise CommandError(f"共 {len(plan.problems)} 处问题，未改任何数据。报告已写到 {report}")
        if opts["dry_run"]:
            onboarding.write_report(path, plan)
            would = onboarding.preview(plan, actor, deactivate_missing=opts["deactivate_missing"])
            self.stdout.write(f"检查通过：{plan.rows} 行，没有问题（未改任何数据）")
            self.stdout.write(f"导入将会：{would.summary()}")
            for sheet, keys in would.missing.items():
                self.stdout.write(f"  {sheet} {len(keys)} 条文件中没有：{'、'.join(keys[:20])}")
            return
        _plan, result = onboarding.apply_file(
            path,
            actor,
            deactivate_missing=opts["deactivate_missing"],
            progress=progress,
            actor_label=opts["username"] or "命令行",
        )
        self.stdout.write(f"已导入（{time.monotonic() - started:.1f} s）：{result.summary()}")
        for sheet, keys in result.missing.items():
            what = (
                "已停用"
                if opts["deactivate_missing"]
                else "文件中没有（未改动；加 --deactivate-missing 停用）"
            )
            self.stdout.write(f"  {sheet} {len(keys)} 条{what}：{'、'.join(keys[:20])}")
        if result.texted:
            self.stdout.write(f"  {len(result.texted)} 个账号的临时密码将由短信发送")
        if result.passwords:
            out = Path(opts["passwords"] or path.with_name(f"{path.stem}.账号开通单.csv"))
            onboarding.write_passwords(out, result.passwords)
            self.stdout.write(
                f"  {len(result.passwords)} 个账号的一次性密码已写到 {out}：打印后请删除该文件"
            )
