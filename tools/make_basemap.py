"""Turn a world-atlas TopoJSON file into the GeoJSON basemap the web dashboard ships.

Usage::

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python tools/make_basemap.py package/countries-50m.json \
        src/trucewatch/web/static/basemap.geojson

What it does (TopoJSON spec, https://github.com/topojson/topojson-specification):

* arcs are quantized and delta-encoded: each arc's first position is absolute in
  quantized units, every later one is an offset from the previous; the topology's
  ``transform`` (scale, translate) turns the running sum into longitude/latitude;
* a geometry refers to arcs by index; a negative index ``~i`` (that is ``-i - 1``)
  means arc ``i`` walked backwards; consecutive arcs of a ring share their joining
  position, which is written once;
* Polygon and MultiPolygon rings are assembled from those arcs; properties ``name``
  and ``id`` are kept; coordinates are rounded to 2 decimals (about a kilometre),
  repeated positions left by the rounding are dropped; Antarctica is dropped;
* rings that cross the antimeridian (Chukotka, Wrangel Island, Fiji: the source jumps
  from +180 to -180 inside one ring) are cut in two at ±180 so that a flat map does not
  draw them as bands across the whole world;
* Natural Earth draws Crimea as part of Russia (its "de facto" policy); by default the
  Crimea polygon is moved to Ukraine, as the UN General Assembly recognises it
  (resolution 68/262); ``--crimea source`` keeps Natural Earth's assignment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

Position = tuple[float, float]
Ring = list[Position]

DROP_NAMES = frozenset({"Antarctica"})
DROP_IDS = frozenset({"010"})  # ISO 3166-1 numeric of Antarctica


def decode_arcs(topology: dict[str, Any], digits: int) -> list[Ring]:
    """Every arc as a list of absolute, rounded (lon, lat) positions."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for raw in topology["arcs"]:
        positions: Ring = []
        if transform is None:
            for point in raw:
                positions.append((round(point[0], digits), round(point[1], digits)))
        else:
            sx, sy = transform["scale"]
            tx, ty = transform["translate"]
            qx = qy = 0
            for point in raw:
                qx += point[0]
                qy += point[1]
                positions.append((round(qx * sx + tx, digits), round(qy * sy + ty, digits)))
        arcs.append(positions)
    return arcs


def ring_from(indexes: list[int], arcs: list[Ring]) -> Ring:
    """Join the arcs of one ring; a negative index is an arc taken in reverse."""
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # the first position of an arc repeats the last of the previous one
        ring.extend(arc if not ring else arc[1:])
    return ring


def tidy(ring: Ring) -> Ring | None:
    """Drop positions repeated by rounding; None when too little is left for a ring."""
    out: Ring = []
    for position in ring:
        if not out or out[-1] != position:
            out.append(position)
    if out and out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4:  # a closed ring needs three distinct positions
        return None
    return out


