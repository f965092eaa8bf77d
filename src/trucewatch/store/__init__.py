"""The incident registry's store: one repository class on SQLAlchemy Core.

    with open_store("registry.db") as store:
        store.add_document(doc, raw, claims)

A path (or None: ./trucewatch.db) opens a SQLite file, created and migrated as needed; a URL
with "://" opens that engine URL: postgresql://user@host:port/dbname (or postgresql+psycopg://)
opens a PostgreSQL database through psycopg 3 (the `postgres` extra), with the same migrations.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from trucewatch.store.base import IncidentStore, StaleVersionError, StoreError
from trucewatch.store.engine import enable_postgis, make_engine
from trucewatch.store.migrations import migrate
from trucewatch.store.sql import SqlStore

__all__ = [
    "DEFAULT_PATH",
    "IncidentStore",
    "SqlStore",
    "StaleVersionError",
    "StoreError",
    "open_store",
]

DEFAULT_PATH = Path("trucewatch.db")


def _url(target: str | Path | None) -> tuple[URL, str]:
    """The engine URL of `target` and how to name it in messages (no password)."""
    if isinstance(target, str) and "://" in target:
        try:
            url = make_url(target)
        except ArgumentError as error:
            raise StoreError(f"cannot open store {target!r}: not a database URL") from error
        return url, url.render_as_string(hide_password=True)
    path = Path(target) if target is not None else DEFAULT_PATH
    if path.is_dir():
        raise StoreError(f"cannot open store {str(path)!r}: it is a directory")
    return URL.create("sqlite+pysqlite", database=str(path)), str(path)


def open_store(target: str | Path | None = None) -> SqlStore:
    """Open (create, migrate) the store at `target`; StoreError naming it when that fails."""
    url, shown = _url(target)
    try:
        engine = make_engine(url)
    except ImportError as error:
        hint = " (install trucewatch[postgres])" if url.drivername.startswith("postgres") else ""
        raise StoreError(f"cannot open store {shown!r}: {error}{hint}") from error
    except (ArgumentError, NoSuchModuleError) as error:
        raise StoreError(f"cannot open store {shown!r}: {error}") from error
    try:
        migrate(engine)
        has_postgis = enable_postgis(engine)
    except (SQLAlchemyError, StoreError) as error:
        engine.dispose()
        detail = getattr(error, "orig", None) or error
        raise StoreError(f"cannot open store {shown!r}: {detail}") from error
    except BaseException:
        engine.dispose()
        raise
    return SqlStore(engine, has_postgis=has_postgis)
