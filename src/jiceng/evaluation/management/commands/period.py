"""`jiceng period`: assessment periods from the command line, through the same services as the
period page (so each change is one transaction with its record)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from jiceng.core.errors import ServiceError
from jiceng.core.tabular import ImportRefused
from jiceng.evaluation import flows, periods, scoring
from jiceng.evaluation.models import AssessmentPeriod

S = AssessmentPeriod.State
ADVANCE = periods.ADVANCE


class Command(BaseCommand):
    help = "考评期：列出、导入录入表、确认收齐、计算、审核、发布、建立更正期"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出考评期")
        # one subcommand per step of the period's table that a person takes on its own
        for name, step in flows.PERIOD.steps.items():
            if not step.button:
                continue
            text = step.label
            command = sub.add_parser(name, help=text)
            command.add_argument("period", type=int, help="考评期编号")
            command.add_argument(
                "--user", required=True, help="以该考评员身份操作（必填，记入办理记录）"
            )
            if name in ("compute", "trial"):
                command.add_argument(
                    "--missing",
                    choices=sorted(scoring.MISSING_POLICIES),
                    help="缺项的处理：rescale 按比例折算，zero 视为 0；有缺项时必填",
                )
        command = sub.add_parser("import", help="导入填好的录入表（.xlsx 或 .csv）")
        command.add_argument("period", type=int)
        command.add_argument("file")
        command.add_argument(
            "--user", required=True, help="以该考评员身份操作（必填，记入办理记录）"
        )

    def handle(self, *args, action, **options):
        if action == "list":
            return self._list()
        period = AssessmentPeriod.objects.filter(pk=options["period"]).first()
        if period is None:
            raise CommandError(f"没有编号为 {options['period']} 的考评期")
        actor = self._actor(options.get("user"))
        try:
            if action == "import":
                count = periods.import_values(actor, period, options["file"], options["file"])
                self.stderr.write(f"已导入：新增或修改 {count} 个数值")
            elif action in ("compute", "trial"):
                allowed = flows.PERIOD.allowed(action, period.state)
                missing = periods.missing_values(period) if allowed else {"count": 0}
                if missing["count"] and not options.get("missing"):
                    lines = [f"{name}：{n} 个村（社区）缺" for name, n in missing["by_indicator"]]
                    raise CommandError(
                        "有缺项，请用 --missing rescale（按比例折算）或 --missing zero（视为 0）"
                        "说明如何处理：\n" + "\n".join(lines)
                    )
                period = periods.compute(
                    actor, period, missing_policy=options.get("missing"), trial=action == "trial"
                )
                rows = period.results["rows"]
                ranked = sum(1 for r in rows if r["score"] is not None)
                word = "试算（非最终结果）" if action == "trial" else "已计算"
                self.stderr.write(f"{word} {len(rows)} 个村（社区），{ranked} 个参加排名")
            elif action == "reopen":
                periods.reopen(actor, period)
                self.stderr.write("已退回录入")
            elif action == "revise":
                revision = periods.revise(actor, period)
                self.stderr.write(f"已建立更正期 {revision.pk}：{revision.label}")
            else:
                periods.advance(actor, period, ADVANCE[action])
                self.stderr.write("已发布，结果已冻结" if action == "publish" else "已保存")
        except ImportRefused as refused:
            raise CommandError(refused.report()) from None
        except ServiceError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        except Http404:
            raise CommandError("该考评期不在此账号的管辖范围内") from None

    def _actor(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        return user

    def _list(self):
        rows = [
            {
                "id": p.pk,
                "scheme": p.scheme.name,
                "label": p.label,
                "state": p.get_state_display(),
                "starts_on": p.starts_on.isoformat(),
                "ends_on": p.ends_on.isoformat(),
                "revision_of": p.revision_of_id,
            }
            for p in AssessmentPeriod.objects.select_related("scheme").order_by("id")
        ]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
