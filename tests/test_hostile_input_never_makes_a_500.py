"""Issue 11, finding 7: each of these inputs made a 500. Each is now a 4xx with a Chinese
message (or the page, with the bad value ignored and said so), and nothing is half-saved."""

import pytest
from django.test import Client

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.tickets import services
from jiceng.tickets.models import Ticket, TicketEvent


def bearer(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 't')}")


@pytest.fixture
def leader(world):
    return factories.account("lee", ["leader", "dispatcher"], scope_region=world["changji"])


@pytest.mark.parametrize("period", ["2026", "9999", "0000", "9999-12", "0000-01", "2026-13", "abc"])
def test_the_dashboard_and_its_export_take_any_period(world, leader, period):
    client = Client()
    client.force_login(leader)
    page = client.get("/dashboard/", {"period": period})
    assert page.status_code in (200, 400), period
    export = client.get("/dashboard/export.xlsx", {"period": period})
    assert export.status_code in (200, 400), period


def test_the_year_view_offered_in_the_menu_works(world, leader):
    client = Client()
    client.force_login(leader)
    page = client.get("/dashboard/", {"period": "2026"})
    assert page.status_code == 200
    assert "2026" in page.content.decode()


@pytest.mark.parametrize("period", ["9999", "0000", "9999-12", "2026-00"])
def test_the_metrics_api_refuses_a_period_out_of_range_with_a_code(world, users, period):
    answer = bearer(users["erin"]).get("/api/v1/metrics", {"period": period})
    assert answer.status_code == 422 or answer.status_code == 400, answer.content
    assert answer.json()["code"]


@pytest.mark.parametrize(
    "query",
    [
        {"unit": "abc"},
        {"period": "9999"},
        {"period": "0000"},
        {"period": "9999-12"},
        {"page": "abc"},
        {"page": "-1"},
    ],
)
def test_the_ticket_list_ignores_what_it_cannot_read(world, users, login, query):
    assert login("erin").get("/work/tickets/", query).status_code in (200, 400)


@pytest.mark.parametrize("rows", ["abc", "3000000", "-5"])
def test_the_meeting_form_takes_any_row_count(world, users, login, rows):
    client = login("ivan")
    assert client.get("/work/meetings/new/", {"rows": rows}).status_code in (200, 400)
    posted = client.post("/work/meetings/new/", {"rows": rows})
    assert posted.status_code in (200, 400, 422)


def test_a_bad_extension_date_and_whistle_hours_are_refused_in_chinese(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    events = TicketEvent.objects.filter(ticket=ticket).count()
    bad_date = login("dave").post(
        f"/work/tickets/{ticket.pk}/request_extension/",
        {"until": "2026-02-30T10:00", "reason": "需要协调多个部门"},
    )
    assert bad_date.status_code == 422 and "时间" in bad_date.content.decode()
    bad_hours = login("erin").post(
        f"/work/tickets/{ticket.pk}/whistle/",
        {"units": [world["changji_zjj"].pk], "reason": "需住建局到场", "hours": "abc"},
    )
    assert bad_hours.status_code == 422 and "小时" in bad_hours.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_lone_surrogate_in_the_api_is_a_422(world, users):
    answer = bearer(users["ivan"]).post(
        "/api/v1/tickets",
        '{"content": "路灯不亮\\ud800了好几天", "region_code": "652301004012"}',
        content_type="application/json",
    )
    assert answer.status_code in (400, 422) and answer.json()["code"]
    assert Ticket.objects.count() == 0


def test_a_null_phone_on_a_unit_is_a_422(world, users):
    answer = bearer(users["alice"]).patch(
        f"/api/v1/units/{world['jiashun_unit'].pk}",
        {"phone": None},
        content_type="application/json",
    )
    assert answer.status_code == 422 and answer.json()["code"]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-02-30T00:00:00Z"},
        {"start_date": "2026-02-01T25:00:00Z"},
        {"start_date": "2026-02-01T00:00:00+25:00"},
        {"start_date": "9999-12-31T00:00:00Z", "end_date": "9999-12-31T00:00:00Z"},
        {"start_date": "0001-01-01T00:00:00Z", "end_date": "0001-01-02T00:00:00Z"},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"lat": "sNaN", "long": "87.3"},
    ],
)
def test_open311_reads_refuse_impossible_dates_with_a_400(world, params):
    answer = Client().get("/open311/v2/requests.json", params)
    assert answer.status_code in (200, 400), answer.content


def test_control_characters_never_reach_the_xml_feed(world, users):
    ticket = factories.ticket(
        world["jiashun"], content="路灯\x08不亮\x0e了\x16好几\x1d天，请尽快处理。"
    )
    stored = Ticket.objects.get(pk=ticket.pk).content
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in stored)
    # text stored before intake refused them (as the attack left it) must not break the feed
    services.moderate(users["erin"], ticket, "路灯不亮")
    Ticket.objects.filter(pk=ticket.pk).update(public_description="路灯\x08不亮\x1d")
    from xml.dom import minidom

    feed = Client().get("/open311/v2/requests.xml")
    parsed = minidom.parseString(feed.content)  # well-formed
    assert parsed.getElementsByTagName("description")[0].firstChild.data == "路灯不亮"
    assert "\\u0008" not in Client().get("/open311/v2/requests.json").content.decode()


def test_a_nul_in_any_form_is_refused_and_nothing_is_saved(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    events = TicketEvent.objects.filter(ticket=ticket).count()
    answer = login("erin").post(f"/work/tickets/{ticket.pk}/note/", {"text": "已联系\x00物业"})
    assert answer.status_code == 400 and "空字符" in answer.content.decode()
    assert login("erin").get("/work/tickets/", {"q": "灯\x00"}).status_code == 400
    api = bearer(users["erin"]).post(
        f"/api/v1/tickets/{ticket.pk}/notes", {"text": "已联系\x00物业"}, "application/json"
    )
    assert api.status_code == 422 and api.json()["code"] == "invalid_text"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_control_characters_are_dropped_from_forms(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    login("erin").post(f"/work/tickets/{ticket.pk}/note/", {"text": "已联系\x08物业\x1d处理"})
    assert TicketEvent.objects.get(ticket=ticket, action="note").reason == "已联系物业处理"


def test_open311_posts_with_a_signalling_nan_or_a_long_key_name_are_handled(world):
    from jiceng.open311.models import Open311Key

    _, key = Open311Key.issue(
        "某某县便民服务移动应用程序第三方接入客户端（测试环境专用长名称示例一二三四五六七八九十）",
        world["changji_city"],
    )
    base = {"api_key": key, "service_code": "01", "description": "路灯不亮已经好几天了"}
    nan = Client().post("/open311/v2/requests.json", {**base, "lat": "sNaN", "long": "87.3"})
    assert nan.status_code == 400 and "lat" in nan.json()[0]["description"]
    made = Client().post("/open311/v2/requests.json", {**base, "address_string": "嘉顺社区3号楼"})
    assert made.status_code == 200, made.content
    event = TicketEvent.objects.get(action="receive")
    assert event.actor_label.startswith("Open311：某某县") and len(event.actor_label) <= 60


def test_a_long_username_fits_the_history(world):
    long_name = "d" * 120
    user = factories.account(long_name, ["dispatcher"], scope_region=world["changji_city"])
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(user, ticket, world["jiashun_unit"])
    assert TicketEvent.objects.get(ticket=ticket, action="dispatch").actor_label == long_name[:60]
