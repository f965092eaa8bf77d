"""Server-rendered SVG charts: well-formed, escaped, and drawing what the data says."""

from __future__ import annotations

import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

import pytest

from trucewatch.models import EVENT_TYPES
from trucewatch.web.charts import (
    TYPE_COLOURS,
    DayCount,
    MapPoint,
    TimeUnit,
    legend_items,
    load_basemap,
    map_svg,
    timeline_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"
UKRAINE_BBOX = (30.0, 46.0, 40.0, 51.0)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def circles(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """(a, circle) pairs in document order."""
    out = []
    for link in root.iter(f"{SVG}a"):
        found = link.find(f"{SVG}circle")
        assert found is not None
        out.append((link, found))
    return out


def country_paths(root: ET.Element) -> dict[str, ET.Element]:
    return {
        path.get("data-name", ""): path
        for path in root.iter(f"{SVG}path")
        if path.get("class") == "country"
    }


def point(ident: str, lat: float, lon: float, **kw: Any) -> MapPoint:
    fields: dict[str, Any] = {"type": "shelling", "casualties": 0, "label": ident}
    fields.update(kw)
    return MapPoint(id=ident, lat=lat, lon=lon, **fields)


def rings(geometry: dict[str, Any]) -> Iterator[list[list[float]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        yield from polygon


def feature(name: str) -> dict[str, Any]:
    matches = [f for f in load_basemap()["features"] if f["properties"]["name"] == name]
    assert len(matches) == 1, name
    found: dict[str, Any] = matches[0]
    return found


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    positions = [p for ring in rings(geometry) for p in ring]
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return min(lons), min(lats), max(lons), max(lats)


def inside(lon: float, lat: float, geometry: dict[str, Any]) -> bool:
    """Even-odd rule over every ring of the geometry."""
    hit = False
    for ring in rings(geometry):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


# --------------------------------------------------------------------------- colours


def test_every_event_type_has_its_own_colour() -> None:
    assert set(EVENT_TYPES) <= set(TYPE_COLOURS)
    assert "other" in TYPE_COLOURS
    colours = list(TYPE_COLOURS.values())
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert legend_items() == list(TYPE_COLOURS.items())
    assert legend_items()[-1][0] == "other"


# --------------------------------------------------------------------------- basemap


def test_basemap_has_the_countries_the_app_cares_about() -> None:
    basemap = load_basemap()
    assert basemap is load_basemap()  # cached
    assert basemap["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in basemap["features"]}
    wanted = {
        "Ukraine",
        "Russia",
        "Armenia",
        "Azerbaijan",
        "Israel",
        "Lebanon",
        "Syria",
        "India",
        "Pakistan",
    }
    assert wanted <= names
    assert "Antarctica" not in names
    assert len(names) > 200  # 1:50m has 240 features

    min_lon, min_lat, max_lon, max_lat = bounds(feature("Ukraine")["geometry"])
    assert 22 <= min_lon < max_lon <= 41
    assert 44 <= min_lat < max_lat <= 53
    assert min_lon < 23
    assert max_lon > 40

    min_lon, min_lat, max_lon, max_lat = bounds(feature("Armenia")["geometry"])
    assert 43 <= min_lon < max_lon <= 47
    assert 38.5 <= min_lat < max_lat <= 41.5
    assert feature("Armenia")["properties"]["id"] == "051"


def test_basemap_places_cities_in_their_countries() -> None:
    """Sanity of the decoding: known cities fall inside the right outlines."""
    cities = {
        "Ukraine": (30.52, 50.45),  # Kyiv
        "Armenia": (44.51, 40.18),  # Yerevan
        "Azerbaijan": (49.87, 40.41),  # Baku
        "Israel": (34.78, 32.08),  # Tel Aviv
        "Lebanon": (35.90, 33.85),  # Zahle
        "Syria": (36.29, 33.51),  # Damascus
        "India": (77.21, 28.61),  # Delhi
        "Pakistan": (73.05, 33.68),  # Islamabad
        "Russia": (37.62, 55.75),  # Moscow
    }
    for name, (lon, lat) in cities.items():
        assert inside(lon, lat, feature(name)["geometry"]), name
    assert not inside(44.51, 40.18, feature("Azerbaijan")["geometry"])


def test_basemap_crimea_is_drawn_as_part_of_ukraine() -> None:
    sevastopol = (33.52, 44.60)
    assert inside(*sevastopol, feature("Ukraine")["geometry"])
    assert not inside(*sevastopol, feature("Russia")["geometry"])


def test_basemap_rings_are_closed_and_do_not_jump_the_antimeridian() -> None:
    for item in load_basemap()["features"]:
        for ring in rings(item["geometry"]):
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            for a, b in zip(ring, ring[1:], strict=False):
                assert abs(b[0] - a[0]) <= 180, item["properties"]["name"]
                assert -180 <= a[0] <= 180
                assert -90 <= a[1] <= 90


# --------------------------------------------------------------------------- map


def test_map_draws_points_inside_the_bbox_as_linked_circles() -> None:
    points = [
        point("small", 48.0, 37.8, type="firing", casualties=0),
        point("big", 47.1, 37.5, type="shelling", casualties=100),
        point("middle", 49.9, 36.2, type="drone_strike", casualties=4),
        point("unknown-type", 48.5, 35.0, type="meteor", casualties=1),
        point("outside", 40.2, 44.5, type="firing", casualties=3),  # Yerevan
    ]
    root = parse(map_svg(points, bbox=UKRAINE_BBOX))
    assert root.get("id") == "incident-map"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.get("viewBox") == "0 0 960 540"

    drawn = circles(root)
    ids = [link.get("href", "") for link, _ in drawn]
    assert sorted(ids) == sorted(f"/incidents/{p.id}" for p in points if p.id != "outside")

    by_href = {link.get("href"): c for link, c in drawn}
    assert by_href["/incidents/small"].get("fill") == TYPE_COLOURS["firing"]
    assert by_href["/incidents/big"].get("fill") == TYPE_COLOURS["shelling"]
    assert by_href["/incidents/middle"].get("fill") == TYPE_COLOURS["drone_strike"]
    assert by_href["/incidents/unknown-type"].get("fill") == TYPE_COLOURS["other"]
    assert by_href["/incidents/big"].get("data-type") == "shelling"
    assert all(c.get("class") == "incident" for _, c in drawn)

    radii = [float(c.get("r", "nan")) for _, c in drawn]
    assert radii == sorted(radii, reverse=True)  # big ones first, small ones on top
    assert float(by_href["/incidents/small"].get("r", "nan")) == 4
    assert float(by_href["/incidents/middle"].get("r", "nan")) == 8  # 4 + 2·√4
    assert float(by_href["/incidents/big"].get("r", "nan")) == 18  # capped

    for _, c in drawn:
        assert 0 <= float(c.get("cx", "nan")) <= 960
        assert 0 <= float(c.get("cy", "nan")) <= 540
        title = c.find(f"{SVG}title")
        assert title is not None
        assert title.text

    # geography: east is right, north is up
    small, big = by_href["/incidents/small"], by_href["/incidents/big"]
    middle = by_href["/incidents/middle"]
    assert float(small.get("cx", "nan")) > float(middle.get("cx", "nan"))
    assert float(middle.get("cy", "nan")) < float(big.get("cy", "nan"))


def test_map_x_scale_shrinks_with_latitude() -> None:
    """Equirectangular with cos(mid-latitude): at 60°N a degree east is half a degree north."""
    points = [point("a", 60.0, 30.0), point("b", 60.0, 31.0), point("c", 61.0, 30.0)]
    root = parse(map_svg(points, basemap={"features": []}, bbox=(25.0, 55.0, 35.0, 65.0)))
    at = {link.get("href"): c for link, c in circles(root)}
    a, b, c = at["/incidents/a"], at["/incidents/b"], at["/incidents/c"]
    dx = float(b.get("cx", "nan")) - float(a.get("cx", "nan"))
    dy = float(a.get("cy", "nan")) - float(c.get("cy", "nan"))
    assert dx == pytest.approx(dy * 0.5, rel=0.03)


def test_hostile_text_is_escaped() -> None:
    nasty_id = 'x"/><script>alert(2)</script>/../../admin?a=1&b=2'
    points = [point(nasty_id, 48.0, 37.8, label=HOSTILE, type=HOSTILE)]
    svg = map_svg(points, bbox=UKRAINE_BBOX)
    assert "<script" not in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    ((link, c),) = circles(root)
    assert link.get("href") == "/incidents/" + quote(nasty_id, safe="")
    assert "/" not in link.get("href", "")[len("/incidents/") :]
    title = c.find(f"{SVG}title")
    assert title is not None
    assert title.text == HOSTILE
    assert c.get("data-type") == HOSTILE
    assert c.get("fill") == TYPE_COLOURS["other"]


def test_hostile_basemap_names_are_escaped() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[36.0, 47.0], [38.0, 47.0], [38.0, 49.0], [36.0, 49.0], [36.0, 47.0]]],
    }
    basemap = {"features": [{"properties": {"name": HOSTILE}, "geometry": square}]}
    svg = map_svg([], basemap=basemap, bbox=(30.0, 44.0, 44.0, 52.0))
    assert "<script" not in svg
    root = parse(svg)
    assert list(country_paths(root)) == [HOSTILE]


def test_points_outside_the_bbox_or_unplaceable_are_not_drawn() -> None:
    points = [
        point("in", 48.0, 37.0),
        point("west", 48.0, 29.9),
        point("north", 51.1, 37.0),
        point("nan", float("nan"), 37.0),
        point("off-earth", 95.0, 37.0),
    ]
    root = parse(map_svg(points, basemap={"features": []}, bbox=UKRAINE_BBOX))
    assert [link.get("href") for link, _ in circles(root)] == ["/incidents/in"]


def test_minimap_size_keeps_labels_readable_and_zooms_on_a_single_point() -> None:
    """The incident page draws one point at 480 x 300 (shown at that size): labels stay at
    11 px, the view is a few degrees around the point, and the neighbours are named."""
    lachin = point("lachin", 39.6, 46.5)
    svg = map_svg([lachin], width=480, height=300)
    root = parse(svg)
    assert root.get("viewBox") == "0 0 480 300"
    assert (root.get("width"), root.get("height")) == ("480", "300")
    labels = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "country-labels")
    assert float(labels.get("font-size", "0")) >= 10
    names = [t.text for t in labels.iter(f"{SVG}text")]
    assert {"Armenia", "Azerbaijan"} <= set(names)
    for text in labels.iter(f"{SVG}text"):
        x, y = float(text.get("x", "nan")), float(text.get("y", "nan"))
        half = len(text.text or "") * 11 * 0.6 / 2
        assert half <= x <= 480 - half
        assert 5 <= y <= 295
    ((_, c),) = circles(root)
    assert float(c.get("cx", "nan")) == pytest.approx(240, abs=0.1)
    assert float(c.get("cy", "nan")) == pytest.approx(150, abs=0.1)
    # zoomed to the region: Armenia and Azerbaijan drawn, far countries not
    paths = country_paths(root)
    assert {"Armenia", "Azerbaijan", "Iran", "Georgia"} <= set(paths)
    assert "Ukraine" not in paths
    assert "India" not in paths


def test_default_bbox_is_padded_and_at_least_four_degrees() -> None:
    # one point: centred, and the view spans at least 4 degrees
    root = parse(map_svg([point("only", 48.0, 37.8)], basemap={"features": []}))
    ((_, c),) = circles(root)
    assert float(c.get("cx", "nan")) == pytest.approx(480, abs=0.1)
    assert float(c.get("cy", "nan")) == pytest.approx(270, abs=0.1)

    # a spread: every point drawn, none on the edge (20 % padding)
    spread = [point(str(n), 46.0 + n * 0.5, 30.0 + n, casualties=n) for n in range(8)]
    root = parse(map_svg(spread, basemap={"features": []}))
    drawn = circles(root)
    assert len(drawn) == len(spread)
    for _, c in drawn:
        assert 40 < float(c.get("cx", "nan")) < 920
        assert 40 < float(c.get("cy", "nan")) < 500


def test_map_around_ukraine_draws_ukraine_and_not_far_countries() -> None:
    points = [point("a", 48.0, 37.8), point("b", 46.6, 32.6), point("c", 50.4, 30.5)]
    root = parse(map_svg(points))
    paths = country_paths(root)
    assert {"Ukraine", "Russia", "Moldova", "Romania"} <= set(paths)
    assert "Brazil" not in paths
    assert "Australia" not in paths
    data = paths["Ukraine"].get("d", "")
    assert data.startswith("M")
    assert data.count("M") >= 1
    assert "Z" in data
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", data)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert len(xs) > 100  # a detailed outline, not a box
    # Ukraine fills much of the view: its outline reaches across it
    assert min(xs) < 200
    assert max(xs) > 760
    assert min(ys) < 100
    assert max(ys) > 440


def test_map_without_points_shows_the_world() -> None:
    root = parse(map_svg([]))
    assert circles(root) == []
    assert len(country_paths(root)) > 150  # those smaller than a pixel are left out
    assert "0 incidents" in (root.get("aria-label") or "")


def test_map_rejects_a_bad_bbox() -> None:
    with pytest.raises(ValueError, match="bbox"):
        map_svg([], bbox=(40.0, 44.0, 30.0, 52.0))
    with pytest.raises(ValueError, match="bbox"):
        map_svg([], bbox=(30.0, 44.0, 40.0, float("nan")))


# --------------------------------------------------------------------------- timeline


def day_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "day"]


