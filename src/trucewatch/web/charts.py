"""Server-rendered SVG charts for the dashboard: an incident map and a violations timeline.

Pure functions from data to SVG markup; no JavaScript, no external assets. The map draws
over the offline basemap shipped as ``web/static/basemap.geojson`` (Natural Earth country
outlines, see ``web/static/BASEMAP.md``).

Everything that comes from reports (labels, ids, group names, types) is hostile: text is
escaped with :func:`html.escape` and ids placed in hrefs are percent-quoted first.
"""

from __future__ import annotations

import datetime
import functools
import html
import importlib.resources
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args
from urllib.parse import quote

from trucewatch.models import EVENT_TYPES

__all__ = [
    "TIME_UNITS",
    "TYPE_COLOURS",
    "DayCount",
    "MapPoint",
    "TimeUnit",
    "auto_unit",
    "legend_items",
    "load_basemap",
    "map_svg",
    "timeline_svg",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class MapPoint:
    """One incident on the map."""

    id: str  # incident id, link target /incidents/{id}
    lat: float
    lon: float
    type: str  # one of trucewatch.models.EVENT_TYPES -> colour
    casualties: int  # killed + injured (0 when unknown) -> radius
    label: str  # tooltip text (<title>)


@dataclass(frozen=True)
class DayCount:
    """How many violations one group is claimed to have committed on one day."""

    day: datetime.date
    group: str  # claimed perpetrator ("unattributed" etc.)
    count: int


# Paul Tol's "muted" scheme plus Okabe-Ito: colour-blind-safe hues; violent types get the
# strong warm and dark colours, the peaceful ones (agreement, deployment, mediation) pale.
TYPE_COLOURS: dict[str, str] = {
    "armed_clash": "#D55E00",  # vermillion
    "firing": "#E69F00",  # orange
    "shelling": "#882255",  # wine
    "drone_strike": "#0072B2",  # blue
    "explosive": "#AA4499",  # purple
    "attack_on_civilians": "#000000",  # black
    "intrusion": "#117733",  # green
    "territory_seizure": "#332288",  # indigo
    "shoot_down": "#44AA99",  # teal
    "ceasefire_violation": "#CC6677",  # rose
    "ceasefire_agreement": "#88CCEE",  # cyan
    "deployment": "#999933",  # olive
    "mediation": "#DDCC77",  # sand
    "other": "#888888",  # grey: anything else
}
_unknown_types = EVENT_TYPES - TYPE_COLOURS.keys()
if _unknown_types:  # pragma: no cover - guards the palette against a new event type
    raise RuntimeError(f"no map colour for event types {sorted(_unknown_types)}")

# Group colours for the timeline (Okabe-Ito without black and yellow, then Tol's muted);
# sorted group names take them in turn. Unattributed reports are always grey.
GROUP_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#882255",
    "#999933",
    "#44AA99",
    "#AA4499",
    "#DDCC77",
)
UNATTRIBUTED_GROUPS = frozenset({"unattributed", "unknown", ""})
UNATTRIBUTED_COLOUR = "#9A9A9A"

WORLD_BBOX = (-180.0, -58.0, 180.0, 84.0)  # the basemap has no Antarctica
MIN_SPAN_DEG = 4.0
PAD_FRACTION = 0.2
LAND_FILL = "#EDEAE2"
LAND_STROKE = "#A8A397"
SEA_FILL = "#F5F8FA"


