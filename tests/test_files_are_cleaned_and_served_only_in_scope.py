"""Issue 11, finding 6: uploads were write-only, kept the uploader's name (a JPEG-magic file
named x.html was stored as ….html) and kept the camera's EXIF, GPS included. Now photos are
re-encoded, every file gets a random name with an extension from its decoded type,
attachments pass an allow-list by content, and files are served only through views that
check the scope."""

import io
import struct
import zipfile
import zlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from jiceng import factories
from jiceng.core import files
from jiceng.evaluation import life
from jiceng.evaluation.models import OrgMeeting
from jiceng.orgs.tokens import create_token
from jiceng.tickets import services
from jiceng.tickets.models import Ticket, TicketPhoto

GOOD = {
    "content": "嘉顺社区3号楼暖气不热，屋里只有15度。",
    "county": "652301000000",
    "township": "652301004000",
    "village": "652301004012",
    "phone": "13912345678",
    "name": "李女士",
}


def submit(client, *photos):
    return client.post("/submit/", {**GOOD, "photos": list(photos)})


def test_a_photo_is_re_encoded_without_its_exif_and_gps(world, users):
    ticket = factories.ticket(world["jiashun"])
    upload = factories.photo("IMG_0001.jpg", gps=True)
    assert b"HUAWEI" in upload.read() and upload.seek(0) is not None
    services.attach_photos(users["erin"], ticket, [upload])
    photo = ticket.photos.get()
    stored = photo.image.open("rb").read()
    assert b"HUAWEI" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif()
    assert photo.content_type == "image/jpeg" and photo.size == len(stored)


