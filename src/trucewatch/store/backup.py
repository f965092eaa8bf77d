"""Back up a registry to one file and restore it (docs/operations.md).

    info = backup("registry.db", Path("registry.backup"))     # BackupInfo: counts per table
    restore(Path("registry.backup"), "copy.db")                # RestoreInfo

SQLite: SQLite's online backup API copies the registry page by page in one step, holding one
read transaction, so the copy is the registry as of one commit even while ingest keeps writing
(WAL: writers are not blocked). The archive is a plain SQLite file (rollback journal, not WAL)
that passed `PRAGMA integrity_check`; restoring copies it into the target with the same API.

PostgreSQL: `pg_dump --format=custom`, taken in a transaction snapshot that the row counts are
read in too; restoring runs `pg_restore --clean --if-exists` into the target database in one
transaction. Both programs are looked up on PATH, then in Debian's /usr/lib/postgresql/<n>/bin.
The password travels in PGPASSWORD, never on a command line.

Either way the archive must hold a trucewatch registry (a `schema_migrations` table); every
failure is a BackupError naming the file or URL (never with its password) and the reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import URL, Connection, Engine, create_engine, func, make_url, select, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from trucewatch.store import StoreError, open_store
from trucewatch.store.engine import CONNECT_TIMEOUT_S, engine_url, make_engine
from trucewatch.store.migrations import MIGRATIONS
from trucewatch.store.schema import DATA_TABLES, metadata, schema_migrations

__all__ = ["BackupError", "BackupInfo", "RestoreInfo", "backup", "find_program", "restore"]

Backend = Literal["sqlite", "postgresql"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
BUSY_TIMEOUT_S = 10.0
"""How long a SQLite connection of ours waits for a lock (a checkpoint, another restore)."""
PG_TIMEOUT_S = 3600.0
"""pg_dump / pg_restore are stopped after this long."""
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore failed; the message names the file or URL and the reason."""


@dataclass(frozen=True)
class BackupInfo:
    """What `backup` wrote: the archive and the rows per table it holds."""

    source: str  # the registry, as shown in messages (no password)
    archive: Path
    backend: Backend
    size: int  # bytes
    counts: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class RestoreInfo:
    """What `restore` did: the registry written and the rows per table it now holds."""

    archive: Path
    target: str  # as shown in messages (no password)
    backend: Backend
    counts: dict[str, int]
    seconds: float


# -- entry points ------------------------------------------------------------------------------


def backup(db: str | Path, out: Path) -> BackupInfo:
    """Write a consistent copy of the registry `db` (file or URL) to `out`, replacing it.

    The archive is written beside `out` under a temporary name and renamed into place only
    once it is complete and checked, so a failed backup leaves `out` as it was."""
    started = time.monotonic()
    url, shown = _target(db)
    out = Path(out)
    if out.is_dir():
        raise BackupError(f"cannot write backup {str(out)!r}: it is a directory")
    backend = _backend(url, shown)
    source = Path(url.database or "") if backend == "sqlite" else None
    if source is not None and out.exists() and out.resolve() == source.resolve():
        raise BackupError(f"cannot back up {shown!r} onto itself")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot write backup {str(out)!r}: {_reason(error)}") from error
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise BackupError(f"cannot write backup {str(out)!r}: its folder is not writable")
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        if source is not None:
            counts = _backup_sqlite(source, shown, partial)
        else:
            counts = _backup_postgresql(url, shown, partial)
        partial.replace(out)
    except OSError as error:
        raise BackupError(f"cannot write backup {str(out)!r}: {_reason(error)}") from error
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(
        source=shown,
        archive=out,
        backend=backend,
        size=out.stat().st_size,
        counts=counts,
        seconds=time.monotonic() - started,
    )


