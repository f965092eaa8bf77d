"""Crash safety of `trucewatch ingest`: SIGKILL it at random points, restart it, and nothing is
lost, doubled or half-stored.

A clean run of a corpus into db A gives the reference: documents, claims and period reports per
document, incidents and linked claims. Then db B is ingested by a real `python -m trucewatch
ingest` process killed with SIGKILL after a seeded random delay, K times (K = 5, or
$TRUCEWATCH_CRASH_ROUNDS). After every kill the file passes PRAGMA integrity_check and the
foreign-key check, every stored document has exactly the claims and period reports the clean run
gave it (one transaction per document: all or nothing), and no claim or period report is left
without its document. A last run completes the rest: B then holds the same rows as A.

The delays are drawn so that kills land during start-up, while documents are stored and while
claims are linked (in proportion to how long each phase took in the clean run, scaled by the
work left). The corpus is synthetic ceasefire bulletins (claims and period reports), plus MUC-4
dev texts from ../shared when the shared folder is there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from trucewatch.geo import Geocoder
from trucewatch.store import open_store

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

ROUNDS = int(os.environ.get("TRUCEWATCH_CRASH_ROUNDS", "5"))
SEED = int(os.environ.get("TRUCEWATCH_CRASH_SEED", "20210813"))
SYNTHETIC = 40
MUC_TEXTS = 16
RUN_TIMEOUT = 300.0
SHARED_MUC = Path(__file__).resolve().parents[3] / "shared" / "bench" / "muc4_dev_texts.jsonl"

_KARABAKH = ["Saribaba", "Shusha", "Lachin", "Martuni", "Askeran", "Khojavend", "Aghdam", "Fuzuli"]
_DONBAS = ["Avdiivka", "Shyrokyne", "Horlivka", "Marinka", "Pisky", "Svitlodarsk", "Zolote"]
_KASHMIR = ["Poonch", "Uri", "Rajouri", "Kupwara", "Mendhar", "Keran", "Naugam", "Krishna Ghati"]
_WEAPONS = ["mortars", "small arms", "an attack drone", "grenade launchers", "artillery"]
_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven"]


def synthetic_reports(n: int, seed: int = 7, start: int = 0) -> list[dict[str, str]]:
    """`n` varied short ceasefire reports (Karabakh, Donbas, Kashmir), each with a current
    incident, casualties, an aggregate statement and some background or boilerplate."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        day = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randrange(120))
        weekday = (day - dt.timedelta(days=1)).strftime("%A")
        killed, hurt = _NUMBERS[rng.randrange(3)], _NUMBERS[rng.randrange(4)]
        weapon, count = rng.choice(_WEAPONS), rng.choice(_NUMBERS)
        if i % 3 == 0:
            place = rng.choice(_KARABAKH)
            text = (
                f"Report {i}: peacekeepers log violation near {place}\n"
                f"The Russian Defence Ministry said on {weekday} that its peacekeeping contingent "
                f"had registered {count} ceasefire violation(s) in the previous 24 hours.\n"
                f'"Units of the Azerbaijani armed forces fired {weapon} at positions of the '
                f'Nagorno-Karabakh Defence Army near {place}," the ministry said. '
                f"{killed.capitalize()} soldier(s) were killed and {hurt} wounded.\n"
                "Support our newsroom. Donate now. Remind me later."
            )
        elif i % 3 == 1:
            place = rng.choice(_DONBAS)
            text = (
                f"Russian-backed forces violated the ceasefire {count} times over the past day, "
                f"the press centre of the Joint Forces Operation said on {weekday} "
                f"(bulletin {i}).\nNear {place} the occupiers fired {weapon} at Ukrainian "
                f"positions. {hurt.capitalize()} Ukrainian soldier(s) were wounded and {killed} "
                "killed.\nThe full ceasefire agreed in July 2020 had held for several months "
                "before violations resumed."
            )
        else:
            place = rng.choice(_KASHMIR)
            text = (
                "Pakistani troops shelled forward posts and villages along the Line of Control "
                f"in the {place} sector on {weekday} evening, a defence spokesman said "
                f'(dispatch {i}).\n"Pakistan Army initiated an unprovoked ceasefire violation '
                f'with {weapon}. {hurt.capitalize()} civilians were injured," the spokesman '
                f"said.\nMore than {rng.randrange(1000, 5000)} ceasefire violations have been "
                "recorded along the Line of Control since January this year."
            )
        out.append({"id": f"syn-{i:03d}", "text": text, "published": day.isoformat()})
    return out


