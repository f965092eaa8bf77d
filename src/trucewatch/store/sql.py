"""The registry's one repository class, on SQLAlchemy Core: SQLite by default, or PostgreSQL.

Every write is one transaction and idempotent. Writes take the database's write lock when they
begin (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock, engine.py) and, within one
process, go through one lock.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError

from trucewatch.models import (
    Ceasefire,
    Claim,
    Incident,
    PeriodReport,
    ReportRef,
    Review,
    StoredDocument,
)
from trucewatch.store import rows
from trucewatch.store.base import StoreError
from trucewatch.store.candidates import candidate_incidents, orphan_claims
from trucewatch.store.engine import BEGIN_OPTION
from trucewatch.store.incidents import apply_review, chunks, save_incidents
from trucewatch.store.incidents import update_incident as _update_incident
from trucewatch.store.migrations import FTS_POSTGRES_VECTOR, SPAN_SQL
from trucewatch.store.queries import (
    IncidentQuery,
    IncidentSummary,
    conditions,
    fts_query,
    ordering,
    search_terms,
    unicode_lower,
)
from trucewatch.store.schema import (
    ceasefires,
    documents,
    incidents,
    metadata,
    reviews,
    signatures,
)
from trucewatch.store.schema import claims as _claims
from trucewatch.store.schema import period_reports as _reports

_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class IncidentPage:
    """One page of incidents and how many match in all; `last` is the (updated_at, id) of the
    page's last incident, where a keyset page of order "updated" goes on (IncidentQuery.after)."""

    items: list[Incident]
    total: int
    last: tuple[dt.datetime, str] | None = None