def _e(text: object) -> str:
    """Escape any text for SVG/XML element content or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing .0 or a negative zero."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def colour_for(event_type: str) -> str:
    """The map colour of an event type; unknown types get the "other" colour."""
    return TYPE_COLOURS.get(event_type, TYPE_COLOURS["other"])


def legend_items() -> list[tuple[str, str]]:
    """(type, colour) pairs in a stable order, "other" last, for an HTML legend."""
    return list(TYPE_COLOURS.items())


def radius_for(casualties: int) -> float:
    """Circle radius: 4 + 2·√casualties, capped at 18; negative counts count as 0."""
    return min(18.0, 4.0 + 2.0 * math.sqrt(min(max(0, casualties), 100)))  # 100: radius 18


# --------------------------------------------------------------------------- basemap


@functools.cache
def load_basemap() -> dict[str, Any]:
    """The shipped country outlines (GeoJSON FeatureCollection), read once.

    The returned dict is shared between callers: do not modify it.
    """
    resource = importlib.resources.files("trucewatch").joinpath("web/static/basemap.geojson")
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Shape:
    """One polygon of a basemap feature with its bounding box."""

    name: str
    bbox: BBox
    rings: tuple[tuple[tuple[float, float], ...], ...]


def _polygons(geometry: Mapping[str, Any] | None) -> Iterator[Sequence[Sequence[Any]]]:
    if not geometry:
        return
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries", ()):
            yield from _polygons(part)


def _index(basemap: Mapping[str, Any]) -> list[tuple[str, list[_Shape]]]:
    """Features as (name, polygons with bboxes), skipping anything malformed."""
    out: list[tuple[str, list[_Shape]]] = []
    for feature in basemap.get("features", ()):
        properties = feature.get("properties") or {}
        name = str(properties.get("name") or "")
        shapes: list[_Shape] = []
        for polygon in _polygons(feature.get("geometry")):
            rings = tuple(
                tuple((float(p[0]), float(p[1])) for p in ring) for ring in polygon if ring
            )
            if not rings or not rings[0]:
                continue
            lons = [p[0] for p in rings[0]]
            lats = [p[1] for p in rings[0]]
            shapes.append(_Shape(name, (min(lons), min(lats), max(lons), max(lats)), rings))
        if shapes:
            out.append((name, shapes))
    return out


@functools.cache
def _shipped_index() -> list[tuple[str, list[_Shape]]]:
    return _index(load_basemap())


# --------------------------------------------------------------------------- map


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


# --------------------------------------------------------------------------- timeline


def group_colours(groups: Iterable[str]) -> dict[str, str]:
    """A stable colour per group: sorted names take the palette in turn; unattributed grey."""
    groups = set(groups)
    out: dict[str, str] = {}
    named = sorted(g for g in groups if g.strip().lower() not in UNATTRIBUTED_GROUPS)
    for number, group in enumerate(named):
        out[group] = GROUP_PALETTE[number % len(GROUP_PALETTE)]
    for group in groups:
        out.setdefault(group, UNATTRIBUTED_COLOUR)
    return out


def _nice_step(top: int, max_ticks: int = 5) -> int:
    """An integer tick step of 1, 2 or 5 × 10^k giving at most ``max_ticks`` intervals."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top / step) <= max_ticks:
                return step
        magnitude *= 10


TimeUnit = Literal["day", "week", "month", "year"]
TIME_UNITS: tuple[TimeUnit, ...] = get_args(TimeUnit)
MIN_BAND_PX = 6.0  # automatic unit: the smallest whose bars get at least this much room

# label every n-th bar, n taken from these (calendar-friendly multiples per unit)
_LABEL_STEPS: dict[TimeUnit, tuple[int, ...]] = {
    "day": (1, 2, 3, 7, 14, 28, 56, 91, 182, 364, 728),
    "week": (1, 2, 4, 8, 13, 26, 52, 104),
    "month": (1, 2, 3, 6, 12, 24, 60, 120),
    "year": (1, 2, 5, 10, 20, 50, 100),
}


def _bucket_start(day: datetime.date, unit: TimeUnit) -> datetime.date:
    """The first day of the bucket holding ``day``: itself, its ISO week's Monday, the
    first of its month or January 1 of its year."""
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def _bucket_count(first: datetime.date, last: datetime.date, unit: TimeUnit) -> int:
    """How many buckets of ``unit`` there are from ``first``'s to ``last``'s, both included."""
    if unit == "week":
        return (_bucket_start(last, unit) - _bucket_start(first, unit)).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    if unit == "year":
        return last.year - first.year + 1
    return (last - first).days + 1