def muc_reports(n: int) -> list[dict[str, str]]:
    """The first `n` MUC-4 dev texts of ../shared (long wire reports), or none without it."""
    if not SHARED_MUC.is_file():
        return []
    with SHARED_MUC.open(encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(n), fh, strict=False)]
    return [{k: r[k] for k in ("id", "text", "published") if r.get(k)} for r in records]


def write_corpus(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def ingest_command(corpus: Path, db: str | Path) -> list[str]:
    return [sys.executable, "-m", "trucewatch", "ingest", str(corpus), "--db", str(db)]


def command_env(cache: Path) -> dict[str, str]:
    """The environment of an ingest process: the session's gazetteer index, no colours."""
    return {**os.environ, "TRUCEWATCH_CACHE": str(cache), "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def warm_cache(geocoder: Geocoder, gazetteer_cache: Path) -> Path:
    """$TRUCEWATCH_CACHE with the gazetteer index already built (by the session geocoder)."""
    assert geocoder is not None
    return gazetteer_cache


# -- reading a database as it is --------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What a registry holds, as sets and per-document tallies (ids are content hashes, so
    two databases of the same corpus can be compared row by row)."""

    documents: frozenset[str]
    claims: frozenset[str]
    period_reports: frozenset[str]
    incidents: frozenset[str]
    links: frozenset[tuple[str, str]]  # (claim id, incident id)
    claims_per_doc: dict[str, int]
    reports_per_doc: dict[str, int]
    orphans: int  # claims or period reports without their document, links to no incident
    empty_incidents: int  # incidents with no claim

    def counts(self) -> dict[str, int]:
        return {
            "documents": len(self.documents),
            "claims": len(self.claims),
            "period_reports": len(self.period_reports),
            "incidents": len(self.incidents),
            "claims_linked": len(self.links),
        }


def snapshot(db: Path) -> Snapshot:
    """Read `db` with the plain sqlite3 module (not the code under test)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:

        def ids(sql: str) -> frozenset[str]:
            return frozenset(row[0] for row in conn.execute(sql))

        def tally(table: str) -> dict[str, int]:
            return dict(conn.execute(f"SELECT document_id, count(*) FROM {table} GROUP BY 1"))

        orphans = sum(
            conn.execute(sql).fetchone()[0]
            for sql in (
                "SELECT count(*) FROM claims WHERE document_id NOT IN (SELECT id FROM documents)",
                "SELECT count(*) FROM period_reports "
                "WHERE document_id NOT IN (SELECT id FROM documents)",
                "SELECT count(*) FROM signatures "
                "WHERE document_id NOT IN (SELECT id FROM documents)",
                "SELECT count(*) FROM claims "
                "WHERE incident_id IS NOT NULL AND incident_id NOT IN (SELECT id FROM incidents)",
            )
        )
        empty = conn.execute(
            "SELECT count(*) FROM incidents "
            "WHERE id NOT IN (SELECT incident_id FROM claims WHERE incident_id IS NOT NULL)"
        ).fetchone()[0]
        return Snapshot(
            documents=ids("SELECT id FROM documents"),
            claims=ids("SELECT id FROM claims"),
            period_reports=ids("SELECT id FROM period_reports"),
            incidents=ids("SELECT id FROM incidents"),
            links=frozenset(
                conn.execute("SELECT id, incident_id FROM claims WHERE incident_id IS NOT NULL")
            ),
            claims_per_doc=tally("claims"),
            reports_per_doc=tally("period_reports"),
            orphans=orphans,
            empty_incidents=empty,
        )
    finally:
        conn.close()


def integrity(db: Path) -> list[str]:
    """PRAGMA integrity_check's rows ("ok" when the file is sound) plus foreign-key violations."""
    conn = sqlite3.connect(db)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        rows += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        return rows
    finally:
        conn.close()


def documents_stored(db: Path) -> int:
    """Documents in `db` right now (0 while it does not exist or is being created)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def difference(expected: Snapshot, got: Snapshot) -> dict[str, tuple[int, int]]:
    """Per kind of row: (lost, extra) of `got` against `expected`."""
    pairs: dict[str, tuple[frozenset[object], frozenset[object]]] = {
        "documents": (expected.documents, got.documents),
        "claims": (expected.claims, got.claims),
        "period_reports": (expected.period_reports, got.period_reports),
        "incidents": (expected.incidents, got.incidents),
        "links": (expected.links, got.links),
    }
    return {name: (len(a - b), len(b - a)) for name, (a, b) in pairs.items()}


# -- the clean run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Phases of the clean run as seen from outside: first document stored, last document
    stored, process exited (seconds from start)."""

    first: float
    last: float
    total: float


def timed_run(command: list[str], env: dict[str, str], db: Path, expected_docs: int) -> Timing:
    """Run `command` to completion, watching how many documents `db` holds as it goes."""
    start = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = last = None
    deadline = start + RUN_TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        stored = documents_stored(db)
        now = time.monotonic() - start
        if stored and first is None:
            first = now
        if stored >= expected_docs and last is None:
            last = now
        time.sleep(0.05)
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    total = time.monotonic() - start
    assert proc.returncode == 0, err.decode()
    return Timing(first=first or total, last=last or total, total=total)


@dataclass(frozen=True)
class KillPoint:
    """Kill once the database holds `documents` documents, `after` seconds later (with
    documents == the count at start: `after` seconds after start, i.e. during start-up)."""

    documents: int
    after: float


def kill_point(
    rng: random.Random, timing: Timing, records: int, stored: int, rounds_left: int
) -> KillPoint:
    """A random point of the run still to come, so that the rounds share the work: up to
    twice a fair share (1 / rounds left) of the documents still to store, then a random part
    of one document's time (of the linking phase, when the target is the whole corpus)."""
    share = max(1, round(2 * (records - stored) / rounds_left))
    target = min(records, stored + rng.randint(0, share))
    if target == stored:
        return KillPoint(stored, rng.uniform(0.05, timing.first))
    per_document = (timing.last - timing.first) / records
    window = per_document + (max(timing.total - timing.last, 0.05) if target == records else 0)
    return KillPoint(target, rng.uniform(0.0, window))


def run_and_kill(
    command: list[str], env: dict[str, str], db: Path, stored: int, point: KillPoint
) -> tuple[int, bytes, float]:
    """Start `command`, SIGKILL it at `point`; its exit status, stderr and when it was killed
    (seconds from start; it may have finished first)."""
    start = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if point.documents > stored:
        while proc.poll() is None and documents_stored(db) < point.documents:
            time.sleep(0.02)
    try:
        proc.wait(timeout=point.after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=RUN_TIMEOUT)
    return proc.returncode, err, time.monotonic() - start


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = synthetic_reports(SYNTHETIC) + muc_reports(MUC_TEXTS)
    return write_corpus(tmp_path_factory.mktemp("crash") / "corpus.jsonl", records)


def test_sigkill_at_random_points_loses_and_doubles_nothing(
    corpus: Path, warm_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = command_env(warm_cache)
    clean_db, crashed_db = tmp_path / "clean.db", tmp_path / "crashed.db"
    records = sum(1 for line in corpus.read_text(encoding="utf-8").splitlines() if line)
    timing = timed_run(ingest_command(corpus, clean_db), env, clean_db, records)
    clean = snapshot(clean_db)
    assert integrity(clean_db) == ["ok"]
    assert clean.counts()["documents"] == records
    assert clean.claims, clean.counts()
    assert clean.period_reports, clean.counts()
    assert clean.links, clean.counts()

    rng = random.Random(SEED)
    kills: list[tuple[float, int, int]] = []  # (delay, documents before, documents after)
    finished_early = 0
    for done_rounds in range(ROUNDS):
        before = documents_stored(crashed_db)
        point = kill_point(rng, timing, records, before, rounds_left=ROUNDS - done_rounds)
        status, err, delay = run_and_kill(
            ingest_command(corpus, crashed_db), env, crashed_db, before, point
        )
        if status != -signal.SIGKILL:  # done before the kill: it must have succeeded
            assert status == 0, err.decode()
            finished_early += 1
        if not crashed_db.exists():  # killed before it created the file
            kills.append((delay, before, 0))
            continue

        assert integrity(crashed_db) == ["ok"]
        state = snapshot(crashed_db)
        kills.append((delay, before, len(state.documents)))
        assert state.documents <= clean.documents
        assert state.orphans == 0
        assert state.empty_incidents == 0
        for doc in state.documents:  # every stored document is whole
            assert state.claims_per_doc.get(doc, 0) == clean.claims_per_doc.get(doc, 0), doc
            assert state.reports_per_doc.get(doc, 0) == clean.reports_per_doc.get(doc, 0), doc
        assert state.claims <= clean.claims
        assert state.period_reports <= clean.period_reports

    done = subprocess.run(
        ingest_command(corpus, crashed_db),
        env=env,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert integrity(crashed_db) == ["ok"]
    with open_store(crashed_db) as store:  # the store's own check agrees
        assert store.integrity_check()
    final = snapshot(crashed_db)
    lost_extra = difference(clean, final)
    with capsys.disabled():
        print(  # noqa: T201 - the measured figures, shown with the test's outcome
            f"\ncrash: {ROUNDS} SIGKILL round(s) ({finished_early} finished before the kill), "
            f"corpus {records} records, clean run {timing.total:.1f}s (first document "
            f"{timing.first:.1f}s, last {timing.last:.1f}s); kills at "
            + ", ".join(f"{d:.1f}s ({a}->{b} docs)" for d, a, b in kills)
            + f"; final {final.counts()}; lost/extra {lost_extra}"
        )
    assert final.counts() == clean.counts()
    assert lost_extra == dict.fromkeys(lost_extra, (0, 0))
    assert final.claims_per_doc == clean.claims_per_doc
    assert final.reports_per_doc == clean.reports_per_doc
    assert final.orphans == 0
    assert final.empty_incidents == 0


def test_a_kill_while_linking_is_completed_by_the_next_run(
    warm_cache: Path, tmp_path: Path
) -> None:
    """The documents are all stored but the batch died before it linked them: the next run,
    with nothing new to store, links the stored-but-unlinked claims (registry.relink)."""
    corpus = write_corpus(tmp_path / "small.jsonl", synthetic_reports(6, seed=11))
    env = command_env(warm_cache)
    db = tmp_path / "registry.db"
    subprocess.run(ingest_command(corpus, db), env=env, check=True, capture_output=True)
    expected = snapshot(db)
    assert expected.links
    with sqlite3.connect(db) as conn:  # as if killed between storing and linking
        conn.execute("UPDATE claims SET incident_id = NULL")
        conn.execute("DELETE FROM incidents")
    assert not snapshot(db).links

    subprocess.run(ingest_command(corpus, db), env=env, check=True, capture_output=True)
    assert snapshot(db).counts() == expected.counts()
    assert snapshot(db).links == expected.links
