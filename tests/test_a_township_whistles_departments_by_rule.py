"""吹哨报到 as a rule, not a scope: a street office calls in its county's departments, a
community asks its street office to, the rules are data an administrator edits, and a late
report shows in the called unit's figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng import factories
from jiceng.orgs.models import WhistleRule
from jiceng.tickets import services
from jiceng.tickets.models import TicketEvent, TicketUnit


@pytest.fixture
def street(world, users):
    """建国路街道办事处, with its handler tom, and 玛纳斯县住建局 in the next county."""
    office = factories.unit(world["jianguolu"], "street_office", name="建国路街道办事处")
    world["street_office"] = office
    world["manas_zjj"] = factories.unit(world["manas"], "zjj", name="玛纳斯县住建局")
    users["tom"] = factories.account("tom", ["handler"], scope_unit=office)
    return office


def handled_by(world, users, unit):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, unit)
    return ticket


def test_a_street_office_whistles_a_county_department_which_reports_back(
    world, users, login, street
):
    ticket = handled_by(world, users, street)
    tom = login("tom")
    page = tom.get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert "昌吉市住建局" in page and "玛纳斯县住建局" not in page  # the form offers its county
    answer = tom.post(
        f"/work/tickets/{ticket.pk}/whistle/",
        {"units": [world["changji_zjj"].pk], "reason": "小区管网需住建局到场", "hours": "8"},
    )
    assert answer.status_code == 302, answer.content.decode()
    call = TicketUnit.objects.get(ticket=ticket, role="whistle")
    assert call.unit == world["changji_zjj"] and call.report_by

    zoe = login("zoe")
    assert zoe.get(f"/work/tickets/{ticket.pk}/").status_code == 200  # 住建局 sees it now
    reported = zoe.post(
        f"/work/tickets/{ticket.pk}/whistle_report/", {"report": "已派人到现场查看管网"}
    )
    assert reported.status_code == 302
    call.refresh_from_db()
    assert call.reported_at and call.report == "已派人到现场查看管网"
    assert TicketEvent.objects.filter(ticket=ticket, action="whistle_report").get().data == {
        "on_time": True
    }


def test_a_street_office_cannot_whistle_a_department_of_another_county(world, users, street):
    ticket = handled_by(world, users, street)
    with pytest.raises(ValidationError) as caught:
        services.whistle(users["tom"], ticket, [world["manas_zjj"].pk], "越界吹哨")
    assert "吹哨规则" in str(caught.value)
    assert not TicketUnit.objects.filter(ticket=ticket, role="whistle").exists()


def test_a_community_asks_its_street_office_which_whistles_for_it(world, users, login, street):
    ticket = handled_by(world, users, world["jiashun_unit"])
    dave = login("dave")
    services.accept(users["dave"], ticket)
    page = dave.get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="whistle"' not in page  # a community cannot call departments in
    assert 'data-action="ask_whistle"' in page and "建国路街道办事处" in page
    with pytest.raises(ValidationError):
        services.whistle(users["dave"], ticket, [world["changji_zjj"].pk], "直接吹哨")

    asked = dave.post(f"/work/tickets/{ticket.pk}/ask_whistle/", {"reason": "路面塌陷需住建局处理"})
    assert asked.status_code == 302, asked.content.decode()
    assert TicketUnit.objects.get(ticket=ticket, role="asked").unit == street
    tom = login("tom")
    assert tom.get(f"/work/tickets/{ticket.pk}/").status_code == 200  # the street sees it now
    assert 'data-action="whistle"' in tom.get(f"/work/tickets/{ticket.pk}/").content.decode()
    with pytest.raises(services.Conflict):
        services.ask_whistle(users["dave"], ticket, "再次提请")

    services.whistle(users["tom"], ticket, [world["changji_zjj"].pk], "社区提请，住建局报到")
    ask = TicketUnit.objects.get(ticket=ticket, role="asked")
    assert ask.reported_at is not None  # the request is answered
    event = TicketEvent.objects.filter(ticket=ticket, action="whistle").get()
    assert event.data["answers_ask"] is True and event.data["by_unit"] == street.pk
    services.whistle_report(users["zoe"], ticket, "已到场")
    assert TicketUnit.objects.get(ticket=ticket, role="whistle").reported_at


def test_the_rules_are_data_an_administrator_edits(world, users, login, street):
    ticket = handled_by(world, users, street)
    admin = login("alice")
    rule = WhistleRule.objects.get(caller="township", called="department", mode="call")
    listed = admin.get("/admin/orgs/whistlerule/")
    assert listed.status_code == 200 and "吹哨规则" in listed.content.decode()
    changed = admin.post(
        f"/admin/orgs/whistlerule/{rule.pk}/change/",
        {"caller": "township", "called": "department", "mode": "call", "reach": "county"},
    )  # is_active left unticked: the rule is switched off
    assert changed.status_code == 302
    with pytest.raises(ValidationError):
        services.whistle(users["tom"], ticket, [world["changji_zjj"].pk], "规则已停用")
    # an administrator of one community reads the rules but cannot change them
    bob = login("bob")
    assert bob.get("/admin/orgs/whistlerule/").status_code == 200
    refused = bob.post(
        f"/admin/orgs/whistlerule/{rule.pk}/change/",
        {
            "caller": "township",
            "called": "department",
            "mode": "call",
            "reach": "county",
            "is_active": "on",
        },
    )
    assert refused.status_code == 403
    rule.refresh_from_db()
    assert rule.is_active is False


def test_a_dispatcher_still_whistles_any_unit_in_scope(world, users, street):
    ticket = handled_by(world, users, world["jiashun_unit"])
    services.whistle(users["erin"], ticket, [world["changji_zjj"].pk], "派单员吹哨")
    assert TicketUnit.objects.filter(ticket=ticket, role="whistle").exists()


def test_a_late_report_shows_in_the_called_units_figures(world, users, login, street):
    ticket = handled_by(world, users, street)
    start = timezone.now() - timedelta(days=10)
    services.whistle(users["tom"], ticket, [world["changji_zjj"].pk], "需到场", at=start)
    services.whistle_report(users["zoe"], ticket, "迟到的报到")
    late = TicketEvent.objects.filter(ticket=ticket, action="whistle_report").get()
    assert late.data == {"on_time": False}
    other = handled_by(world, users, street)
    services.whistle(users["tom"], other, [world["changji_zjj"].pk], "需到场", at=start)

    page = login("alice").get(f"/dashboard/units/{world['changji_zjj'].pk}/")
    assert page.status_code == 200
    figures = page.context["whistles"]
    assert (figures["called"], figures["on_time"], figures["late"], figures["missed"]) == (
        2,
        0,
        1,
        1,
    )
    text = page.content.decode()
    assert "吹哨报到" in text and "逾期报到" in text