def crosses_antimeridian(ring: Ring) -> bool:
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def unwrap(ring: Ring) -> Ring:
    """Longitudes made continuous: a step of more than 180° goes the other way round."""
    out: Ring = [ring[0]]
    for lon, lat in ring[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out


def clip(ring: Ring, edge: float, keep_west: bool, digits: int) -> Ring:
    """Sutherland–Hodgman: the part of a closed ring west (or east) of longitude ``edge``."""

    def inside(position: Position) -> bool:
        return position[0] <= edge if keep_west else position[0] >= edge

    def crossing(a: Position, b: Position) -> Position:
        t = (edge - a[0]) / (b[0] - a[0])
        return (edge, round(a[1] + t * (b[1] - a[1]), digits))

    out: Ring = []
    for a, b in zip(ring, ring[1:], strict=False):
        if inside(b):
            if not inside(a):
                out.append(crossing(a, b))
            out.append(b)
        elif inside(a):
            out.append(crossing(a, b))
    return out


def split_at_antimeridian(polygon: list[Ring], digits: int) -> list[list[Ring]]:
    """One polygon, or two when its outer ring crosses ±180 (holes go where they fall)."""
    outer = polygon[0]
    if not crosses_antimeridian(outer):
        return [polygon]
    ring = unwrap(outer)
    edge = 180.0 if max(lon for lon, _ in ring) > 180 else -180.0
    shift = -360.0 if edge > 0 else 360.0
    home = tidy(clip(ring, edge, edge > 0, digits))
    away = tidy(
        [(round(lon + shift, digits), lat) for lon, lat in clip(ring, edge, edge < 0, digits)]
    )
    out: list[list[Ring]] = []
    for part in (home, away):
        if part is None:
            continue
        lo = min(lon for lon, _ in part)
        hi = max(lon for lon, _ in part)
        holes = [h for h in polygon[1:] if all(lo <= lon <= hi for lon, _ in h)]
        out.append([part, *holes])
    return out


def polygon_from(rings: list[list[int]], arcs: list[Ring]) -> list[Ring] | None:
    """A polygon (outer ring then holes); None when its outer ring collapses."""
    out: list[Ring] = []
    for number, indexes in enumerate(rings):
        ring = tidy(ring_from(indexes, arcs))
        if ring is None:
            if number == 0:
                return None
            continue
        out.append(ring)
    return out


def geometry_from(obj: dict[str, Any], arcs: list[Ring], digits: int) -> dict[str, Any] | None:
    kind = obj.get("type")
    if kind == "Polygon":
        sources = [obj["arcs"]]
    elif kind == "MultiPolygon":
        sources = obj["arcs"]
    else:
        return None  # null geometries and anything that is not an area
    polygons: list[list[Ring]] = []
    for rings in sources:
        polygon = polygon_from(rings, arcs)
        if polygon:
            polygons.extend(split_at_antimeridian(polygon, digits))
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


CRIMEA_BOX = (32.0, 44.0, 37.0, 46.5)  # min lon, min lat, max lon, max lat


def _inside(ring: Ring, box: tuple[float, float, float, float]) -> bool:
    return all(box[0] <= lon <= box[2] and box[1] <= lat <= box[3] for lon, lat in ring)


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _geometry(polygons: list[list[Ring]]) -> dict[str, Any]:
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def crimea_to_ukraine(features: list[dict[str, Any]]) -> None:
    """Move the Crimean peninsula polygon from Russia's feature to Ukraine's."""
    by_name = {f["properties"]["name"]: f for f in features}
    russia, ukraine = by_name.get("Russia"), by_name.get("Ukraine")
    if russia is None or ukraine is None:
        raise SystemExit("Russia or Ukraine missing from the source: cannot place Crimea")
    polygons = _polygons(russia["geometry"])
    crimea = [p for p in polygons if _inside(p[0], CRIMEA_BOX)]
    if len(crimea) != 1:
        raise SystemExit(f"expected one Crimea polygon in Russia's feature, found {len(crimea)}")
    russia["geometry"] = _geometry([p for p in polygons if p is not crimea[0]])
    ukraine["geometry"] = _geometry([*_polygons(ukraine["geometry"]), crimea[0]])


def convert(
    topology: dict[str, Any],
    object_name: str = "countries",
    digits: int = 2,
    crimea: str = "ukraine",
) -> Any:
    arcs = decode_arcs(topology, digits)
    collection = topology["objects"][object_name]
    features: list[dict[str, Any]] = []
    for obj in collection["geometries"]:
        properties = obj.get("properties") or {}
        name = properties.get("name")
        ident = obj.get("id")
        if name in DROP_NAMES or ident in DROP_IDS:
            continue
        geometry = geometry_from(obj, arcs, digits)
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": ident,
                "properties": {"name": name, "id": ident},
                "geometry": geometry,
            }
        )
    if crimea == "ukraine":
        crimea_to_ukraine(features)
    features.sort(key=lambda f: (str(f["properties"]["name"]), str(f["id"])))
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-*.json")
    parser.add_argument("geojson", type=Path, help="GeoJSON file to write")
    parser.add_argument("--object", default="countries", help="TopoJSON object to convert")
    parser.add_argument("--digits", type=int, default=2, help="decimals kept in coordinates")
    parser.add_argument(
        "--crimea",
        choices=("ukraine", "source"),
        default="ukraine",
        help="which country's feature holds Crimea (source: as Natural Earth has it)",
    )
    args = parser.parse_args(argv)
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    collection = convert(topology, args.object, args.digits, args.crimea)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.geojson.parent.mkdir(parents=True, exist_ok=True)
    args.geojson.write_text(text + "\n", encoding="utf-8")
    sys.stderr.write(
        f"{args.geojson}: {len(collection['features'])} features, {len(text.encode())} bytes\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
