"""Issue 28, finding 5: after any validation error (a wrong phone, no county) the form came back
with the file field empty and no word about it. The photo is kept for the session, shown as a
thumbnail with a way to remove it, and sent with the request once it goes through."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.tickets.models import Ticket


def jpeg(name="路灯.jpg", color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def form(world, **changes):
    return {
        "content": "小区门口的路灯坏了一个多月",
        "county": world["changji_city"].code,
        "township": world["jianguolu"].code,
        "village": world["jiashun"].code,
        "phone": "13912345678",
        **changes,
    }


def test_a_photo_survives_a_wrong_phone_and_goes_with_the_request(world, client):
    page = client.post("/submit/", form(world, phone="139", photos=jpeg())).content.decode()
    assert 'id="kept-photos"' in page and "已保留您选的照片" in page
    thumb = re.search(r'src="(/submit/photos/[0-9a-f]+/)"', page)[1]
    assert client.get(thumb)["Content-Type"] == "image/jpeg"
    answer = client.post("/submit/", form(world))  # no file chosen this time
    assert answer.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 1
    assert client.get(thumb).status_code == 404  # kept no longer


def test_a_kept_photo_can_be_removed(world, client):
    page = client.post("/submit/", form(world, phone="139", photos=jpeg())).content.decode()
    photo_id = re.search(r'name="drop_photo" value="([0-9a-f]+)"', page)[1]
    client.post("/submit/", form(world, drop_photo=photo_id))
    assert Ticket.objects.get().photos.count() == 0


def test_another_session_cannot_see_a_kept_photo(world, client):
    page = client.post("/submit/", form(world, phone="139", photos=jpeg())).content.decode()
    thumb = re.search(r'src="(/submit/photos/[0-9a-f]+/)"', page)[1]
    from django.test import Client

    assert Client().get(thumb).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_chromium_on_a_phone_the_photo_is_still_there_after_an_error(
    world, live_server, browser, tmp_path
):
    path = tmp_path / "路灯.jpg"
    Image.new("RGB", (64, 48), (30, 30, 200)).save(path, "JPEG")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_content", "小区门口的路灯坏了一个多月")
    page.select_option("#id_county", world["changji_city"].code)
    page.locator("#id_township option").nth(1).wait_for(state="attached")
    page.select_option("#id_township", world["jianguolu"].code)
    page.locator("#id_village option").nth(2).wait_for(state="attached")
    page.select_option("#id_village", world["jiashun"].code)
    page.set_input_files("#id_photos", str(path))
    page.fill("#id_phone", "139")
    page.click("main button[type=submit]")
    assert page.locator("#kept-photos img").count() == 1
    assert page.evaluate("document.querySelector('#kept-photos img').naturalWidth") > 0
    page.fill("#id_phone", "13912345678")
    page.click("main button[type=submit]")
    page.wait_for_selector("#tracking-code")
    assert Ticket.objects.get().photos.count() == 1
    context.close()
