"""`trucewatch backup` / `restore` (trucewatch/store/backup.py): a registry backed up, restored
into a new database and compared with the source, on SQLite (also while another thread keeps
writing) and on PostgreSQL (pg_dump / pg_restore); refusals and clear errors."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sqlite3
import subprocess
import threading
import time
import typing
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from trucewatch.cli.backup import backup as backup_command
from trucewatch.cli.backup import restore as restore_command
from trucewatch.models import (
    Ceasefire,
    Claim,
    Event,
    Incident,
    PeriodReport,
    Review,
    StoredDocument,
    document_id,
)
from trucewatch.store import SqlStore, open_store, rows
from trucewatch.store import backup as backup_module
from trucewatch.store.backup import BackupError, backup, restore
from trucewatch.store.engine import BEGIN_OPTION
from trucewatch.store.migrations import MIGRATIONS
from trucewatch.store.schema import documents

if typing.TYPE_CHECKING:
    from postgres_server import PostgresServer

StoreFactory = Callable[..., SqlStore]
NOW = dt.datetime(2022, 8, 12, 9, 30, tzinfo=dt.UTC)
_pg_targets = itertools.count(1)


# -- a registry to back up ---------------------------------------------------------------------


def make_doc(text: str) -> StoredDocument:
    return StoredDocument(
        id=document_id(text),
        text=text,
        published=dt.date(2022, 8, 12),
        outlet="Test Wire",
        ingested_at=NOW,
    )


def make_claim(doc: StoredDocument, index: int, **event: typing.Any) -> Claim:
    said = Event.model_validate({"type": "shelling", **event})
    return Claim(id=Claim.make_id(doc.id, index), document_id=doc.id, index=index, event=said)


def fill(store: SqlStore) -> None:
    """Documents (raw bytes that are not UTF-8) with claims, a period report and a signature,
    a ceasefire, incidents of versions 1 and 2, and a review."""
    parties = ["Armenia", "Azerbaijan"]
    store.add_ceasefire(
        Ceasefire(id="nk-2020", name="NK truce", parties=parties, start=dt.date(2020, 11, 10))
    )
    claims: list[Claim] = []
    for n in range(6):
        doc = make_doc(f"Report {n}: shelling near Khramort on 11 August, the ministry said.")
        made = [
            make_claim(doc, 0, date="2022-08-11", actor="Azerbaijan", target="Armenia"),
            make_claim(doc, 1, date="2022-08-12", actor="Armenia"),
        ]
        report = PeriodReport(id=f"{doc.id}:p0", document_id=doc.id, source="MoD", count=n)
        raw = b"\xff\xfe raw " + bytes(range(256)) + str(n).encode()
        assert store.add_document(doc, raw, made, [report], signature=bytes([n, 1, 2]))
        claims += made
    first = Incident.model_validate({"id": "inc-1", "type": "shelling", "claims": claims[:2]})
    second = Incident.model_validate({"id": "inc-2", "type": "shelling", "claims": claims[2:3]})
    store.save_incidents([first, second])
    grown = first.model_copy(update={"claims": [*claims[:2], *claims[3:5]], "location": "K"})
    store.save_incidents([grown])  # inc-1 is now version 2
    store.add_review(
        Review(incident_id="inc-1", action="edit", who="analyst", at=NOW, after={"n": 4})
    )


def snapshot(store: SqlStore) -> dict[str, object]:
    """Everything the comparison looks at: counts, raw bytes, claims, incidents with their
    versions, period reports, ceasefires, reviews."""
    docs = store.documents()
    return {
        "counts": store.counts(),
        "documents": docs,
        "raw": {d.id: store.raw_bytes(d.id) for d in docs},
        "signatures": dict(store.signatures()),
        "claims": store.claims(),
        "incidents": [(i.version, i) for i in store.incidents(include_historical=True)],
        "period_reports": store.period_reports(),
        "ceasefires": store.ceasefires(),
        "reviews": store.reviews("inc-1"),
    }


@pytest.fixture
def source(tmp_path: Path, open_stores: StoreFactory) -> Path:
    path = tmp_path / "registry.db"
    fill(open_stores(path))
    return path


# -- SQLite ------------------------------------------------------------------------------------


def test_backup_and_restore_round_trip(
    source: Path, tmp_path: Path, open_stores: StoreFactory
) -> None:
    expected = snapshot(open_stores(source))
    archive = tmp_path / "backups" / "registry.backup"
    info = backup(str(source), archive)
    assert (info.backend, info.archive, info.counts) == ("sqlite", archive, expected["counts"])
    assert info.size == archive.stat().st_size > 0
    with sqlite3.connect(archive) as conn:  # one self-contained file, not a WAL database
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not list(archive.parent.glob(".*partial*"))

    copy = tmp_path / "restored" / "copy.db"
    restored = restore(archive, str(copy))
    assert (restored.backend, restored.target, restored.counts) == (
        "sqlite",
        str(copy),
        expected["counts"],
    )
    store = open_stores(copy)
    assert snapshot(store) == expected
    assert store.integrity_check()
    assert {i.id: i.version for i in store.incidents()} == {"inc-1": 2, "inc-2": 1}
    assert store.search("Khramort")  # the full-text index came along


def test_backup_while_another_thread_writes(
    source: Path, tmp_path: Path, open_stores: StoreFactory
) -> None:
    """Each backup is the registry as of one commit: it passes its integrity check, opens, and
    holds a prefix of the writer's documents, each with its claim."""
    writer_store = open_stores(source)
    written: list[str] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def write() -> None:
        try:
            for n in itertools.count():
                if stop.is_set():
                    return
                doc = make_doc(f"Writer report {n}: a drone strike near Khramort.")
                raw = os.urandom(16_384)
                assert writer_store.add_document(doc, raw, [make_claim(doc, 0)])
                written.append(doc.id)
        except BaseException as error:  # reported by the test thread
            failure.append(error)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 30
        while len(written) < count and not failure and time.monotonic() < deadline:
            time.sleep(0.001)
        assert not failure, failure
        assert len(written) >= count

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    archives: list[tuple[Path, int, int]] = []
    try:
        for n in range(5):
            wait_for(len(written) + 5)
            before = len(written)
            archive = tmp_path / f"live-{n}.backup"
            backup(str(source), archive)
            archives.append((archive, before, len(written)))
        wait_for(len(written) + 5)  # still writing after the last backup
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failure, failure
    assert len(written) > archives[-1][2]
    # the writer committed while backups ran (5 to 14 times per backup on a laptop)
    assert any(after > before for _archive, before, after in archives)

    base = open_stores(tmp_path / "base.db")
    fill(base)
    base_ids = {d.id for d in base.documents()}
    for n, (archive, before, after) in enumerate(archives):
        copy = tmp_path / f"copy-{n}.db"
        info = restore(archive, str(copy))
        store = open_stores(copy)
        assert store.integrity_check()
        ids = {d.id for d in store.documents()} - base_ids
        assert before <= len(ids) <= after + 1  # the next write may have committed just before
        assert ids == set(written[: len(ids)])  # a prefix: no commit half-seen or skipped
        assert info.counts["documents"] == len(base_ids) + len(ids)
        for doc_id in written[: len(ids)]:
            assert writer_store.raw_bytes(doc_id) == store.raw_bytes(doc_id)
            assert len(store.claims(document_id=doc_id)) == 1