def restore(archive: Path, db: str | Path, *, force: bool = False) -> RestoreInfo:
    """Restore the backup `archive` into the registry `db` (file or URL).

    A registry that already holds data is replaced only when `force` is given; an archive of
    an older trucewatch is migrated after it is restored. The restored registry must pass its
    integrity check."""
    started = time.monotonic()
    archive = Path(archive)
    url, shown = _target(db)
    backend = _backend(url, shown)
    kind = _archive_kind(archive)
    if kind != backend:
        into = "a SQLite file" if kind == "sqlite" else "a postgresql:// URL"
        raise BackupError(
            f"cannot restore {str(archive)!r} into {shown!r}: it is a {_NAMES[kind]} backup "
            f"(restore it into {into})"
        )
    if backend == "sqlite":
        target = Path(url.database or "")
        if target.exists() and target.resolve() == archive.resolve():
            raise BackupError(f"cannot restore {str(archive)!r} onto itself")
        _check_sqlite_archive(archive)
        _refuse_to_overwrite(url, shown, force=force)
        _restore_sqlite(archive, target, shown, force=force)
    else:
        _check_pg_archive(archive)
        _refuse_to_overwrite(url, shown, force=force)
        _restore_postgresql(archive, url, shown)
    counts = _open_and_check(url, shown)
    return RestoreInfo(
        archive=archive,
        target=shown,
        backend=backend,
        counts=counts,
        seconds=time.monotonic() - started,
    )


# -- targets -----------------------------------------------------------------------------------

_NAMES: dict[Backend, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _target(db: str | Path) -> tuple[URL, str]:
    """The engine URL of `db` (as open_store reads it) and how to show it (no password)."""
    if isinstance(db, str) and "://" in db:
        try:
            url = engine_url(make_url(db))
        except ArgumentError as error:
            raise BackupError(f"{db!r} is not a database URL") from error
        return url, url.render_as_string(hide_password=True)
    path = Path(db)
    return URL.create("sqlite+pysqlite", database=str(path)), str(path)


def _backend(url: URL, shown: str) -> Backend:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise BackupError(f"{shown!r}: an in-memory database cannot be backed up or restored")
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise BackupError(f"{shown!r}: backup and restore support SQLite and PostgreSQL only")


def _archive_kind(archive: Path) -> Backend:
    """Which backend wrote `archive`, from its first bytes."""
    try:
        with archive.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read backup {str(archive)!r}: {_reason(error)}") from error
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"cannot read backup {str(archive)!r}: not a trucewatch backup "
        "(neither a SQLite file nor a pg_dump custom-format archive)"
    )


def _refuse_to_overwrite(url: URL, shown: str, *, force: bool) -> None:
    """A BackupError unless `url` is missing, empty, or holds a registry without data, or
    `force` is given."""
    if force:
        return
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if path.is_dir():
            raise BackupError(f"cannot restore into {shown!r}: it is a directory")
        if not path.exists() or path.stat().st_size == 0:
            return
    try:
        engine = _plain_engine(url)
        try:
            with engine.connect() as conn:
                holds = _holds_data(conn)
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        raise BackupError(
            f"cannot restore into {shown!r}: it cannot be read as a registry ({detail}); "
            "use --force to overwrite it"
        ) from error
    if holds is None:
        raise BackupError(
            f"cannot restore into {shown!r}: it is not a trucewatch registry; "
            "use --force to overwrite it"
        )
    if holds:
        raise BackupError(
            f"cannot restore into {shown!r}: the registry already holds data; "
            "use --force to replace it"
        )


def _holds_data(conn: Connection) -> bool | None:
    """None when the database has tables but no `schema_migrations`; otherwise whether any
    registry table holds a row."""
    names = set(_table_names(conn))
    if schema_migrations.name not in names:
        return None if names else False
    for table in DATA_TABLES:
        if table.name in names and conn.scalar(select(table).limit(1).exists().select()):
            return True
    return False


