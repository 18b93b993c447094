"""Issue 11, finding 8 (exports): a unit named =HYPERLINK(…) became a live formula in the 通报.
Every text cell written to an .xlsx stays text, and CSV cells that a spreadsheet would run
get a leading apostrophe."""

import zipfile
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
from django.core.management import call_command

from jiceng import factories
from jiceng.orgs.models import Unit
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")
EVIL = '=HYPERLINK("http://evil.example/x","点击查看")'


def a_month_of_work(world, users):
    Unit.objects.filter(pk=world["jiashun_unit"].pk).update(name=EVIL)
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    ticket = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    services.accept(users["dave"], ticket, at=at.replace(hour=11))


def test_the_report_keeps_a_formula_like_unit_name_as_text(world, users, login):
    a_month_of_work(world, users)
    export = login("erin").get("/dashboard/export.xlsx?period=2026-03")
    assert export.status_code == 200
    sheet_xml = zipfile.ZipFile(BytesIO(export.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml  # no formula anywhere in the sheet
    book = openpyxl.load_workbook(BytesIO(export.content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == EVIL]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_metrics_csv_escapes_a_formula_like_name(world, users, capsys):
    a_month_of_work(world, users)
    call_command("metrics", "--period", "2026-03", "--format", "csv")
    out = capsys.readouterr().out
    assert "'" + EVIL.replace('"', '""') in out
    assert "\n" + EVIL not in out and "," + EVIL not in out