def test_backup_does_not_see_an_uncommitted_write(source: Path, tmp_path: Path) -> None:
    """A write transaction left open elsewhere neither blocks the backup nor shows in it."""
    expected = snapshot(open_store(source))
    writer = open_store(source)
    doc = make_doc("Uncommitted report about shelling.")
    try:
        with writer.engine.connect() as conn:
            conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                conn.execute(insert(documents).values(rows.document_row(doc, b"raw")))
                started = time.monotonic()
                info = backup(source, tmp_path / "a.backup")
                assert time.monotonic() - started < 5  # did not wait for the writer's lock
    finally:
        writer.close()
    assert info.counts == expected["counts"]
    with open_store(source) as store:
        assert store.has_document(doc.id)  # committed after the backup
    restore(tmp_path / "a.backup", tmp_path / "copy.db")
    with open_store(tmp_path / "copy.db") as copy:
        assert not copy.has_document(doc.id)
        assert snapshot(copy) == expected


def test_restore_refuses_a_registry_with_data_unless_forced(
    source: Path, tmp_path: Path, open_stores: StoreFactory
) -> None:
    archive = tmp_path / "a.backup"
    backup(source, archive)
    expected = snapshot(open_stores(source))

    empty = tmp_path / "empty.db"
    open_store(empty).close()  # migrated, no data: nothing to lose
    assert restore(archive, str(empty)).counts == expected["counts"]

    target = tmp_path / "other.db"
    with open_store(target) as other:
        other.add_document(make_doc("Another registry's own report."), b"own")
        own = snapshot(other)
    with pytest.raises(BackupError, match="already holds data; use --force"):
        restore(archive, str(target))
    with open_store(target) as other:
        assert snapshot(other) == own  # untouched
    restore(archive, str(target), force=True)
    with open_store(target) as other:
        assert snapshot(other) == expected  # replaced, not merged

    stranger = tmp_path / "notes.txt"
    stranger.write_text("not a database\n" * 100)
    with pytest.raises(BackupError, match="cannot be read as a registry.*--force"):
        restore(archive, str(stranger))
    assert restore(archive, str(stranger), force=True).counts == expected["counts"]


