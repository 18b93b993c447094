"""On the Uyghur and Kazakh resident pages no Han character is left, outside the official
names of places and units; the messages sent to those residents carry none either."""

import re

import pytest
from resident_pages import REQUEST, pages, visible_text

from jiceng.regions.models import Region
from jiceng.tickets.models import Notification, Ticket
from jiceng.tickets.residents import code_text
from jiceng.tickets.texts import received_text, reply_text


@pytest.fixture(autouse=True)
def sms_gateway(settings):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")


CYRILLIC = re.compile(r"[\u0400-\u04ff]+")


def place_names() -> list[str]:
    names = {"昌吉州"}
    for full, short in Region.objects.values_list("full_name", "name"):
        names.update(n for n in (full, short) if n)
    return sorted(names, key=len, reverse=True)


@pytest.mark.parametrize("language", ["ug", "kk-arab"])
def test_no_han_character_is_left_on_any_resident_page(world, users, language):
    shown = pages(world, users, language)
    places = place_names()
    assert len(shown) >= 15 and "submit with errors" in shown  # every page was read
    for name, html in shown.items():
        text = visible_text(html)
        for place in places:
            text = text.replace(place, " ")
        left = HAN.findall(text)
        assert not left, f"{name}: {left}"
        # nor Django's own Cyrillic Kazakh, which kk-arab would otherwise fall back to
        assert not CYRILLIC.findall(text), f"{name}: {CYRILLIC.findall(text)}"


@pytest.mark.parametrize("language", ["ug", "kk-arab"])
def test_the_errors_a_resident_meets_are_in_their_language(world, users, language):
    shown = pages(world, users, language)
    assert 'class="errorlist"' in shown["submit with errors"]
    assert 'class="errorlist"' in shown["lookup wrong"]
    assert 'id="vote-error"' in shown["vote: wrong code"]
    assert 'class="errorlist"' in shown["publicity: objection too short"]
    for page in ["submit too long", "submit with a forged place", "submit with a broken photo"]:
        assert 'class="errorlist"' in shown[page], page
    assert 'id="csrf-failure"' in shown["an old tab (no CSRF token)"]


@pytest.mark.parametrize("language", ["ug", "kk-arab"])
def test_the_messages_to_the_resident_are_in_their_language(world, users, language):
    pages(world, users, language)
    ticket = Ticket.objects.get(content=REQUEST[language])
    assert ticket.language == language
    for body in [received_text(ticket), reply_text(ticket), code_text(ticket)]:
        assert not HAN.findall(body), body
    assert ticket.tracking_code in received_text(ticket)
    sent = Notification.objects.filter(ticket=ticket, kind__startswith="resident_")
    kinds = set(sent.values_list("kind", flat=True))
    assert {"resident_received", "resident_reply"} <= kinds
    for body in sent.values_list("body", flat=True):
        assert not HAN.findall(body), body


def test_a_chinese_residents_messages_stay_in_chinese(world, users):
    pages(world, users, "zh-hans")
    ticket = Ticket.objects.get(content=REQUEST["zh-hans"])
    assert ticket.language == "zh-hans"
    assert "您反映的诉求已受理" in received_text(ticket) and "已答复" in reply_text(ticket)
