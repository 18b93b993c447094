"""A user of one community cannot open another community's ticket by URL on any page: the
detail, the phone, every action and the resident page all answer 404, and lists and the
dashboard hold only what the scope allows."""

import pytest

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import PhoneRead, TicketEvent


@pytest.fixture
def jiashun_ticket(world, users):
    ticket = factories.ticket(world["jiashun"], title="嘉顺社区楼道灯不亮")
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"])


@pytest.mark.parametrize("who", ["gina", "carol"])
def test_the_neighbour_gets_404_everywhere(login, jiashun_ticket, who):
    neighbour = login(who)
    pk = jiashun_ticket.pk
    assert neighbour.get(f"/work/tickets/{pk}/").status_code == 404
    assert neighbour.post(f"/work/tickets/{pk}/phone/").status_code == 404
    for action in ["accept", "return", "note", "reply", "dispatch", "close"]:
        assert (
            neighbour.post(
                f"/work/tickets/{pk}/{action}/", {"reason": "试试", "text": "试试看看"}
            ).status_code
            == 404
        )
    assert (
        TicketEvent.objects.filter(ticket=jiashun_ticket).count() == 3
    )  # receive, follow_up, dispatch
    assert PhoneRead.objects.count() == 0
    listing = neighbour.get("/work/tickets/?view=all").content.decode()
    assert jiashun_ticket.number not in listing
    assert "嘉顺社区" not in neighbour.get("/dashboard/").content.decode()


def test_the_owner_sees_and_acts(login, jiashun_ticket):
    dave = login("dave")
    page = dave.get(f"/work/tickets/{jiashun_ticket.pk}/")
    assert page.status_code == 200 and "嘉顺社区楼道灯不亮" in page.content.decode()
    assert dave.post(f"/work/tickets/{jiashun_ticket.pk}/accept/").status_code == 302
    assert jiashun_ticket.number in dave.get("/work/tickets/?view=doing").content.decode()


def test_a_residents_page_needs_the_code_and_the_phone(client, jiashun_ticket):
    code = jiashun_ticket.tracking_code
    assert client.get(f"/track/{code}/").status_code == 404
    wrong = client.post("/track/", {"code": code, "last4": "0000"})
    assert "不正确" in wrong.content.decode()
    assert client.get(f"/track/{code}/").status_code == 404
    right = client.post("/track/", {"code": code.lower(), "last4": "8000"})
    assert right.status_code == 302
    assert client.get(f"/track/{code}/").status_code == 200


def test_staff_pages_need_a_login(client, jiashun_ticket):
    for url in [
        "/work/tickets/",
        f"/work/tickets/{jiashun_ticket.pk}/",
        "/work/tickets/new/",
        "/dashboard/",
        "/dashboard/export.xlsx",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_dispatcher_sees_same_place_tickets_to_merge(login, world, jiashun_ticket):
    twin = factories.ticket(world["jiashun"], title="楼道灯又坏了")
    page = login("erin").get(f"/work/tickets/{twin.pk}/").content.decode()
    assert jiashun_ticket.number in page and "合并重复件" in page
    merged = login("erin").post(f"/work/tickets/{twin.pk}/merge/", {"into": jiashun_ticket.number})
    assert merged.status_code == 302
    twin.refresh_from_db()
    assert twin.status == "merged" and twin.duplicate_of == jiashun_ticket


def test_the_export_holds_only_the_scopes_units(login, world, users, jiashun_ticket):
    from io import BytesIO

    import openpyxl
    from django.utils import timezone

    services.accept(users["dave"], jiashun_ticket)
    period = f"{timezone.localdate():%Y-%m}"

    def names(response) -> list[str]:
        """The names of every sheet's rows, below each sheet's header."""
        out = []
        for sheet in openpyxl.load_workbook(BytesIO(response.content)).worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            header = next(i for i, row in enumerate(rows) if row[0] == "排名")
            out += [row[2] for row in rows[header + 1 :] if row[2]]
        return out

    assert names(login("dave").get(f"/dashboard/export.xlsx?period={period}")) == ["嘉顺社区"]
    assert names(login("gina").get(f"/dashboard/export.xlsx?period={period}")) == []


def test_the_hotline_form_refuses_a_place_outside_the_scope(login, world):
    page = login("ivan").post(
        "/work/tickets/new/",
        {
            "county": "652324000000",
            "township": "652324102000",
            "village": "652324102200",
            "content": "玛纳斯县的路灯坏了",
            "urgency": "normal",
            "channel": "hotline",
        },
    )
    assert "不在您的管辖范围内" in page.content.decode()
    ok = login("ivan").post(
        "/work/tickets/new/",
        {
            "county": "652301000000",
            "township": "652301004000",
            "village": "652301004012",
            "content": "嘉顺社区路灯坏了",
            "urgency": "normal",
            "channel": "hotline",
        },
    )
    assert ok.status_code == 302
