"""Issue 27: the resident form offers 使用我的位置. The browser's position (with permission)
and the address typed so far fill the place picker, which is shown to be checked before
sending; a position outside 昌吉州 is said in words, and the resident picks by hand."""

import pytest

from jiceng.tickets.models import Ticket

CHANGJI_CITY = {"lat": "44.010000", "lon": "87.300000"}


def test_a_position_in_changji_city_selects_the_county(world, client):
    page = client.get("/submit/locate/", CHANGJI_CITY).content.decode()
    assert f'<option value="{world["changji_city"].code}" selected>' in page
    assert "已按您的位置选好：昌吉市" in page
    assert 'name="latitude" value="44.010000"' in page  # the position goes with the request


def test_the_address_typed_takes_the_picker_down_to_the_community(world, client):
    page = client.get(
        "/submit/locate/", {**CHANGJI_CITY, "address": "建国路街道嘉顺社区5号楼"}
    ).content.decode()
    assert f'<option value="{world["jianguolu"].code}" selected>' in page
    assert f'<option value="{world["jiashun"].code}" selected>' in page
    assert "昌吉市 / 建国路街道 / 嘉顺社区居委会" in page


def test_a_position_outside_the_prefecture_is_said_and_nothing_is_chosen(world, client):
    page = client.get("/submit/locate/", {"lat": "39.9", "lon": "116.4"}).content.decode()
    assert "不在昌吉州境内" in page
    assert " selected>" not in page.replace('<option value="" selected>', "")


def test_a_request_sent_with_the_position_keeps_it(world, client):
    answer = client.post(
        "/submit/",
        {
            "content": "小区门口路灯坏了一个月",
            "county": world["changji_city"].code,
            "township": world["jianguolu"].code,
            "village": world["jiashun"].code,
            "phone": "13912345678",
            "latitude": "44.010000",
            "longitude": "87.300000",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert (float(ticket.latitude), float(ticket.longitude)) == (44.01, 87.3)
    assert ticket.region == world["jiashun"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_chromium_the_button_fills_the_picker_from_the_phones_position(
    world, live_server, browser
):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        geolocation={"latitude": 44.01, "longitude": 87.30},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_content", "小区门口路灯坏了一个月，晚上走路看不见")
    page.fill("#id_address", "建国路街道嘉顺社区5号楼")
    page.click("#use-location")
    page.wait_for_selector("#locate-note:has-text('已按您的位置选好')")
    assert page.input_value("#id_county") == world["changji_city"].code
    assert page.input_value("#id_village") == world["jiashun"].code
    assert page.input_value("#id_content").startswith("小区门口")  # nothing else was touched
    page.fill("#id_phone", "13912345678")
    page.click("main button[type=submit]")
    page.wait_for_selector("#tracking-code")
    ticket = Ticket.objects.get()
    assert ticket.region == world["jiashun"] and ticket.latitude is not None
    context.close()