def corrupt_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    noise = random.Random(20220812)
    for offset in range(4096 * 2, len(data), 4096):  # every page after the first two
        data[offset + 8 : offset + 200] = noise.randbytes(192)
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (corrupt_pages, "fails its integrity check|is unusable: .*malformed"),
        (truncate, "fails its integrity check|is unusable: .*malformed"),
        (lambda p: p.write_bytes(b"PK\x03\x04 a zip file"), "not a trucewatch backup"),
        (lambda p: p.write_bytes(b""), "not a trucewatch backup"),
    ],
    ids=["corrupt-pages", "truncated", "not-sqlite", "empty"],
)
def test_a_damaged_archive_is_refused(
    source: Path, tmp_path: Path, damage: Callable[[Path], None], message: str
) -> None:
    archive = tmp_path / "a.backup"
    backup(source, archive)
    damage(archive)
    target = tmp_path / "copy.db"
    with pytest.raises(BackupError, match=message) as caught:
        restore(archive, str(target))
    assert str(archive) in str(caught.value)
    assert not target.exists()  # refused before anything was written


def test_an_archive_of_a_newer_trucewatch_is_refused_before_writing(
    source: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "a.backup"
    backup(source, archive)
    with sqlite3.connect(archive) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')")
    conn.close()
    target = tmp_path / "empty.db"
    open_store(target).close()
    with pytest.raises(BackupError, match="newer trucewatch .schema version 99.: upgrade"):
        restore(archive, str(target), force=True)
    with open_store(target) as store:
        assert store.counts()["schema_migrations"] == len(MIGRATIONS)  # untouched


def test_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackupError, match=r"cannot back up '.*missing.db': no such registry"):
        backup(str(tmp_path / "missing.db"), tmp_path / "a.backup")

    stranger = tmp_path / "stranger.db"
    with sqlite3.connect(stranger) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(BackupError, match="not a trucewatch registry .no schema_migrations"):
        backup(str(stranger), tmp_path / "a.backup")
    with pytest.raises(BackupError, match="not a trucewatch registry .no schema_migrations"):
        restore(stranger, str(tmp_path / "copy.db"))
    assert not (tmp_path / "a.backup").exists()

    with pytest.raises(BackupError, match="no such file|No such file"):
        restore(tmp_path / "missing.backup", str(tmp_path / "copy.db"))

    # PostgreSQL without its client programs; the password never shows
    monkeypatch.setattr(backup_module, "find_program", lambda _name: None)
    url = "postgresql://analyst:s3cret@db.invalid:5432/registry"
    with pytest.raises(BackupError, match="pg_dump not found") as caught:
        backup(url, tmp_path / "pg.backup")
    assert "s3cret" not in str(caught.value)
    assert "analyst:***@db.invalid" in str(caught.value)

    sqlite_archive = tmp_path / "sqlite.backup"
    with open_store(tmp_path / "r.db"):
        pass
    backup(tmp_path / "r.db", sqlite_archive)
    with pytest.raises(BackupError, match="is a SQLite backup .restore it into a SQLite file"):
        restore(sqlite_archive, url)
    pg_archive = tmp_path / "fake.dump"
    pg_archive.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError, match="is a PostgreSQL backup .restore it into a postgres"):
        restore(pg_archive, str(tmp_path / "copy.db"))


