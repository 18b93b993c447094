"""The work list's search finds what staff are asked about: a caller's full phone number
(through its keyed blind index: the number is never shown), a resident's tracking code, a
ticket number, words; and narrows by status, channel and a date range. Bad parameters are
said and ignored; nothing outside the scope is ever found."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.tickets.models import Category, Ticket

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tickets(world, users):
    a = factories.ticket(
        world["jiashun"], phone="13912345678", at=datetime(2026, 11, 2, 9, tzinfo=TZ)
    )
    b = factories.ticket(
        world["jianguo"],
        phone="13700001111",
        title="下水道堵塞",
        at=datetime(2026, 11, 20, 9, tzinfo=TZ),
        channel="web",
    )
    far = factories.ticket(
        world["baojiadian_village"], phone="13912345678", at=datetime(2026, 11, 3, 9, tzinfo=TZ)
    )
    return a, b, far


def numbers(response) -> set[str]:
    page = response.content.decode()
    return {t.number for t in Ticket.objects.all() if t.number in page}


def test_a_full_phone_number_finds_the_callers_tickets_without_showing_it(tickets, login):
    a, _b, _far = tickets
    erin = login("erin")  # a dispatcher of 昌吉市
    response = erin.get("/work/tickets/?view=all&q=139 1234 5678")
    assert numbers(response) == {a.number}  # not 呼图壁's ticket of the same caller
    assert "13912345678" not in response.content.decode()
    assert numbers(erin.get("/work/tickets/?view=all&q=1391234")) == set()  # no partial match


def test_a_tracking_code_or_a_number_finds_its_ticket(tickets, login):
    a, b, _ = tickets
    erin = login("erin")
    assert numbers(erin.get(f"/work/tickets/?view=all&q={a.tracking_code.lower()}")) == {a.number}
    assert numbers(erin.get(f"/work/tickets/?view=all&q={b.number}")) == {b.number}
    assert numbers(erin.get("/work/tickets/?view=all&q=下水道")) == {b.number}


def test_status_channel_and_dates_narrow_the_list(tickets, login):
    a, b, _ = tickets
    erin = login("erin")
    assert numbers(erin.get("/work/tickets/?view=all&from=2026-11-10&to=2026-11-30")) == {b.number}
    assert numbers(erin.get("/work/tickets/?view=all&to=2026-11-02")) == {
        a.number
    }  # the day counts
    assert numbers(erin.get("/work/tickets/?view=all&channel=web")) == {b.number}
    assert numbers(erin.get("/work/tickets/?view=all&status=received")) == {a.number, b.number}
    assert numbers(erin.get("/work/tickets/?view=all&status=closed")) == set()


def test_bad_parameters_are_said_and_ignored(tickets, login):
    a, b, _ = tickets
    response = login("erin").get("/work/tickets/?view=all&status=nope&from=2026-13-01", follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "状态参数不正确" in page and "日期“2026-13-01”不正确" in page
    assert numbers(response) == {a.number, b.number}


def test_the_api_searches_the_same_way(tickets, login):
    a, _, _ = tickets
    body = login("erin").get("/api/v1/tickets?q=13912345678").json()
    assert [t["number"] for t in body["items"]] == [a.number]
    assert "13912345678" not in str(body)


def test_a_place_subtree_and_a_category_narrow_the_list_from_its_own_pickers(tickets, world, login):
    a, b, _far = tickets
    heating = Category.objects.get(code="010208")
    Ticket.objects.filter(pk=b.pk).update(category=heating)
    alice = login("alice")
    page = alice.get("/work/tickets/?view=all").content.decode()
    assert 'id="s-region"' in page and 'id="s-category"' in page
    street = alice.get("/work/tickets/", {"view": "all", "region": world["jianguolu"].code})
    assert numbers(street) == {a.number, b.number}  # both communities of 建国路街道
    town = alice.get("/work/tickets/", {"view": "all", "category": "01"})  # 城乡建设 and below
    assert numbers(town) == {b.number}
    api = alice.get("/api/v1/tickets", {"category": "0102", "region": world["changji_city"].code})
    assert [t["number"] for t in api.json()["items"]] == [b.number]
