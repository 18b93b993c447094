"""Each printed survey slip carries a QR code (segno) for `/vote/#CODE`: a phone that scans it
opens the ballot with the code filled in, and the code, in the fragment, never reaches the
server's logs or leaves the address bar."""

import re

import pytest
import segno
from django.test import Client

from jiceng import factories
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Campaign


def slips(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    staff = Client()
    staff.force_login(ann)
    staff.post(
        "/evaluation/surveys/new/",
        {
            "region": world["jiashun"].code,
            "name": "嘉顺社区两委测评",
            "posts": [str(p.pk) for p in world["jiashun_secretary"].posts.all()],
        },
    )
    campaign = Campaign.objects.get()
    page = staff.post(f"/evaluation/surveys/{campaign.pk}/codes/", {"count": "2"})
    staff.post(f"/evaluation/surveys/{campaign.pk}/state/", {"step": "open"})
    return page.content.decode()


def test_every_slip_has_the_qr_code_of_its_own_ballot(world):
    html = slips(world)
    codes = re.findall(r'<span class="slip-code">([A-Z0-9]{10})</span>', html)
    assert len(codes) == 2
    for code in codes:
        expected = segno.make(f"http://testserver/vote/#{code}", error="m")
        assert surveys.slip_qr("http://testserver/vote/", code) in html
        assert expected.designator  # a real symbol: version and error level
    assert html.count("<svg") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scanned_address_fills_the_code_and_drops_it_from_the_address(
    world, live_server, browser
):
    html = slips(world)
    code = re.findall(r'<span class="slip-code">([A-Z0-9]{10})</span>', html)[0]
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/vote/#{code}")
    assert page.input_value("#id_code") == code
    assert page.evaluate("window.location.hash") == ""
    page.click("main button[type=submit]")
    assert world["jiashun_secretary"].name in page.locator("body").inner_text()
