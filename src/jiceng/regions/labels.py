"""Where a place lies, in words: "昌吉市 · 滨湖镇" for a village, so that two villages both
called 下六工村 can be told apart in a picker. One query for any number of regions."""

from collections.abc import Iterable

from .models import Region

SHOWN = ("county", "township")  # the levels named; the prefecture is the same for everyone


def places(regions: Iterable[Region]) -> dict[int, str]:
    """Each region's county and township (those above it, and itself when it is one)."""
    regions = list(regions)
    codes = {code for r in regions for code in r.ancestor_codes()}
    names = dict(Region.objects.filter(code__in=codes, level__in=SHOWN).values_list("code", "name"))
    return {r.pk: " · ".join(names[c] for c in r.ancestor_codes() if c in names) for r in regions}