def segments(day: ET.Element) -> list[ET.Element]:
    return day.findall(f"{SVG}rect")


def counts_fixture() -> list[DayCount]:
    d = dt.date(2021, 8, 10)
    return [
        DayCount(d, "Azerbaijan", 2),
        DayCount(d, "Armenia", 1),
        DayCount(d, "unattributed", 3),
        DayCount(d + dt.timedelta(days=1), "Azerbaijan", 2),
        DayCount(d + dt.timedelta(days=1), "Azerbaijan", 1),  # same day again: added up
        # 12th and 13th: nothing
        DayCount(d + dt.timedelta(days=4), "Armenia", 5),
        DayCount(d + dt.timedelta(days=4), "Azerbaijan", 0),  # zero: no segment
    ]


def test_timeline_stacks_to_the_right_totals_and_fills_gap_days() -> None:
    root = parse(timeline_svg(counts_fixture()))
    assert root.get("id") == "timeline"
    assert root.get("role") == "img"
    days = day_groups(root)
    assert [d.get("data-day") for d in days] == [
        "2021-08-10",
        "2021-08-11",
        "2021-08-12",
        "2021-08-13",
        "2021-08-14",
    ]
    assert [d.get("data-total") for d in days] == ["6", "3", "0", "0", "5"]
    assert [len(segments(d)) for d in days] == [3, 1, 0, 0, 1]

    # heights are proportional to counts and the segments sit on each other
    unit = None
    for day in days:
        stack = segments(day)
        bottom = None
        for rect in stack:
            y, h = float(rect.get("y", "nan")), float(rect.get("height", "nan"))
            per = h / int(rect.get("data-count", "0"))
            unit = unit or per
            assert per == pytest.approx(unit, abs=0.15)
            if bottom is not None:
                assert y + h == pytest.approx(bottom, abs=0.11)
            bottom = y
    # bars march left to right, one slot per day, gaps included
    xs = [float(segments(d)[0].get("x", "nan")) for d in days if segments(d)]
    assert xs == sorted(xs)
    step = (xs[2] - xs[0]) / 4  # 10th to 14th
    assert xs[1] - xs[0] == pytest.approx(step, abs=0.11)


