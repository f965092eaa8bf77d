"""A throwaway PostgreSQL server for the test suite: initdb into a temporary folder, `postgres`
on a free 127.0.0.1 port, removed again on close.

    binaries = find_binaries()          # None: PostgreSQL is not installed
    with PostgresServer(binaries) as server:
        url = server.create_database("test_1")

The server trusts every connection (it listens on 127.0.0.1 only, on a random port, for the
length of a test session) and keeps its files in memory when it can (`_memory_dir`). `initdb`
and `postgres` refuse to run as root, so when the tests run as root the server runs as the
`nobody` account (it always exists on Debian; no account is created): its folder is made
outside pytest's own folders, which are private to root, and handed to `nobody`. Otherwise the
server runs as the current user.

The session time zone is deliberately not UTC (Asia/Yerevan, +04): a timestamp stored without
its offset shows up as a failing test instead of passing by luck.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

SERVER_USER = "nobody"
"""The account the server runs as when the tests run as root."""
SUPERUSER = "trucewatch"
DATABASE = "trucewatch"
TIMEZONE = "Asia/Yerevan"
START_TIMEOUT = 30.0
MEMORY_DIR = "/dev/shm"
MEMORY_DIR_MIN_FREE = 1 << 30  # Docker's default /dev/shm (64 MiB) is too small
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def find_binaries() -> Path | None:
    """The folder holding `initdb` and `postgres`: from PATH, else the newest
    /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH). None when not installed."""
    initdb = shutil.which("initdb")
    if initdb is not None and (Path(initdb).parent / "postgres").is_file():
        return Path(initdb).parent
    root = Path("/usr/lib/postgresql")
    versions = [p for p in root.glob("*/bin") if (p / "initdb").is_file()] if root.is_dir() else []
    versions = [p for p in versions if (p / "postgres").is_file()]

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    return max(versions, key=version) if versions else None


def _memory_dir() -> str | None:
    """/dev/shm when it is a roomy tmpfs (CREATE DATABASE is ten times faster there than on
    disk, fsync=off or not); None, the system temporary directory, otherwise."""
    try:
        roomy = shutil.disk_usage(MEMORY_DIR).free >= MEMORY_DIR_MIN_FREE
    except OSError:
        return None
    return MEMORY_DIR if roomy and os.access(MEMORY_DIR, os.W_OK | os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; `url` names its `trucewatch` database."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.root = Path(tempfile.mkdtemp(prefix="trucewatch-pg-", dir=_memory_dir()))
        try:
            self.data = self.root / "data"
            self.log = self.root / "postgres.log"
            if self._run_as:
                os.chown(self.root, self._run_as["user"], self._run_as["group"])
            self._initdb()
            self._start()
            self._sql(f"CREATE DATABASE {DATABASE}")
        except BaseException:
            self.close()
            raise

    # -- life cycle ----------------------------------------------------------------------------

    def _initdb(self) -> None:
        # C.UTF-8 so that text search lower-cases non-ASCII letters; plain C where it is missing.
        failures = []
        for locale in ("C.UTF-8", "C"):
            done = subprocess.run(
                [str(self.binaries / "initdb"), "--pgdata", str(self.data)]
                + ["--username", SUPERUSER, "--auth", "trust", "--no-sync"]
                + ["--encoding", "UTF8", "--locale", locale],
                cwd=self.root,
                capture_output=True,
                check=False,
                **self._run_as,
            )
            if done.returncode == 0:
                return
            failures.append((done.stdout + done.stderr).decode(errors="replace"))
            shutil.rmtree(self.data, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + "\n".join(failures))

    def _start(self) -> None:
        for _attempt in range(3):  # the free port may be taken before postgres binds it
            self.port = _free_port()
            settings = {
                "port": str(self.port),
                "listen_addresses": "127.0.0.1",
                "unix_socket_directories": str(self.root),
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "timezone": TIMEZONE,
            }
            options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
            with self.log.open("ab") as log:
                self._process = subprocess.Popen(
                    [str(self.binaries / "postgres"), "-D", str(self.data), *options],
                    cwd=self.root,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    **self._run_as,
                )
            if self._wait_ready():
                return
        raise RuntimeError(f"postgres did not start:\n{self._log_tail()}")

    def _wait_ready(self) -> bool:
        import psycopg

        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            try:
                psycopg.connect(self._dsn("postgres"), connect_timeout=2).close()
            except psycopg.OperationalError:
                time.sleep(0.05)
            else:
                return True
        self._stop()
        return False

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # fast shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the server and remove its folder (data, socket, log)."""
        self._stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- databases -----------------------------------------------------------------------------

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def _sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(statement.encode())

    def database_url(self, name: str = DATABASE) -> str:
        """The SQLAlchemy URL of database `name` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    @property
    def url(self) -> str:
        return self.database_url(DATABASE)

    def create_database(self, name: str) -> str:
        """Create the empty database `name` (lower-case letters, digits, _); return its URL."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self._sql(f"CREATE DATABASE {name}")
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name`, ending any connection still open to it."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
