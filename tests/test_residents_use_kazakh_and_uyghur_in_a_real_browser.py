"""In Debian's Chromium on a 360 px phone: a resident whose browser asks for Kazakh submits a
request in Kazakh and lands on the tracking page in Kazakh, right to left; a resident who
chose Uyghur opens the reply's rating link and rates in Uyghur.

Screenshots go to JICENG_SCREENSHOTS (docs/screenshots with `make screenshots`), else to the
test's temporary directory. Needs /usr/bin/chromium and an Arabic-script font
(fonts-noto-core); without Chromium this file is skipped, and pytest says so (-rs).
"""

import os
from pathlib import Path

import pytest

from jiceng.tickets import notify, residents, services
from jiceng.tickets.models import Ticket

KAZAKH = "ٴبىزدىڭ اۋىلدا ٴۇش كۇننەن بەرى جىلى سۋ جوق، بالالار سۋىقتا قالدى."
SUMMARY = "嘉顺社区居民反映家中三天没有热水，孩子受冻"
PHONE = {"width": 360, "height": 740}


def shots(tmp_path) -> Path:
    return Path(os.environ.get("JICENG_SCREENSHOTS") or tmp_path)


def fits_the_phone(page) -> bool:
    """Nothing runs off a 360 px screen sideways (the page scrolls only down)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_submits_in_kazakh_and_follows_it_in_kazakh(
    world, users, live_server, browser, sign_in, settings, tmp_path
):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    base = live_server.url
    phone = browser.new_context(viewport=PHONE, locale="kk")  # Accept-Language: kk
    resident = phone.new_page()
    resident.goto(f"{base}/submit/")
    assert resident.evaluate("document.documentElement.lang") == "kk-Arab"
    assert resident.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert resident.locator("main h1").inner_text() == "ٴوتىنىش بەرۋ"
    resident.fill("#id_content", KAZAKH)
    resident.select_option("#id_county", world["changji_city"].code)
    resident.locator("#id_township option").nth(1).wait_for(state="attached")
    resident.select_option("#id_township", world["jianguolu"].code)
    resident.locator("#id_village option").nth(2).wait_for(state="attached")
    resident.select_option("#id_village", world["jiashun"].code)
    resident.fill("#id_phone", "139123")  # too short: the error is in Kazakh, nothing lost
    resident.click("main button[type=submit]")
    assert (
        "11 تاڭبالى تەلەفون ٴنومىرىن جازىڭىز" in resident.locator(".errorlist").first.inner_text()
    )
    assert resident.input_value("#id_content") == KAZAKH
    resident.fill("#id_phone", "13912345678")
    resident.screenshot(path=shots(tmp_path) / "phone-kazakh-submit.png", full_page=True)
    assert fits_the_phone(resident)
    resident.click("main button[type=submit]")
    code = resident.locator("#tracking-code").inner_text()
    assert resident.locator("main h1").inner_text() == "ٴوتىنىشىڭىز قابىلداندى"
    ticket = Ticket.objects.get(tracking_code=code)
    assert (ticket.language, ticket.text_language) == ("kk-arab", "kk")

    resident.click("main a.button")  # بارىسىن كورۋ: the tracking page
    resident.locator("#public-status").wait_for()
    assert resident.locator("#public-status").inner_text() == "قابىلداندى"
    assert resident.evaluate("document.documentElement.dir") == "rtl"
    # the tracking code reads left to right inside the right-to-left line
    assert (
        resident.locator(f"bdi:has-text('{code}')").evaluate("e => getComputedStyle(e).direction")
        == "ltr"
    )
    assert fits_the_phone(resident)
    resident.screenshot(path=shots(tmp_path) / "phone-kazakh-track.png", full_page=True)

    # the hotline's bilingual operator finds it in 双语受理 and writes the Chinese summary
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = sign_in(desk, base, "ivan")
    page.goto(f"{base}/work/tickets/?view=bilingual")
    page.click(f"text={ticket.number}")
    assert "尚无中文摘要" in page.locator("#summary").inner_text()
    # the summary is the ticket's next step: its panel leads the page, open
    assert (
        page.locator("details:has(form[data-action=summarize])").get_attribute("open") is not None
    )
    page.fill("form[data-action=summarize] textarea", SUMMARY)
    page.click("form[data-action=summarize] button[type=submit]")
    assert "已写中文摘要" in page.locator(".messages").inner_text()
    assert page.locator("#summary").inner_text() == SUMMARY
    assert page.locator("#content").inner_text() == KAZAKH
    page.screenshot(path=shots(tmp_path) / "desktop-bilingual-summary.png", full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_rates_the_answer_in_uyghur(
    world, users, live_server, browser, settings, tmp_path
):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()
    ticket, _ = services.receive(
        None,
        services.Intake(
            title="",
            content="مەھەللىمىزدە ئۈچ كۈندىن بۇيان ئىسسىق سۇ يوق، بالىلار سوغۇقتا قالدى.",
            region=world["jiashun"],
            requester_phone="13912345678",
            language="ug",
        ),
    )
    services.summarize(users["ivan"], ticket, "小区三天没有热水，孩子受冻")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "供热公司已上门检修，热水已恢复。")
    services.translate_reply(
        users["ivan"],
        ticket,
        "ئىسسىقلىق شىركىتى ئۆيىڭىزگە كېلىپ رېمونت قىلدى، ئىسسىق سۇ ئەسلىگە كەلدى.",
    )
    notify.send_pending()
    sms = [n.body for n in notify.outbox if n.kind == "resident_reply"][-1]
    assert "جاۋاب بېرىلدى" in sms
    link = sms.split("كۆرۈپ باھا بېرىڭ: ")[1].split(" ")[0]

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    resident = phone.new_page()
    resident.goto(f"{live_server.url}/")
    resident.click("form.languages button[value=ug]")  # the switcher, in the page's header
    assert resident.evaluate("document.documentElement.lang") == "ug"
    resident.goto(link.replace(settings.SITE_URL.rstrip("/"), live_server.url))
    resident.locator("#reply").wait_for()
    assert "ئىسسىق سۇ ئەسلىگە كەلدى" in resident.locator("#reply").inner_text()
    resident.check("input[name=solved][value='1']")
    resident.check("input[name=satisfaction][value='满意']")
    assert (
        "رازى" in resident.locator("label:has(input[name=satisfaction][value='满意'])").inner_text()
    )
    assert fits_the_phone(resident)
    resident.screenshot(path=shots(tmp_path) / "phone-uyghur-rate.png", full_page=True)
    resident.click("form[action$='/rate/'] button[type=submit]")
    assert "باھايىڭىزغا رەھمەت" in resident.locator(".messages").inner_text()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction, ticket.solved) == ("closed", "满意", True)
    assert not residents.open_link(link.split("#")[1])  # the link is spent
