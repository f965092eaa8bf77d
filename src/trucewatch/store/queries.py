"""Incident queries of the web app and the API: filters, order and pages, all in SQL.

Every filter value is a bound parameter; text search goes through the backend's full-text
index with the user's words quoted (an FTS5 or tsquery operator is searched for as text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from trucewatch.models import REFERENCE_ORIGINS, Incident, ReviewStatus
from trucewatch.store.engine import UNICODE_LOWER
from trucewatch.store.migrations import FTS_POSTGRES_VECTOR
from trucewatch.store.schema import claims, documents, incidents

_TERM = re.compile(r"\S+")
_WORD = re.compile(r"\w")
KM_PER_DEGREE = 111.195  # along a meridian (mean Earth radius 6371 km)

Order = Literal["date", "-date", "updated", "uncertainty"]
Origin = Literal["trucewatch", "acled", "ucdp", "all"]


def fts_query(query: str) -> str:
    """`query` as an FTS5 expression that cannot be a syntax error: every whitespace-separated
    term becomes a quoted string (quotes doubled), all of them required. Terms without a
    letter or digit are dropped, so the result may be empty. NUL characters, which SQLite's
    FTS5 parser takes for the end of the string, are dropped first."""
    terms = [t for t in _TERM.findall(query.replace("\x00", "")) if _WORD.search(t)]
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search_terms(query: str) -> list[str]:
    """The lower-cased words of `query` (the LIKE fallback of backends without full text)."""
    return [t.lower() for t in _TERM.findall(query.replace("\x00", "")) if _WORD.search(t)]


@dataclass(frozen=True)
class Near:
    """Within `km` kilometres of a point."""

    lat: float
    lon: float
    km: float


@dataclass(frozen=True)
class IncidentQuery:
    """Which incidents, in which order. Defaults: ours, current, not rejected (with
    `updated_since`, a sync, rejected ones too: their status says so), by date."""

    since: dt.date | None = None
    until: dt.date | None = None
    ceasefire_id: str | None = None
    side: str | None = None
    type: str | None = None
    near: Near | None = None
    text: str | None = None
    updated_since: dt.datetime | None = None
    status: ReviewStatus | None = None
    origin: Origin = "trucewatch"
    include_historical: bool = False
    order: Order = "date"
    after: tuple[dt.datetime, str] | None = None  # order "updated": past this (updated_at, id)


def _origin(origin: Origin) -> ColumnElement[bool]:
    if origin == "all":
        return true()
    prefixes = [
        incidents.c.id.startswith(f"{name}:", autoescape=True) for name in REFERENCE_ORIGINS
    ]
    if origin == "trucewatch":
        return not_(or_(*prefixes))
    return incidents.c.id.startswith(f"{origin}:", autoescape=True)


def _near(near: Near) -> ColumnElement[bool]:
    """Equirectangular distance (exact enough at the tens-of-kilometres scale filters use),
    written as arithmetic both backends index-free evaluate; a bounding box first."""
    dlat = near.km / KM_PER_DEGREE
    shrink = max(math.cos(math.radians(near.lat)), 1e-6)
    dlon = dlat / shrink
    lat, lon = incidents.c.lat, incidents.c.lon
    return and_(
        lat.between(near.lat - dlat, near.lat + dlat),
        lon.between(near.lon - dlon, near.lon + dlon),
        (lat - near.lat) * (lat - near.lat) + (lon - near.lon) * shrink * (lon - near.lon) * shrink
        <= dlat * dlat,
    )


def _text(query: str, dialect: str) -> ColumnElement[bool]:
    """Incidents with a claim from a document containing every word of `query`."""
    matching: Select[Any]
    if dialect == "sqlite":
        expression = fts_query(query)
        if not expression:
            return false()
        matching = (
            select(literal_column("document_id"))
            .select_from(text("documents_fts"))
            .where(text("documents_fts MATCH :fts").bindparams(fts=expression))
        )
    elif dialect == "postgresql":
        query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        if not _WORD.search(query):
            return false()
        matching = select(documents.c.id).where(
            text(f"{FTS_POSTGRES_VECTOR} @@ plainto_tsquery('simple', :fts)").bindparams(fts=query)
        )
    else:
        terms = search_terms(query)
        if not terms:
            return false()
        lowered = unicode_lower(documents.c.text)
        matching = select(documents.c.id).where(
            and_(*(lowered.contains(t, autoescape=True) for t in terms))
        )
    return exists().where(
        claims.c.incident_id == incidents.c.id, claims.c.document_id.in_(matching)
    )


def conditions(
    q: IncidentQuery, dialect: str, *, longest: int | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `q` (see SqlStore.incidents for the date and side semantics).
    `longest`: the most days any stored incident lasts (SqlStore reads it off an index), so
    that a lower date bound becomes a range of first days the date index serves."""
    where: list[ColumnElement[bool]] = [_origin(q.origin)]
    if q.since is not None:  # [first, last] overlaps [since, ...]
        where.append(
            or_(
                incidents.c.last_date >= q.since,
                and_(incidents.c.last_date.is_(None), incidents.c.first_date >= q.since),
            )
        )
        if longest is not None:  # implied by the above: no incident starts earlier
            try:
                where.append(incidents.c.first_date >= q.since - dt.timedelta(days=longest))
            except OverflowError:
                pass
    if q.until is not None:
        where.append(incidents.c.first_date <= q.until)
    if q.ceasefire_id is not None:
        where.append(incidents.c.ceasefire_id == q.ceasefire_id)
    if q.type is not None:
        where.append(incidents.c.type == q.type)
    if not q.include_historical:
        where.append(incidents.c.historical.is_(False))
    if q.status is not None:
        where.append(incidents.c.status == q.status)
    elif q.updated_since is None:  # rejected ones are left out, but a sync sees them change
        where.append(incidents.c.status != "rejected")
    if q.updated_since is not None:
        where.append(incidents.c.updated_at >= q.updated_since)
    if q.near is not None:
        where.append(_near(q.near))
    if q.side is not None:
        wanted = q.side.lower()  # side names are matched ignoring case, in any alphabet
        names = or_(
            unicode_lower(claims.c.actor) == wanted, unicode_lower(claims.c.target) == wanted
        )
        where.append(exists().where(claims.c.incident_id == incidents.c.id, names))
    if q.text:
        where.append(_text(q.text, dialect))
    if q.after is not None:  # a keyset page of order "updated": what follows the last one read
        at, last = q.after
        where.append(
            or_(
                incidents.c.updated_at > at,
                and_(incidents.c.updated_at == at, incidents.c.id > last),
            )
        )
    return where


