"""Records: the tickets of a search go out as Excel with their history, limited to the scope,
with residents' data masked and no live formula; a 督办通知单 and a 吹哨通知单 print."""

import zipfile
from io import BytesIO

import openpyxl

from jiceng import factories
from jiceng.tickets import services

EVIL = '=HYPERLINK("http://evil.example/x","点击")'


def book_of(response):
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(BytesIO(response.content))


def test_the_export_holds_the_searchs_tickets_and_their_history(world, users, login):
    lamp = factories.ticket(
        world["jiashun"], title="路灯不亮", phone="13912345678", requester_name="王建国"
    )
    factories.ticket(world["jiashun"], title="暖气不热")
    services.dispatch(users["erin"], lamp, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    services.accept(users["dave"], lamp)
    answer = login("erin").get("/work/tickets/export.xlsx?q=路灯")
    book = book_of(answer)
    assert book.sheetnames == ["工单", "流转记录", "说明"]
    rows = list(book["工单"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == lamp.number
    flat = " ".join(str(v) for v in rows[1] if v)
    assert "13912345678" not in flat and "139" in flat
    assert "王建国" not in flat and "王**" in flat
    assert "协办：昌吉市住建局" in flat
    history = [r for r in book["流转记录"].iter_rows(values_only=True)][1:]
    assert [r[2] for r in history] == ["受理", "受理后续处理", "派单", "接单"]
    assert all(r[0] == lamp.number for r in history)


def test_the_export_never_leaves_the_scope(world, users, login):
    mine = factories.ticket(world["jiashun"], title="楼道堆物")
    factories.ticket(world["jianguo"], title="楼道堆物")  # 建国社区: not dave's
    services.dispatch(users["erin"], mine, world["jiashun_unit"])
    rows = list(book_of(login("dave").get("/work/tickets/export.xlsx")).active.iter_rows())
    assert [r[0].value for r in rows[1:]] == [mine.number]


def test_a_formula_in_a_request_stays_text(world, users, login):
    factories.ticket(world["jiashun"], title=EVIL, content=EVIL + " 楼下积水")
    response = login("erin").get("/work/tickets/export.xlsx")
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.content))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name)


def test_a_bad_filter_is_refused_in_words(world, users, login):
    answer = login("erin").get("/work/tickets/export.xlsx?from=2026-13-45")
    assert answer.status_code == 400 and "日期" in answer.content.decode()


def test_the_work_list_links_to_the_export_of_its_search(world, users, login):
    factories.ticket(world["jiashun"], title="路灯不亮")
    page = login("erin").get("/work/tickets/?q=路灯&status=received").content.decode()
    assert "/work/tickets/export.xlsx?" in page and "q=%E8%B7%AF%E7%81%AF" in page


def test_a_supervision_notice_prints(world, users, login):
    ticket = factories.ticket(world["jiashun"], title="下水道堵塞")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.supervise(users["sam"], ticket, "群众多次来电，限期办结")
    page = login("sam").get(f"/work/tickets/{ticket.pk}/notice/supervise/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "督办通知单" in text and "群众多次来电，限期办结" in text and "嘉顺社区" in text
    assert "@media print" not in text  # print CSS lives in the stylesheet
    detail = login("sam").get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert f"/work/tickets/{ticket.pk}/notice/supervise/" in detail
    # another community's handler cannot print it
    assert login("gina").get(f"/work/tickets/{ticket.pk}/notice/supervise/").status_code == 404


def test_a_whistle_notice_prints_and_a_ticket_without_one_has_none(world, users, login):
    ticket = factories.ticket(world["jiashun"], title="路面塌陷")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    erin = login("erin")
    assert erin.get(f"/work/tickets/{ticket.pk}/notice/whistle/").status_code == 404
    services.whistle(users["erin"], ticket, [world["changji_zjj"]], "需住建局到场")
    text = erin.get(f"/work/tickets/{ticket.pk}/notice/whistle/").content.decode()
    assert "吹哨报到通知单" in text and "昌吉市住建局" in text and "需住建局到场" in text
