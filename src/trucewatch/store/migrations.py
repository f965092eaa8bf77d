"""Ordered, named schema migrations, recorded in `schema_migrations` (like sqlite-utils).

Each migration runs in its own transaction together with the row that records it, so a crash
leaves either both or neither. `migrate` is idempotent: it applies only what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine, insert, inspect, select, update

from trucewatch.models import Claim, Incident
from trucewatch.store import rows
from trucewatch.store.base import StoreError
from trucewatch.store.engine import BEGIN_OPTION
from trucewatch.store.schema import (
    ACCOUNT_TABLES,
    DATA_TABLES,
    claims,
    incidents,
    metadata,
    schema_migrations,
)


class MigrationFn(Protocol):
    def __call__(self, conn: Connection, /) -> None: ...


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: MigrationFn


def _create_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(DATA_TABLES))


# SQLite only: a standalone FTS5 table keyed by document id, kept in step by triggers. Not an
# external-content table: those key on the implicit rowid of `documents`, which VACUUM may renumber.
_FTS_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
    "document_id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts (document_id, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN "
    "DELETE FROM documents_fts WHERE document_id = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF text ON documents BEGIN "
    "UPDATE documents_fts SET text = new.text WHERE document_id = old.id; END",
    "INSERT INTO documents_fts (document_id, text) SELECT id, text FROM documents",
)


# PostgreSQL: a GIN index on the expression SqlStore.search matches (`simple`: no stemming, no
# stop words, like unicode61). The text search configuration is a literal, never a parameter,
# so the planner can match the query to the index.
FTS_POSTGRES_VECTOR = "to_tsvector('simple', text)"
_FTS_POSTGRES = (
    "CREATE INDEX IF NOT EXISTS ix_documents_text_fts "
    f"ON documents USING gin ({FTS_POSTGRES_VECTOR})",
)


def _full_text(conn: Connection) -> None:
    statements = {"sqlite": _FTS_SQLITE, "postgresql": _FTS_POSTGRES}
    for statement in statements.get(conn.dialect.name, ()):
        conn.exec_driver_sql(statement)  # elsewhere SqlStore.search falls back to LIKE


def _ingest_order_index(conn: Connection) -> None:
    """Near-duplicate checks read the signatures stored since their last read (another process
    may be ingesting): index documents by the time they were ingested."""
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_documents_ingested_at ON documents (ingested_at)"
    )


# Migration 4's own copy of how the linker assessed an incident's uncertainty when review state
# was added: frozen here, so that this migration keeps its meaning when the linker changes.
_LOW_CONFIDENCE_V4 = 0.6
_DOUBT_WEIGHTS_V4 = {
    "denied": 0.35,
    "disputed": 0.35,
    "unplaced": 0.25,
    "undated": 0.2,
    "single": 0.1,
}


def _assess_v4(incident: Incident) -> Incident:
    reporting = [c for c in incident.claims if c.event.stance != "denies"] or incident.claims
    doubts: list[str] = []
    weights: list[float] = []
    if reporting:
        confidence = sum(c.event.confidence for c in reporting) / len(reporting)
        weights.append(1.0 - confidence)
        if confidence < _LOW_CONFIDENCE_V4:
            doubts.append(f"low extraction confidence ({confidence:.2f})")
    if incident.denied_by:
        doubts.append("denied by " + ", ".join(incident.denied_by))
        weights.append(_DOUBT_WEIGHTS_V4["denied"])
    if len({tuple(sides) for sides in incident.blamed.values()}) > 1:
        doubts.append("claimants blame different sides")
        weights.append(_DOUBT_WEIGHTS_V4["disputed"])
    if incident.geo is None:
        doubts.append("place not resolved" if incident.location else "no place given")
        weights.append(_DOUBT_WEIGHTS_V4["unplaced"])
    if incident.first_date is None:
        doubts.append("no date")
        weights.append(_DOUBT_WEIGHTS_V4["undated"])
    if incident.sources <= 1:
        doubts.append("one source")
        weights.append(_DOUBT_WEIGHTS_V4["single"])
    sure = 1.0
    for weight in weights:
        sure *= 1.0 - weight
    return incident.model_copy(update={"uncertainty": round(1.0 - sure, 4), "doubts": doubts})


def _review(conn: Connection) -> None:
    """Review state as columns (status, uncertainty) the queue can order by, back-filled from
    each incident's data; the web app's account tables."""
    have = {column["name"] for column in inspect(conn).get_columns("incidents")}
    for name, ddl in (
        ("status", "VARCHAR NOT NULL DEFAULT 'unreviewed'"),
        ("uncertainty", "FLOAT NOT NULL DEFAULT 0"),
    ):
        if name not in have:  # a database created by this version has them from migration 1
            conn.exec_driver_sql(f"ALTER TABLE incidents ADD COLUMN {name} {ddl}")
    linked: dict[str, list[Claim]] = {}
    for row in conn.execute(select(claims).where(claims.c.incident_id.is_not(None))).mappings():
        linked.setdefault(row["incident_id"], []).append(rows.claim_from_row(row))
    for row in conn.execute(select(incidents)).mappings().all():
        incident = _assess_v4(rows.incident_from_row(row, linked.get(row["id"], [])))
        conn.execute(
            update(incidents)
            .where(incidents.c.id == incident.id)
            .values(rows.incident_row(incident))
        )
    for statement in (
        "CREATE INDEX IF NOT EXISTS ix_incidents_queue ON incidents (status, uncertainty)",
        "CREATE INDEX IF NOT EXISTS ix_incidents_updated_at ON incidents (updated_at)",
    ):
        conn.exec_driver_sql(statement)
    metadata.create_all(conn, tables=list(ACCOUNT_TABLES))


# The orders incident lists are read in (store.queries.ordering), each an index, so a page is
# read off an index instead of sorting the whole table; and the lower date bound's column.
_LIST_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_incidents_by_date "
    "ON incidents ((first_date IS NULL), first_date, id)",
    "CREATE INDEX IF NOT EXISTS ix_incidents_by_date_desc "
    "ON incidents ((first_date IS NULL), first_date DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_incidents_last_date ON incidents (last_date)",
)


def _list_indexes(conn: Connection) -> None:
    for statement in _LIST_INDEXES:
        conn.exec_driver_sql(statement)


# The longest incident (last day minus first day) read off an index: a lower date bound on
# first_date, and so a range the date index serves (store.queries.conditions).
SPAN_SQL = {
    "sqlite": "julianday(last_date) - julianday(first_date)",
    "postgresql": "(last_date - first_date)",
}


def _span_index(conn: Connection) -> None:
    span = SPAN_SQL.get(conn.dialect.name)
    if span is not None:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_incidents_span ON incidents ({span})")


# The linker's candidate reads (store.candidates): undated incidents by place, and the linkable
# claims left without an incident (normally none), so neither read grows with the registry.
_CANDIDATE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_incidents_undated_place "
    "ON incidents (lat, lon) WHERE first_date IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_claims_unlinked "
    "ON claims (historical, type) WHERE incident_id IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_incidents_by_day_place ON incidents (first_date, lat, lon)",
)


def _candidate_indexes(conn: Connection) -> None:
    for statement in _CANDIDATE_INDEXES:
        conn.exec_driver_sql(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create tables", _create_tables),
    Migration(2, "full-text index", _full_text),
    Migration(3, "index documents by ingest time", _ingest_order_index),
    Migration(4, "review state and accounts", _review),
    Migration(5, "index incident lists", _list_indexes),
    Migration(6, "index incident spans", _span_index),
    Migration(7, "index the linker's candidates", _candidate_indexes),
)


def applied(conn: Connection) -> dict[int, str]:
    """Version -> name of every migration recorded in this database."""
    query = select(schema_migrations.c.version, schema_migrations.c.name)
    return {int(version): str(name) for version, name in conn.execute(query)}


def migrate(engine: Engine) -> list[int]:
    """Apply the missing migrations in order, one transaction each; return the versions applied."""
    with _write(engine) as conn:
        schema_migrations.create(conn, checkfirst=True)
        unknown = sorted(applied(conn).keys() - {m.version for m in MIGRATIONS})
    if unknown:
        raise StoreError(
            f"schema version {unknown[-1]} is newer than this trucewatch knows (upgrade it)"
        )
    done: list[int] = []
    for migration in MIGRATIONS:
        with _write(engine) as conn:
            # Re-read inside the write transaction: another process may have just applied it.
            if migration.version in applied(conn):
                continue
            migration.apply(conn)
            conn.execute(
                insert(schema_migrations).values(
                    version=migration.version,
                    name=migration.name,
                    applied_at=dt.datetime.now(dt.UTC),
                )
            )
            done.append(migration.version)
    return done


@contextmanager
def _write(engine: Engine) -> Iterator[Connection]:
    """A write transaction (engine.BEGIN_OPTION): concurrent openers migrate one at a time."""
    with engine.connect() as conn:
        conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            yield conn
