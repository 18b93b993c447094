"""Records: the tickets of a search as an Excel workbook with their history, and the printable
督办通知单 and 吹哨通知单. Limited to what the user may see; residents' phones and names are
masked and personal numbers redacted; no cell is a formula."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jiceng.core.redact import redact
from jiceng.core.tabular import defuse
from jiceng.core.text import mask_phone

from . import states
from .models import LANGUAGE_NAMES, TicketEvent, TicketUnit

MAX_EXPORT = 5000

TICKET_COLUMNS = [
    ("工单编号", 16),
    ("标题", 24),
    ("诉求内容", 50),
    ("状态", 10),
    ("渠道", 10),
    ("分类", 24),
    ("所在地", 24),
    ("承办单位", 20),
    ("协办、吹哨单位", 24),
    ("诉求人", 8),
    ("联系电话", 14),
    ("受理时间", 17),
    ("接单时限", 17),
    ("答复时限", 17),
    ("答复时间", 17),
    ("办结时间", 17),
    ("是否解决", 8),
    ("满意度", 8),
    ("督办", 6),
    ("诉求文字", 8),
    ("中文摘要", 40),
    ("群众语言", 8),
]
EVENT_COLUMNS = [
    ("工单编号", 16),
    ("时间", 17),
    ("操作", 12),
    ("操作人", 16),
    ("单位", 20),
    ("状态变化", 20),
    ("说明", 50),
]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _masked_name(name: str) -> str:
    """A surname and a mask: 张女士 stays as it is, 张建国 becomes 张**."""
    name = (name or "").strip()
    if not name or name.endswith(("先生", "女士", "师傅", "大爷", "阿姨")):
        return name
    return name[0] + "*" * (len(name) - 1)


def _sheet(book: Workbook, title: str, columns) -> "Workbook":
    sheet = book.create_sheet(title)
    sheet.append([label for label, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    return sheet


def workbook(tickets, *, title: str, progress=None) -> tuple[bytes, int, bool]:
    """The workbook of `tickets` (a queryset already limited to the user's scope): a sheet of
    tickets and a sheet of every event, oldest first. Returns the bytes, the count written and
    whether the search had more than `MAX_EXPORT` (then the newest are written). `progress(done,
    total)`, when given, is told how far it is every few hundred tickets."""
    rows = list(
        tickets.select_related("region", "main_unit", "category").order_by("-received_at", "-id")[
            : MAX_EXPORT + 1
        ]
    )
    cut = len(rows) > MAX_EXPORT
    rows = rows[:MAX_EXPORT]
    ids = [t.pk for t in rows]
    others: dict[int, list[str]] = {}
    for tu in TicketUnit.objects.filter(ticket_id__in=ids).select_related("unit"):
        others.setdefault(tu.ticket_id, []).append(f"{tu.get_role_display()}：{tu.unit.name}")
    book = Workbook()
    book.remove(book.active)
    sheet = _sheet(book, "工单", TICKET_COLUMNS)
    for n, t in enumerate(rows):
        if progress is not None and n % 250 == 0:
            progress(n // 2, len(rows))  # the tickets are the first half of the work
        sheet.append(
            [
                t.number,
                redact(t.title),
                redact(t.content),
                t.status_label,
                t.get_channel_display(),
                t.category.full_name if t.category_id else "",
                t.region.full_name,
                t.main_unit.name if t.main_unit_id else "",
                "；".join(others.get(t.pk, [])),
                _masked_name(t.requester_name),
                mask_phone(t.requester_phone) if t.requester_phone else "",
                _when(t.received_at),
                _when(t.accept_by),
                _when(t.reply_by),
                _when(t.replied_at),
                _when(t.closed_at),
                {True: "已解决", False: "未解决"}.get(t.solved, ""),
                t.satisfaction,
                "是" if t.is_supervised else "",
                t.get_text_language_display(),
                redact(t.summary),
                LANGUAGE_NAMES.get(t.language, t.language),
            ]
        )
    history = _sheet(book, "流转记录", EVENT_COLUMNS)
    numbers = {t.pk: t.number for t in rows}
    events = (
        TicketEvent.objects.filter(ticket_id__in=ids)
        .select_related("unit")
        .order_by("ticket_id", "at", "id")
    )
    seen: set[int] = set()
    for e in events.iterator(chunk_size=2000):
        if progress is not None and e.ticket_id not in seen:
            seen.add(e.ticket_id)
            if len(seen) % 250 == 0:
                progress(len(rows) // 2 + len(seen) // 2, len(rows))
        label = states.ACTIONS[e.action].label if e.action in states.ACTIONS else e.action
        change = (
            f"{states.STATUS_LABELS.get(e.from_status, e.from_status)} → "
            f"{states.STATUS_LABELS.get(e.to_status, e.to_status)}"
            if e.from_status and e.from_status != e.to_status
            else ""
        )
        history.append(
            [
                numbers[e.ticket_id],
                _when(e.at),
                label,
                e.actor_label,
                e.unit.name if e.unit_id else "",
                change,
                redact(e.reason),
            ]
        )
    notes = book.create_sheet("说明")
    notes.append([title])
    notes.append([f"导出时间：{_when(timezone.now())}；共 {len(rows)} 件工单。"])
    if cut:
        notes.append(
            [f"检索结果超过 {MAX_EXPORT} 件，只导出最新受理的 {MAX_EXPORT} 件，请缩小检索条件。"]
        )
    notes.append(["诉求人姓名和电话已部分隐藏；身份证号、电话等个人信息已从文字中去除。"])
    notes.column_dimensions["A"].width = 90
    defuse(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue(), len(rows), cut
