"""Photos a resident chose on the public form, kept across a validation error.

A browser empties a file field whenever the page comes back, so a resident who mistyped the
phone lost the photo without a word. Each photo the form receives is cleaned (re-encoded, no
EXIF) and kept under a random name for this session only, with its thumbnail; the page shows
them with a way to remove each, and the next submit sends them with any new ones. They are
deleted when the request is filed, and never outlive `KEEP_HOURS`.
"""

import secrets
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.core import files

from .services.intake import MAX_PHOTO_BYTES, MAX_PHOTOS

SESSION = "kept_photos"
KEEP_HOURS = 6


def kept(request) -> list[dict]:
    """The photos kept for this session: [{"id", "path", "thumb", "type"}]."""
    now = time.time()
    return [p for p in request.session.get(SESSION, []) if now - p["at"] < KEEP_HOURS * 3600]


def keep(request, uploads) -> list[str]:
    """Clean and keep the uploads that are photos (up to MAX_PHOTOS in all); the reasons the
    others were refused."""
    photos = kept(request)
    refused = []
    for upload in uploads:
        if len(photos) >= MAX_PHOTOS:
            break
        try:
            clean = files.clean_photo(upload, limit=MAX_PHOTO_BYTES)
        except files.Refused as exc:
            refused.append(str(exc))
            continue
        token = secrets.token_hex(12)
        path = default_storage.save(f"kept/{token}.{clean.ext}", clean.content)
        thumb = files.thumbnail(clean)
        thumb_path = default_storage.save(f"kept/{token}-thumb.{thumb.ext}", thumb.content)
        photos.append(
            {
                "id": token,
                "path": path,
                "thumb": thumb_path,
                "type": clean.content_type,
                "at": time.time(),
            }
        )
    request.session[SESSION] = photos
    return refused


def drop(request, ids) -> None:
    """Remove the kept photos the resident took off the form."""
    ids = set(ids)
    photos = kept(request)
    for photo in photos:
        if photo["id"] in ids:
            _delete(photo)
    request.session[SESSION] = [p for p in photos if p["id"] not in ids]


def as_uploads(request) -> list[SimpleUploadedFile]:
    out = []
    for photo in kept(request):
        try:
            with default_storage.open(photo["path"], "rb") as f:
                out.append(
                    SimpleUploadedFile(photo["path"].rsplit("/", 1)[-1], f.read(), photo["type"])
                )
        except FileNotFoundError:
            continue
    return out


def clear(request) -> None:
    for photo in request.session.get(SESSION, []):
        _delete(photo)
    request.session.pop(SESSION, None)


def thumbnail(request, photo_id: str) -> ContentFile | None:
    for photo in kept(request):
        if photo["id"] == photo_id:
            with default_storage.open(photo["thumb"], "rb") as f:
                return ContentFile(f.read())
    return None


def _delete(photo: dict) -> None:
    for key in ("path", "thumb"):
        try:
            default_storage.delete(photo[key])
        except OSError:
            pass
