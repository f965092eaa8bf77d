"""Engines for the store: SQLite gets WAL, foreign keys, a busy timeout and real transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event

BUSY_TIMEOUT_MS = 10_000
BEGIN_OPTION = "trucewatch_begin"
"""Connection execution option: "IMMEDIATE" takes SQLite's write lock when the transaction
begins, so a read-then-write transaction waits (busy_timeout) instead of failing to upgrade."""


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`; on SQLite, with the pragmas and transaction handling the store needs."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # SQLite branch. Python's sqlite3 module only emits BEGIN before DML, so DDL (migrations)
    # would autocommit statement by statement; take transaction control from the driver and
    # emit BEGIN ourselves (the recipe of SQLAlchemy's pysqlite documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
