"""What the watcher remembers between rounds and restarts, in a small SQLite file.

The file sits beside the config (``<config>.state.sqlite``) and holds two tables of its own
(other modules, such as the alert engine, may keep theirs in the same file):

- ``watch_sources``: per source, the HTTP validators of the last full response (ETag,
  Last-Modified), the last success and the last error (wall-clock times, seconds since the
  epoch), the consecutive errors, when it is next due, and how many items it has yielded;
- ``watch_items``: per source, the keys of the items already ingested, so an item is never
  extracted twice. A key is the SHA-256 of what identifies the item: a feed entry's guid
  (else its link), a page's selected text, a file's path, mtime and size.

Times are wall-clock (``time.time``) because they outlive the process. Every write is one
transaction; the file is in WAL mode so readers (``source list``) never block the watcher.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["SourceState", "WatchState", "item_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_sources (
    name TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_success REAL,
    last_error TEXT,
    last_error_at REAL,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    next_due REAL NOT NULL DEFAULT 0,
    items_seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS watch_items (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (source, key)
) WITHOUT ROWID;
"""


def item_key(*parts: str | int) -> str:
    """The SHA-256 (hex) of ``parts`` joined by NUL bytes."""
    return hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceState:
    name: str
    etag: str | None = None
    last_modified: str | None = None
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    consecutive_errors: int = 0
    next_due: float = 0.0
    items_seen: int = 0


class WatchState:
    """The state file; one instance per process (sqlite3 connections are not shared)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise OSError(f"{path}: cannot open the watch state: {exc}") from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------------

    def source(self, name: str) -> SourceState:
        """The state of ``name`` (a fresh, due state if it was never polled)."""
        row = self._conn.execute("SELECT * FROM watch_sources WHERE name = ?", (name,)).fetchone()
        return SourceState(*row) if row else SourceState(name)

    def sources(self) -> dict[str, SourceState]:
        rows = self._conn.execute("SELECT * FROM watch_sources ORDER BY name").fetchall()
        return {row[0]: SourceState(*row) for row in rows}

    def is_seen(self, source: str, key: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM watch_items WHERE source = ? AND key = ?", (source, key)
        ).fetchone()
        return row is not None

    def seen_count(self, source: str) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM watch_items WHERE source = ?", (source,)
        ).fetchone()
        return int(row[0])

    # -- writing ----------------------------------------------------------------------------

    def mark_seen(self, source: str, keys: Iterable[str], now: float) -> int:
        """Record ``keys`` as ingested for ``source``; returns how many were new."""
        with self._transaction() as conn:
            self._ensure(conn, source)
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO watch_items (source, key, seen_at) VALUES (?, ?, ?)",
                ((source, key, now) for key in keys),
            )
            added = conn.total_changes - before
            conn.execute(
                "UPDATE watch_sources SET items_seen = items_seen + ? WHERE name = ?",
                (added, source),
            )
        return added

    def record_success(
        self,
        source: str,
        now: float,
        next_due: float,
        *,
        validators: tuple[str | None, str | None] | None = None,
    ) -> None:
        """A poll that worked: errors reset; ``validators`` = (ETag, Last-Modified) replace
        the stored ones when given (None keeps them, e.g. after a 304)."""
        with self._transaction() as conn:
            self._ensure(conn, source)
            conn.execute(
                "UPDATE watch_sources SET last_success = ?, consecutive_errors = 0, "
                "next_due = ? WHERE name = ?",
                (now, next_due, source),
            )
            if validators is not None:
                conn.execute(
                    "UPDATE watch_sources SET etag = ?, last_modified = ? WHERE name = ?",
                    (*validators, source),
                )

    def record_error(self, source: str, error: str, now: float, interval: float, cap: float) -> int:
        """A poll that failed: the error kept, the next poll backed off to ``interval`` × 2^n
        (n = consecutive errors, this one included), at most ``cap`` seconds away; returns n."""
        with self._transaction() as conn:
            self._ensure(conn, source)
            row = conn.execute(
                "SELECT consecutive_errors FROM watch_sources WHERE name = ?", (source,)
            ).fetchone()
            errors = int(row[0]) + 1
            delay = min(interval * 2.0 ** min(errors, 32), max(cap, interval))
            conn.execute(
                "UPDATE watch_sources SET last_error = ?, last_error_at = ?, "
                "consecutive_errors = ?, next_due = ? WHERE name = ?",
                (error, now, errors, now + delay, source),
            )
        return errors

    def forget(self, source: str) -> None:
        """Drop everything known about ``source`` (it was removed from the config)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM watch_items WHERE source = ?", (source,))
            conn.execute("DELETE FROM watch_sources WHERE name = ?", (source,))

    @staticmethod
    def _ensure(conn: sqlite3.Connection, source: str) -> None:
        conn.execute("INSERT OR IGNORE INTO watch_sources (name) VALUES (?)", (source,))
