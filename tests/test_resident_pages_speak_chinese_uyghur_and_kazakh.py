"""Every page a resident sees comes in 简体中文, Uyghur and Kazakh (both in the Arabic script,
right to left), chosen by the switcher, the django_language cookie or the browser's
Accept-Language; staff pages stay in Chinese whatever the browser asks."""

import re

import pytest
from django.test import Client
from resident_pages import pages, resident


@pytest.fixture(autouse=True)
def sms_gateway(settings):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"


HTML = {"zh-hans": ("zh-Hans", "ltr"), "ug": ("ug", "rtl"), "kk-arab": ("kk-Arab", "rtl")}


@pytest.mark.parametrize("language", ["zh-hans", "ug", "kk-arab"])
def test_every_resident_page_carries_the_language_and_direction(world, users, language):
    lang, direction = HTML[language]
    shown = pages(world, users, language)
    assert len(shown) >= 20
    for name, html in shown.items():
        assert f'<html lang="{lang}" dir="{direction}">' in html, name
        # the switcher, each language in its own script, the current one marked
        switcher = re.search(r'<form class="languages".*?</form>', html, re.S)
        assert switcher, name
        names = re.findall(r'value="([^"]+)"[^>]*>([^<]+)</button>', switcher.group(0))
        assert names == [("zh-hans", "简体中文"), ("ug", "ئۇيغۇرچە"), ("kk-arab", "قازاقشا")]
        assert re.search(rf'value="{language}"[^>]*aria-current="true"', switcher.group(0))


def test_the_switcher_sets_the_language_and_comes_back_to_the_page(world):
    client = Client()
    answer = client.post("/i18n/setlang/", {"language": "ug", "next": "/submit/"})
    assert answer.status_code == 302 and answer["Location"] == "/submit/"
    assert client.cookies["django_language"].value == "ug"
    page = client.get("/submit/").content.decode()
    assert '<html lang="ug" dir="rtl">' in page and "ئىلتىماسنى يوللاش" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/submit/"})
    assert "提交诉求" in client.get("/submit/").content.decode()


def test_the_switcher_never_sends_a_resident_to_another_site(db):
    answer = Client().post("/i18n/setlang/", {"language": "ug", "next": "https://evil.example/"})
    assert answer.status_code == 302 and "evil.example" not in answer["Location"]


@pytest.mark.parametrize(
    ("asked", "lang"),
    [
        ("kk", "kk-Arab"),  # plain Kazakh gets the script of Xinjiang
        ("kk-CN,kk;q=0.9", "kk-Arab"),
        ("ug-CN,ug;q=0.9,zh-CN;q=0.8", "ug"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("en-US,en;q=0.9", "zh-Hans"),
        ("", "zh-Hans"),
    ],
)
def test_the_browser_language_is_followed(db, asked, lang):
    page = Client(HTTP_ACCEPT_LANGUAGE=asked).get("/submit/").content.decode()
    assert f'<html lang="{lang}"' in page


def test_the_cookie_wins_over_the_browser(db):
    client = resident("kk-arab")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ug"
    assert '<html lang="kk-Arab" dir="rtl">' in client.get("/track/").content.decode()


def test_staff_pages_stay_in_chinese_whatever_the_browser_asks(users):
    client = resident("ug")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ug"
    login = client.get("/login/").content.decode()
    assert '<html lang="zh-Hans" dir="ltr">' in login and "工作人员登录" in login
    assert 'class="languages"' not in login  # no switcher on staff pages
    client.force_login(users["erin"])
    for url in ["/", "/work/tickets/", "/dashboard/", "/admin/"]:
        page = client.get(url, follow=True).content.decode()
        assert '<html lang="zh-hans"' in page.lower(), url
    assert "我的工作台" in client.get("/").content.decode()


def test_codes_phones_and_numbers_stay_left_to_right_inside_the_text(world, users):
    shown = pages(world, users, "kk-arab")
    assert re.search(
        r'<p class="code ltr" dir="ltr" id="tracking-code">[A-Z0-9]{8}</p>', shown["submitted"]
    )
    assert re.search(r'<bdi class="ltr" dir="ltr">[A-Z0-9]{8}</bdi>', shown["track: received"])
    assert re.search(
        r'<bdi class="ltr" dir="ltr">139\*+</bdi>', shown["track: rate, verify the phone"]
    )
    assert 'name="phone"' in shown["submit"] and re.search(
        r'<input[^>]*dir="ltr"[^>]*name="phone"|<input[^>]*name="phone"[^>]*dir="ltr"',
        shown["submit"],
    )


def test_a_place_shows_its_official_name_in_the_readers_language_once_entered(world, login):
    county = world["changji_city"]
    client = resident("ug")
    options = client.get("/submit/").content.decode()
    assert f'<option value="{county.code}">昌吉市</option>' in options  # none entered: Chinese
    alice = login("alice")
    form = alice.get(f"/admin/regions/region/{county.pk}/change/").content.decode()
    assert 'name="name_ug"' in form and 'dir="rtl"' in form
    county.name_ug = "سانجى شەھىرى"  # as an administrator would enter it from the official form
    county.save()
    options = client.get("/submit/").content.decode()
    assert f'<option value="{county.code}">سانجى شەھىرى</option>' in options
    kazakh = resident("kk-arab").get("/submit/").content.decode()
    assert f'<option value="{county.code}">昌吉市</option>' in kazakh  # no Kazakh name yet


def test_the_rating_link_opens_in_the_residents_language_on_a_chinese_phone(world, users):
    from jiceng.tickets import residents, services

    ticket, _ = services.receive(
        None,
        services.Intake(
            title="",
            content="مەھەللىمىزدە ئىسسىق سۇ يوق، ياردەم قىلىڭلار.",
            region=world["jiashun"],
            requester_phone="13912345678",
            language="ug",
        ),
    )
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "热水管道已修复。")
    secret = residents.issue_link(ticket).split("#", 1)[1]
    phone = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")  # never chose a language here
    page = phone.post("/r/", {"secret": secret}, follow=True)
    assert '<html lang="ug" dir="rtl">' in page.content.decode()
    assert phone.cookies["django_language"].value == "ug"  # and the next pages follow it
    assert '<html lang="ug"' in phone.get("/vote/").content.decode()
    # a resident who chose Chinese on this browser keeps it
    chinese = resident("zh-hans")
    chinese.post("/r/", {"secret": residents.issue_link(ticket).split("#", 1)[1]})
    page = chinese.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert '<html lang="zh-Hans" dir="ltr">' in page