def ordering(order: Order) -> list[ColumnElement[Any]]:
    """ORDER BY of each order, always ending in the id so pages never overlap."""
    by_date = [incidents.c.first_date.is_(None), incidents.c.first_date]
    if order == "-date":  # as ix_incidents_by_date_desc (migration 5) has it
        return [
            incidents.c.first_date.is_(None),
            incidents.c.first_date.desc(),
            incidents.c.id.desc(),
        ]
    if order == "updated":
        return [incidents.c.updated_at, incidents.c.id]
    if order == "uncertainty":
        return [incidents.c.uncertainty.desc(), *by_date, incidents.c.id]
    return [*by_date, incidents.c.id]


@dataclass(frozen=True)
class IncidentSummary:
    """What maps and charts need of an incident, read without validating the whole record
    (the map of a large registry draws thousands)."""

    id: str
    type: str
    first_date: dt.date | None
    lat: float | None
    lon: float | None
    location: str | None
    killed: int | None
    injured: int | None
    blamed: dict[str, list[str]]
    denied_by: list[str]
    status: str

    @staticmethod
    def of(incident: Incident) -> IncidentSummary:
        geo = incident.geo
        return IncidentSummary(
            id=incident.id,
            type=incident.type,
            first_date=incident.first_date,
            lat=geo.lat if geo else None,
            lon=geo.lon if geo else None,
            location=incident.location,
            killed=incident.killed.best,
            injured=incident.injured.best,
            blamed=incident.blamed,
            denied_by=incident.denied_by,
            status=incident.status,
        )

    @staticmethod
    def from_row(row: Any) -> IncidentSummary:
        data = row.data
        return IncidentSummary(
            id=row.id,
            type=row.type,
            first_date=row.first_date,
            lat=row.lat,
            lon=row.lon,
            location=data.get("location"),
            killed=(data.get("killed") or {}).get("best"),
            injured=(data.get("injured") or {}).get("best"),
            blamed={str(k): [str(s) for s in v] for k, v in (data.get("blamed") or {}).items()},
            denied_by=[str(s) for s in data.get("denied_by") or []],
            status=row.status,
        )


class unicode_lower(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """lower() over all of Unicode on every backend: SQLite's own lower() folds ASCII only, so
    there it is the Python function the store registers on each connection (store.engine);
    PostgreSQL's lower() follows the database's character type (a UTF-8 one is needed)."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{UNICODE_LOWER}({compiler.process(element.clauses, **kw)})"
