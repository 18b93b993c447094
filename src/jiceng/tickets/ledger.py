"""Import of a county's historical 台账 (`jiceng import-ledger FILE`).

Each row is one ticket with the timestamps of its steps; the import replays those steps
through the services, so the events (and therefore the 三率) are the same as if the ticket had
been handled in jiceng. Every row is checked first; one bad row refuses the whole file with a
row-numbered report and nothing is saved. Re-importing a `ticket_no` rebuilds that ticket in
place; a ticket that has since been handled in jiceng itself is never overwritten.

A row's step columns are read as:
- `dispatched_at` with `unit_code`: dispatched to that unit (the unit that kept the ticket);
- `returned_at` (+ `return_reason`): that unit returned it. With a later `accepted_at` the
  return was rejected and the same unit accepted; without, the ticket waits for a ruling;
- `replied_at`, then `callback_at` with `solved` and `satisfaction`.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.core.tabular import ImportRefused, Problem, read_table
from jiceng.core.workcalendar import SHANGHAI
from jiceng.orgs.models import Unit
from jiceng.regions import placing
from jiceng.regions.models import Region
from jiceng.regions.rules import normalize_code

from . import services
from .deadlines import DeadlineUnknown
from .models import (
    Category,
    Channel,
    Satisfaction,
    Ticket,
    TicketEvent,
    Urgency,
)

COLUMNS = [
    "ticket_no",
    "received_at",
    "channel",
    "title",
    "content",
    "region_code",
    "address",
    "category",
    "urgency",
    "unit_code",
    "dispatched_at",
    "accepted_at",
    "returned_at",
    "return_reason",
    "replied_at",
    "callback_at",
    "solved",
    "satisfaction",
]
# a row without a region code is placed by the place names of its address and content
REQUIRED = ["ticket_no", "received_at", "content"]
ALIASES = {
    "工单编号": "ticket_no",
    "工单号": "ticket_no",
    "编号": "ticket_no",
    "受理时间": "received_at",
    "来电时间": "received_at",
    "登记时间": "received_at",
    "来源渠道": "channel",
    "渠道": "channel",
    "来源": "channel",
    "标题": "title",
    "诉求标题": "title",
    "诉求内容": "content",
    "内容": "content",
    "问题描述": "content",
    "区划代码": "region_code",
    "所在区划代码": "region_code",
    "地址": "address",
    "详细地址": "address",
    "诉求地址": "address",
    "事发地址": "address",
    "事发地点": "address",
    "分类": "category",
    "诉求分类": "category",
    "类别": "category",
    "紧急程度": "urgency",
    "承办单位编码": "unit_code",
    "单位编码": "unit_code",
    "承办单位代码": "unit_code",
    "派单时间": "dispatched_at",
    "接单时间": "accepted_at",
    "退单时间": "returned_at",
    "退单理由": "return_reason",
    "退单原因": "return_reason",
    "答复时间": "replied_at",
    "办结时间": "replied_at",
    "回访时间": "callback_at",
    "是否解决": "solved",
    "满意度": "satisfaction",
    "回访满意度": "satisfaction",
}
CHANNELS = (
    {c.label: c.value for c in Channel}
    | {c.value: c.value for c in Channel}
    | {
        "12345": Channel.HOTLINE,
        "电话": Channel.HOTLINE,
        "网站": Channel.WEB,
        "网格": Channel.GRID,
    }
)
URGENCIES = (
    {u.label: u.value for u in Urgency}
    | {u.value: u.value for u in Urgency}
    | {
        "普通": Urgency.NORMAL,
        "特急": Urgency.URGENT,
        "急": Urgency.URGENT,
    }
)
YES, NO = (
    {"是", "已解决", "解决", "y", "yes", "true", "1"},
    {"否", "未解决", "n", "no", "false", "0"},
)
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
]
IMPORT_LABEL = "台账导入"


def parse_time(text: str) -> datetime | None:
    """A timestamp as county ledgers write it, in Asia/Shanghai. None when unreadable."""
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\.\d+$", "", text)  # Excel's fractional seconds
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return None


@dataclass
class Row:
    line: int
    number: str
    received_at: datetime
    channel: str
    title: str
    content: str
    region: Region
    category: Category | None
    urgency: str
    unit: Unit | None
    steps: dict = field(default_factory=dict)  # name -> datetime
    return_reason: str = ""
    solved: bool | None = None
    satisfaction: str = ""
    address: str = ""
    placed: bool = False  # no region code: placed from the address and content


@dataclass
class LedgerImport:
    created: int = 0
    updated: int = 0
    by_status: dict = field(default_factory=dict)

    def summary(self) -> str:
        states = "，".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
        return f"共 {self.created + self.updated} 件：新增 {self.created}，更新 {self.updated}（{states}）"


class _Lookup:
    """Regions, units and categories read once for the whole file."""

    def __init__(self):
        self.regions = {r.code: r for r in Region.objects.all()}
        self.units = {u.code: u for u in Unit.objects.filter(is_active=True)}
        self.categories = {}
        by_name: dict[str, list[Category]] = {}
        for c in Category.objects.filter(is_active=True).select_related("parent__parent"):
            self.categories[c.code] = c
            self.categories[c.full_name] = c
            by_name.setdefault(c.name, []).append(c)
        self.ambiguous = set()
        for name, found in by_name.items():
            if len(found) == 1:
                self.categories.setdefault(name, found[0])
            else:
                self.ambiguous.add(name)


def check(path: Path | str) -> list[Row]:
    table = read_table(path, required=REQUIRED, optional=COLUMNS, aliases=ALIASES)
    lookup = _Lookup()
    problems: list[Problem] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, record in table.rows:
        row, row_problems = _check_row(line, record, lookup)
        number = record["ticket_no"].strip()
        if number and number in seen:
            row_problems.append(
                Problem(line, f"工单编号 {number} 与第 {seen[number]} 行重复", "ticket_no")
            )
        seen.setdefault(number, line)
        problems += row_problems
        if row is not None and not row_problems:
            rows.append(row)
    if not table.rows:
        problems.append(Problem(None, "文件中没有工单"))
    if problems:
        raise ImportRefused(problems)
    return rows


def _check_row(line: int, r: dict, lookup: _Lookup) -> tuple[Row | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, message: str):
        problems.append(Problem(line, message, column))

    number = r["ticket_no"].strip()
    if not number:
        bad("ticket_no", "工单编号不能为空")
    elif len(number) > 40:
        bad("ticket_no", "工单编号不能超过 40 个字符")
    times: dict[str, datetime] = {}
    for column in [
        "received_at",
        "dispatched_at",
        "accepted_at",
        "returned_at",
        "replied_at",
        "callback_at",
    ]:
        text = r.get(column, "").strip()
        if not text:
            continue
        moment = parse_time(text)
        if moment is None:
            bad(column, f"无法识别的时间“{text}”，请写作 2026-03-02 10:30")
        elif moment > timezone.now():
            bad(column, f"时间 {text} 晚于现在")
        else:
            times[column] = moment
    if "received_at" not in times and not any(p.column == "received_at" for p in problems):
        bad("received_at", "受理时间不能为空")
    content = r["content"].strip()
    if not content:
        bad("content", "诉求内容不能为空")
    channel = CHANNELS.get(r.get("channel", "").strip() or "导入")
    if channel is None:
        bad("channel", f"来源渠道“{r['channel']}”应为 热线、网上、网格员巡查、民情恳谈 之一")
    urgency = URGENCIES.get(r.get("urgency", "").strip() or "一般")
    if urgency is None:
        bad("urgency", f"紧急程度“{r['urgency']}”应为 紧急、一般 或 复杂")
    address = r.get("address", "").strip()
    if len(address) > 200:
        bad("address", "地址不能超过 200 字")
    region = None
    if raw_code := r.get("region_code", "").strip():
        region = lookup.regions.get(normalize_code(raw_code))
        if region is None:
            bad("region_code", f"区划代码“{raw_code}”不存在")
    else:
        region = placing.locate(text=f"{address}\n{content}").region
        if region is None:
            bad(
                "region_code",
                "区划代码为空，地址和诉求内容中也没有可识别的县市、乡镇（街道）或村（社区）名称",
            )
    category = None
    if name := r.get("category", "").strip():
        category = lookup.categories.get(name)
        if category is None:
            hint = "（同名分类不止一个，请写全称或编码）" if name in lookup.ambiguous else ""
            bad("category", f"分类“{name}”不存在{hint}")
    unit = None
    if unit_code := r.get("unit_code", "").strip():
        unit = lookup.units.get(unit_code)
        if unit is None:
            bad("unit_code", f"承办单位编码“{unit_code}”不存在或已停用")
    solved = None
    if text := r.get("solved", "").strip():
        if text.lower() in YES:
            solved = True
        elif text.lower() in NO:
            solved = False
        else:
            bad("solved", f"是否解决“{text}”应填 是 或 否")
    satisfaction = r.get("satisfaction", "").strip()
    if satisfaction and satisfaction not in Satisfaction.values:
        bad("satisfaction", f"满意度“{satisfaction}”应为 满意、基本满意 或 不满意")

    # the steps must hang together and follow each other in time
    after = {
        "dispatched_at": "received_at",
        "accepted_at": "dispatched_at",
        "returned_at": "dispatched_at",
        "replied_at": "accepted_at",
        "callback_at": "replied_at",
    }
    labels = {
        "received_at": "受理",
        "dispatched_at": "派单",
        "accepted_at": "接单",
        "returned_at": "退单",
        "replied_at": "答复",
        "callback_at": "回访",
    }
    for step, before in after.items():
        if step in times:
            if before not in times and r.get(before, "").strip() == "":
                bad(step, f"有{labels[step]}时间却没有{labels[before]}时间")
            elif before in times and times[step] < times[before]:
                bad(step, f"{labels[step]}时间早于{labels[before]}时间")
    if (
        "returned_at" in times
        and "accepted_at" in times
        and times["accepted_at"] < times["returned_at"]
    ):
        bad("accepted_at", "接单时间早于退单时间：退单只能发生在接单之前")
    if "dispatched_at" in times and unit is None and not r.get("unit_code", "").strip():
        bad("unit_code", "有派单时间时须填写承办单位编码")
    if unit is not None and "dispatched_at" not in times and not r.get("dispatched_at", "").strip():
        bad("dispatched_at", "填写了承办单位却没有派单时间")
    if "callback_at" in times and (solved is None or not satisfaction):
        bad("callback_at", "有回访时间时须填写 是否解决 和 满意度")
    if "callback_at" not in times and (solved is not None or satisfaction):
        bad("callback_at", "填写了回访结果却没有回访时间")
    title = r.get("title", "").strip() or content[:30]
    if len(title) > 100:
        bad("title", "标题不能超过 100 字")
    if problems:
        return None, problems
    return Row(
        line=line,
        number=number,
        received_at=times["received_at"],
        channel=channel,
        title=title,
        content=content,
        region=region,
        address=address,
        placed=not raw_code,
        category=category,
        urgency=urgency,
        unit=unit,
        steps=times,
        return_reason=r.get("return_reason", "").strip(),
        solved=solved,
        satisfaction=satisfaction,
    ), []


def import_ledger(path: Path | str, dry_run: bool = False, progress=None) -> LedgerImport:
    rows = check(path)
    existing = {t.number: t for t in Ticket.objects.filter(number__in=[r.number for r in rows])}
    touched = set(
        TicketEvent.objects.filter(ticket__in=existing.values())
        .exclude(actor_label=IMPORT_LABEL)
        .exclude(action="follow_up")  # the system's own work after intake
        .values_list("ticket__number", flat=True)
    )
    if touched:
        lines = {r.number: r.line for r in rows}
        raise ImportRefused(
            [
                Problem(lines[n], f"工单 {n} 已在系统中办理过，不能用台账覆盖", "ticket_no")
                for n in sorted(touched, key=lambda n: lines[n])
            ]
        )
    result = LedgerImport()
    problems: list[Problem] = []
    with transaction.atomic(), services.as_system(IMPORT_LABEL, notify=False):
        for index, row in enumerate(rows, start=1):
            try:
                ticket = _replay(row, existing.get(row.number))
            except DeadlineUnknown as exc:
                problems.append(Problem(row.line, exc.message))
                continue
            except services.ServiceError as exc:
                problems.append(Problem(row.line, exc.message))
                continue
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    problems += [Problem(row.line, m, column) for m in messages]
                continue
            if row.number in existing:
                result.updated += 1
            else:
                result.created += 1
            result.by_status[ticket.status_label] = result.by_status.get(ticket.status_label, 0) + 1
            if progress and index % 500 == 0:
                progress(index, len(rows))
        if problems:
            transaction.set_rollback(True)
            raise ImportRefused(problems)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _replay(row: Row, old: Ticket | None) -> Ticket:
    """Build the ticket and its events from the row, through the services, as the system."""
    # a ticket imported before is taken in again (`services.intake.reimport`): the row is
    # kept, so its id and tracking code stay, and its earlier history is removed as a step
    intake = services.Intake(
        title=row.title,
        content=row.content,
        # a row placed by its words is placed again by intake, which records how
        region=None if row.placed else row.region,
        address=row.address,
        channel=row.channel,
        category=row.category,
        urgency=row.urgency,
    )
    ticket, _ = services.receive(
        None, intake, at=row.received_at, number=row.number, existing=old, suggest=False
    )
    s = row.steps
    if "dispatched_at" in s:
        ticket = services.dispatch(None, ticket, row.unit, at=s["dispatched_at"])
    if "returned_at" in s:
        reason = row.return_reason or "台账未记录退单理由"
        if len(reason) < 4:
            reason += "（台账记录）"
        ticket = services.return_ticket(None, ticket, reason, at=s["returned_at"])
        if "accepted_at" in s:
            ticket = services.reject_return(
                None, ticket, "台账记录：退单后由原单位继续办理", at=s["returned_at"]
            )
    if "accepted_at" in s:
        ticket = services.accept(None, ticket, at=s["accepted_at"])
    if "replied_at" in s:
        ticket = services.reply(None, ticket, "（台账导入，未记录答复内容）", at=s["replied_at"])
    if "callback_at" in s:
        ticket = services.callback(
            None, ticket, solved=row.solved, satisfaction=row.satisfaction, at=s["callback_at"]
        )
    return ticket
