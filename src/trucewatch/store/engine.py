"""Engines for the store: SQLite gets WAL, foreign keys, a busy timeout and real transactions;
PostgreSQL gets the psycopg 3 driver, a connect timeout and serialized writers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
BEGIN_OPTION = "trucewatch_begin"
"""Connection execution option: "IMMEDIATE" marks a write transaction. SQLite takes its write
lock when the transaction begins, so a read-then-write transaction waits (busy_timeout) instead
of failing to upgrade; PostgreSQL takes WRITE_LOCK_KEY, so writers from every process run one
at a time, as on SQLite (save_incidents reads, then writes versions)."""
WRITE_LOCK_KEY = 0x7472_7563_6577_6174  # "trucewat"
"""The PostgreSQL advisory lock a write transaction holds until it ends (per database)."""
POSTGRES_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}
"""URL schemes without a driver, and the one they use (SQLAlchemy's default is psycopg2)."""


def engine_url(url: URL) -> URL:
    """`url` with the driver the store uses for its scheme."""
    driver = POSTGRES_DRIVERS.get(url.drivername)
    return url.set(drivername=driver) if driver else url


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`, with the connection and transaction handling the store needs."""
    url = engine_url(make_url(url))
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _begin_mode(conn: Connection) -> str:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE"):
        raise ValueError(f"unknown transaction mode {mode!r}")
    return str(mode)


UNICODE_LOWER = "tw_lower"
"""The SQLite function lower-casing all of Unicode (Python's str.lower), see store.queries."""


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    # SQLite branch. Python's sqlite3 module only emits BEGIN before DML, so DDL (migrations)
    # would autocommit statement by statement; take transaction control from the driver and
    # emit BEGIN ourselves (the recipe of SQLAlchemy's pysqlite documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only: "ÖSTERREICH" would never match "österreich"
        dbapi_connection.create_function(UNICODE_LOWER, 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"BEGIN {_begin_mode(conn)}")


def _configure_postgresql(engine: Engine) -> None:
    # psycopg opens the transaction itself (DDL included); a write transaction first waits for
    # the store's advisory lock, released when it commits or rolls back.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if _begin_mode(conn) == "IMMEDIATE":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def enable_postgis(engine: Engine) -> bool:
    """PostgreSQL: whether PostGIS is installed in the database, installing it when the server
    offers it and we may (CREATE EXTENSION). False elsewhere, and never an error."""
    if engine.dialect.name != "postgresql":
        return False
    if _scalar(engine, "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis')"):
        return True
    if not _scalar(
        engine, "SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'postgis')"
    ):
        return False
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    except DBAPIError:  # not ours to install, or another process is installing it
        return _scalar(engine, "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis')")
    return True


def _scalar(engine: Engine, sql: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(text(sql)))