def _bucket_starts(
    first: datetime.date, last: datetime.date, unit: TimeUnit
) -> list[datetime.date]:
    """Every bucket's first day from ``first``'s bucket to ``last``'s, gaps included."""
    start = _bucket_start(first, unit)
    out: list[datetime.date] = []
    for number in range(_bucket_count(first, last, unit)):
        if unit == "week":
            out.append(start + datetime.timedelta(weeks=number))
        elif unit == "month":
            months = start.month - 1 + number
            out.append(datetime.date(start.year + months // 12, months % 12 + 1, 1))
        elif unit == "year":
            out.append(datetime.date(start.year + number, 1, 1))
        else:
            out.append(start + datetime.timedelta(days=number))
    return out


def _bucket_label(start: datetime.date, unit: TimeUnit) -> str:
    """Axis label: "2021-08-11" (day), "2021-08-09" (week, its Monday), "2021-08", "2021"."""
    if unit == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if unit == "year":
        return f"{start.year:04d}"
    return start.isoformat()


def _bucket_name(start: datetime.date, unit: TimeUnit) -> str:
    """The bucket in titles: like its label, but "week of 2021-08-09" for a week."""
    label = _bucket_label(start, unit)
    return f"week of {label}" if unit == "week" else label


def auto_unit(first: datetime.date, last: datetime.date, plot_w: float) -> TimeUnit:
    """The smallest unit whose bars from ``first`` to ``last`` (gaps included) each get at
    least :data:`MIN_BAND_PX` of ``plot_w``; year when none does."""
    for unit in TIME_UNITS:
        if _bucket_count(first, last, unit) * MIN_BAND_PX <= plot_w:
            return unit
    return "year"


def _label_every(bars: int, band: float, label_px: float, unit: TimeUnit = "day") -> int:
    """Label every n-th bar so that labels of ``label_px`` do not overlap."""
    for step in _LABEL_STEPS[unit]:
        if step * band >= label_px:
            return step
    return max(1, math.ceil(label_px / band)) if bars else 1


def _text_px(text: str, size: float = 11.0) -> float:
    return len(text) * size * 0.6


def timeline_svg(
    counts: Sequence[DayCount],
    *,
    width: int = 960,
    height: int = 320,
    unit: TimeUnit | None = None,
) -> str:
    """A stacked bar chart of violations per day, week, month or year and group.

    One bar per ``unit`` from the first day's to the last day's (empty ones included), one
    segment per group with a stable colour, integer y ticks, thinned labels and a legend.
    Weeks are ISO weeks (starting on Monday, labelled by it), months are labelled
    "2021-08" and years "2021". ``unit=None`` picks the smallest unit whose bars each get
    at least 6 px of the plot's width (see :func:`auto_unit`); the ``<svg>`` carries the
    unit used as ``data-unit``. Empty input gives a small SVG saying so.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    if unit is not None and unit not in TIME_UNITS:
        raise ValueError(f"unit must be one of {', '.join(TIME_UNITS)} or None, got {unit!r}")
    per_day: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in counts:
        if item.count > 0:
            per_day[item.day][item.group] += item.count
    if not per_day:
        return (
            f'<svg xmlns="{SVG_NS}" id="timeline" role="img" '
            'aria-label="Timeline: no violations in range" viewBox="0 0 320 40" '
            'width="320" height="40">'
            f'<text x="160" y="24" text-anchor="middle" {FONT} font-size="13" '
            'fill="#666666">no violations in range</text></svg>'
        )

    first, last = min(per_day), max(per_day)
    groups = sorted({g for per_group in per_day.values() for g in per_group})
    colours = group_colours(groups)
    # legend order: named groups alphabetically, unattributed ones last
    legend = sorted(groups, key=lambda g: (colours[g] == UNATTRIBUTED_COLOUR, g))

    # legend rows, laid out first because they take height from the plot
    left, right, top = 44.0, 12.0, 12.0
    legend_rows: list[list[tuple[str, float]]] = [[]]
    cursor = left
    for group in legend:
        item_w = 14 + _text_px(group) + 18
        if legend_rows[-1] and cursor + item_w > width - right:
            legend_rows.append([])
            cursor = left
        legend_rows[-1].append((group, cursor))
        cursor += item_w
    legend_h = 18.0 * len(legend_rows)
    axis_h = 22.0
    bottom = axis_h + legend_h + 6
    plot_w = max(1.0, width - left - right)
    plot_h = max(1.0, height - top - bottom)

    chosen: TimeUnit = auto_unit(first, last, plot_w) if unit is None else unit
    buckets = _bucket_starts(first, last, chosen)
    totals: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, per_group in per_day.items():
        bucket = totals[_bucket_start(day, chosen)]
        for group, value in per_group.items():
            bucket[group] += value

    peak = max(sum(per_group.values()) for per_group in totals.values())
    step = _nice_step(peak)
    y_max = step * math.ceil(peak / step)

    def y(value: float) -> float:
        return top + plot_h - value / y_max * plot_h

    band = plot_w / len(buckets)
    bar_w = min(band * 0.8 if band >= 4 else band, 48.0)
    gap = band - bar_w

    span = f"{_bucket_name(buckets[0], chosen)} to {_bucket_name(buckets[-1], chosen)}"
    description = f"Violations per {chosen}, {span}"
    out: list[str] = [
        f'<svg xmlns="{SVG_NS}" id="timeline" role="img" ',
        f'aria-label="{_e(description)}" data-unit="{chosen}" ',
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} ',
        'font-size="11">',
        f"<title>{_e(description)}</title>",
    ]

    # y axis: gridlines and integer ticks
    out.append('<g class="y-axis" fill="#555555" text-anchor="end">')
    for tick in range(0, y_max + 1, step):
        ty = _n(y(tick))
        out.append(
            f'<line x1="{_n(left)}" x2="{_n(left + plot_w)}" y1="{ty}" y2="{ty}" '
            f'stroke="{"#999999" if tick == 0 else "#E4E4E4"}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{ty}" dy="0.35em">{tick}</text>'
        )
    out.append("</g>")

    # bars
    out.append('<g class="bars">')
    for number, start in enumerate(buckets):
        per_group = totals.get(start, {})
        total = sum(per_group.values())
        x = _n(left + number * band + gap / 2)
        name = _bucket_name(start, chosen)
        out.append(
            f'<g class="{chosen}" data-{chosen}="{_bucket_label(start, chosen)}" '
            f'data-start="{start.isoformat()}" data-total="{total}">'
        )
        stacked = 0
        for group in groups:
            value = per_group.get(group, 0)
            if not value:
                continue
            y_top, y_bottom = y(stacked + value), y(stacked)
            stacked += value
            out.append(
                f'<rect x="{x}" y="{_n(y_top)}" width="{_n(bar_w)}" '
                f'height="{_n(y_bottom - y_top)}" fill="{colours[group]}" '
                f'data-group="{_e(group)}" data-count="{value}">'
                f"<title>{_e(f'{name} — {group}: {value}')}</title></rect>"
            )
        out.append("</g>")
    out.append("</g>")

    # x labels, thinned so they do not overlap; one nudged in from an edge may crowd
    # its neighbour, which is then left out
    label_w = _text_px(_bucket_label(first, chosen))
    label_every = _label_every(len(buckets), band, label_w + 10, chosen)
    axis_y = top + plot_h
    out.append('<g class="x-axis" fill="#555555" text-anchor="middle">')
    free_from = -math.inf  # where the previous label ended
    for number in range(0, len(buckets), label_every):
        cx = left + (number + 0.5) * band
        tx = min(max(cx, label_w / 2 + 2), width - 2 - label_w / 2)
        if tx - label_w / 2 < free_from + 8:
            continue
        free_from = tx + label_w / 2
        out.append(
            f'<line x1="{_n(cx)}" x2="{_n(cx)}" y1="{_n(axis_y)}" y2="{_n(axis_y + 4)}" '
            'stroke="#999999"/>'
            f'<text x="{_n(tx)}" y="{_n(axis_y + 16)}">'
            f"{_bucket_label(buckets[number], chosen)}</text>"
        )
    out.append("</g>")

    # legend
    out.append('<g class="legend" fill="#333333">')
    for row, items in enumerate(legend_rows):
        ly = axis_y + axis_h + 6 + row * 18
        for group, lx in items:
            out.append(
                f'<rect x="{_n(lx)}" y="{_n(ly)}" width="10" height="10" '
                f'fill="{colours[group]}"/>'
                f'<text x="{_n(lx + 14)}" y="{_n(ly + 5)}" dy="0.35em">{_e(group)}</text>'
            )
    out.append("</g></svg>")
    return "".join(out)
