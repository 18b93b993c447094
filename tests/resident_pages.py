"""Every page a resident sees, reached as a resident reaches it, in a chosen language: the
helper of the language tests. Names a resident reads are written in Uyghur or Kazakh here (a
campaign's name, a person, the request), so any Han character left on a page is the interface's
own, except the names of places and of units (official Chinese names)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiceng import factories
from jiceng.evaluation import selection as sel
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Selection
from jiceng.tickets import residents, services
from jiceng.tickets.models import Ticket

REQUEST = {
    "ug": "بىزنىڭ مەھەللىدە ئۈچ كۈندىن بۇيان ئىسسىق سۇ يوق، ياردەم قىلىڭلار.",
    "kk-arab": "ٴبىزدىڭ اۋىلدا ٴۇش كۇننەن بەرى جىلى سۋ جوق، كومەكتەسىڭىزدەر.",
    "zh-hans": "嘉顺社区3号楼暖气不热，屋里只有15度。",
}
REPLY_LOCAL = {
    "ug": "ئىسسىقلىق شىركىتى ئۆيىڭىزگە بېرىپ تۇرۇبىنى ئوڭشىدى.",
    "kk-arab": "جىلۋ كومپانياسى ٴۇيىڭىزگە بارىپ قۇبىردى جوندەدى.",
    "zh-hans": "",
}
NAME = {"ug": "ئايگۈل", "kk-arab": "ايگۇل", "zh-hans": "李女士"}
CAMPAIGN = {"ug": "مەھەللە باھالاش", "kk-arab": "اۋىل باعالاۋى", "zh-hans": "两委测评"}
PERSON = {"ug": "ئابدۇرېھىم", "kk-arab": "ابدىراحمان", "zh-hans": "王书记"}
DEEDS = {
    "ug": "كەنت ئىگىلىكىنى ئۈچ يىلدا ئىككى ھەسسە ئاشۇردى، ئاممىغا ياخشى خىزمەت قىلدى.",
    "kk-arab": "قىستاق شارۋاشىلىعىن ٴۇش جىلدا ەكى ەسە ارتتىردى، حالىققا جاقسى قىزمەت ەتتى.",
    "zh-hans": "带领群众发展庭院经济，村集体收入三年翻一番。",
}
SELECTION = {"ug": "مۇنەۋۋەر شۇجى", "kk-arab": "ۇزدىك حاتشى", "zh-hans": "优秀书记评选"}


def resident(language: str, **options) -> Client:
    """A browser that chose `language` with the switcher (the django_language cookie)."""
    client = Client(**options)
    client.cookies["django_language"] = language  # what /i18n/setlang/ sets
    if not options:
        answer = client.post("/i18n/setlang/", {"language": language, "next": "/"})
        assert answer.status_code == 302
    return client


def submit_form(world, language: str) -> dict:
    return {
        "content": REQUEST[language],
        "county": world["changji_city"].code,
        "township": world["jianguolu"].code,
        "village": world["jiashun"].code,
        "address": "3-بىنا" if language != "zh-hans" else "3号楼",
        "phone": "13912345678",
        "name": NAME[language],
    }


def pages(world, users, language: str) -> dict[str, str]:
    """{page: html} of every resident page, in `language` (with an SMS gateway: the
    `sms_gateway` fixture)."""
    client = resident(language)
    shown = {"home": client.get("/").content.decode()}
    shown["submit"] = client.get("/submit/").content.decode()
    shown["submit with errors"] = client.post("/submit/", {"content": "x"}).content.decode()
    too_much = {**submit_form(world, language), "content": "x" * 2100, "name": "y" * 30}
    shown["submit too long"] = client.post("/submit/", too_much).content.decode()
    tampered = {**submit_form(world, language), "county": "999999999999"}
    shown["submit with a forged place"] = client.post("/submit/", tampered).content.decode()
    not_a_photo = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    shown["submit with a broken photo"] = client.post(
        "/submit/", {**submit_form(world, language), "photos": [not_a_photo]}
    ).content.decode()
    strict = resident(language, enforce_csrf_checks=True)
    shown["an old tab (no CSRF token)"] = strict.post(
        "/submit/", submit_form(world, language)
    ).content.decode()
    answer = client.post("/submit/", submit_form(world, language))
    assert answer.status_code == 302, answer.content.decode()[:300]
    shown["submitted"] = client.get(answer["Location"]).content.decode()
    ticket = Ticket.objects.get(content=REQUEST[language])
    code = ticket.tracking_code
    shown["track: received"] = client.get(f"/track/{code}/").content.decode()
    shown["lookup"] = client.get("/track/").content.decode()
    shown["lookup wrong"] = client.post(
        "/track/", {"code": "XXXX", "last4": "0000"}
    ).content.decode()
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "供热公司已上门排气处理。")
    if REPLY_LOCAL[language]:
        services.translate_reply(users["ivan"], ticket, REPLY_LOCAL[language])
    shown["track: rate, verify the phone"] = client.get(f"/track/{code}/").content.decode()
    shown["track: wrong code"] = client.post(
        f"/track/{code}/verify/", {"code": "12"}
    ).content.decode()
    secret = residents.issue_link(ticket).split("#", 1)[1]
    shown["rating link"] = client.get("/r/").content.decode()
    client.post("/r/", {"secret": secret})
    shown["track: rate"] = client.get(f"/track/{code}/").content.decode()
    shown["rate without answers"] = client.post(f"/track/{code}/rate/", {}).content.decode()
    client.post(f"/track/{code}/rate/", {"solved": "1", "satisfaction": "满意"})
    shown["track: rated"] = client.get(f"/track/{code}/", follow=True).content.decode()
    shown["rating link used"] = client.post("/r/", {"secret": secret}).content.decode()
    shown["vote: code"] = client.get("/vote/").content.decode()
    shown["vote: wrong code"] = client.post("/vote/", {"code": "NOPE"}).content.decode()
    shown.update(_vote(world, client, language))
    shown.update(_publicity(world, client, language))
    shown["not found"] = client.get("/track/NOSUCH/").content.decode()
    return shown


def _vote(world, client, language):
    ann = factories.account(f"ann-{language}", ["assessor"], scope_region=world["changji_city"])
    person = factories.person(world["jiashun"], name=PERSON[language])
    campaign = surveys.create_campaign(
        ann, name=CAMPAIGN[language], region=world["jiashun"], people=[(person, "")]
    )
    code = surveys.issue_codes(ann, campaign, 1)[0]
    surveys.set_state(ann, campaign, "open")
    shown = {"vote: ballot": client.post("/vote/", {"code": code}).content.decode()}
    shown["vote: ballot incomplete"] = client.post("/vote/", {}).content.decode()
    ratee = campaign.ratees.get()
    shown["vote: done"] = client.post("/vote/", {f"r{ratee.pk}": "满意"}).content.decode()
    return shown


def _publicity(world, client, language):
    ann = factories.account(f"sel-{language}", ["assessor"], scope_region=world["changji_city"])
    person = factories.person(world["jiashun"], name=f"{PERSON[language]}-2")
    contest = Selection.objects.create(
        name=SELECTION[language], region=world["changji_city"], seats=1, created_by=ann
    )
    nomination = sel.nominate(ann, contest, person, DEEDS[language])
    sel.advance(ann, contest)
    sel.review(ann, nomination, True)
    sel.advance(ann, contest)
    voter = factories.account(f"v-{language}", ["handler"], scope_unit=world["jiashun_unit"])
    sel.vote(voter, contest, [nomination.pk])
    sel.advance(ann, contest)
    url = f"/publicity/{contest.pk}/"
    shown = {"publicity": client.get(url).content.decode()}
    shown["publicity: objection too short"] = client.post(
        url, {"nomination": nomination.pk, "text": "x"}
    ).content.decode()
    text = DEEDS[language] if language != "zh-hans" else "该同志事迹材料有夸大，请核实。"
    shown["publicity: objection received"] = client.post(
        url, {"nomination": nomination.pk, "text": text}
    ).content.decode()
    return shown


HTML_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """The words a reader sees or hears (tag contents, alt, title, placeholder and aria-label
    attributes), without the Chinese original of a translated reply and unit names."""
    html = re.sub(r'<p lang="zh-Hans"[^>]*class="reply-original">.*?</p>', "", html, flags=re.S)
    html = re.sub(r'<span class="unit-name">.*?</span>', "", html, flags=re.S)
    # the switcher names each language in its own script: 简体中文 stays
    html = re.sub(r'<form class="languages".*?</form>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    attributes = re.findall(r'(?:alt|title|placeholder|aria-label)="([^"]*)"', html)
    return " ".join([HTML_TAG.sub(" ", html), *attributes])
