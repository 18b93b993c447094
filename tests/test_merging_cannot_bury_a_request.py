"""Issue 26, finding 4: the dispatcher merged a live request into an unrelated closed ticket in
another community, and another into a 主动治理 item. Both were accepted; the first resident's
page then said 已办结 and showed the other resident's reply and rating as their own, and the
request dropped out of every rate.

A merge is refused into a closed ticket, into a 主动治理 item and across counties; across place
or category it needs a supervisor's reason. The tracking page never shows another ticket's
rating as the resident's own."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import Category, Channel, Ticket


@pytest.fixture
def categories(db):
    roads = Category.objects.create(code="T1", name="道路")
    lights = Category.objects.create(code="T2", name="路灯")
    return roads, lights


def answered(world, users, area, unit):
    ticket = factories.ticket(area)
    services.dispatch(users["erin"], ticket, unit)
    return ticket


def test_a_request_is_never_merged_into_a_closed_ticket(world, users):
    closed = factories.ticket(world["jiashun"])
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    live = factories.ticket(world["jiashun"])
    with pytest.raises(ValidationError) as refused:
        services.merge(users["erin"], live, closed, "同一件事")
    assert "已办结" in str(refused.value)
    assert Ticket.objects.get(pk=live.pk).status == "received"


def test_a_request_is_never_merged_into_proactive_work(world, users):
    proactive = factories.ticket(world["jiashun"])
    Ticket.objects.filter(pk=proactive.pk).update(channel=Channel.PROACTIVE)
    live = factories.ticket(world["jiashun"])
    with pytest.raises(ValidationError) as refused:
        services.merge(users["erin"], live, proactive, "同一件事")
    assert "主动治理" in str(refused.value)


def test_a_request_is_never_merged_across_counties(world, users):
    root = factories.account("root", superuser=True)
    here = factories.ticket(world["jiashun"])
    there = factories.ticket(world["baojiadian_village"])
    with pytest.raises(ValidationError) as refused:
        services.merge(root, here, there, "同一件事，主管审核同意")
    assert "县" in str(refused.value)


def test_across_place_or_category_a_merge_needs_a_supervisors_reason(world, users, categories):
    roads, lights = categories
    keep = factories.ticket(world["jiashun"], category=roads)
    elsewhere = factories.ticket(world["jianguo"], category=roads)
    other_kind = factories.ticket(world["jiashun"], category=lights)
    for dup in (elsewhere, other_kind):
        with pytest.raises(ValidationError):
            services.merge(users["erin"], dup, keep, "同一件事")
    boss = factories.account(
        "qin", ["dispatcher", "supervisor"], scope_region=world["changji_city"]
    )
    with pytest.raises(ValidationError) as short:
        services.merge(boss, elsewhere, keep, "")
    assert "理由" in str(short.value)
    services.merge(boss, elsewhere, keep, "两个社区交界处的同一条路，已现场核实")
    assert Ticket.objects.get(pk=elsewhere.pk).duplicate_of == keep
    # the same place and category needs no more than today
    twin = factories.ticket(world["jiashun"], category=roads)
    services.merge(users["erin"], twin, keep)
    assert Ticket.objects.get(pk=twin.pk).status == "merged"


def test_the_tracking_page_never_shows_another_tickets_rating_as_ones_own(world, users):
    keep = factories.ticket(world["jiashun"])
    twin = factories.ticket(world["jiashun"], phone="13912340001")
    services.merge(users["erin"], twin, keep, "同一楼道")
    services.dispatch(users["erin"], keep, world["jiashun_unit"])
    services.accept(users["dave"], keep)
    services.reply(users["dave"], keep, "已修好楼道灯。")
    services.callback(users["ivan"], keep, solved=True, satisfaction="基本满意")
    resident = Client()
    resident.post("/track/", {"code": twin.tracking_code, "last4": "0001"})
    page = resident.get(f"/track/{twin.tracking_code}/").content.decode()
    assert "与其他群众反映的同一问题合并办理" in page
    assert "您的评价" not in page and "基本满意" not in page


def test_a_merged_request_gets_the_reply_and_its_own_rating_round_which_counts(
    world, users, memory_sms
):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.tickets import notify, rates

    keep = factories.ticket(world["jiashun"], phone="13912340009")
    twin = factories.ticket(world["jiashun"], phone="13912340001")
    services.dispatch(users["erin"], keep, world["jiashun_unit"])
    services.merge(users["erin"], twin, keep, "同一楼道")
    services.accept(users["dave"], keep)
    services.reply(users["dave"], keep, "已修好楼道灯。")
    twin.refresh_from_db()
    assert (twin.status, twin.reply, twin.main_unit) == (
        "replied",
        "已修好楼道灯。",
        world["jiashun_unit"],
    )
    assert twin.events.filter(action="share_reply").exists()
    # its own resident gets the reply and a link of their own, and rates
    notify.send_pending()
    body = [n for n in notify.outbox if n.recipient == "13912340001"][-1].body
    secret = re.search(r"/r/#([A-Za-z0-9_\-]+)", body).group(1)
    resident = Client()
    resident.post("/r/", {"secret": secret})
    page = resident.get(f"/track/{twin.tracking_code}/").content.decode()
    assert "已修好楼道灯" in page and "提交评价" in page
    resident.post(f"/track/{twin.tracking_code}/rate/", {"solved": "0", "satisfaction": "不满意"})
    twin.refresh_from_db()
    assert (twin.status, twin.satisfaction) == ("review", "不满意")
    # and the answer counts for the unit that handled it
    now = timezone.now()
    rows = rates.rate_counts((now - timedelta(days=1), now + timedelta(days=1)))
    row = next(r for r in rows if r.key == world["jiashun_unit"].code)
    assert (row.callbacks, row.answers["不满意"]) == (1, 1)
    # the main ticket's resident is untouched by it
    assert Ticket.objects.get(pk=keep.pk).status == "replied"


def test_a_request_merged_into_an_answered_ticket_gets_the_answer_at_once(world, users):
    keep = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], keep, world["jiashun_unit"])
    services.accept(users["dave"], keep)
    services.reply(users["dave"], keep, "已修好楼道灯。")
    twin = factories.ticket(world["jiashun"], phone="13912340001")
    merged = services.merge(users["erin"], twin, keep, "同一楼道")
    assert (merged.status, merged.reply) == ("replied", "已修好楼道灯。")
    assert services.resident_may_rate(merged)