def test_timeline_titles_and_colours() -> None:
    root = parse(timeline_svg(counts_fixture()))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "2021-08-11 — Azerbaijan: 3" in titles
    assert "2021-08-10 — unattributed: 3" in titles
    colour: dict[str, set[str]] = {}
    for day in day_groups(root):
        for rect in segments(day):
            colour.setdefault(rect.get("data-group", ""), set()).add(rect.get("fill", ""))
    assert all(len(c) == 1 for c in colour.values())  # one colour per group
    assert len({next(iter(c)) for c in colour.values()}) == 3  # and distinct
    # the legend names every group
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Armenia", "Azerbaijan", "unattributed"} <= set(texts)


def test_timeline_does_not_depend_on_input_order() -> None:
    counts = counts_fixture()
    shuffled = counts[:]
    random.Random(7).shuffle(shuffled)
    assert timeline_svg(counts) == timeline_svg(shuffled)


def y_ticks(root: ET.Element) -> list[int]:
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "y-axis")
    return [int(t.text or "") for t in axis.iter(f"{SVG}text")]


def test_timeline_y_axis_has_a_few_integer_ticks_above_the_peak() -> None:
    ticks = y_ticks(parse(timeline_svg(counts_fixture())))
    assert ticks[0] == 0
    assert ticks[-1] >= 6
    assert 2 <= len(ticks) <= 8
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1

    one = [DayCount(dt.date(2022, 1, 1), "X", 1)]
    assert y_ticks(parse(timeline_svg(one))) == [0, 1]

    many = [DayCount(dt.date(2022, 1, 1), "X", 937)]
    ticks = y_ticks(parse(timeline_svg(many)))
    assert ticks[-1] >= 937
    assert len(ticks) <= 8


