"""ACLED's public CSV export as reference incidents (`trucewatch import acled FILE.csv`).

Columns are ACLED's (event_id_cnty, event_date, event_type, sub_event_type, actor1, actor2,
location, latitude, longitude, geo_precision, fatalities, notes, ...); every column but
event_id_cnty, event_date and event_type may be missing. The sub-event type gives our type
(`SUB_EVENT_TYPES`); rows that are no ceasefire violation (protests, riots, arrests, other
strategic developments) are skipped. See docs/reference-data.md for the tables.
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
    parse_int,
    read_rows,
)
from trucewatch.importers.load import ImportSummary, Reference, import_rows
from trucewatch.models import Event, EventType, Evidence, GeoPoint, GeoPrecision, Weapon
from trucewatch.store.base import IncidentStore

ORIGIN = "acled"
OUTLET = "ACLED"
SOURCE = "ACLED"
REQUIRED = ("event_id_cnty", "event_date", "event_type")

# ACLED sub-event type -> (our type, weapon); None: not a ceasefire violation, skipped
SUB_EVENT_TYPES: dict[str, tuple[EventType, Weapon | None] | None] = {
    # Battles
    "armed clash": ("armed_clash", None),
    "government regains territory": ("territory_seizure", None),
    "non-state actor overtakes territory": ("territory_seizure", None),
    # Explosions/Remote violence
    "shelling/artillery/missile attack": ("shelling", None),
    "air/drone strike": ("drone_strike", None),
    "remote explosive/landmine/ied": ("explosive", "explosive"),
    "suicide bomb": ("explosive", "explosive"),
    "grenade": ("explosive", "explosive"),
    "chemical weapon": ("ceasefire_violation", None),
    # Violence against civilians
    "attack": ("attack_on_civilians", None),
    "abduction/forced disappearance": ("attack_on_civilians", None),
    "sexual violence": ("attack_on_civilians", None),
    # Strategic developments
    "non-violent transfer of territory": ("territory_seizure", None),
    "disrupted weapons use": ("shoot_down", None),
    "agreement": ("ceasefire_agreement", None),
    "arrests": None,
    "change to group/activity": None,
    "headquarters or base established": None,
    "looting/property destruction": None,
    "other": None,
    # Protests and Riots
    "peaceful protest": None,
    "protest with intervention": None,
    "excessive force against protesters": None,
    "violent demonstration": None,
    "mob violence": None,
}
# event type -> our type for a sub-event type not in the table (None: skipped)
EVENT_TYPES: dict[str, EventType | None] = {
    "battles": "armed_clash",
    "explosions/remote violence": "ceasefire_violation",
    "violence against civilians": "attack_on_civilians",
    "strategic developments": None,
    "protests": None,
    "riots": None,
}
# ACLED geo_precision: 1 the named place, 2 near it / its district, 3 only the province known
GEO_PRECISION: dict[str, GeoPrecision] = {"1": "settlement", "2": "district", "3": "region"}


def classify(event_type: str, sub_event_type: str | None) -> tuple[EventType, Weapon | None] | None:
    """Our (type, weapon) for an ACLED row; None for a row that is skipped."""
    if sub_event_type is not None and sub_event_type.casefold() in SUB_EVENT_TYPES:
        return SUB_EVENT_TYPES[sub_event_type.casefold()]
    kind = EVENT_TYPES.get(event_type.casefold(), "ceasefire_violation")
    return None if kind is None else (kind, None)


def _geo(row: CsvRow) -> GeoPoint | None:
    lat = parse_coordinate(row.get("latitude"), "latitude", 90)
    lon = parse_coordinate(row.get("longitude"), "longitude", 180)
    if lat is None or lon is None:
        return None
    precision = GEO_PRECISION.get(row.get("geo_precision") or "1", "settlement")
    name = next(
        (v for c in ("location", "admin3", "admin2", "admin1", "country") if (v := row.get(c))),
        f"{lat:.4f}, {lon:.4f}",
    )
    return GeoPoint(lat=lat, lon=lon, precision=precision, name=name)


def _published(row: CsvRow) -> dt.date | None:
    stamp = parse_int(row.get("timestamp"), "timestamp")
    return None if stamp is None else dt.datetime.fromtimestamp(stamp, dt.UTC).date()


def describe(row: CsvRow, day: dt.date) -> str:
    """The document text: a neutral sentence about the row, then ACLED's own notes."""
    kind = " / ".join(v for c in ("event_type", "sub_event_type") if (v := row.get(c)))
    place = ", ".join(v for c in ("location", "admin1", "country") if (v := row.get(c)))
    actors = " and ".join(v for c in ("actor1", "actor2") if (v := row.get(c)))
    text = f"ACLED event {row.require('event_id_cnty')} ({kind}) on {day.isoformat()}"
    text += f" in {place}" if place else ""
    text += f", involving {actors}" if actors else ""
    fatalities = row.get("fatalities")
    text += f"; fatalities: {fatalities}." if fatalities is not None else "."
    notes = row.get("notes")
    return f"{text} {notes}" if notes else text


def parse_row(row: CsvRow, now: dt.datetime) -> Reference | None:
    """One ACLED row as a reference record; None when it is no ceasefire violation."""
    event_id = row.require("event_id_cnty")
    day = parse_day(row.require("event_date"), "event_date")
    classified = classify(row.require("event_type"), row.get("sub_event_type"))
    if classified is None:
        return None
    kind, weapon = classified
    target = side_name(row.get("actor2"))
    if target is None and row.get("civilian_targeting"):
        target = "civilians"
    text = describe(row, day)
    doc_id = f"{ORIGIN}:{event_id}"
    if len(doc_id) > 64:
        raise BadRow(f"event_id_cnty {event_id!r} is too long")
    event = Event(
        type=kind,
        actor=side_name(row.get("actor1")),
        target=target,
        source=SOURCE,
        stance="asserts",
        weapon=weapon,
        location=row.get("location"),
        date=day,
        killed=parse_figure(row.get("fatalities"), "fatalities"),
        date_basis="stated",
        evidence=[Evidence(sentence=text, start=0, end=len(text))],
        confidence=1.0,
    )
    return Reference.of_row(
        row,
        doc_id=doc_id,
        origin=ORIGIN,
        outlet=OUTLET,
        title=f"ACLED {event_id}",
        event=event,
        geo=_geo(row),
        now=now,
        published=_published(row),
    )


def import_acled(
    store: IncidentStore, path: Path, *, on_bad: Callable[[str], None] = lambda _m: None
) -> ImportSummary:
    """Import an ACLED CSV export into `store`; bad rows reported through `on_bad`."""
    return import_rows(store, path, read_rows(path, REQUIRED), parse_row, on_bad=on_bad)
