"""The linker's reads: only what new claims can touch, each through an index.

- **Dated candidates**: incidents whose days overlap a claim's window and, for a claim with a
  point, that it can reach (`_near`): a settlement joins settlements within 25 km and areas
  whose radius may reach it; incidents with no point are always in. Of those, at most
  `MAX_PER_CLAIM`, the nearest first (incidents with no point count as nearest). The window's
  lower bound is moved back by the longest incident span (read off `ix_incidents_span`), so
  the read is a range of `ix_incidents_by_day_place` (first_date, lat, lon; migration 7) that
  checks the box inside the index; only the incidents found are loaded with their claims.
- **Undated candidates**: undated incidents whose point lies in a box around an undated claim's
  point (`ix_incidents_undated_place`, a partial index over undated incidents, migration 7). An
  undated claim joins only the same place (link.decision), so nothing else can be joined.
- **Orphans**: linkable claims left without an incident (a batch killed between storing and
  linking, a save skipped as stale), read off `ix_claims_unlinked` (migration 7): what a normal
  run leaves is none, so the read does not grow with the registry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, true

from trucewatch.models import VIOLENT_TYPES, Claim, Incident
from trucewatch.store import rows
from trucewatch.store.incidents import chunks
from trucewatch.store.migrations import SPAN_SQL
from trucewatch.store.schema import claims, incidents

BOX_DEGREES = 0.25  # half-side of the box an undated claim's place is looked up in

Box = tuple[float, float, str] | None  # a claim's (lat, lon, precision); None: anywhere
# how far a claim of a precision can join: a settlement joins another settlement within 25 km
# (link.decision vetoes more) and an area whose radius reaches it; an area anything inside it
REACH_KM = {"settlement": 25.0, "district": 65.0, "region": 145.0}
AREA_KM = 120.0  # the largest area radius link.decision knows (a region)
_KM_PER_DEGREE = 111.0
MAX_PER_CLAIM = 100
"""At most this many incidents, the nearest first, are read for one claim with a point: the cost
of linking a claim stays flat however dense the registry is around it."""


def _longest_span(conn: Connection) -> int:
    span = SPAN_SQL.get(conn.dialect.name)
    if span is None:
        return 36500  # another database: no span index, any span
    value = conn.exec_driver_sql(f"SELECT max({span}) FROM incidents").scalar()
    return math.ceil(value) if value is not None else 0


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def candidate_incidents(
    conn: Connection,
    windows: Sequence[tuple[dt.date, dt.date, Box]],
    points: Sequence[tuple[float, float]],
    *,
    limit: int = MAX_PER_CLAIM,
) -> list[Incident]:
    """Incidents (rejected ones included, with their claims) overlapping a window (since,
    until, box): with a box, only those whose point is in it or that have none; and undated
    incidents near any of `points` (lat, lon)."""
    ids: set[str] = set()
    if windows:
        longest = _longest_span(conn)
        last = func.coalesce(incidents.c.last_date, incidents.c.first_date)
        for since, until, box in windows:
            query = select(incidents.c.id).where(
                incidents.c.first_date >= _shift(since, longest),
                incidents.c.first_date <= until,
                last >= since,
            )
            if box is not None:
                lat, lon, _precision = box
                distance = func.coalesce(
                    func.abs(incidents.c.lat - lat) + func.abs(incidents.c.lon - lon), 0.0
                )
                query = query.where(_near(*box)).order_by(distance, incidents.c.id)
                query = query.limit(limit)
            ids.update(conn.scalars(query))
    for lat, lon in points:
        query = select(incidents.c.id).where(
            incidents.c.first_date.is_(None),
            incidents.c.lat.between(lat - BOX_DEGREES, lat + BOX_DEGREES),
            incidents.c.lon.between(lon - BOX_DEGREES, lon + BOX_DEGREES),
        )
        ids.update(conn.scalars(query))
    return _load(conn, sorted(ids))


def _square(lat: float, lon: float, km: float) -> ColumnElement[bool]:
    dlat = km / _KM_PER_DEGREE
    dlon = km / (_KM_PER_DEGREE * max(0.1, math.cos(math.radians(lat))))
    return and_(
        incidents.c.lat.between(lat - dlat, lat + dlat),
        incidents.c.lon.between(lon - dlon, lon + dlon),
    )


def _near(lat: float, lon: float, precision: str) -> ColumnElement[bool]:
    """Incidents a claim at this point can join: no point; a point within its reach; or an
    area (not a settlement) whose radius may reach it."""
    reach = REACH_KM.get(precision)
    if reach is None:  # a country's point: anywhere
        return true()
    precision_of = incidents.c.data["geo"]["precision"].as_string()
    return or_(
        incidents.c.lat.is_(None),
        _square(lat, lon, reach),
        and_(_square(lat, lon, reach + AREA_KM), precision_of != "settlement"),
    )


def _load(conn: Connection, ids: Sequence[str]) -> list[Incident]:
    by_incident: dict[str, list[Claim]] = {}
    found: list[Any] = []
    for part in chunks(ids):
        linked = (
            select(claims)
            .where(claims.c.incident_id.in_(part))
            .order_by(claims.c.document_id, claims.c.idx)
        )
        for row in conn.execute(linked).mappings():
            by_incident.setdefault(row["incident_id"], []).append(rows.claim_from_row(row))
        found.extend(conn.execute(select(incidents).where(incidents.c.id.in_(part))).mappings())
    return [rows.incident_from_row(row, by_incident.get(row["id"], [])) for row in found]


def orphan_claims(conn: Connection) -> list[Claim]:
    """Linkable (violent, current) claims without an incident."""
    query = (
        select(claims)
        .where(
            claims.c.incident_id.is_(None),
            and_(claims.c.historical.is_(False), claims.c.type.in_(sorted(VIOLENT_TYPES))),
        )
        .order_by(claims.c.document_id, claims.c.idx)
    )
    return [rows.claim_from_row(row) for row in conn.execute(query).mappings()]