@pytest.mark.parametrize("span", [1, 3, 9, 30, 61, 78, 310, 400, 1005, 2000])
def test_timeline_day_labels_do_not_overlap(span: int) -> None:
    start = dt.date(2020, 1, 1)
    counts = [DayCount(start + dt.timedelta(days=n), "X", 1 + n % 4) for n in range(0, span, 2)]
    counts.append(DayCount(start + dt.timedelta(days=span - 1), "Y", 1))
    root = parse(timeline_svg(counts, unit="day"))
    assert root.get("data-unit") == "day"
    assert len(day_groups(root)) == span
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    labels = list(axis.iter(f"{SVG}text"))
    assert labels[0].text == "2020-01-01"  # the first day is always labelled
    assert 1 <= len(labels) <= 15
    xs = [float(t.get("x", "nan")) for t in labels]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert all(gap > 10 * 6.6 for gap in gaps)  # ten characters at 11 px, with room
    assert all(10 * 3.3 <= x <= 960 - 10 * 3.3 for x in xs)  # none cut at the edges


def test_timeline_escapes_group_names() -> None:
    counts = [DayCount(dt.date(2022, 1, 1), HOSTILE, 2)]
    svg = timeline_svg(counts)
    assert "<script" not in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert f"2022-01-01 — {HOSTILE}: 2" in [t.text for t in root.iter(f"{SVG}title")]


