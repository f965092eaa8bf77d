"""Concurrent use of one registry: two `trucewatch ingest` processes writing the same database
at once while readers query it, and review edits with optimistic locking.

The web app runs over the same database (uvicorn on 127.0.0.1): one client reads the incident
list, the map, a search and the dashboard in a loop while an analyst's client keeps editing
incidents through the API, as the two ingest processes (overlapping inputs) write. Neither
process may fail or print "database is locked"; every answer is 200, or 409 for an edit made
against a version that changed meanwhile; every accepted edit is still there at the end; and the
registry holds what one run of the union of the inputs stores. The same runs on PostgreSQL
(`postgres_url`) when its server binaries are installed. (A reader thread calling the store
directly is kept as a lighter check.)

Review edits (`SqlStore.update_incident`): two sessions load version v of an incident; the
first edit wins, the second is refused with StaleVersionError and a message that says what to
do, and only the successful edit leaves a review row. On both backends (`store_target`).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from test_crash import command_env, ingest_command, synthetic_reports, write_corpus

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import read_sources
from trucewatch.models import (
    CasualtyRange,
    Claim,
    Event,
    Incident,
    Review,
    StoredDocument,
    document_id,
)
from trucewatch.registry import Registry
from trucewatch.store import SqlStore, StaleVersionError, StoreError, open_store
from trucewatch.store.accounts import Accounts
from trucewatch.web.settings import WebSettings
from web_server import LiveServer

StoreFactory = Callable[..., SqlStore]
RECORDS = 36
OVERLAP = 12
RUN_TIMEOUT = 300.0


@dataclass
class Inputs:
    first: Path
    second: Path
    union: Path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    """Two overlapping halves of a synthetic corpus, and their union."""
    folder = tmp_path_factory.mktemp("concurrency")
    records = synthetic_reports(RECORDS, seed=5, start=100)  # no near duplicates: see below
    half = (RECORDS + OVERLAP) // 2
    return Inputs(
        first=write_corpus(folder / "first.jsonl", records[:half]),
        second=write_corpus(folder / "second.jsonl", records[RECORDS - half :]),
        union=write_corpus(folder / "union.jsonl", records),
    )


def counts(store: SqlStore) -> dict[str, int]:
    """The registry's rows that ingest writes, and how many claims are linked."""
    table = store.counts()
    linked = sum(len(i.claims) for i in store.incidents(include_historical=True))
    keys = ("documents", "signatures", "claims", "period_reports", "incidents")
    return {key: table[key] for key in keys} | {"claims_linked": linked}


@pytest.fixture(scope="module")
def single_run(
    inputs: Inputs,
    extractor: Extractor,
    geocoder: Geocoder,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, int]:
    """Counts of one ingest of the union (in-process: the same Registry the command runs)."""
    with open_store(tmp_path_factory.mktemp("single") / "single.db") as store:
        summary = Registry(store, extractor, geocoder).ingest(read_sources([str(inputs.union)]))
        assert not summary.failed
        assert summary.near_duplicates == 0  # the corpus has none (see the test below)
        return counts(store)


@dataclass
class Reader:
    """Reads the registry in a loop on its own thread (standing in for the web app)."""

    target: str | Path
    rounds: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        store: SqlStore | None = None
        try:
            while not self.stop.is_set():
                try:
                    if store is None:
                        store = open_store(self.target)
                    store.incidents(include_historical=True)
                    store.search("ceasefire violation")
                    store.counts()
                    self.rounds += 1
                except StoreError as error:  # not created yet by the writers
                    if "cannot open store" not in str(error):
                        self.errors.append(repr(error))
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    self.errors.append(repr(error))
                time.sleep(0.01)
        finally:
            if store is not None:
                store.close()


