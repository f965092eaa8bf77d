"""UCDP's Georeferenced Event Dataset (GED) CSV as reference incidents
(`trucewatch import ucdp FILE.csv`).

Columns are GED's (id, type_of_violence, side_a, side_b, where_coordinates, adm_1, adm_2,
latitude, longitude, where_prec, country, date_start, date_end, best, low, high, ...); every
column but id, date_start and type_of_violence may be missing. State-based (1) and non-state (2)
violence are armed clashes, one-sided violence (3) an attack on civilians; the killed range is
GED's low / best / high estimate. See docs/reference-data.md for the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from trucewatch.importers.actors import side_name
from trucewatch.importers.csvfile import (
    BadRow,
    CsvRow,
    parse_coordinate,
    parse_day,
    parse_figure,
    read_rows,
)
from trucewatch.importers.load import ImportSummary, Reference, import_rows
from trucewatch.models import CasualtyRange, Event, EventType, Evidence, GeoPoint, GeoPrecision
from trucewatch.store.base import IncidentStore

ORIGIN = "ucdp"
OUTLET = "UCDP GED"
SOURCE = "UCDP"
REQUIRED = ("id", "date_start", "type_of_violence")

VIOLENCE_TYPES: dict[str, tuple[EventType, str]] = {
    "1": ("armed_clash", "state-based violence"),
    "2": ("armed_clash", "non-state violence"),
    "3": ("attack_on_civilians", "one-sided violence"),
}
# GED where_prec: 1 exact place, 2 within 25 km of it, 3 second-order division, 4 first-order
# division, 5 a larger area (a line or region), 6 only the country, 7 international waters/air
WHERE_PRECISION: dict[str, GeoPrecision] = {
    "1": "settlement",
    "2": "district",
    "3": "district",
    "4": "region",
    "5": "region",
    "6": "country",
    "7": "country",
}


def _geo(row: CsvRow) -> GeoPoint | None:
    lat = parse_coordinate(row.get("latitude"), "latitude", 90)
    lon = parse_coordinate(row.get("longitude"), "longitude", 180)
    if lat is None or lon is None:
        return None
    precision = WHERE_PRECISION.get(row.get("where_prec") or "1", "country")
    name = next(
        (v for c in ("where_coordinates", "adm_2", "adm_1", "country") if (v := row.get(c))),
        f"{lat:.4f}, {lon:.4f}",
    )
    return GeoPoint(lat=lat, lon=lon, precision=precision, name=name)


def _killed(row: CsvRow) -> CasualtyRange | None:
    low, best, high = (parse_figure(row.get(c), c) for c in ("low", "best", "high"))
    if best is None:
        return None
    low = best if low is None else low
    high = best if high is None else high
    if not low <= best <= high:
        raise BadRow(f"low {low}, best {best}, high {high} are not in order")
    return CasualtyRange(low=low, best=best, high=high)


def describe(row: CsvRow, kind: str, first: dt.date, last: dt.date) -> str:
    """The document text: a neutral sentence about the row."""
    between = row.get("dyad_name") or " and ".join(
        v for c in ("side_a", "side_b") if (v := row.get(c))
    )
    place = ", ".join(v for c in ("where_coordinates", "adm_1", "country") if (v := row.get(c)))
    when = first.isoformat() if last == first else f"{first.isoformat()} to {last.isoformat()}"
    text = f"UCDP GED event {row.require('id')}: {kind}"
    text += f" ({between})" if between else ""
    text += f" in {place}" if place else ""
    text += f", {when}"
    best = row.get("best")
    if best is not None:
        text += f"; best estimate {best} killed (low {row.get('low') or best}, "
        text += f"high {row.get('high') or best})"
    return text + "."


def parse_row(row: CsvRow, now: dt.datetime) -> Reference | None:
    """One GED row as a reference record."""
    event_id = row.require("id")
    first = parse_day(row.require("date_start"), "date_start")
    end = row.get("date_end")
    last = parse_day(end, "date_end") if end is not None else first
    if last < first:
        raise BadRow(f"date_end {end!r} is before date_start")
    violence = row.require("type_of_violence")
    if violence not in VIOLENCE_TYPES:
        raise BadRow(f"type_of_violence {violence!r} is not 1, 2 or 3")
    kind, described = VIOLENCE_TYPES[violence]
    killed = _killed(row)
    text = describe(row, described, first, last)
    doc_id = f"{ORIGIN}:{event_id}"
    if len(doc_id) > 64:
        raise BadRow(f"id {event_id!r} is too long")
    target = side_name(row.get("side_b"))
    if kind == "attack_on_civilians":
        target = "civilians"
    event = Event(
        type=kind,
        actor=side_name(row.get("side_a")),
        target=target,
        source=SOURCE,
        stance="asserts",
        location=row.get("where_coordinates"),
        date=first,
        killed=killed.best if killed else None,
        date_basis="stated",
        evidence=[Evidence(sentence=text, start=0, end=len(text))],
        confidence=1.0,
    )
    return Reference.of_row(
        row,
        doc_id=doc_id,
        origin=ORIGIN,
        outlet=OUTLET,
        title=f"UCDP GED {event_id}",
        event=event,
        geo=_geo(row),
        now=now,
        killed=killed,
        last_date=last if last != first else None,
    )


def import_ucdp(
    store: IncidentStore, path: Path, *, on_bad: Callable[[str], None] = lambda _m: None
) -> ImportSummary:
    """Import a UCDP GED CSV into `store`; bad rows reported through `on_bad`."""
    return import_rows(store, path, read_rows(path, REQUIRED), parse_row, on_bad=on_bad)