def test_postgresql_password_travels_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pg_restore gets the URL's connection parameters on its command line and the password
    in PGPASSWORD only (no server needed: the programs are stand-ins)."""
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(args: list[str], env: dict[str, str], **_kwargs: object) -> object:
        calls.append((args, env))
        listing = "1; 0 0 TABLE DATA public schema_migrations analyst\n"
        return subprocess.CompletedProcess(args, 0, stdout=listing, stderr="")

    monkeypatch.setattr(backup_module, "find_program", lambda name: Path("/opt/pg/bin") / name)
    monkeypatch.setattr(backup_module.subprocess, "run", run)
    archive = tmp_path / "a.dump"
    archive.write_bytes(b"PGDMP\x01\x0e\x00")
    url = "postgresql://analyst:s3cret@127.0.0.1:1/registry?sslmode=disable"
    with pytest.raises(BackupError, match="but it does not open") as caught:
        restore(archive, url, force=True)  # the restored database does not exist, of course
    assert "s3cret" not in str(caught.value)
    (listed, _), (restored, env) = calls
    assert listed == ["/opt/pg/bin/pg_restore", "--list", str(archive)]
    assert restored[0] == "/opt/pg/bin/pg_restore"
    assert {"--clean", "--if-exists", "--single-transaction", "--no-password"} <= set(restored)
    assert not any("s3cret" in arg for arg in restored)
    assert env["PGPASSWORD"] == "s3cret"
    (conninfo,) = [arg for arg in restored if arg.startswith("--dbname=")]
    assert conninfo == (
        "--dbname=host='127.0.0.1' port='1' user='analyst' dbname='registry' "
        "sslmode='disable' connect_timeout='10'"
    )


def test_cli_round_trip(source: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    archive = tmp_path / "cli.backup"
    done = runner.invoke(backup_command, ["--db", str(source), "-o", str(archive)])
    assert done.exit_code == 0, done.output
    assert f"backed up {source} to {archive}" in done.output
    assert " documents " in done.output

    copy = tmp_path / "cli.db"
    done = runner.invoke(restore_command, [str(archive), "--db", str(copy)])
    assert done.exit_code == 0, done.output
    assert f"restored {archive} into {copy}" in done.output
    with open_store(copy) as store:
        counts = store.counts()
    for table, rows_ in counts.items():
        assert any(line.split() == [table, str(rows_)] for line in done.output.splitlines())

    refused = runner.invoke(restore_command, [str(archive), "--db", str(copy)])
    assert refused.exit_code == 1
    assert "already holds data; use --force" in refused.output
    assert "Traceback" not in refused.output
    forced = runner.invoke(restore_command, [str(archive), "--db", str(copy), "--force"])
    assert forced.exit_code == 0, forced.output

    missing = runner.invoke(backup_command, ["--db", str(tmp_path / "no.db"), "-o", "x.backup"])
    assert missing.exit_code == 1
    assert "Error: cannot back up" in missing.output
    assert not (tmp_path / "no.db").exists()  # backup never creates a registry


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_backup_and_restore(
    postgres_url: str,
    postgres_server: PostgresServer,
    tmp_path: Path,
    open_stores: StoreFactory,
) -> None:
    if backup_module.find_program("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    store = open_stores(postgres_url)
    fill(store)
    expected = snapshot(store)

    archive = tmp_path / "registry.dump"
    info = backup(postgres_url, archive)
    assert (info.backend, info.counts) == ("postgresql", expected["counts"])
    assert archive.read_bytes().startswith(b"PGDMP")

    name = f"restore_target_{next(_pg_targets)}"
    target = postgres_server.create_database(name)
    try:
        restored = restore(archive, target)
        assert restored.counts == expected["counts"]
        copy = open_stores(target)
        assert snapshot(copy) == expected
        assert copy.integrity_check()
        assert copy.search("Khramort")

        copy.add_document(make_doc("Written after the restore."), b"new")
        with pytest.raises(BackupError, match="already holds data; use --force"):
            restore(archive, target)
        assert restore(archive, target, force=True).counts == expected["counts"]
        assert snapshot(copy) == expected
    finally:
        postgres_server.drop_database(name)  # ends the connections still open to it