@pytest.mark.parametrize(
    "counts",
    [[], [DayCount(dt.date(2022, 1, 1), "X", 0)]],
    ids=["nothing", "only-zero"],
)
def test_empty_timeline_says_so(counts: Sequence[DayCount]) -> None:
    root = parse(timeline_svg(counts))
    assert root.get("id") == "timeline"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["no violations in range"]
    assert day_groups(root) == []


# --------------------------------------------------------------------------- timeline units

UNITS: tuple[TimeUnit, ...] = ("day", "week", "month", "year")
SAMPLE_FIRST, SAMPLE_LAST = dt.date(2020, 9, 17), dt.date(2025, 3, 19)  # bundled samples


def unit_bars(first: dt.date, last: dt.date, unit: TimeUnit) -> int:
    """Bars from first to last, gaps included, counted independently of the module."""
    if unit == "day":
        return (last - first).days + 1
    if unit == "week":
        monday = first - dt.timedelta(days=first.weekday())
        return (last - monday).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def plot_width(root: ET.Element) -> float:
    """The plot's width, from the y axis's baseline."""
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "y-axis")
    line = next(axis.iter(f"{SVG}line"))
    return float(line.get("x2", "nan")) - float(line.get("x1", "nan"))


def buckets(root: ET.Element) -> list[ET.Element]:
    bars = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "bars")
    return bars.findall(f"{SVG}g")


