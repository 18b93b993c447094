"""Issue 11, finding 1 (the logs): the rating link's secret sat in its path, so every web
server, proxy and access log on the way kept a working rating link. Now it rides in the
fragment (`/r/#secret`), which browsers never send; the page's script posts it and removes it
from the address bar. This drives Debian's Chromium and watches every request it makes."""

import re

import pytest

from jiceng import factories
from jiceng.tickets import notify, services
from jiceng.tickets.models import Ticket

PHONE = "13912342005"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_link_opens_the_rating_form_without_the_secret_in_any_request(
    world, users, live_server, browser, settings
):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    settings.SITE_URL = live_server.url
    notify.outbox.clear()
    ticket = factories.ticket(world["jiashun"], phone=PHONE)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "已联系物业修好楼道灯。")
    notify.send_pending()
    body = [n.body for n in notify.outbox if n.kind == "resident_reply"][-1]
    link = re.search(r"http\S+/r/#[A-Za-z0-9_\-]+", body).group(0)
    secret = link.split("#", 1)[1]

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    seen = []
    page.on("request", lambda request: seen.append(request.url + " " + (request.post_data or "")))
    page.goto(link)
    page.locator("form[action$='/rate/']").wait_for()
    assert page.url.endswith(f"/track/{ticket.tracking_code}/")
    assert "已联系物业修好楼道灯" in page.locator("#reply").inner_text()
    # the secret went out once, in a POST body, never in a URL (nor a Referer built from one)
    in_urls = [line for line in seen if secret in line.split(" ", 1)[0]]
    in_bodies = [line for line in seen if secret in line.split(" ", 1)[1]]
    assert in_urls == [] and len(in_bodies) == 1
    page.go_back()
    assert secret not in page.url  # nor in the history
    context.close()
    assert Ticket.objects.get(pk=ticket.pk).status == "replied"  # opened, not yet rated
