"""Issue 26, finding 1 (评价异常线索): a supervisor's page and export that list patterns worth
a look (one phone rating the same unit again and again, a requester phone that is a staff
member's, ratings minutes after a reply, at night or in bursts, a unit whose satisfaction from
its own filings stands apart), each with the tickets behind it. A lead never changes a figure."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from jiceng import factories
from jiceng.tickets import residents, services
from jiceng.tickets.models import Ticket

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 10, 9, 0, tzinfo=TZ)
PERIOD = "2026-11"


def rated(world, users, phone, *, at, rate_after=timedelta(hours=5), satisfaction="满意", by=None):
    """A ticket at 嘉顺社区 answered at `at` and rated by its resident `rate_after` later."""
    if by is None:
        ticket = factories.ticket(world["jiashun"], phone=phone, at=at - timedelta(hours=3))
    else:
        ticket, _ = services.receive(
            by,
            services.Intake(
                title="",
                content="巡查发现井盖破损",
                region=world["jiashun"],
                channel="grid",
                requester_phone=phone,
            ),
            at=at - timedelta(hours=3),
        )
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at - timedelta(hours=2))
    services.accept(users["dave"], ticket, at=at - timedelta(hours=1))
    services.reply(users["dave"], ticket, "已处理完毕。", at=at)
    residents.issue_link(ticket)
    proof = ticket.resident_tokens.latest("created_at").pk
    services.callback(
        None, ticket, solved=True, satisfaction=satisfaction, proof=proof, at=at + rate_after
    )
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def sam(users, login):
    return login("sam")


def leads_of(client, kind):
    page = client.get(f"/work/integrity/?period={PERIOD}")
    assert page.status_code == 200
    rows = [r for r in page.context["leads"] if r.kind == kind]
    return rows


def test_one_phone_rating_the_same_unit_again_and_again(world, users, sam):
    made = [rated(world, users, "13912340001", at=DAY + timedelta(days=i)) for i in range(3)]
    rated(world, users, "13912340002", at=DAY)
    (lead,) = leads_of(sam, "same_phone")
    assert lead.unit == "嘉顺社区" and "3 次" in lead.detail
    assert {number for _, number in lead.tickets} == {t.number for t in made}
    page = sam.get(f"/work/integrity/?period={PERIOD}").content.decode()
    assert f'href="/work/tickets/{made[0].pk}/"' in page


def test_a_requester_phone_that_is_a_staff_members(world, users, sam):
    worker = world["jiashun_grid_worker"]
    worker.phone = "13912349999"
    worker.save()
    ticket = rated(world, users, "13912349999", at=DAY)
    (lead,) = leads_of(sam, "staff_phone")
    assert worker.name in lead.detail and "网格员" in lead.detail
    assert lead.tickets == [(ticket.pk, ticket.number)]


def test_ratings_minutes_after_the_reply_at_night_and_in_bursts(world, users, sam):
    night = DAY.replace(hour=23)
    for i in range(5):
        rated(
            world,
            users,
            f"1391234100{i}",
            at=night + timedelta(minutes=i),
            rate_after=timedelta(minutes=3),
        )
    kinds = {
        lead.kind
        for lead in leads_of(sam, "quick") + leads_of(sam, "night") + leads_of(sam, "burst")
    }
    assert kinds == {"quick", "night", "burst"}


def test_a_unit_whose_own_filings_are_rated_apart(world, users, sam):
    worker = factories.account(
        "wang", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_grid_worker"]
    )
    for i in range(3):
        rated(world, users, f"1391234200{i}", at=DAY + timedelta(days=i), by=worker)
    for i in range(3):
        rated(world, users, f"1391234300{i}", at=DAY + timedelta(days=i), satisfaction="不满意")
    (lead,) = leads_of(sam, "own_filings")
    assert "满意 100%" in lead.detail and "满意 0%" in lead.detail and len(lead.tickets) == 3


def test_the_export_holds_the_same_leads_and_others_do_not_see_them(world, users, sam, login):
    for i in range(3):
        rated(world, users, "13912340001", at=DAY + timedelta(days=i))
    answer = sam.get(f"/work/integrity/export.xlsx?period={PERIOD}")
    assert answer.status_code == 200
    rows = list(load_workbook(BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("类型", "单位", "说明")
    assert any(r[0] == "同一号码反复评价同一单位" and r[3] == 3 for r in rows[2:])
    assert sam.get("/work/integrity/export.xlsx?period=9999").status_code == 400
    # the handling unit itself never reads the leads about it
    assert login("dave").get(f"/work/integrity/?period={PERIOD}").status_code == 404
    # another county's supervisor sees none of them
    other = factories.account("mu", ["supervisor"], scope_region=world["manas"])
    from django.test import Client

    client = Client()
    client.force_login(other)
    assert client.get(f"/work/integrity/?period={PERIOD}").context["leads"] == []
