"""A place's name in the reader's language.

Only official names are shown: an administrator enters a region's Uyghur or Kazakh name from
the official form, and a region without one keeps its Chinese name (a made-up transliteration
would be a name nobody uses). A full name joins the names from the county down, each in the
reader's language where it has one.
"""

from django.utils import translation

from .models import Level, Region

LOCAL_FIELDS = {"ug": "name_ug", "kk-arab": "name_kk"}
SEPARATOR = {"ug": " ", "kk-arab": " "}


def local_full_name(region: Region, language: str | None = None) -> str:
    code = language or translation.get_language() or ""
    field = LOCAL_FIELDS.get(code)
    if field is None:
        return region.full_name or region.name
    codes = [c for c in region.path.strip("/").split("/") if c]
    chain = (
        Region.objects.filter(code__in=codes)
        .exclude(level__in=(Level.PROVINCE,))
        .order_by("path")
        .only("name", "name_ug", "name_kk", "path", "level")
    )
    names = [getattr(r, field) or r.name for r in chain]
    if not any(getattr(r, field) for r in chain):
        return region.full_name or region.name
    return SEPARATOR[code].join(names)
