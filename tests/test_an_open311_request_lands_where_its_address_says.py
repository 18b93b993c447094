"""Issue 27: an Open311 request with lat/long inside 昌吉市 and `address_string`
"昌吉市建国路街道" was placed at the key's region (the prefecture), so 昌吉市's dispatcher never
saw it. Without a region code, a request is placed at the deepest place its address (or else
its description) names inside the key's region, and its receive event says how."""

import pytest

from jiceng.open311.models import Open311Key
from jiceng.tickets.models import Ticket


@pytest.fixture
def prefecture_key(world):
    _, key = Open311Key.issue("随手拍", world["changji"])
    return key


def post(client, key, **fields):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "010208",
            "description": "暖气不热，屋里只有十五度",
            "phone": "13912345678",
            **fields,
        },
    )


def test_the_issues_request_lands_in_jianguolu_and_the_city_dispatcher_sees_it(
    client, world, prefecture_key, users, login
):
    answer = post(
        client, prefecture_key, lat="44.0130", long="87.3040", address_string="昌吉市建国路街道"
    )
    assert answer.status_code == 200, answer.content
    ticket = Ticket.objects.get()
    assert ticket.region == world["jianguolu"]
    receive = ticket.events.get(action="receive")
    assert receive.data["placed"]["how"] == "text" and receive.data["placed"]["certain"] is True
    assert receive.data["placed"]["names"] == ["昌吉市", "建国路街道"]
    assert (ticket.placed_by, ticket.place_certain) == ("text", True)
    listing = login("erin").get("/work/tickets/?view=all").content.decode()  # 昌吉市's dispatcher
    assert ticket.number in listing


def test_the_description_places_it_when_the_address_does_not(client, world, prefecture_key):
    answer = post(
        client,
        prefecture_key,
        address_string="5号楼2单元",
        description="嘉顺社区居委会旁边的路灯坏了",
    )
    assert answer.status_code == 200, answer.content
    assert Ticket.objects.get().region == world["jiashun"]


def test_a_place_outside_the_keys_region_is_not_taken(client, world):
    _, city_key = Open311Key.issue("昌吉市随手拍", world["changji_city"])
    answer = post(client, city_key, address_string="玛纳斯县包家店镇包家店村")
    assert answer.status_code == 200, answer.content
    ticket = Ticket.objects.get()
    assert ticket.region == world["changji_city"]
    assert ticket.events.get(action="receive").data["placed"]["how"] == "default"


def test_a_region_code_still_wins_over_the_words(client, world, prefecture_key):
    answer = post(
        client,
        prefecture_key,
        address_string="昌吉市建国路街道",
        **{"attribute[region_code]": world["jiashun"].code},
    )
    assert answer.status_code == 200, answer.content
    ticket = Ticket.objects.get()
    assert ticket.region == world["jiashun"]
    assert ticket.events.get(action="receive").data["placed"]["how"] == "chosen"