def bar_rects(root: ET.Element) -> list[ET.Element]:
    return [r for g in buckets(root) for r in segments(g)]


def spread(first: dt.date, last: dt.date, every: int = 3) -> list[DayCount]:
    days = (last - first).days
    out = [DayCount(first + dt.timedelta(days=n), "X", 1 + n % 3) for n in range(0, days, every)]
    out.append(DayCount(last, "Y", 2))
    return out


def test_timeline_short_range_is_per_day() -> None:
    root = parse(timeline_svg(counts_fixture()))
    assert root.get("data-unit") == "day"
    assert (root.get("aria-label") or "").startswith("Violations per day, ")


@pytest.mark.parametrize(
    ("first", "last", "width"),
    [
        (dt.date(2021, 8, 10), dt.date(2021, 8, 14), 960),
        (dt.date(2021, 1, 1), dt.date(2021, 5, 30), 960),  # 150 days: day bars still fit
        (dt.date(2021, 1, 1), dt.date(2021, 6, 30), 960),  # 181 days: weeks
        (dt.date(2020, 1, 1), dt.date(2022, 12, 31), 960),  # 3 years: weeks do not fit
        (SAMPLE_FIRST, SAMPLE_LAST, 960),
        (SAMPLE_FIRST, SAMPLE_LAST, 1800),
        (SAMPLE_FIRST, SAMPLE_LAST, 480),
        (SAMPLE_FIRST, SAMPLE_LAST, 300),  # months do not fit: years
        (dt.date(1990, 1, 1), dt.date(2025, 1, 1), 200),  # nothing fits: years anyway
    ],
)
def test_timeline_picks_the_smallest_unit_with_bands_of_six_px(
    first: dt.date, last: dt.date, width: int
) -> None:
    root = parse(timeline_svg(spread(first, last), width=width))
    plot_w = plot_width(root)
    fitting = [u for u in UNITS if unit_bars(first, last, u) * 6 <= plot_w]
    expected = fitting[0] if fitting else "year"
    assert root.get("data-unit") == expected
    assert len(buckets(root)) == unit_bars(first, last, expected)
    assert all(g.get("class") == expected for g in buckets(root))
    xs = [float(g.get("x", "nan")) for g in bar_rects(root)]
    if fitting and len(buckets(root)) > 1:
        band = plot_w / len(buckets(root))
        assert band >= 6
        assert min(b - a for a, b in zip(xs, xs[1:], strict=False) if b > a) >= 6 - 0.11


def test_timeline_bundled_sample_range_is_per_month_at_960() -> None:
    """~1,650 days at the default width: 236 weeks need 1,416 px, 55 months fit."""
    root = parse(timeline_svg(spread(SAMPLE_FIRST, SAMPLE_LAST)))
    plot_w = plot_width(root)
    assert unit_bars(SAMPLE_FIRST, SAMPLE_LAST, "week") * 6 > plot_w
    assert unit_bars(SAMPLE_FIRST, SAMPLE_LAST, "month") * 6 <= plot_w
    assert root.get("data-unit") == "month"
    assert root.get("aria-label") == "Violations per month, 2020-09 to 2025-03"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Violations per month, 2020-09 to 2025-03"


