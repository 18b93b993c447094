"""A place by its 12-digit code, as intake reads it on every request; and the gazetteer that
places a request from its words (`gazetteer.py`), built from the region table.

The 1,041 places of the prefecture change a few times a year; each request naming a village
would otherwise cost a query. Kept per process for `SECONDS` and cleared on any save or delete
of a region or an alias in this process (RegionsConfig.ready); callers get their own copy.
"""

from jiceng.core.memo import Memo

from .gazetteer import Gazetteer, Place, Placement
from .models import PlaceAlias, Region

SECONDS = 10
by_code = Memo("regions", SECONDS)
gazetteers = Memo("gazetteer", 300)


def region(code: str) -> Region | None:
    code = code.strip()
    return by_code.get(code, lambda: Region.objects.filter(code=code).first())


def gazetteer() -> Gazetteer:
    """The places of the table as a gazetteer, built once per process and again after any
    change of a region (a few milliseconds for the prefecture's 1,041 places)."""

    def build() -> Gazetteer:
        rows = Region.objects.values_list("code", "name", "level")
        aliases: dict[str, list[str]] = {}
        for code, name in PlaceAlias.objects.values_list("region__code", "name"):
            aliases.setdefault(code, []).append(name)
        return Gazetteer((Place(code, name, level) for code, name, level in rows), aliases)

    return gazetteers.get("all", build)


def place_in(text: str, within: Region) -> tuple[Region, Placement]:
    """The deepest place `text` names inside `within` (a key's or an account's region), and how
    it was read; `within` itself when the text names nothing inside it."""
    found = gazetteer().place(text or "", within=within.code)
    if found.code is not None:
        placed = region(found.code)
        if placed is not None and placed.path.startswith(within.path):
            return placed, found
    return within, found
