"""Where a new request is: the one placing that Open311, the API, the hotline form, the ledger
import and the resident form all use.

A request comes with some of: a region someone chose, coordinates, and words (an address, a
description). `locate` takes them in that order of authority and goes as deep as they allow:

1. a village or community chosen is where the request is;
2. coordinates put it in their county (`coordinates.py`) when no county or deeper place was
   chosen; a point outside 昌吉州 is refused in words;
3. the words then place it deeper, inside what is already known (`gazetteer.py`): a county
   chosen on the hotline form and "建国路街道嘉顺社区5号楼" in the address is 嘉顺社区;
4. with none of these, a caller's default (an Open311 key's region) is used, and said to be.

The result says how the place was found and whether that is certain, for the ticket to keep.
"""

from dataclasses import dataclass

from . import lookup
from .coordinates import counties
from .models import Level, Region


class How:
    CHOSEN = "chosen"
    TEXT = "text"
    COORDINATES = "coordinates"
    DEFAULT = "default"

    choices = [
        (CHOSEN, "选定区划"),
        (TEXT, "据地址文字"),
        (COORDINATES, "据经纬度"),
        (DEFAULT, "未能定位（落在受理范围）"),
    ]


@dataclass(frozen=True)
class Location:
    region: Region | None
    how: str
    certain: bool
    names: tuple[str, ...] = ()  # the place names read in the words
    problem: str = ""  # why the coordinates were refused, in words


OUTSIDE_PREFECTURE = "经纬度不在昌吉州境内，请核对定位，或改为选择区划、填写地址"


def locate(
    *,
    chosen: Region | None = None,
    text: str = "",
    latitude=None,
    longitude=None,
    within: Region | None = None,
    default: Region | None = None,
) -> Location:
    """Where a request is. `within` bounds the search (the filer's scope: a place outside it is
    never the answer); `default` is the answer when nothing else places it."""
    problem = ""
    base, how, certain = chosen, How.CHOSEN, True
    if chosen is not None and chosen.level == Level.VILLAGE:
        return Location(chosen, How.CHOSEN, True)
    if latitude is not None and longitude is not None:
        fix = counties().at(longitude, latitude)
        if fix.code is None:
            problem = OUTSIDE_PREFECTURE
        else:
            county = lookup.region(fix.code)
            bound = chosen or within
            if (
                county is not None
                and (bound is None or county.path.startswith(bound.path))
                and (chosen is None or chosen.level not in (Level.COUNTY, Level.TOWNSHIP))
            ):
                base, how, certain = county, How.COORDINATES, fix.certain
    search = base or within
    if text.strip():
        if search is not None:
            found, reading = lookup.place_in(text, search)
            deeper = found != search
        else:  # no bound at all (a superuser's form): anywhere in the table
            reading = lookup.gazetteer().place(text)
            found = lookup.region(reading.code) if reading.code else None
            deeper = found is not None
        if deeper:
            return Location(found, How.TEXT, reading.certain, reading.names, problem)
    if base is not None:
        return Location(base, how, certain, (), problem)
    if default is not None:
        return Location(default, How.DEFAULT, False, (), problem)
    return Location(None, How.DEFAULT, False, (), problem)
