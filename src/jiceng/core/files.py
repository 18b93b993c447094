"""Files in and out.

In: a photo is decoded and re-encoded with Pillow (which drops EXIF, GPS and anything hidden
after the image), turned upright, shrunk to a sane size and given a thumbnail. An attachment
must be one of an allow-list of types, checked by its content, never by its name. Every file
is stored under a random name whose extension comes from the decoded type.

Out: `serve()` answers a file that the caller has already found in the user's scope. It says
`nosniff`, downloads anything that is not an image, and is never cached. Behind nginx,
`FILES_ACCEL_REDIRECT` hands the sending to nginx (`X-Accel-Redirect`) after the check.
"""

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # a 50-megapixel photo decodes; a decompression bomb does not
LONG_SIDE = 2560  # stored photos are shrunk to this long side
THUMB_SIDE = 320
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# What each kind of stored file is served as. The extension is the only thing `serve` reads.
TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGES = {"jpg", "png", "webp"}
IMAGES_MIME = [TYPES[ext] for ext in sorted(IMAGES)]
_SAVE_AS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp")}


class Refused(ValueError):
    """A file we will not keep; the message names the file, in the reader's language (a
    resident's photo on the public form: Uyghur or Kazakh too)."""


@dataclass(frozen=True)
class Clean:
    """A file fit to store: its bytes (as a ContentFile named `file.<ext>`) and its type."""

    content: ContentFile
    ext: str

    @property
    def content_type(self) -> str:
        return TYPES[self.ext]

    @property
    def size(self) -> int:
        return self.content.size


def _too_big(name: str, limit: int) -> str:
    return _("%(name)s：文件不能超过 %(mb)s MB") % {"name": name, "mb": limit // (1024 * 1024)}


def _read(upload, limit: int) -> bytes:
    name = getattr(upload, "name", None) or _("文件")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise Refused(_too_big(name, limit))
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > limit:
        raise Refused(_too_big(name, limit))
    if not data:
        raise Refused(_("%(name)s：文件是空的") % {"name": name})
    return data


def _decode(data: bytes, name: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in _SAVE_AS:
            raise Refused(_("%(name)s：只接受 JPEG、PNG 或 WebP 格式的照片") % {"name": name})
        if image.width * image.height > MAX_PIXELS:
            raise Refused(_("%(name)s：照片像素过多") % {"name": name})
        image.load()  # decodes it all: a truncated or forged file fails here
        return image
    except Refused:
        raise
    except Image.DecompressionBombError:
        raise Refused(_("%(name)s：照片像素过多") % {"name": name}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused(
            _("%(name)s：只接受 JPEG、PNG 或 WebP 照片，此文件无法打开") % {"name": name}
        ) from None


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone: no EXIF, no GPS, no comments, no trailing bytes."""
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def clean_photo(upload, *, limit: int) -> Clean:
    """Decode a photo and re-encode it, upright and at most LONG_SIDE pixels long."""
    name = getattr(upload, "name", None) or "照片"
    image = _decode(_read(upload, limit), name)
    fmt, ext = _SAVE_AS[image.format]
    image = ImageOps.exif_transpose(image)  # turn it as the camera meant, before EXIF goes
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    return Clean(ContentFile(_encode(image, fmt), name=f"file.{ext}"), ext)


def thumbnail(photo: Clean) -> Clean:
    """A small JPEG of a cleaned photo, for lists and ticket pages."""
    photo.content.seek(0)
    image = Image.open(io.BytesIO(photo.content.read()))
    photo.content.seek(0)
    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        backed = Image.new("RGB", image.size, "white")
        backed.paste(image, mask=image.getchannel("A"))
        image = backed
    return Clean(ContentFile(_encode(image, "JPEG"), name="thumb.jpg"), "jpg")


def _office_kind(data: bytes) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML file without macros, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names or any(n.lower().endswith(".bin") for n in names):
        return None  # not Office, or it carries a macro project or an embedded binary
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def clean_attachment(upload, *, limit: int = MAX_ATTACHMENT_BYTES) -> Clean:
    """An attachment of the allow-list (PDF, Word, Excel, JPEG, PNG), checked by content.
    Photos among them are cleaned like any photo."""
    name = getattr(upload, "name", None) or "附件"
    data = _read(upload, limit)
    refused = f"{name}：附件只接受 PDF、Word（docx）、Excel（xlsx）、JPG 或 PNG 文件"
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise Refused(f"{name}：PDF 文件不完整")
        return Clean(ContentFile(data, name="file.pdf"), "pdf")
    if data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data)
        if kind is None:
            raise Refused(refused)
        return Clean(ContentFile(data, name=f"file.{kind}"), kind)
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return clean_photo(upload, limit=limit)
    raise Refused(refused)


def random_name(folder: str, filename: str, *, today: date | None = None) -> str:
    """`folder/YYYY/MM/<32 hex>.<ext>`: nothing of the uploader's name survives, and the
    extension is one of ours (the cleaners name their output `file.<ext>`)."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    if ext not in TYPES:
        ext = "bin"
    today = today or date.today()
    return f"{folder}/{today:%Y/%m}/{secrets.token_hex(16)}.{ext}"


def serve(field_file, *, download_name: str) -> HttpResponse:
    """Answer a stored file the caller has already found in the user's scope."""
    if not field_file or not field_file.name:
        raise Http404("文件不存在")
    ext = PurePosixPath(field_file.name).suffix.lower().lstrip(".")
    content_type = TYPES.get(ext, "application/octet-stream")
    prefix = getattr(settings, "FILES_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("文件不存在") from None
        response = FileResponse(handle, content_type=content_type)
    disposition = "inline" if ext in IMAGES else "attachment"
    filename = f"{download_name}.{ext}"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