def ingest_concurrently(inputs: Inputs, db: str | Path, cache: Path) -> Reader:
    """Two ingest processes of the overlapping halves at once, and a reader thread; both
    processes must succeed without a locking error."""
    env = command_env(cache)
    reader = Reader(db)
    thread = threading.Thread(target=reader.run, daemon=True)
    procs = [
        subprocess.Popen(
            ingest_command(part, db), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for part in (inputs.first, inputs.second)
    ]
    thread.start()
    try:
        outcomes = [proc.communicate(timeout=RUN_TIMEOUT) for proc in procs]
    finally:
        reader.stop.set()
        thread.join(timeout=30)
    for proc, (_, err) in zip(procs, outcomes, strict=True):
        stderr = err.decode()
        assert proc.returncode == 0, stderr
        assert "database is locked" not in stderr
        assert "Traceback" not in stderr
        assert "error" not in stderr.lower(), stderr
    assert reader.errors == []
    assert reader.rounds > 0
    return reader


@dataclass
class WebUse:
    """A reader and an analyst using the web app while others write (each on its own thread)."""

    url: str
    token: str
    reads: int = 0
    edits: dict[str, int] = field(default_factory=dict)  # incident id -> killed it was set to
    refused: int = 0  # 409: the incident changed between loading and editing it
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def _client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def read(self) -> None:
        with self._client() as client:
            while not self.stop.is_set():
                for path in ("/api/v1/incidents?limit=20", "/api/v1/map", "/", "/review"):
                    answer = client.get(path)
                    if answer.status_code != 200:
                        self.errors.append(f"GET {path}: {answer.status_code} {answer.text[:200]}")
                    self.reads += 1
                found = client.get("/api/v1/documents", params={"q": "ceasefire violation"})
                if found.status_code != 200:
                    self.errors.append(f"search: {found.status_code} {found.text[:200]}")

    def review(self) -> None:
        n = 0
        with self._client() as client:
            while not self.stop.is_set():
                listing = client.get("/api/v1/incidents", params={"limit": 50, "order": "-date"})
                if listing.status_code != 200:
                    self.errors.append(f"list: {listing.status_code} {listing.text[:200]}")
                    continue
                for incident in listing.json()["items"][:3]:
                    n += 1
                    answer = client.post(
                        f"/api/v1/incidents/{incident['id']}/review",
                        json={
                            "action": "edit",
                            "version": incident["version"],
                            "fields": {"killed": {"low": n, "best": n, "high": n}},
                        },
                    )
                    if answer.status_code == 200:
                        self.edits[incident["id"]] = n
                    elif answer.status_code == 409:
                        self.refused += 1
                    else:
                        self.errors.append(f"edit: {answer.status_code} {answer.text[:200]}")
                time.sleep(0.05)


def ingest_with_the_web_app(inputs: Inputs, db: str | Path, cache: Path) -> tuple[WebUse, float]:
    """Two ingest processes of the overlapping halves at once, with the web app serving a
    reader and an analyst over the same database."""
    with open_store(db) as store:  # the server opens an existing registry
        accounts = Accounts(store)
        accounts.add_user("analyst", "analyst-pass-1", "analyst")
        token = accounts.add_token("analyst", "concurrency test")
    env = command_env(cache)
    with LiveServer(WebSettings(db=str(db)), None, None) as server:
        use = WebUse(server.url, token)
        threads = [threading.Thread(target=f, daemon=True) for f in (use.read, use.review)]
        started = time.monotonic()
        procs = [
            subprocess.Popen(
                ingest_command(part, db), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for part in (inputs.first, inputs.second)
        ]
        for thread in threads:
            thread.start()
        try:
            outcomes = [proc.communicate(timeout=RUN_TIMEOUT) for proc in procs]
        finally:
            time.sleep(0.5)  # a few more rounds on the finished registry
            use.stop.set()
            for thread in threads:
                thread.join(timeout=60)
        took = time.monotonic() - started
    for proc, (_, err) in zip(procs, outcomes, strict=True):
        stderr = err.decode()
        assert proc.returncode == 0, stderr
        assert "database is locked" not in stderr
        assert "Traceback" not in stderr
    assert use.errors == []
    assert use.reads > 0
    assert use.edits, "the analyst never got to edit"
    return use, took


def check_edits_kept(store: SqlStore, use: WebUse) -> None:
    for incident_id, killed in use.edits.items():
        incident = store.get_incident(incident_id)
        assert incident is not None, incident_id
        assert incident.killed.best == killed, incident_id  # no edit lost to a linker
        assert incident.overrides["killed"]["best"] == killed


def test_two_ingests_and_the_web_app_on_one_database(
    inputs: Inputs, single_run: dict[str, int], gazetteer_cache: Path, store_target: str | Path
) -> None:
    use, took = ingest_with_the_web_app(inputs, store_target, gazetteer_cache)
    with open_store(store_target) as store:
        assert store.integrity_check()
        got = counts(store)
        check_edits_kept(store, use)
    backend = "postgresql" if "://" in str(store_target) else "sqlite"
    print(  # noqa: T201 - the measured figures
        f"\n{backend}: 2 ingest processes + web app in {took:.1f}s: {use.reads} HTTP reads, "
        f"{len(use.edits)} incidents edited, {use.refused} stale edits refused (409): {got}"
    )
    assert got == single_run


def test_two_ingest_processes_and_a_reader_on_one_sqlite_file(
    inputs: Inputs, single_run: dict[str, int], gazetteer_cache: Path, tmp_path: Path
) -> None:
    db = tmp_path / "shared.db"
    started = time.monotonic()
    reader = ingest_concurrently(inputs, db, gazetteer_cache)
    took = time.monotonic() - started
    with open_store(db) as store:
        assert store.integrity_check()
        got = counts(store)
    print(  # noqa: T201 - the measured figures
        f"\nsqlite: 2 writers + 1 reader ({reader.rounds} reads) in {took:.1f}s: {got}"
    )
    assert got == single_run


@pytest.mark.postgres
def test_two_ingest_processes_and_a_reader_on_one_postgresql_database(
    inputs: Inputs, single_run: dict[str, int], gazetteer_cache: Path, postgres_url: str
) -> None:
    started = time.monotonic()
    reader = ingest_concurrently(inputs, postgres_url, gazetteer_cache)
    took = time.monotonic() - started
    with open_store(postgres_url) as store:
        assert store.integrity_check()
        got = counts(store)
    print(  # noqa: T201 - the measured figures
        f"\npostgresql: 2 writers + 1 reader ({reader.rounds} reads) in {took:.1f}s: {got}"
    )
    assert got == single_run


def test_a_near_duplicate_stored_by_another_process_is_recognised(
    extractor: Extractor, geocoder: Geocoder, tmp_path: Path
) -> None:
    records = {r["id"]: r for r in synthetic_reports(RECORDS, seed=23, start=100)}
    original = write_corpus(tmp_path / "original.jsonl", [records["syn-103"]])
    repeat = write_corpus(tmp_path / "repeat.jsonl", [records["syn-115"]])
    with open_store(tmp_path / "r.db") as one, open_store(tmp_path / "r.db") as other:
        late = Registry(one, extractor, geocoder)
        assert late.near_duplicates is not None  # this process has started reading
        assert Registry(other, extractor, geocoder).ingest(read_sources([str(original)])).new
        summary = late.ingest(read_sources([str(repeat)]))
    assert (summary.new, summary.near_duplicates) == (0, 1)


# -- review edits: optimistic locking ----------------------------------------------------------

NOW = dt.datetime(2021, 8, 13, 9, 30, tzinfo=dt.UTC)


def stored_incident(store: SqlStore) -> str:
    text = "Azerbaijani forces fired mortars at Armenian positions near Shusha."
    doc = StoredDocument(id=document_id(text), text=text, ingested_at=NOW)
    event = Event.model_validate({"type": "shelling", "actor": "Azerbaijan"})
    claim = Claim(id=Claim.make_id(doc.id, 0), document_id=doc.id, index=0, event=event)
    assert store.add_document(doc, text.encode(), [claim])
    store.save_incidents([Incident(id="inc-1", type="shelling", location="Shusha", claims=[claim])])
    return "inc-1"


def review(incident_id: str, who: str) -> Review:
    return Review(incident_id=incident_id, action="edit", who=who, at=NOW)


@pytest.fixture
def two_sessions(store_target: str | Path, open_stores: StoreFactory) -> tuple[SqlStore, SqlStore]:
    """Two stores on one database, as two analysts' sessions (or two processes) would have."""
    return open_stores(store_target), open_stores(store_target)


def loaded(store: SqlStore, incident_id: str) -> Incident:
    found = store.get_incident(incident_id)
    assert found is not None
    return found


def test_a_stale_edit_is_refused_and_only_the_winner_is_reviewed(
    two_sessions: tuple[SqlStore, SqlStore],
) -> None:
    alice, bob = two_sessions
    incident_id = stored_incident(alice)
    mine, theirs = loaded(alice, incident_id), loaded(bob, incident_id)
    assert mine.version == theirs.version == 1

    edited = alice.update_incident(
        mine.model_copy(update={"location": "Shushi"}),
        expected_version=mine.version,
        review=review(incident_id, "alice"),
    )
    assert (edited.version, edited.location, len(edited.claims)) == (2, "Shushi", 1)

    with pytest.raises(StaleVersionError) as refused:
        bob.update_incident(
            theirs.model_copy(update={"location": "Stepanakert"}),
            expected_version=theirs.version,
            review=review(incident_id, "bob"),
        )
    assert str(refused.value) == (
        f"incident {incident_id} was changed by someone else (version 2, you edited version 1): "
        "reload and edit again"
    )
    assert isinstance(refused.value, StoreError)
    assert (refused.value.stored_version, refused.value.expected_version) == (2, 1)

    now = loaded(bob, incident_id)
    assert (now.version, now.location, [c.id for c in now.claims]) == (
        2,
        "Shushi",
        [c.id for c in mine.claims],
    )
    [kept] = bob.reviews(incident_id)  # exactly one review: the successful edit's
    assert (kept.who, kept.action) == ("alice", "edit")
    assert (kept.before["location"], kept.after["location"]) == ("Shusha", "Shushi")

    # Bob reloads and edits again: accepted, on top of Alice's edit.
    again = bob.update_incident(
        now.model_copy(update={"killed": CasualtyRange(low=0, best=0, high=0)}),
        expected_version=now.version,
        review=review(incident_id, "bob"),
    )
    assert (again.version, again.location, again.killed.best) == (3, "Shushi", 0)
    assert [r.who for r in alice.reviews(incident_id)] == ["alice", "bob"]


def test_an_edit_of_a_removed_incident_is_refused(store: SqlStore) -> None:
    incident_id = stored_incident(store)
    mine = loaded(store, incident_id)
    store.save_incidents([mine.model_copy(update={"claims": []})])  # no claims left: removed
    assert store.get_incident(incident_id) is None
    with pytest.raises(StaleVersionError, match="was removed by someone else"):
        store.update_incident(mine, expected_version=1, review=review(incident_id, "alice"))
    assert store.reviews(incident_id) == []


def test_a_review_of_another_incident_is_refused(store: SqlStore) -> None:
    incident_id = stored_incident(store)
    mine = loaded(store, incident_id)
    with pytest.raises(StoreError, match="cannot record an edit"):
        store.update_incident(mine, expected_version=1, review=review("inc-other", "alice"))
    assert loaded(store, incident_id).version == 1
    assert store.reviews(incident_id) == []


def test_concurrent_edits_from_threads_lose_none(
    store_target: str | Path, open_stores: StoreFactory
) -> None:
    """Four sessions edit one incident 10 times each, reloading when refused: every accepted
    edit is one version and one review, and no edit is lost."""
    sessions = [open_stores(store_target) for _ in range(4)]
    incident_id = stored_incident(sessions[0])
    refusals = [0] * len(sessions)

    def analyst(n: int) -> None:
        store = sessions[n]
        for edit in range(10):
            while True:
                current = loaded(store, incident_id)
                comment = f"{current.location}|{n}.{edit}"
                try:
                    store.update_incident(
                        current.model_copy(update={"location": comment}),
                        expected_version=current.version,
                        review=review(incident_id, f"analyst-{n}"),
                    )
                    break
                except StaleVersionError:
                    refusals[n] += 1

    threads = [threading.Thread(target=analyst, args=(n,)) for n in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    final = loaded(sessions[0], incident_id)
    assert final.version == 1 + 40
    assert len(sessions[0].reviews(incident_id)) == 40
    assert final.location is not None
    edits = final.location.split("|")[1:]  # each edit appended to the one before it
    assert sorted(edits) == sorted(f"{n}.{e}" for n in range(4) for e in range(10))


@pytest.fixture
def store(store_target: str | Path, open_stores: StoreFactory) -> SqlStore:
    return open_stores(store_target)
