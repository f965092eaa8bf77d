"""The incident map: points coloured by type and sized by casualties, over the basemap,
framed on the points (equirectangular projection), as SVG markup."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from trucewatch.web.charts.basemap import BBox, _index, _Shape, _shipped_index
from trucewatch.web.charts.style import FONT, SVG_NS, _e, _n, _text_px, colour_for, radius_for


@dataclass(frozen=True)
class MapPoint:
    """One incident on the map."""

    id: str  # incident id, link target /incidents/{id}
    lat: float
    lon: float
    type: str  # one of trucewatch.models.EVENT_TYPES -> colour
    casualties: int  # killed + injured (0 when unknown) -> radius
    label: str  # tooltip text (<title>)


WORLD_BBOX = (-180.0, -58.0, 180.0, 84.0)  # the basemap has no Antarctica
MIN_SPAN_DEG = 4.0
PAD_FRACTION = 0.2
LAND_FILL = "#EDEAE2"
LAND_STROKE = "#A8A397"
SEA_FILL = "#F5F8FA"


def _finite(point: MapPoint) -> bool:
    return (
        math.isfinite(point.lat)
        and math.isfinite(point.lon)
        and -90.0 <= point.lat <= 90.0
        and -180.0 <= point.lon <= 180.0
    )


def _default_bbox(points: Sequence[MapPoint]) -> BBox:
    """The points' extent padded by 20 % and at least 4° across; the world without points."""
    usable = [p for p in points if _finite(p)]
    if not usable:
        return WORLD_BBOX
    lo_lon, hi_lon = min(p.lon for p in usable), max(p.lon for p in usable)
    lo_lat, hi_lat = min(p.lat for p in usable), max(p.lat for p in usable)

    def widen(lo: float, hi: float, limit: float) -> tuple[float, float]:
        pad = (hi - lo) * PAD_FRACTION
        lo, hi = lo - pad, hi + pad
        if hi - lo < MIN_SPAN_DEG:
            mid = (lo + hi) / 2
            lo, hi = mid - MIN_SPAN_DEG / 2, mid + MIN_SPAN_DEG / 2
        return max(-limit, lo), min(limit, hi)

    min_lon, max_lon = widen(lo_lon, hi_lon, 180.0)
    min_lat, max_lat = widen(lo_lat, hi_lat, 89.0)
    return (min_lon, min_lat, max_lon, max_lat)


@dataclass(frozen=True)
class _Projection:
    """Equirectangular, x scaled by cos(mid-latitude), bbox centred and fitted to the box."""

    width: int
    height: int
    centre_lon: float
    centre_lat: float
    kx: float  # pixels per degree of longitude
    ky: float  # pixels per degree of latitude

    @classmethod
    def fit(cls, bbox: BBox, width: int, height: int) -> _Projection:
        min_lon, min_lat, max_lon, max_lat = bbox
        centre_lat = (min_lat + max_lat) / 2
        shrink = max(0.05, math.cos(math.radians(centre_lat)))
        scale = min(width / ((max_lon - min_lon) * shrink), height / (max_lat - min_lat))
        return cls(width, height, (min_lon + max_lon) / 2, centre_lat, scale * shrink, scale)

    def x(self, lon: float) -> float:
        return self.width / 2 + (lon - self.centre_lon) * self.kx

    def y(self, lat: float) -> float:
        return self.height / 2 - (lat - self.centre_lat) * self.ky

    def lon(self, x: float) -> float:
        return self.centre_lon + (x - self.width / 2) / self.kx

    def lat(self, y: float) -> float:
        return self.centre_lat - (y - self.height / 2) / self.ky

    def visible(self) -> BBox:
        """The geographic box the whole viewport shows (wider than the bbox on one axis)."""
        half_lon = self.width / 2 / self.kx
        half_lat = self.height / 2 / self.ky
        return (
            self.centre_lon - half_lon,
            self.centre_lat - half_lat,
            self.centre_lon + half_lon,
            self.centre_lat + half_lat,
        )


