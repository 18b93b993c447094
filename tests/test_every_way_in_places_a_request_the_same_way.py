"""Issue 27, "every request lands where it is": the API (an address without a region code),
the hotline form, the ledger import and coordinates all use one placing (regions/placing.py),
and the ticket keeps how its place was found and whether that is certain."""

import csv

import pytest

from jiceng.regions import lookup
from jiceng.regions.models import PlaceAlias
from jiceng.tickets.ledger import import_ledger
from jiceng.tickets.models import Ticket

INSIDE_CHANGJI_CITY = {"latitude": "44.0100", "longitude": "87.3000"}
BEIJING = {"latitude": "39.9042", "longitude": "116.4074"}


def api(client, **body):
    return client.post(
        "/api/v1/tickets",
        {"content": "楼道灯坏了一个多月", **body},
        content_type="application/json",
    )


def test_an_api_request_without_a_region_code_lands_where_its_address_says(world, login):
    answer = api(login("ivan"), address="建国路街道嘉顺社区5号楼")
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get()
    assert ticket.region == world["jiashun"]
    assert (ticket.placed_by, ticket.place_certain) == ("text", True)
    placed = ticket.events.get(action="receive").data["placed"]
    assert placed == {"how": "text", "certain": True, "names": ["建国路街道", "嘉顺社区"]}
    body = answer.json()
    assert (body["region_code"], body["placed_by"], body["place_certain"]) == (
        world["jiashun"].code,
        "text",
        True,
    )


def test_coordinates_alone_place_it_in_their_county(world, login, users):
    from jiceng import factories

    prefecture_intake = factories.account("pia", ["intake"], scope_region=world["changji"])
    client = login("ivan")
    client.force_login(prefecture_intake)
    answer = api(client, **INSIDE_CHANGJI_CITY)
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get()
    assert ticket.region == world["changji_city"]
    assert (ticket.placed_by, ticket.place_certain) == ("coordinates", True)


def test_the_words_go_deeper_than_the_coordinates(world, login):
    answer = api(login("ivan"), address="嘉顺社区门口", **INSIDE_CHANGJI_CITY)
    assert answer.status_code == 201, answer.content
    assert Ticket.objects.get().region == world["jiashun"]


def test_a_point_outside_the_prefecture_is_refused_in_words(world, login):
    answer = api(login("ivan"), address="建国路街道嘉顺社区", **BEIJING)
    assert answer.status_code == 422
    body = answer.json()
    assert any(
        e["field"] == "latitude" and "不在昌吉州境内" in e["message"] for e in body["errors"]
    ), body
    assert not Ticket.objects.exists()


def test_a_request_that_names_no_place_asks_for_one(world, login):
    answer = api(login("ivan"), address="小区门口")
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert any(e["field"] == "region" and "写明县市" in e["message"] for e in errors), errors


def test_a_place_outside_the_filers_scope_is_not_taken(world, login):
    # 昌吉市's operator names a village of 玛纳斯县: the words cannot take it out of scope
    answer = api(login("ivan"), address="玛纳斯县包家店镇包家店村")
    assert answer.status_code == 422
    assert not Ticket.objects.exists()


def test_a_chosen_region_wins_and_the_words_only_go_deeper_inside_it(world, login):
    answer = api(login("ivan"), region_code=world["jianguo"].code, address="嘉顺社区门口")
    assert answer.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.region, ticket.placed_by) == (world["jianguo"], "chosen")
    answer = api(login("ivan"), region_code=world["jianguolu"].code, address="嘉顺社区门口")
    assert Ticket.objects.get(pk=answer.json()["id"]).region == world["jiashun"]


def test_the_hotline_form_places_a_call_from_its_address(world, login):
    client = login("ivan")
    answer = client.post(
        "/work/tickets/new/",
        {
            "content": "楼道灯坏了一个多月",
            "address": "建国路街道嘉顺社区5号楼",
            "urgency": "normal",
            "channel": "hotline",
            "language": "zh-hans",
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.region == world["jiashun"]
    page = answer.content.decode()
    assert "据地址文字定位到" in page  # the operator is told where it went
    assert 'id="placed-by"' in page and "据地址文字" in page  # and the ticket says so


def test_the_hotline_form_says_next_to_the_place_when_nothing_places_it(world, login):
    answer = login("ivan").post(
        "/work/tickets/new/",
        {"content": "楼道灯坏了", "address": "5号楼", "urgency": "normal", "channel": "hotline"},
    )
    assert answer.status_code == 200
    assert "写明县市" in answer.content.decode()
    assert not Ticket.objects.exists()


def test_a_ledger_row_without_a_region_code_is_placed_by_its_address(world, tmp_path):
    path = tmp_path / "台账.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(["工单编号", "受理时间", "诉求内容", "区划代码", "地址"])
        out.writerow(["CJ1", "2026-03-02 09:10", "路灯不亮", "", "昌吉市建国路街道嘉顺社区"])
        out.writerow(["CJ2", "2026-03-02 09:20", "路灯不亮", world["jianguo"].code, ""])
    assert import_ledger(path).created == 2
    first, second = Ticket.objects.get(number="CJ1"), Ticket.objects.get(number="CJ2")
    assert (first.region, first.placed_by, first.address) == (
        world["jiashun"],
        "text",
        "昌吉市建国路街道嘉顺社区",
    )
    assert (second.region, second.placed_by) == (world["jianguo"], "chosen")


def test_a_ledger_row_that_names_no_place_is_reported_at_its_row(world, tmp_path):
    from jiceng.core.tabular import ImportRefused

    path = tmp_path / "台账.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(["工单编号", "受理时间", "诉求内容", "区划代码", "地址"])
        out.writerow(["CJ1", "2026-03-02 09:10", "路灯不亮", "", "5号楼"])
    with pytest.raises(ImportRefused) as refused:
        import_ledger(path)
    assert "没有可识别的" in str(refused.value)
    assert not Ticket.objects.exists()


def test_an_alias_an_administrator_adds_places_requests_at_once(world, login):
    lookup.gazetteer()  # built before the alias exists
    PlaceAlias.objects.create(region=world["jiashun"], name="嘉顺花园")
    answer = api(login("ivan"), address="嘉顺花园3号楼")
    assert answer.status_code == 201
    assert Ticket.objects.get().region == world["jiashun"]
