"""The registry's tables, on portable SQLAlchemy Core types only.

Dates are `Date`, instants are `UTCDateTime` (timezone-aware in Python, stored as UTC), whole
models are `JSON`. Strings have no length: SQLite never enforced one, PostgreSQL would, and ids
built from profile names outgrow any fixed bound (a ceasefire id runs to 79 characters).
Backend-specific objects (SQLite's FTS5 table, PostgreSQL's text-search index) live in
`migrations.py`, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC; read back aware (UTC) on every backend.

    A naive datetime is taken to be UTC already: SQLite keeps no offset, so this is the one
    place that decides what an instant means. PostgreSQL gets `timestamptz` values with their
    offset, so the session time zone never changes what is stored.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        # Naive means UTC: attach it, or PostgreSQL would read it in the session's time zone.
        utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: Any,
        dialect: Dialect,  # noqa: ARG002 (signature fixed by TypeDecorator)
    ) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


documents = Table(
    "documents",
    metadata,
    Column("id", String, primary_key=True),
    Column("text", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("published", Date),
    Column("url", Text),
    Column("outlet", Text),
    Column("title", Text),
    Column("language", String),
    Column("origin", Text),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("duplicate_of", String, ForeignKey("documents.id")),
)

signatures = Table(
    "signatures",
    metadata,
    Column("document_id", String, ForeignKey("documents.id"), primary_key=True),
    Column("minhash", LargeBinary, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String, primary_key=True),
    Column("type", String, nullable=False),
    Column("first_date", Date),
    Column("last_date", Date),
    Column("lat", Float),
    Column("lon", Float),
    Column("ceasefire_id", String),
    Column("historical", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("data", JSON, nullable=False),
    # added by migration 4 (review): a column of their own so the queue can order by them
    Column("status", String, nullable=False, server_default="unreviewed"),
    Column("uncertainty", Float, nullable=False, server_default="0"),
    Index("ix_incidents_first_date", "first_date"),
    Index("ix_incidents_ceasefire_id", "ceasefire_id"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String, primary_key=True),
    Column("document_id", String, ForeignKey("documents.id"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("type", String, nullable=False),
    Column("actor", Text),
    Column("target", Text),
    Column("source", Text, nullable=False),
    Column("stance", String, nullable=False),
    Column("date", Date),
    Column("historical", Boolean, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", String),
    Column("geo_name", Text),
    Column("incident_id", String, ForeignKey("incidents.id", ondelete="SET NULL")),
    Column("event", JSON, nullable=False),
    Index("ix_claims_date", "date"),
    Index("ix_claims_incident_id", "incident_id"),
    Index("ix_claims_document_id", "document_id"),
)

ceasefires = Table(
    "ceasefires",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", Text, nullable=False),
    Column("parties", JSON, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date),
    Column("area", Text),
    Column("monitor", Text),
    Column("profile", Text),
)

period_reports = Table(
    "period_reports",
    metadata,
    Column("id", String, primary_key=True),
    Column("document_id", String, ForeignKey("documents.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("start", Date),
    Column("end", Date),
    Column("count", Integer, nullable=False),
    Column("area", Text),
    Column("ceasefire_id", String),
    Column("evidence", Text, nullable=False),
    Index("ix_period_reports_document_id", "document_id"),
)

# No foreign key to incidents: a review outlives the incident it changed (merge, reject).
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String, nullable=False, index=True),
    Column("action", String, nullable=False),
    Column("who", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("comment", Text),
)

# Accounts of the web app (migration 4). Passwords are stored as argon2 hashes; sessions and
# API tokens by the SHA-256 of the secret the client holds, never the secret itself.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String, nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

DATA_TABLES: tuple[Table, ...] = (
    documents,
    signatures,
    incidents,
    claims,
    ceasefires,
    period_reports,
    reviews,
)
"""The registry's tables created by migration 1, in creation (foreign-key) order."""

ACCOUNT_TABLES: tuple[Table, ...] = (users, sessions, api_tokens)
"""The web app's accounts (migration 4)."""