def _table_names(conn: Connection) -> list[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return [str(name) for name in conn.scalars(text(sql))]


def _plain_engine(url: URL) -> Engine:
    """An engine that only reads: no migrations, no journal-mode change (make_engine's SQLite
    engine switches to WAL on connect)."""
    if url.get_backend_name() == "sqlite":
        return create_engine(url, poolclass=NullPool)
    return _pg_engine(url)


def _pg_engine(url: URL) -> Engine:
    try:
        return make_engine(url)
    except ImportError as error:
        shown = url.render_as_string(hide_password=True)
        hint = "install trucewatch[postgres]"
        raise BackupError(f"cannot open {shown!r}: {error} ({hint})") from error


def _open_and_check(url: URL, shown: str) -> dict[str, int]:
    """Open the restored registry as trucewatch does (migrating an older archive), check it,
    and count its rows."""
    target: str | Path = url.render_as_string(hide_password=False)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
    try:
        with open_store(target) as store:
            if not store.integrity_check():
                raise BackupError(f"restored {shown!r}, but it fails its integrity check")
            return store.counts()
    except StoreError as error:
        raise BackupError(f"restored {shown!r}, but it does not open: {error}") from error
    except SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        raise BackupError(f"restored {shown!r}, but it cannot be read: {detail}") from error


def _counts(conn: Connection) -> dict[str, int]:
    """Rows per table, like SqlStore.counts, read on `conn` (in its transaction)."""
    return {
        table.name: conn.scalar(select(func.count()).select_from(table)) or 0
        for table in metadata.sorted_tables
    }


# -- SQLite ------------------------------------------------------------------------------------


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection to an existing file (`mode` ro or rw: never creates one)."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)


@contextlib.contextmanager
def _closing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield conn
    finally:
        conn.close()


def _not_sqlite(path: Path) -> bool:
    """`path` is a file that is not a SQLite database (an empty file counts as one)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        return not handle.read(len(SQLITE_MAGIC)).startswith(SQLITE_MAGIC)


def _backup_sqlite(source: Path, shown: str, partial: Path) -> dict[str, int]:
    if not source.is_file():
        raise BackupError(f"cannot back up {shown!r}: no such registry file")
    partial.unlink(missing_ok=True)
    try:
        # Read-write when we may: a read-only connection to a WAL database leaves an empty
        # -wal and -shm file behind (it cannot remove them when it closes).
        mode = "rw" if os.access(source, os.W_OK) and os.access(source.parent, os.W_OK) else "ro"
        with _closing(_connect(source, mode)) as src:
            _require_registry(src, f"cannot back up {shown!r}")
            with _closing(sqlite3.connect(partial, isolation_level=None)) as dst:
                src.backup(dst)  # all pages in one step: one read transaction, one snapshot
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {shown!r}: {_reason(error)}") from error
    return _check_sqlite_copy(partial, f"backup of {shown!r}")


def _restore_sqlite(archive: Path, target: Path, shown: str, *, force: bool) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if force and _not_sqlite(target):
            target.unlink()  # --force over a file that is no database: nobody has it open
        with _closing(_connect(archive, "ro")) as src:
            # The backup API writes the target under its own locks, so a process that has the
            # registry open sees either the old or the restored database, and WAL files stay
            # consistent (renaming a file over it would not do either).
            with _closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)) as dst:
                src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore into {shown!r}: {_reason(error)}") from error
    except OSError as error:
        raise BackupError(f"cannot restore into {shown!r}: {_reason(error)}") from error


def _check_sqlite_archive(archive: Path) -> None:
    """The archive opens, passes its integrity check and holds a registry this trucewatch
    can open (checked before the target is touched)."""
    what = f"backup {str(archive)!r}"
    _check_sqlite_copy(archive, what)
    try:
        with _closing(_connect(archive, "ro")) as conn:
            versions = {
                int(row[0]) for row in conn.execute("SELECT version FROM schema_migrations")
            }
    except (sqlite3.Error, ValueError, TypeError) as error:
        raise BackupError(f"{what} is unusable: {_reason(error)}") from error
    unknown = sorted(versions - {m.version for m in MIGRATIONS})
    if unknown:
        raise BackupError(
            f"{what} was written by a newer trucewatch (schema version {unknown[-1]}): "
            "upgrade trucewatch to restore it"
        )


def _check_sqlite_copy(path: Path, what: str) -> dict[str, int]:
    """`path` passes integrity_check and foreign_key_check and holds a registry; its counts."""
    try:
        with _closing(_connect(path, "ro")) as conn:
            _require_registry(conn, f"{what} is unusable")
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
            if problems != ["ok"]:
                raise BackupError(f"{what} fails its integrity check: {'; '.join(problems)}")
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise BackupError(f"{what} fails its integrity check: broken foreign keys")
    except sqlite3.Error as error:
        raise BackupError(f"{what} is unusable: {_reason(error)}") from error
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _counts(conn)
    except SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        raise BackupError(f"{what} is unusable: {detail}") from error
    finally:
        engine.dispose()


def _require_registry(conn: sqlite3.Connection, what: str) -> None:
    """A BackupError unless the database on `conn` has a `schema_migrations` table."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        (schema_migrations.name,),
    ).fetchone()
    if found is None:
        raise BackupError(f"{what}: not a trucewatch registry (no schema_migrations table)")


