"""Issue 26, finding 1: 嘉顺社区's grid worker filed a ticket through the API as 热线 with a
phone of their choosing; it was dispatched to 嘉顺社区, answered, and the link sent to that
phone rated it 已解决/满意. Every count of the unit went up by one.

Now every ticket records who filed it, a staff account files only through its role's channels,
and a rating counts for a unit only when it comes from someone independent of that unit: on a
ticket filed by the unit's own staff (or a co-handler's), the resident's link rating is kept and
shown but counts for nobody; only the hotline centre's 回访 counts."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.tickets import derived, notify, rates, services
from jiceng.tickets.models import Channel, Ticket

PHONE = "13912342005"


pytestmark = pytest.mark.usefixtures("memory_sms")


@pytest.fixture
def worker(world):
    """嘉顺社区's grid worker, scoped to the community's place as the demo's `grid` is."""
    return factories.account(
        "wang",
        ["grid_worker"],
        scope_region=world["jiashun"],
        who=world["jiashun_grid_worker"],
    )


def as_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_through_api(user, **fields):
    payload = {
        "title": "楼道灯不亮",
        "content": "嘉顺社区5号楼楼道灯不亮，晚上很黑。",
        "region_code": "652301004012",
        "requester_phone": PHONE,
        **fields,
    }
    return as_client(user).post("/api/v1/tickets", payload, content_type="application/json")


def rate_by_link(ticket, solved="1", satisfaction="满意"):
    notify.send_pending()
    body = [n for n in notify.outbox if n.recipient == PHONE][-1].body
    secret = re.search(r"/r/#([A-Za-z0-9_\-]+)", body).group(1)
    resident = Client()
    resident.post("/r/", {"secret": secret})
    return resident.post(
        f"/track/{ticket.tracking_code}/rate/", {"solved": solved, "satisfaction": satisfaction}
    )


def handled_and_answered(users, ticket, unit, co_units=None):
    services.dispatch(users["erin"], ticket, unit, co_units=co_units)
    handler = users["dave"] if unit.pk == users["dave"].scope_unit_id else users["zoe"]
    services.accept(handler, ticket)
    return services.reply(handler, ticket, "已联系物业修好楼道灯。")


def counts_of(unit):
    """(callbacks, solved, 满意) of the unit over a window around now, from the events."""
    now = timezone.now()
    rows = rates.rate_counts((now - timedelta(days=30), now + timedelta(days=30)))
    row = next((c for c in rows if c.key == unit.code), None)
    return (row.callbacks, row.solved, row.answers["满意"]) if row else (0, 0, 0)


def test_a_grid_worker_cannot_file_as_the_hotline(world, users, worker):
    refused = file_through_api(worker, channel="hotline")
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "invalid"
    assert any(e["field"] == "channel" and "网格员巡查" in e["message"] for e in body["errors"])
    assert not Ticket.objects.exists()
    # without a channel, a grid worker's filing is a patrol report
    made = file_through_api(worker)
    assert made.status_code == 201, made.content
    assert made.json()["channel"] == "grid"


def test_only_the_hotline_centres_intake_files_as_the_hotline(world, users):
    assert file_through_api(users["erin"], channel="hotline").status_code == 422
    unit_intake = factories.account("xu", ["intake"], scope_unit=world["jiashun_unit"])
    assert file_through_api(unit_intake, channel="hotline").status_code == 422
    assert file_through_api(unit_intake, channel="web").status_code == 422
    made = file_through_api(users["ivan"], channel="hotline")
    assert made.status_code == 201 and made.json()["channel"] == "hotline"


def test_the_hotline_form_offers_only_the_channels_of_the_role(world, users, worker):
    page = as_client(users["ivan"]).get("/work/tickets/new/").content.decode()
    assert 'value="hotline"' in page and 'value="grid"' not in page
    own = as_client(worker).get("/work/tickets/new/").content.decode()
    assert 'value="hotline"' not in own


def test_every_ticket_records_who_filed_it(world, users, worker):
    by_worker = Ticket.objects.get(number=file_through_api(worker).json()["number"])
    assert by_worker.filed_by_unit == world["jiashun_unit"]
    assert by_worker.created_by == worker
    by_hotline = Ticket.objects.get(
        number=file_through_api(users["ivan"], channel="hotline").json()["number"]
    )
    assert by_hotline.filed_by_unit is None and by_hotline.created_by == users["ivan"]
    by_resident = factories.ticket(world["jiashun"], channel=Channel.WEB)
    assert by_resident.filed_by_unit is None and by_resident.created_by is None
    shown = as_client(users["erin"]).get(f"/api/v1/tickets/{by_worker.pk}").json()
    assert (shown["filed_by"]["kind"], shown["filed_by"]["unit"]) == ("staff", "嘉顺社区")
    hotline = as_client(users["erin"]).get(f"/api/v1/tickets/{by_hotline.pk}").json()
    assert hotline["filed_by"] == {"kind": "hotline", "unit": None}


def test_the_residents_rating_of_a_ticket_the_unit_filed_itself_does_not_count(
    world, users, worker
):
    ticket = Ticket.objects.get(number=file_through_api(worker).json()["number"])
    handled_and_answered(users, ticket, world["jiashun_unit"])
    assert rate_by_link(ticket).status_code == 302
    ticket.refresh_from_db()
    # recorded and shown
    assert (ticket.solved, ticket.satisfaction) == (True, "满意")
    rating = ticket.events.get(action="callback")
    assert rating.data["by_resident"] and rating.counted is False
    # but it counts for nobody: the unit's callback counts did not move
    assert counts_of(world["jiashun_unit"]) == (0, 0, 0)
    page = as_client(users["erin"]).get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert "本单位人员登记" in page and "不计入" in page
    # only the hotline centre's independent 回访 counts
    services.callback(users["ivan"], ticket, solved=True, satisfaction="基本满意")
    assert counts_of(world["jiashun_unit"]) == (1, 1, 0)
    assert derived.check().wrong == 0


def test_a_co_handler_filing_makes_the_rating_not_count_either(world, users, worker):
    ticket = Ticket.objects.get(number=file_through_api(worker).json()["number"])
    handled_and_answered(users, ticket, world["changji_zjj"], co_units=[world["jiashun_unit"]])
    rate_by_link(ticket)
    assert ticket.events.get(action="callback").counted is False
    assert counts_of(world["changji_zjj"]) == (0, 0, 0)


def test_a_rating_of_a_ticket_filed_by_someone_independent_counts(world, users):
    other = factories.account(
        "li", ["grid_worker"], scope_region=world["jianguolu"], who=world["jianguo_grid_worker"]
    )
    # 建国社区's grid worker reports something that 嘉顺社区 must handle
    made = file_through_api(other, region_code="652301004012")
    ticket = Ticket.objects.get(number=made.json()["number"])
    assert ticket.filed_by_unit == world["jianguo_unit"]
    handled_and_answered(users, ticket, world["jiashun_unit"])
    rate_by_link(ticket)
    assert ticket.events.get(action="callback").counted is True
    assert counts_of(world["jiashun_unit"]) == (1, 1, 1)
    hotline = factories.ticket(world["jiashun"], phone=PHONE)
    handled_and_answered(users, hotline, world["jiashun_unit"])
    rate_by_link(hotline, solved="0", satisfaction="不满意")
    assert counts_of(world["jiashun_unit"]) == (2, 1, 1)
