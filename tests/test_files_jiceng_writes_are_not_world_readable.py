"""Issue 11, finding 8 (files): the SQLite database, the secret key and uploads are readable
by jiceng's own user (and group, for uploads) only."""

import os
import stat

from django.db import connection

from jiceng import factories
from jiceng.tickets import services


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_is_owner_only(db):
    if connection.vendor != "sqlite":
        return  # PostgreSQL keeps its own files
    from django.db import connections

    name = connection.settings_dict["NAME"]
    os.chmod(name, 0o644)
    fresh = connections.create_connection("default")  # as a new worker opens it
    try:
        fresh.ensure_connection()
    finally:
        fresh.close()
    assert mode(name) == 0o600


def test_an_uploaded_photo_is_not_world_readable(world, users, settings):
    ticket = factories.ticket(world["jiashun"])
    services.attach_photos(users["erin"], ticket, [factories.photo("a.png", "PNG")])
    photo = ticket.photos.get()
    assert mode(photo.image.path) == 0o640
    assert mode(os.path.dirname(photo.image.path)) == 0o750


def test_a_trained_model_and_its_folder_are_not_world_readable(small_classifier, tmp_path):
    from jiceng.dispatch import store

    folder = tmp_path / "models"
    name, _ = store.save(small_classifier, folder, 1)
    assert mode(folder) == 0o750 and mode(folder / name) == 0o640


def test_the_demo_outbox_is_owner_only(world, settings, tmp_path):
    """Issue 26, finding 6: outbox/messages.log (FileBackend) was 0644 and holds live rating
    links."""
    from jiceng.tickets import notify
    from jiceng.tickets.models import Notification

    settings.VAR_DIR = tmp_path
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.FileBackend"
    folder = tmp_path / "outbox"
    folder.mkdir()
    (folder / "messages.log").write_text("")
    os.chmod(folder / "messages.log", 0o644)  # as an earlier version left it
    ticket = factories.ticket(world["jiashun"])
    Notification.objects.create(
        kind="resident_reply", ticket=ticket, recipient="13912342005", subject="s", body="b"
    )
    notify.send_pending()
    assert mode(folder / "messages.log") == 0o600
    assert "13912342005" in (folder / "messages.log").read_text()