# -- PostgreSQL --------------------------------------------------------------------------------


def find_program(name: str) -> Path | None:
    """A PostgreSQL client program: from PATH, else the newest /usr/lib/postgresql/<n>/bin
    (Debian keeps the versioned binaries there). None when it is not installed."""
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    if not DEBIAN_PG_ROOT.is_dir():
        return None
    candidates = [p for p in DEBIAN_PG_ROOT.glob(f"*/bin/{name}") if p.is_file()]

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))

    return max(candidates, key=version) if candidates else None


def _program(name: str, shown: str) -> Path:
    found = find_program(name)
    if found is None:
        raise BackupError(
            f"cannot back up or restore {shown!r}: {name} not found on PATH or in "
            f"{DEBIAN_PG_ROOT}/*/bin (install the PostgreSQL client, e.g. Debian's "
            "postgresql-client package)"
        )
    return found


def _conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string for `url` without its password, and the environment that
    carries the password (PGPASSWORD)."""
    params: dict[str, str] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    conninfo = " ".join(f"{key}={_quote(value)}" for key, value in params.items())
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _run(args: list[str], env: Mapping[str, str], what: str) -> str:
    """Run a PostgreSQL program; its stdout, or a BackupError with its stderr."""
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(f"{what}: {Path(args[0]).name} timed out") from error
    except OSError as error:
        raise BackupError(f"{what}: cannot run {args[0]}: {_reason(error)}") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = "; ".join(lines[-5:]) or f"exit status {done.returncode}"
        raise BackupError(f"{what}: {Path(args[0]).name} failed: {detail}")
    return done.stdout


def _backup_postgresql(url: URL, shown: str, partial: Path) -> dict[str, int]:
    what = f"cannot back up {shown!r}"
    pg_dump = _program("pg_dump", shown)
    conninfo, env = _conninfo(url)
    engine = _pg_engine(url)
    try:
        with engine.connect() as conn:
            # Count in the snapshot pg_dump dumps: the counts are the archive's, to the row.
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if schema_migrations.name not in _table_names(conn):
                    raise BackupError(f"{what}: not a trucewatch registry (no schema_migrations)")
                snapshot = str(conn.scalar(text("SELECT pg_export_snapshot()")))
                counts = _counts(conn)
                args = [str(pg_dump), "--format=custom", f"--file={partial}"]
                args += [f"--snapshot={snapshot}", "--no-password", f"--dbname={conninfo}"]
                _run(args, env, what)
    except SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        raise BackupError(f"{what}: {detail}") from error
    finally:
        engine.dispose()
    return counts


def _check_pg_archive(archive: Path) -> None:
    """The archive's table of contents reads and lists the registry's tables."""
    pg_restore = _program("pg_restore", str(archive))
    listing = _run(
        [str(pg_restore), "--list", str(archive)],
        os.environ,
        f"cannot read backup {str(archive)!r}",
    )
    if not re.search(rf"\bTABLE DATA \S+ {schema_migrations.name}\b", listing):
        raise BackupError(
            f"backup {str(archive)!r} is unusable: not a trucewatch registry "
            "(no schema_migrations table)"
        )


def _restore_postgresql(archive: Path, url: URL, shown: str) -> None:
    pg_restore = _program("pg_restore", shown)
    conninfo, env = _conninfo(url)
    args = [str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    args += ["--single-transaction", "--exit-on-error", "--no-password"]
    args += [f"--dbname={conninfo}", str(archive)]
    _run(args, env, f"cannot restore {str(archive)!r} into {shown!r}")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