def test_a_photo_is_stored_under_a_random_name_never_the_tracking_code(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.attach_photos(users["erin"], ticket, [factories.photo("张桂芳家门口.png", "PNG")])
    name = ticket.photos.get().image.name
    assert ticket.tracking_code not in name and "张桂芳" not in name
    assert name.startswith("tickets/") and name.endswith(".png")
    assert len(name.rsplit("/", 1)[1]) == len("0123456789abcdef0123456789abcdef.png")


def test_an_html_file_named_like_a_page_never_keeps_its_name(world, users):
    ticket = factories.ticket(world["jiashun"])
    forged = SimpleUploadedFile("x.html", b"\xff\xd8\xff<script>alert(1)</script>", "image/jpeg")
    with pytest.raises(Exception) as refused:
        services.attach_photos(users["erin"], ticket, [forged])
    assert "此文件无法打开" in str(refused.value)
    real = factories.photo("x.html")
    services.attach_photos(users["erin"], ticket, [real])
    assert ticket.photos.get().image.name.endswith(".jpg")


def _bomb() -> bytes:
    """A tiny PNG whose header claims 60000 × 60000 pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", 60000, 60000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_a_decompression_bomb_is_refused_in_words(world, users):
    ticket = factories.ticket(world["jiashun"])
    with pytest.raises(Exception) as refused:
        services.attach_photos(users["erin"], ticket, [SimpleUploadedFile("b.png", _bomb())])
    assert "像素过多" in str(refused.value)
    assert ticket.photos.count() == 0


def test_a_big_photo_is_shrunk_and_gets_a_thumbnail(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.attach_photos(users["erin"], ticket, [factories.photo(size=(4000, 3000))])
    photo = ticket.photos.get()
    assert Image.open(photo.image.open("rb")).size == (files.LONG_SIDE, 1920)
    thumb = Image.open(photo.thumbnail.open("rb"))
    assert thumb.format == "JPEG" and max(thumb.size) == files.THUMB_SIDE


@pytest.fixture
def photo(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.attach_photos(users["erin"], ticket, [factories.photo()])
    return ticket.photos.get()


def test_staff_in_scope_see_the_photo_and_others_get_404(photo, login):
    url = f"/work/photos/{photo.pk}/full/"
    seen = login("erin").get(url)
    assert seen.status_code == 200 and seen["Content-Type"] == "image/jpeg"
    assert seen["X-Content-Type-Options"] == "nosniff"
    assert seen["Content-Disposition"].startswith("inline")
    assert "no-store" in seen["Cache-Control"]
    assert b"".join(seen.streaming_content)[:3] == b"\xff\xd8\xff"
    assert login("gina").get(url).status_code == 404  # 建国社区's handler
    assert Client().get(url).status_code == 404  # anonymous: no scope at all
    thumb = login("erin").get(f"/work/photos/{photo.pk}/thumb/")
    assert thumb.status_code == 200
    assert login("erin").get(f"/work/photos/{photo.pk}/other/").status_code == 404


def test_the_media_folder_itself_is_never_served(photo, login):
    assert login("erin").get("/media/" + photo.image.name).status_code == 404


def test_the_staff_ticket_page_shows_thumbnails(photo, login):
    page = login("erin").get(f"/work/tickets/{photo.ticket_id}/").content.decode()
    assert f'src="/work/photos/{photo.pk}/thumb/"' in page


def test_the_resident_sees_their_own_photos_and_nobody_else_does(world):
    resident = Client()
    done = submit(resident, factories.photo())
    assert done.status_code == 302, done.content.decode()[:500]
    ticket = Ticket.objects.get()
    photo = ticket.photos.get()
    page = resident.get(f"/track/{ticket.tracking_code}/").content.decode()
    thumb = f"/track/{ticket.tracking_code}/photos/{photo.pk}/thumb/"
    assert thumb in page
    assert resident.get(thumb).status_code == 200
    stranger = Client()
    assert stranger.get(thumb).status_code == 404
    other = factories.ticket(world["jiashun"])
    services.attach_photos(None, other, [factories.photo()])
    theirs = other.photos.get()
    assert (
        resident.get(f"/track/{ticket.tracking_code}/photos/{theirs.pk}/full/").status_code == 404
    )


def test_api_clients_fetch_photos_by_the_url_the_ticket_gives(photo, users):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['erin'], 't')}")
    ticket = client.get(f"/api/v1/tickets/{photo.ticket_id}").json()
    (url,) = ticket["photos"]
    assert url == f"/api/v1/tickets/{photo.ticket_id}/photos/{photo.pk}"
    answer = client.get(url, {"size": "thumb"})
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['gina'], 't')}")
    assert outsider.get(url).status_code == 404


def test_behind_nginx_the_view_hands_the_sending_to_x_accel_redirect(photo, login, settings):
    settings.FILES_ACCEL_REDIRECT = "/protected-media/"
    answer = login("erin").get(f"/work/photos/{photo.pk}/full/")
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Accel-Redirect"] == "/protected-media/" + photo.image.name
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert login("gina").get(f"/work/photos/{photo.pk}/full/").status_code == 404


# --- attachments --------------------------------------------------------------------------


def _office(kind: str, *, macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\0" * 10)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "data", "ext"),
    [
        ("会议记录.pdf", PDF, "pdf"),
        ("会议记录.docx", _office("docx"), "docx"),
        ("签到表.xlsx", _office("xlsx"), "xlsx"),
        ("合影.jpg", None, "jpg"),
    ],
)
def test_allowed_attachments_are_kept_with_an_extension_from_their_content(name, data, ext):
    upload = factories.photo(name) if data is None else SimpleUploadedFile(name, data)
    assert files.clean_attachment(upload).ext == ext


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.html", b"<html><script>alert(1)</script></html>"),
        ("report.pdf", b"MZ\x90\x00 this is a program"),
        ("宏.docx", _office("docx", macro=True)),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>"),
        ("a.zip", b"PK\x03\x04" + b"\0" * 40),
        ("empty.pdf", b""),
    ],
)
def test_anything_else_is_refused_in_chinese(name, data):
    with pytest.raises(files.Refused) as refused:
        files.clean_attachment(SimpleUploadedFile(name, data))
    assert name in str(refused.value)


@pytest.fixture
def meeting(world, users):
    assessor = factories.account("ada", ["assessor"], scope_region=world["changji_city"])
    org = factories.party_org("嘉顺社区党支部", area=world["jiashun"])
    return life.record_meeting(
        assessor,
        org,
        kind="members",
        held_on=date(2026, 11, 2),
        topic="学习会",
        attachment=SimpleUploadedFile("纪要.pdf", PDF),
    )


def test_a_meeting_attachment_is_downloaded_only_inside_the_scope(meeting, world, login):
    assert meeting.attachment.name.startswith("meetings/") and meeting.attachment.name.endswith(
        ".pdf"
    )
    url = f"/evaluation/files/meeting/{meeting.pk}/"
    answer = login("erin").get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert login("carol").get(url).status_code == 404  # 建国社区's administrator
    assert Client().get(url).status_code == 404


def test_a_refused_meeting_attachment_saves_nothing(world):
    assessor = factories.account("ada", ["assessor"], scope_region=world["changji_city"])
    org = factories.party_org("嘉顺社区党支部", area=world["jiashun"])
    with pytest.raises(ValidationError) as refused:
        life.record_meeting(
            assessor,
            org,
            kind="members",
            held_on=date(2026, 11, 2),
            topic="学习会",
            attachment=SimpleUploadedFile("x.html", b"<script>"),
        )
    assert "附件只接受" in str(refused.value.message_dict["attachment"])
    assert OrgMeeting.objects.count() == 0
    assert TicketPhoto.objects.count() == 0


def test_a_served_file_runs_nothing_even_when_opened_directly(photo, login):
    answer = login("erin").get(f"/work/photos/{photo.pk}/full/")
    assert "sandbox" in answer["Content-Security-Policy"]
    assert "script-src" not in answer["Content-Security-Policy"]
