"""`jiceng import-ledger` brings a county's old Excel 台账 across: each row becomes a ticket
with its events rebuilt from the timestamps, a bad file is refused whole with row numbers,
and importing the same ticket numbers again updates them."""

import csv

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from jiceng.core.tabular import ImportRefused
from jiceng.tickets import rates, services
from jiceng.tickets.ledger import import_ledger
from jiceng.tickets.models import Notification, Ticket, TicketEvent

HEADER = [
    "ticket_no",
    "received_at",
    "channel",
    "title",
    "content",
    "region_code",
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
CHINESE = [
    "工单编号",
    "受理时间",
    "来源渠道",
    "标题",
    "诉求内容",
    "区划代码",
    "分类",
    "紧急程度",
    "承办单位编码",
    "派单时间",
    "接单时间",
    "退单时间",
    "退单理由",
    "答复时间",
    "回访时间",
    "是否解决",
    "满意度",
]


def rows(unit_code):
    return [
        [
            "CJ2026030001",
            "2026-03-02 09:10",
            "热线",
            "暖气不热",
            "3号楼暖气不热",
            "652301004012",
            "城乡建设/城市建设和市政管理/冬季采暖",
            "一般",
            unit_code,
            "2026-03-02 10:00",
            "2026-03-02 11:00",
            "",
            "",
            "2026-03-04 16:00",
            "2026-03-05 10:00",
            "是",
            "满意",
        ],
        [
            "CJ2026030002",
            "2026/3/3 9:00",
            "网上",
            "",
            "路灯不亮",
            "652301004",
            "",
            "",
            unit_code,
            "2026/3/3 10:00",
            "2026/3/5 10:00",
            "2026/3/3 11:00",
            "不归我们管",
            "",
            "",
            "",
            "",
        ],
        [
            "CJ2026030003",
            "2026-03-04 09:00",
            "",
            "噪音",
            "夜间施工噪音",
            "652301004012",
            "",
            "紧急",
            unit_code,
            "2026-03-04 09:30",
            "2026-03-04 10:00",
            "",
            "",
            "2026-03-04 15:00",
            "",
            "",
            "",
        ],
        [
            "CJ2026030004",
            "2026-03-05 09:00",
            "民情恳谈",
            "",
            "希望增设健身器材",
            "652301004012",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


def write_csv(path, header, body, encoding="utf-8-sig"):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)
    return path


def test_a_ledger_becomes_tickets_with_their_history(world, tmp_path):
    code = world["jiashun_unit"].code
    result = import_ledger(write_csv(tmp_path / "台账.csv", HEADER, rows(code)))
    assert (result.created, result.updated) == (4, 0)
    one = Ticket.objects.get(number="CJ2026030001")
    assert one.status == "closed" and one.satisfaction == "满意" and one.main_unit.code == code
    assert one.category.name == "冬季采暖"
    actions = lambda t: list(TicketEvent.objects.filter(ticket=t).values_list("action", flat=True))  # noqa: E731
    # the system's follow-up of each ticket (no receipt: history is not news) comes last
    assert actions(one) == ["receive", "dispatch", "accept", "reply", "callback", "follow_up"]
    follow = TicketEvent.objects.get(ticket=one, action="follow_up")
    assert follow.data["receipt"] is False
    two = Ticket.objects.get(number="CJ2026030002")
    assert two.region.code == "652301004000" and two.channel == "web" and two.title == "路灯不亮"
    assert actions(two) == [
        "receive",
        "dispatch",
        "return",
        "reject_return",
        "accept",
        "follow_up",
    ]
    assert Ticket.objects.get(number="CJ2026030003").status == "replied"
    assert Ticket.objects.get(number="CJ2026030004").status == "received"
    assert {e.actor_label for e in TicketEvent.objects.all()} == {"台账导入"}
    assert Notification.objects.count() == 0  # history is not news

    jiashun = {r.key: r for r in rates.ranking("2026-03")}[code]
    assert (jiashun.dispatched, jiashun.on_time, jiashun.callbacks) == (3, 2, 1)


def test_chinese_headers_in_an_excel_file_are_read(world, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(CHINESE)
    for row in rows(world["jiashun_unit"].code):
        book.active.append(row)
    book.save(tmp_path / "台账.xlsx")
    assert import_ledger(tmp_path / "台账.xlsx").created == 4


def test_a_gb18030_csv_is_read(world, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", CHINESE, rows(world["jiashun_unit"].code), "gb18030")
    assert import_ledger(path).created == 4


def test_importing_again_updates_the_same_tickets(world, tmp_path):
    code = world["jiashun_unit"].code
    import_ledger(write_csv(tmp_path / "a.csv", HEADER, rows(code)))
    first = Ticket.objects.get(number="CJ2026030001")
    changed = rows(code)
    changed[0][-2:] = ["否", "不满意"]
    result = import_ledger(write_csv(tmp_path / "b.csv", HEADER, changed))
    assert (result.created, result.updated) == (0, 4)
    assert Ticket.objects.count() == 4
    again = Ticket.objects.get(number="CJ2026030001")
    assert again.pk == first.pk and again.tracking_code == first.tracking_code
    assert again.status == "review" and again.satisfaction == "不满意"
    assert TicketEvent.objects.filter(ticket=again, action="callback").count() == 1
    # removing the first import's history is a step of its own, signed by the import
    step = TicketEvent.objects.get(ticket=again, action="reimport")
    assert step.actor_label == "台账导入" and step.data["removed"]["events"] == 6
    assert (step.from_status, step.to_status) == ("closed", "received")


def test_a_bad_file_is_refused_whole_with_row_numbers(world, tmp_path):
    code = world["jiashun_unit"].code
    body = rows(code)
    body[0][1] = "三月二日"  # unreadable time (line 2)
    body[1][5] = "659999999999"  # unknown region (line 3)
    body[2][-3:] = ["2026-03-05 10:00", "", ""]  # callback without an answer (line 4)
    body[3][9] = "2026-03-05 10:00"  # dispatched without a unit (line 5)
    body.append(list(body[2]))  # a duplicate ticket number (line 6)
    with pytest.raises(ImportRefused) as refused:
        import_ledger(write_csv(tmp_path / "bad.csv", HEADER, body))
    report = refused.value.report()
    for fragment in [
        "第 2 行（received_at）",
        "第 3 行（region_code）",
        "第 4 行（callback_at）",
        "第 5 行（unit_code）",
        "第 6 行（ticket_no）",
    ]:
        assert fragment in report, report
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_steps_out_of_order_are_refused(world, tmp_path):
    body = rows(world["jiashun_unit"].code)[:1]
    body[0][10] = "2026-03-01 08:00"  # accepted before it was dispatched
    with pytest.raises(ImportRefused) as refused:
        import_ledger(write_csv(tmp_path / "order.csv", HEADER, body))
    assert "接单时间早于派单时间" in refused.value.report()


def test_a_ticket_handled_in_jiceng_since_is_not_overwritten(world, users, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, rows(world["jiashun_unit"].code))
    import_ledger(path)
    services.dispatch(
        users["erin"], Ticket.objects.get(number="CJ2026030004"), world["jiashun_unit"]
    )
    with pytest.raises(ImportRefused) as refused:
        import_ledger(path)
    assert "工单 CJ2026030004 已在系统中办理过" in refused.value.report()


def test_the_command_reports_in_chinese(world, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", HEADER, rows(world["jiashun_unit"].code))
    call_command("import_ledger", str(path), "--dry-run")
    assert "检查通过（未保存）" in capsys.readouterr().out and Ticket.objects.count() == 0
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command("import_ledger", str(write_csv(tmp_path / "x.csv", ["a", "b"], [["1", "2"]])))
