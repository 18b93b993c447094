"""Issue 11, finding 7: an .xlsx that is a valid zip with a truncated sheet made a 500 on the
figures upload page and a traceback in import-ledger, import-regions and rank361. Now each
says in Chinese that the file is damaged, and nothing is saved."""

import zipfile
from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jiceng import factories
from jiceng.evaluation.models import (
    AssessmentPeriod,
    EnteredValue,
    Indicator,
    Scheme,
    SchemeIndicator,
)
from jiceng.regions.models import Region
from jiceng.tickets.models import Ticket


def damaged_xlsx() -> bytes:
    """A real workbook whose sheet XML is cut off halfway: the zip itself is valid."""
    book = openpyxl.Workbook()
    book.active.append(["名称", "得分"])
    for n in range(200):
        book.active.append([f"单位{n}", n])
    good = BytesIO()
    book.save(good)
    out = BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture
def damaged(tmp_path):
    path = tmp_path / "损坏.xlsx"
    path.write_bytes(damaged_xlsx())
    return path


@pytest.mark.parametrize("command", ["import_ledger", "import_regions", "rank361"])
def test_the_commands_refuse_a_damaged_workbook(world, damaged, command):
    regions, tickets = Region.objects.count(), Ticket.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command(command, str(damaged))
    assert "已损坏" in str(refused.value)
    assert (Region.objects.count(), Ticket.objects.count()) == (regions, tickets)


def test_the_figures_page_refuses_a_damaged_workbook(world):
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered")
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    ann = Client()
    ann.force_login(factories.account("ann", ["assessor"], scope_region=world["changji_city"]))
    upload = SimpleUploadedFile("figures.xlsx", damaged_xlsx())
    response = ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": upload})
    assert response.status_code == 422 and "已损坏" in response.content.decode()
    assert not EnteredValue.objects.exists()