def _intersects(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


SIMPLIFY_PX = 0.6  # a vertex closer than this to the previous one drawn is left out


def _path_data(shapes: Sequence[_Shape], proj: _Projection) -> str:
    """SVG path data for the given polygons, thinned to what shows at this scale.

    Polygons smaller than a pixel are left out, and so is any vertex within
    :data:`SIMPLIFY_PX` of the previous vertex drawn: a world map stays small while a
    zoomed-in one keeps every vertex of the basemap.
    """
    parts: list[str] = []
    for shape in shapes:
        min_lon, min_lat, max_lon, max_lat = shape.bbox
        if (max_lon - min_lon) * proj.kx < 1.0 and (max_lat - min_lat) * proj.ky < 1.0:
            continue
        for ring in shape.rings:
            coords: list[str] = []
            last_x = last_y = math.inf
            for lon, lat in ring:
                x, y = proj.x(lon), proj.y(lat)
                if abs(x - last_x) < SIMPLIFY_PX and abs(y - last_y) < SIMPLIFY_PX:
                    continue
                coords.append(f"{_n(x)} {_n(y)}")
                last_x, last_y = x, y
            if len(coords) >= 3:
                parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def _inside_ring(lon: float, lat: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting: is (lon, lat) inside the ring?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Area centroid of a ring in degrees (good enough to place a label); None if flat."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        return None
    return cx / (3 * area), cy / (3 * area)


LABEL_FONT_PX = 11.0


def _label_spot(
    shapes: Sequence[_Shape], name: str, proj: _Projection
) -> tuple[float, float] | None:
    """Where a country's name fits: on its largest polygon, inside it and inside the view."""
    if not name:
        return None
    shape = max(shapes, key=lambda s: (s.bbox[2] - s.bbox[0]) * (s.bbox[3] - s.bbox[1]))
    ring = shape.rings[0]
    half_w = _text_px(name, LABEL_FONT_PX) / 2 + 2
    half_h = LABEL_FONT_PX / 2 + 2
    if (shape.bbox[2] - shape.bbox[0]) * proj.kx < 2 * half_w:
        return None  # narrower than its name at this scale
    view = proj.visible()
    lo_lon, hi_lon = max(shape.bbox[0], view[0]), min(shape.bbox[2], view[2])
    lo_lat, hi_lat = max(shape.bbox[1], view[1]), min(shape.bbox[3], view[3])
    candidates: list[tuple[float, float] | None] = [_centroid(ring)]
    # then a grid over the part in view, nearest its middle first
    grid = [
        (lo_lon + (hi_lon - lo_lon) * i / 6, lo_lat + (hi_lat - lo_lat) * j / 6)
        for i in range(1, 6)
        for j in range(1, 6)
    ]
    grid.sort(key=lambda c: abs(c[0] - (lo_lon + hi_lon) / 2) + abs(c[1] - (lo_lat + hi_lat) / 2))
    candidates.extend(grid)
    for candidate in candidates:
        if candidate is None:
            continue
        lon, lat = candidate
        x, y = proj.x(lon), proj.y(lat)
        if not (half_w <= x <= proj.width - half_w and half_h <= y <= proj.height - half_h):
            continue
        # the label's ends and middle must all be on the country
        probes = ((x, y), (x - half_w, y), (x + half_w, y))
        if all(_inside_ring(proj.lon(px), proj.lat(py), ring) for px, py in probes):
            return x, y
    return None


def map_svg(
    points: Sequence[MapPoint],
    *,
    basemap: Mapping[str, Any] | None = None,
    width: int = 960,
    height: int = 540,
    bbox: tuple[float, float, float, float] | None = None,
) -> str:
    """An SVG map of incidents over country outlines.

    ``bbox`` is (min_lon, min_lat, max_lon, max_lat); by default the points' extent padded
    by 20 % (at least 4° across), or the whole world when there are no points. The bbox is
    centred and fitted into ``width`` × ``height``; the basemap fills the rest of the view.
    Points outside the bbox are not drawn. ``basemap`` is a GeoJSON FeatureCollection of
    (Multi)Polygons, the shipped one when None (pass ``{"features": []}`` for none).
    Each incident is a circle linking to ``/incidents/{id}``, its radius growing with
    casualties; bigger circles are drawn first so that small ones stay clickable.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    min_lon, min_lat, max_lon, max_lat = (
        _default_bbox(points) if bbox is None else (float(v) for v in bbox)
    )
    finite = all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat))
    if not (finite and min_lon < max_lon and min_lat < max_lat):
        raise ValueError(f"bbox must be (min_lon, min_lat, max_lon, max_lat), got {bbox!r}")
    proj = _Projection.fit((min_lon, min_lat, max_lon, max_lat), width, height)
    visible = proj.visible()

    index = _shipped_index() if basemap is None else _index(basemap)
    country_paths: list[str] = []
    labels: list[str] = []
    taken: list[tuple[float, float, float, float]] = []
    for name, shapes in index:
        shown = [s for s in shapes if _intersects(s.bbox, visible)]
        if not shown:
            continue
        data = _path_data(shown, proj)
        if not data:
            continue
        country_paths.append(f'<path class="country" data-name="{_e(name)}" d="{data}"/>')
        spot = _label_spot(shown, name, proj)
        if spot is None:
            continue
        half_w, half_h = _text_px(name, LABEL_FONT_PX) / 2, LABEL_FONT_PX / 2
        box = (spot[0] - half_w, spot[1] - half_h, spot[0] + half_w, spot[1] + half_h)
        if any(_intersects(box, other) for other in taken):
            continue
        taken.append(box)
        labels.append(f'<text x="{_n(spot[0])}" y="{_n(spot[1])}">{_e(name)}</text>')

    inside = [
        p
        for p in points
        if _finite(p) and min_lon <= p.lon <= max_lon and min_lat <= p.lat <= max_lat
    ]
    # biggest first, so the small circles end up on top; ties in a stable order
    inside.sort(key=lambda p: (-radius_for(p.casualties), p.id))
    circles: list[str] = []
    for p in inside:
        href = "/incidents/" + quote(p.id, safe="")
        circles.append(
            f'<a href="{_e(href)}">'
            f'<circle cx="{_n(proj.x(p.lon))}" cy="{_n(proj.y(p.lat))}" '
            f'r="{_n(radius_for(p.casualties))}" fill="{colour_for(p.type)}" '
            f'class="incident" data-type="{_e(p.type)}">'
            f"<title>{_e(p.label)}</title></circle></a>"
        )

    count = len(circles)
    label = f"Map of {count} incident{'' if count == 1 else 's'}"
    return "".join(
        [
            f'<svg xmlns="{SVG_NS}" id="incident-map" role="img" aria-label="{_e(label)}" ',
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" ',
            # the projection, for a script that turns a click back into lon/lat:
            # lon = centre_lon + (x - width/2) / kx, lat = centre_lat - (y - height/2) / ky
            f'data-centre-lon="{proj.centre_lon!r}" data-centre-lat="{proj.centre_lat!r}" ',
            f'data-kx="{proj.kx!r}" data-ky="{proj.ky!r}" ',
            'preserveAspectRatio="xMidYMid meet">',
            f"<title>{_e(label)}</title>",
            f'<rect class="sea" width="{width}" height="{height}" fill="{SEA_FILL}"/>',
            f'<g class="basemap" fill="{LAND_FILL}" stroke="{LAND_STROKE}" ',
            'stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">',
            *country_paths,
            "</g>",
            f'<g class="country-labels" {FONT} font-size="{_n(LABEL_FONT_PX)}" ',
            'fill="#8C877B" text-anchor="middle" dominant-baseline="central" ',
            'pointer-events="none">',
            *labels,
            "</g>",
            '<g class="incidents" fill-opacity="0.8" stroke="#FFFFFF" stroke-width="1">',
            *circles,
            "</g>",
            f'<rect class="frame" width="{width}" height="{height}" fill="none" ',
            'stroke="#CCCCCC"/>',
            "</svg>",
        ]
    )