class SqlStore:
    """The incident registry on one SQLAlchemy engine (open it with `open_store`).

    `has_postgis`: the PostgreSQL database has the PostGIS extension (open_store installs it
    when the server offers it); places are plain lat/lon columns either way."""

    def __init__(self, engine: Engine, *, has_postgis: bool = False) -> None:
        self._engine = engine
        self._write_lock = threading.RLock()
        self.has_postgis = has_postgis

    @property
    def engine(self) -> Engine:
        return self._engine

    def __repr__(self) -> str:
        return f"SqlStore({self._engine.url.render_as_string(hide_password=True)!r})"

    # -- connections ---------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (repositories of other tables share the store's engine)."""
        with self._engine.connect() as conn:
            yield conn

    _read = read

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction; a value the database refuses (PostgreSQL: a NUL character in
        text, an id longer than its column) is a StoreError, with nothing written."""
        try:
            with self._write_lock, self._engine.connect() as conn:
                conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
                with conn.begin():
                    yield conn
        except DataError as error:
            raise StoreError(f"refused by the database: {error.orig}") from error

    _write = write

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- documents -----------------------------------------------------------------------------

    def add_document(
        self,
        doc: StoredDocument,
        raw: bytes,
        claims: Sequence[Claim] = (),
        period_reports: Sequence[PeriodReport] = (),
        signature: bytes | None = None,
    ) -> bool:
        """Store a document with its claims, period reports and signature in one transaction.

        False, and nothing changed, when the document is already stored. A StoreError (and
        nothing stored) when any part is refused: a claim or report of another document, a
        repeated claim id, a `duplicate_of` that is not stored."""
        owned = [(c.id, c.document_id) for c in claims]
        owned += [(p.id, p.document_id) for p in period_reports]
        for item_id, owner in owned:
            if owner != doc.id:
                raise StoreError(f"document {doc.id}: {item_id} belongs to document {owner}")
        try:
            with self._write() as conn:
                if _exists(conn, documents.c.id == doc.id):
                    return False
                conn.execute(insert(documents).values(rows.document_row(doc, raw)))
                if signature is not None:
                    conn.execute(insert(signatures).values(document_id=doc.id, minhash=signature))
                if claims:
                    conn.execute(insert(_claims), [rows.claim_row(c) for c in claims])
                if period_reports:
                    conn.execute(
                        insert(_reports), [rows.period_report_row(p) for p in period_reports]
                    )
        except IntegrityError as error:
            if self.has_document(doc.id):  # stored meanwhile by another writer
                return False
            raise StoreError(f"document {doc.id} not stored: {error.orig}") from error
        return True

    def has_document(self, id: str) -> bool:
        with self._read() as conn:
            return _exists(conn, documents.c.id == id)

    def get_document(self, id: str) -> StoredDocument | None:
        found = self._documents(documents.c.id == id)
        return found[0] if found else None

    def report_refs(self, ids: Iterable[str]) -> dict[str, ReportRef]:
        """Document id -> its URL, outlet, title and publication day, for the ids stored."""
        wanted = sorted(set(ids))
        cols = documents.c
        found: dict[str, ReportRef] = {}
        with self._read() as conn:
            for chunk in chunks(wanted):
                query = select(cols.id, cols.url, cols.outlet, cols.title, cols.published)
                for row in conn.execute(query.where(cols.id.in_(chunk))).mappings():
                    found[row["id"]] = ReportRef(
                        url=row["url"],
                        outlet=row["outlet"],
                        title=row["title"],
                        published=row["published"],
                    )
        return found

    def raw_bytes(self, id: str) -> bytes | None:
        with self._read() as conn:
            raw = conn.scalar(select(documents.c.raw).where(documents.c.id == id))
        return None if raw is None else bytes(raw)

    def documents(self, limit: int | None = None) -> list[StoredDocument]:
        """Stored documents in ingest order (then id), at most `limit` of them."""
        return self._documents(None, limit)

    def documents_not_extracted(self, read: Sequence[str]) -> list[StoredDocument]:
        """Stored documents in a language that no reader of `read` (ISO codes) extracts."""
        return self._documents(documents.c.language.not_in(list(read)))

    def _documents(
        self, where: ColumnElement[bool] | None, limit: int | None = None
    ) -> list[StoredDocument]:
        query = select(*(documents.c[name] for name in rows.DOCUMENT_FIELDS))
        if where is not None:
            query = query.where(where)
        query = query.order_by(documents.c.ingested_at, documents.c.id).limit(limit)
        with self._read() as conn:
            return [rows.document_from_row(row) for row in conn.execute(query).mappings()]

    def signatures(self, since: dt.datetime | None = None) -> Iterator[tuple[str, bytes]]:
        """(document id, MinHash bytes) of every signed document — or of those ingested at or
        after `since` — in the order they were ingested, streamed."""
        query = (
            select(signatures.c.document_id, signatures.c.minhash)
            .join(documents, documents.c.id == signatures.c.document_id)
            .order_by(documents.c.ingested_at, signatures.c.document_id)
        )
        if since is not None:
            query = query.where(documents.c.ingested_at >= since)
        with self._read() as conn:
            for document_id, minhash in conn.execution_options(yield_per=1000).execute(query):
                yield document_id, bytes(minhash)

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents containing every term of `query`, best match first.

        Terms are matched as words on SQLite (FTS5) and PostgreSQL (`plainto_tsquery`), as
        substrings elsewhere; search operators in `query` are searched for as text, never
        interpreted."""
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            return self._search_postgresql(query, limit)
        if dialect == "sqlite":
            expression = fts_query(query)
            if not expression:
                return []
            sql = text(
                "SELECT document_id FROM documents_fts WHERE documents_fts MATCH :q "
                "ORDER BY rank, document_id LIMIT :n"
            )
            with self._read() as conn:
                return list(conn.scalars(sql, {"q": expression, "n": limit}))
        terms = search_terms(query)
        if not terms:
            return []
        lowered = unicode_lower(documents.c.text)
        like = and_(*(lowered.contains(t, autoescape=True) for t in terms))
        with self._read() as conn:
            found = conn.scalars(
                select(documents.c.id).where(like).order_by(documents.c.id).limit(limit)
            )
            return list(found)

    def _search_postgresql(self, query: str, limit: int) -> list[str]:
        query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        if not _WORD.search(query):
            return []  # plainto_tsquery would match nothing, with a NOTICE
        sql = text(
            f"SELECT id FROM documents, plainto_tsquery('simple', :q) AS query "
            f"WHERE {FTS_POSTGRES_VECTOR} @@ query "
            f"ORDER BY ts_rank({FTS_POSTGRES_VECTOR}, query) DESC, id LIMIT :n"
        )
        with self._read() as conn:
            return list(conn.scalars(sql, {"q": query, "n": limit}))

    # -- claims and incidents ------------------------------------------------------------------

    def claims(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        unlinked: bool = False,
        document_id: str | None = None,
    ) -> list[Claim]:
        """Claims by event date (undated ones only when no date bound is given)."""
        query = select(_claims)
        if since is not None:
            query = query.where(_claims.c.date >= since)
        if until is not None:
            query = query.where(_claims.c.date <= until)
        if unlinked:
            query = query.where(_claims.c.incident_id.is_(None))
        if document_id is not None:
            query = query.where(_claims.c.document_id == document_id)
        query = query.order_by(_claims.c.document_id, _claims.c.idx)
        with self._read() as conn:
            return [rows.claim_from_row(row) for row in conn.execute(query).mappings()]

    def link_candidates(
        self,
        windows: Sequence[tuple[dt.date, dt.date, tuple[float, float, str] | None]],
        points: Sequence[tuple[float, float]],
    ) -> list[Incident]:
        """Incidents new claims may join, read through indexes (store.candidates)."""
        with self._read() as conn:
            return candidate_incidents(conn, windows, points)

    def orphan_claims(self) -> list[Claim]:
        """Linkable claims left without an incident (store.candidates)."""
        with self._read() as conn:
            return orphan_claims(conn)

    def save_incidents(self, incidents: Sequence[Incident], *, linking: bool = False) -> list[str]:
        """Upsert incidents and link the claims each lists, in one transaction; returns the
        ids of the incidents skipped as stale (only when `linking`).

        An incident's `claims` is its whole claim set: listed claims are linked to it, claims
        it no longer lists are unlinked. The stored version goes up by one whenever a stored
        incident's data or claim set changes (an unchanged re-save changes nothing); incidents
        left without claims are deleted. Review state (status, overrides) is kept as stored,
        the overrides applied over the new summaries. A StoreError (nothing saved) for an
        unknown claim id or a claim listed by two incidents.

        `linking`: the linker's save, computed from an earlier read. An incident stored at
        another version than the one it carries was changed since (a review, another linker)
        and is skipped, its new claims left unlinked for the next relink; only claims without
        an incident are linked, none is moved or unlinked. Analysts' changes of claim sets go
        through `apply_review`."""
        with self._write() as conn:
            return save_incidents(conn, incidents, now=dt.datetime.now(dt.UTC), linking=linking)

    def incidents(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        ceasefire_id: str | None = None,
        side: str | None = None,
        type: str | None = None,
        include_historical: bool = False,
        include_rejected: bool = False,
    ) -> list[Incident]:
        """Incidents with their claims, by first date then id.

        `since`/`until` keep incidents whose [first_date, last_date] overlaps them (undated
        ones only when no bound is given); `side` keeps those where any claim names it as
        actor or target. Incidents an analyst rejected are left out unless asked for."""
        query = select(incidents)
        if not include_rejected:
            query = query.where(incidents.c.status != "rejected")
        if since is not None:
            query = query.where(
                func.coalesce(incidents.c.last_date, incidents.c.first_date) >= since
            )
        if until is not None:
            query = query.where(incidents.c.first_date <= until)
        if ceasefire_id is not None:
            query = query.where(incidents.c.ceasefire_id == ceasefire_id)
        if type is not None:
            query = query.where(incidents.c.type == type)
        if not include_historical:
            query = query.where(incidents.c.historical.is_(False))
        if side is not None:
            wanted = side.lower()  # side names are matched ignoring case, in any alphabet
            names = or_(
                unicode_lower(_claims.c.actor) == wanted, unicode_lower(_claims.c.target) == wanted
            )
            query = query.where(exists().where(_claims.c.incident_id == incidents.c.id, names))
        return self._incidents(query)

    def incident_page(
        self, q: IncidentQuery, *, limit: int, offset: int = 0, with_claims: bool = True
    ) -> IncidentPage:
        """A page of the incidents `q` selects, in its order, and how many it selects in all;
        `with_claims=False` leaves every incident's claim list empty (maps, counts)."""
        with self._read() as conn:
            where = self.where(conn, q)
            counted = select(func.count()).select_from(incidents).where(*where)
            query = select(incidents).where(*where).order_by(*ordering(q.order))
            total = conn.scalar(counted) or 0
            found = list(conn.execute(query.limit(limit).offset(offset)).mappings())
            by_incident: dict[str, list[Claim]] = {}
            if with_claims and found:
                ids = [row["id"] for row in found]
                for part in chunks(ids):
                    linked = (
                        select(_claims)
                        .where(_claims.c.incident_id.in_(part))
                        .order_by(_claims.c.document_id, _claims.c.idx)
                    )
                    for row in conn.execute(linked).mappings():
                        by_incident.setdefault(row["incident_id"], []).append(
                            rows.claim_from_row(row)
                        )
        items = [rows.incident_from_row(row, by_incident.get(row["id"], [])) for row in found]
        last = (found[-1]["updated_at"], found[-1]["id"]) if found else None
        return IncidentPage(items=items, total=total, last=last)

    def count_incidents(self, q: IncidentQuery) -> int:
        """How many incidents `q` selects."""
        with self._read() as conn:
            counted = select(func.count()).select_from(incidents).where(*self.where(conn, q))
            return conn.scalar(counted) or 0

    def incident_summaries(self, q: IncidentQuery, *, limit: int) -> list[IncidentSummary]:
        """The first `limit` incidents `q` selects, as summaries for maps and charts."""
        columns = [
            incidents.c.id,
            incidents.c.type,
            incidents.c.first_date,
            incidents.c.lat,
            incidents.c.lon,
            incidents.c.status,
            incidents.c.data,
        ]
        with self._read() as conn:
            where = self.where(conn, q)
            query = select(*columns).where(*where).order_by(*ordering(q.order)).limit(limit)
            return [IncidentSummary.from_row(row) for row in conn.execute(query)]

    def blame_pairs(self, q: IncidentQuery) -> set[tuple[str, str]]:
        """Every (claimant, blamed side) pair of the incidents `q` selects, read inside the
        database (the bulletin's "first time" needs all of them, over the whole registry)."""
        dialect = self._engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):  # elsewhere: read the summaries
            return {
                (claimant, side)
                for i in self.incident_summaries(q, limit=10_000_000)
                for claimant, sides in i.blamed.items()
                for side in sides
            }
        if dialect == "sqlite":
            claimants = func.json_each(incidents.c.data, "$.blamed")
        else:  # functions in FROM may refer to the tables before them (implicitly LATERAL)
            claimants = func.json_each(incidents.c.data["blamed"])
        claimant = claimants.table_valued("key", "value").alias("claimant")
        sides_of = (
            func.json_each(claimant.c.value)
            if dialect == "sqlite"
            else func.json_array_elements_text(claimant.c.value)
        )
        side = sides_of.table_valued("value").alias("side")
        with self._read() as conn:
            where = self.where(conn, q)
            query = (
                select(claimant.c.key, side.c.value)
                .select_from(incidents)
                .join(claimant, true())
                .join(side, true())
                .where(*where)
                .distinct()
            )
            return {(str(k), str(v)) for k, v in conn.execute(query)}

    def where(self, conn: Connection, q: IncidentQuery) -> list[ColumnElement[bool]]:
        """`q`'s WHERE clauses; with a lower date bound, the longest incident's span first
        (read off ix_incidents_span), so the bound is a range of first days."""
        dialect = self._engine.dialect.name
        longest = None
        if q.since is not None and dialect in SPAN_SQL:
            span = conn.exec_driver_sql(f"SELECT max({SPAN_SQL[dialect]}) FROM incidents")
            value = span.scalar()
            longest = math.ceil(value) if value is not None else 0
        return conditions(q, dialect, longest=longest)

    def get_incident(self, id: str) -> Incident | None:
        found = self._incidents(select(incidents).where(incidents.c.id == id))
        return found[0] if found else None

    def _incidents(self, query: Select[Any]) -> list[Incident]:
        ids = query.with_only_columns(incidents.c.id).scalar_subquery()
        linked = (
            select(_claims)
            .where(_claims.c.incident_id.in_(ids))
            .order_by(_claims.c.document_id, _claims.c.idx)
        )
        ordered = query.order_by(
            incidents.c.first_date.is_(None), incidents.c.first_date, incidents.c.id
        )
        with self._read() as conn:
            by_incident: dict[str, list[Claim]] = {}
            for row in conn.execute(linked).mappings():
                by_incident.setdefault(row["incident_id"], []).append(rows.claim_from_row(row))
            return [
                rows.incident_from_row(row, by_incident.get(row["id"], []))
                for row in conn.execute(ordered).mappings()
            ]

    # -- ceasefires and period reports ---------------------------------------------------------

    def add_ceasefire(self, c: Ceasefire) -> bool:
        """Store a ceasefire; False (and nothing changed) when its id is already stored."""
        with self._write() as conn:
            if _exists(conn, ceasefires.c.id == c.id):
                return False
            conn.execute(insert(ceasefires).values(rows.ceasefire_row(c)))
        return True

    def ceasefires(self) -> list[Ceasefire]:
        query = select(ceasefires).order_by(ceasefires.c.start, ceasefires.c.id)
        with self._read() as conn:
            return [rows.ceasefire_from_row(row) for row in conn.execute(query).mappings()]

    def period_reports(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        ceasefire_id: str | None = None,
    ) -> list[PeriodReport]:
        """Period reports whose [start, end] overlaps the bounds (undated ones only unbounded)."""
        query = select(_reports)
        if since is not None:
            query = query.where(func.coalesce(_reports.c.end, _reports.c.start) >= since)
        if until is not None:
            query = query.where(func.coalesce(_reports.c.start, _reports.c.end) <= until)
        if ceasefire_id is not None:
            query = query.where(_reports.c.ceasefire_id == ceasefire_id)
        query = query.order_by(_reports.c.start.is_(None), _reports.c.start, _reports.c.id)
        with self._read() as conn:
            return [rows.period_report_from_row(row) for row in conn.execute(query).mappings()]

    def set_period_ceasefire(self, report_id: str, ceasefire_id: str | None) -> bool:
        """Count a period report against a ceasefire (None: against none); False if unknown."""
        with self._write() as conn:
            result = conn.execute(
                update(_reports).where(_reports.c.id == report_id).values(ceasefire_id=ceasefire_id)
            )
            return result.rowcount > 0

    # -- reviews -------------------------------------------------------------------------------

    def add_review(self, r: Review) -> int:
        """Store a review; return the id the store gave it (`r.id` is ignored)."""
        with self._write() as conn:
            result = conn.execute(insert(reviews).values(rows.review_row(r)))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def update_incident(
        self, incident: Incident, *, expected_version: int, review: Review
    ) -> Incident:
        """A reviewer's edit of an incident, with optimistic locking, in one transaction.

        Writes `incident`'s own fields (not its claims: linking is save_incidents' job) if
        the stored version is still `expected_version` (the one the reviewer loaded), bumps
        the version, and stores `review` as its audit record: both or neither. An empty
        `review.before` / `review.after` is filled with the stored data before the edit / the
        data written. StaleVersionError, and nothing written, when someone else changed (or
        removed) the incident meanwhile. Returns the incident as now stored (new version, its
        linked claims)."""
        with self._write() as conn:
            return _update_incident(
                conn,
                incident,
                expected_version=expected_version,
                review=review,
                now=dt.datetime.now(dt.UTC),
            )

    def apply_review(
        self,
        changed: Sequence[Incident],
        *,
        expected: Mapping[str, int],
        reviews: Sequence[Review],
    ) -> None:
        """A reviewer's change of several incidents at once (merge, split), all or nothing:
        refused with StaleVersionError unless every incident in `expected` is still stored at
        the version given; then `changed` are saved as they are (claim sets, review state and
        overrides included; an incident left without claims is deleted) and `reviews` stored."""
        with self._write() as conn:
            apply_review(
                conn, changed, expected=expected, audit=reviews, now=dt.datetime.now(dt.UTC)
            )

    def reviews(self, incident_id: str) -> list[Review]:
        query = (
            select(reviews)
            .where(reviews.c.incident_id == incident_id)
            .order_by(reviews.c.at, reviews.c.id)
        )
        with self._read() as conn:
            return [rows.review_from_row(row) for row in conn.execute(query).mappings()]

    # -- maintenance ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (schema_migrations included)."""
        with self._read() as conn:
            return {
                table.name: conn.scalar(select(func.count()).select_from(table)) or 0
                for table in metadata.sorted_tables
            }

    def integrity_check(self) -> bool:
        """SQLite: the file passes PRAGMA integrity_check and foreign_key_check. PostgreSQL
        (which checks pages and foreign keys itself): no index of the store's tables is
        invalid and no constraint is left unvalidated. True elsewhere."""
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            tables = {"tables": [table.name for table in metadata.sorted_tables]}
            with self._read() as conn:
                return conn.scalar(_POSTGRES_SANITY, tables) is True
        if dialect != "sqlite":
            return True
        with self._read() as conn:
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            violations = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        return result == ["ok"] and violations is None


_POSTGRES_SANITY = text(
    "SELECT NOT EXISTS (SELECT FROM pg_index WHERE indrelid = ANY(CAST(:tables AS regclass[])) "
    "AND NOT (indisvalid AND indisready)) AND NOT EXISTS (SELECT FROM pg_constraint "
    "WHERE conrelid = ANY(CAST(:tables AS regclass[])) AND NOT convalidated)"
)


def _exists(conn: Connection, where: ColumnElement[bool]) -> bool:
    return conn.scalar(select(exists().where(where))) is True