@pytest.mark.parametrize("width", [960, 1280])
def test_timeline_five_years_get_bars_at_least_six_px_wide(width: int) -> None:
    first = dt.date(2020, 1, 1)
    last = dt.date(2024, 12, 31)
    root = parse(timeline_svg(spread(first, last, every=1), width=width))
    rects = bar_rects(root)
    assert rects
    assert min(float(r.get("width", "nan")) for r in rects) >= 6
    xs = sorted({float(r.get("x", "nan")) for r in rects})
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 6


def test_timeline_explicit_unit_is_honoured() -> None:
    counts = spread(SAMPLE_FIRST, SAMPLE_LAST)
    for unit in UNITS:
        root = parse(timeline_svg(counts, unit=unit))
        assert root.get("data-unit") == unit
        assert len(buckets(root)) == unit_bars(SAMPLE_FIRST, SAMPLE_LAST, unit)
    # even one too fine to read, and one coarser than needed
    root = parse(timeline_svg(counts_fixture(), unit="year"))
    assert [g.get("data-year") for g in buckets(root)] == ["2021"]
    with pytest.raises(ValueError, match="unit"):
        timeline_svg(counts, unit="fortnight")  # type: ignore[arg-type]


def test_timeline_week_buckets_sum_days_of_one_iso_week() -> None:
    counts = [
        DayCount(dt.date(2021, 8, 10), "Azerbaijan", 2),  # Tuesday
        DayCount(dt.date(2021, 8, 15), "Azerbaijan", 1),  # Sunday, same ISO week
        DayCount(dt.date(2021, 8, 15), "Armenia", 4),
        DayCount(dt.date(2021, 8, 16), "Azerbaijan", 5),  # Monday: the next week
        DayCount(dt.date(2021, 8, 31), "Armenia", 1),  # two weeks later
    ]
    root = parse(timeline_svg(counts, unit="week"))
    groups = buckets(root)
    assert [g.get("data-start") for g in groups] == [
        "2021-08-09",
        "2021-08-16",
        "2021-08-23",  # nothing that week: an empty bar
        "2021-08-30",
    ]
    assert [g.get("data-week") for g in groups] == [g.get("data-start") for g in groups]
    assert [g.get("data-total") for g in groups] == ["7", "5", "0", "1"]
    assert segments(groups[2]) == []
    first = {r.get("data-group"): r.get("data-count") for r in segments(groups[0])}
    assert first == {"Azerbaijan": "3", "Armenia": "4"}


def test_timeline_weeks_and_months_cross_the_new_year() -> None:
    counts = [DayCount(dt.date(2021, 1, 1), "X", 1), DayCount(dt.date(2021, 1, 4), "X", 2)]
    root = parse(timeline_svg(counts, unit="week"))  # Friday 1 Jan 2021 is in 2020-W53
    assert [g.get("data-start") for g in buckets(root)] == ["2020-12-28", "2021-01-04"]
    counts = [DayCount(dt.date(2020, 11, 30), "X", 1), DayCount(dt.date(2021, 2, 1), "X", 1)]
    root = parse(timeline_svg(counts, unit="month"))
    assert [g.get("data-month") for g in buckets(root)] == [
        "2020-11",
        "2020-12",
        "2021-01",
        "2021-02",
    ]


def test_timeline_month_and_year_buckets_sum_and_keep_gaps() -> None:
    counts = [
        DayCount(dt.date(2022, 1, 3), "X", 1),
        DayCount(dt.date(2022, 1, 31), "X", 2),
        DayCount(dt.date(2022, 1, 31), "Y", 1),
        # February: nothing
        DayCount(dt.date(2022, 3, 1), "X", 4),
        DayCount(dt.date(2024, 7, 1), "Y", 6),
    ]
    root = parse(timeline_svg(counts, unit="month"))
    groups = buckets(root)
    assert len(groups) == 31  # 2022-01 .. 2024-07
    assert [g.get("data-month") for g in groups[:3]] == ["2022-01", "2022-02", "2022-03"]
    assert [g.get("data-start") for g in groups[:3]] == ["2022-01-01", "2022-02-01", "2022-03-01"]
    assert [g.get("data-total") for g in groups[:3]] == ["4", "0", "4"]
    assert segments(groups[1]) == []
    assert groups[-1].get("data-total") == "6"

    root = parse(timeline_svg(counts, unit="year"))
    groups = buckets(root)
    assert [g.get("data-year") for g in groups] == ["2022", "2023", "2024"]
    assert [g.get("data-start") for g in groups] == ["2022-01-01", "2023-01-01", "2024-01-01"]
    assert [g.get("data-total") for g in groups] == ["8", "0", "6"]


@pytest.mark.parametrize(
    ("unit", "label", "name", "azerbaijan"),
    [
        ("day", "2021-08-10", "2021-08-10", 2),
        ("week", "2021-08-09", "week of 2021-08-09", 5),
        ("month", "2021-08", "2021-08", 5),
        ("year", "2021", "2021", 5),
    ],
)
def test_timeline_labels_and_titles_per_unit(
    unit: TimeUnit, label: str, name: str, azerbaijan: int
) -> None:
    root = parse(timeline_svg(counts_fixture(), unit=unit))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    assert next(axis.iter(f"{SVG}text")).text == label
    first = buckets(root)[0]
    assert first.get(f"data-{unit}") == label
    titles = [t.text for t in first.iter(f"{SVG}title")]
    assert f"{name} — Azerbaijan: {azerbaijan}" in titles
    aria = root.get("aria-label") or ""
    assert aria.startswith(f"Violations per {unit}, {name} to ")
    svg_title = root.find(f"{SVG}title")
    assert svg_title is not None
    assert svg_title.text == aria


def test_timeline_escapes_group_names_in_every_unit() -> None:
    counts = [DayCount(dt.date(2022, 1, 1), HOSTILE, 2), DayCount(dt.date(2022, 3, 9), "X", 1)]
    for unit in UNITS:
        svg = timeline_svg(counts, unit=unit)
        assert "<script" not in svg
        root = parse(svg)
        assert not [e for e in root.iter() if e.tag.endswith("script")]


@pytest.mark.parametrize("unit", [None, *UNITS])
@pytest.mark.parametrize("span", [1, 30, 200, 800, 1645, 5000])
def test_timeline_labels_do_not_overlap_in_any_unit(unit: TimeUnit | None, span: int) -> None:
    start = dt.date(2020, 9, 17)
    root = parse(timeline_svg(spread(start, start + dt.timedelta(days=span - 1)), unit=unit))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "x-axis")
    labels = list(axis.iter(f"{SVG}text"))
    assert labels[0].text == buckets(root)[0].get(f"data-{root.get('data-unit')}")
    assert 1 <= len(labels) <= 20
    chars = len(labels[0].text or "")
    xs = [float(t.get("x", "nan")) for t in labels]
    assert all(b - a > chars * 6.6 for a, b in zip(xs, xs[1:], strict=False))
    assert all(chars * 3.3 <= x <= 960 - chars * 3.3 for x in xs)


def test_the_map_carries_its_projection_for_picking_a_place() -> None:
    point = MapPoint(id="inc-1", lat=48.01, lon=37.8, type="shelling", casualties=0, label="x")
    svg = ET.fromstring(map_svg([point], width=480, height=300))
    circle = next(e for e in svg.iter() if e.tag.endswith("circle"))
    x, y = float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))
    centre_lon, centre_lat = (
        float(svg.get("data-centre-lon", "")),
        float(svg.get("data-centre-lat", "")),
    )
    kx, ky = float(svg.get("data-kx", "")), float(svg.get("data-ky", ""))
    assert centre_lon + (x - 240) / kx == pytest.approx(37.8, abs=0.01)
    assert centre_lat - (y - 150) / ky == pytest.approx(48.01, abs=0.01)
