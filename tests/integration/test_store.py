"""The store on a real SQLite file and on a real PostgreSQL database (`store_target`, tests/
conftest.py): idempotent writes, atomic documents, incident upserts and filters, full-text
search, and a property test that claims round-trip. Every test that takes
`store` or `store_target` runs on both backends."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, make_url, select

from trucewatch.models import (
    Ceasefire,
    Claim,
    DateBasis,
    Event,
    EventType,
    Evidence,
    GeoPoint,
    GeoPrecision,
    Incident,
    PeriodReport,
    Review,
    Stance,
    StoredDocument,
    Weapon,
    document_id,
)
from trucewatch.models.figures import MAX_FIGURE
from trucewatch.store import IncidentStore, SqlStore, StoreError, migrations, open_store
from trucewatch.store.queries import IncidentQuery
from trucewatch.store.schema import schema_migrations

StoreFactory = Callable[..., SqlStore]
Target = str | Path
NOW = dt.datetime(2021, 8, 13, 9, 30, tzinfo=dt.UTC)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def store(store_target: Target, open_stores: StoreFactory) -> SqlStore:
    return open_stores(store_target)


def is_postgres(store: SqlStore) -> bool:
    return store.engine.dialect.name == "postgresql"


def make_doc(text: str, published: dt.date | None = dt.date(2021, 8, 13)) -> StoredDocument:
    return StoredDocument(
        id=document_id(text), text=text, published=published, outlet="Test Wire", ingested_at=NOW
    )


def make_claim(doc: StoredDocument, index: int, **event: typing.Any) -> Claim:
    said = Event.model_validate({"type": "shelling", **event})
    return Claim(id=Claim.make_id(doc.id, index), document_id=doc.id, index=index, event=said)


def inc(id: str, *claims: Claim, **fields: typing.Any) -> Incident:
    return Incident.model_validate({"id": id, "type": "shelling", **fields, "claims": claims})


def get(store: SqlStore, incident_id: str) -> Incident:
    found = store.get_incident(incident_id)
    assert found is not None, incident_id
    return found


def add(store: SqlStore, text: str, *events: dict[str, typing.Any]) -> list[Claim]:
    doc = make_doc(text)
    claims = [make_claim(doc, i, **e) for i, e in enumerate(events)]
    assert store.add_document(doc, text.encode(), claims)
    return claims


def test_a_new_store(store: SqlStore) -> None:
    assert isinstance(store, IncidentStore)
    tables = ["documents", "signatures", "incidents", "claims", "ceasefires", "period_reports"]
    accounts = ["users", "sessions", "api_tokens"]
    assert store.counts() == dict.fromkeys([*tables, "reviews", *accounts], 0) | {
        "schema_migrations": 7
    }
    assert store.integrity_check()
    if is_postgres(store):
        assert store.engine.url.drivername == "postgresql+psycopg"
        indexes = {ix["name"] for ix in inspect(store.engine).get_indexes("documents")}
        assert "ix_documents_text_fts" in indexes
        assert isinstance(store.has_postgis, bool)
        return
    assert not store.has_postgis
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def recorded_migrations(store: SqlStore) -> list[tuple[int, str]]:
    query = select(schema_migrations.c.version, schema_migrations.c.name)
    with store.engine.connect() as conn:
        return [(version, name) for version, name in conn.execute(query)]


def test_migrations_are_recorded_once(store_target: Target, open_stores: StoreFactory) -> None:
    with open_store(store_target) as first:
        recorded = recorded_migrations(first)
    again = open_stores(store_target)
    expected = [
        (1, "create tables"),
        (2, "full-text index"),
        (3, "index documents by ingest time"),
        (4, "review state and accounts"),
        (5, "index incident lists"),
        (6, "index incident spans"),
        (7, "index the linker's candidates"),
    ]
    assert recorded == recorded_migrations(again) == expected
    assert again.integrity_check()


@pytest.mark.parametrize("target", ["missing-dir/registry.db", "not-a-db.db", "nosuch://x"])
def test_open_store_failures_name_the_target(
    tmp_path: Path, target: str, open_stores: StoreFactory
) -> None:
    (tmp_path / "not-a-db.db").write_bytes(b"this is not an SQLite file" * 100)
    where = target if "://" in target else str(tmp_path / target)
    with pytest.raises(StoreError, match="cannot open store") as raised:
        open_stores(where)
    assert where in str(raised.value)


@pytest.mark.postgres
def test_postgres_urls(postgres_url: str, open_stores: StoreFactory) -> None:
    plain = make_url(postgres_url).set(drivername="postgresql")
    store = open_stores(plain.render_as_string(hide_password=False))
    assert store.engine.url.drivername == "postgresql+psycopg"  # not SQLAlchemy's psycopg2
    missing = plain.set(database="no_such_db", password="s3cret")
    with pytest.raises(StoreError, match="cannot open store .*no_such_db") as raised:
        open_stores(missing.render_as_string(hide_password=False))
    assert "s3cret" not in str(raised.value)


def test_newer_schema_is_refused(store_target: Target, open_stores: StoreFactory) -> None:
    with open_stores(store_target).engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')")
    with pytest.raises(StoreError, match="schema version 99"):
        open_stores(store_target)


def test_add_document_is_idempotent(store: SqlStore) -> None:
    text = "Shelling was reported near Horlivka on Thursday."
    doc = make_doc(text)
    claim = make_claim(doc, 0, actor="Russia", target="Ukraine", date="2021-08-12")
    report = PeriodReport(id=f"{doc.id}:p0", document_id=doc.id, source="OSCE", count=0)
    assert store.add_document(doc, b"<p>raw</p>", [claim], [report], signature=b"\x01\x02")
    first = store.counts()
    assert not store.add_document(doc, b"other", [claim], [report], signature=b"\x03")
    assert store.counts() == first
    assert {first[t] for t in ("documents", "claims", "period_reports", "signatures")} == {1}
    assert store.raw_bytes(doc.id) == b"<p>raw</p>"
    assert store.get_document(doc.id) == doc
    assert store.has_document(doc.id)
    assert list(store.signatures()) == [(doc.id, b"\x01\x02")]


def test_documents_round_trip(store: SqlStore) -> None:
    raw = bytes(range(256)) * 3 + b"\x00"
    kyiv = dt.timezone(dt.timedelta(hours=3))
    for hour, text in [(15, "third report"), (13, "first report"), (14, "second report")]:
        doc = make_doc(text).model_copy(
            update={"ingested_at": dt.datetime(2021, 8, 13, hour, 30, 15, 123456, tzinfo=kyiv)}
        )
        assert store.add_document(doc, raw + text.encode())
        assert store.get_document(doc.id) == doc
        assert store.raw_bytes(doc.id) == raw + text.encode()
    stored = store.documents()
    assert [d.text for d in stored] == ["first report", "second report", "third report"]
    assert stored[0].ingested_at == dt.datetime(2021, 8, 13, 10, 30, 15, 123456, tzinfo=dt.UTC)
    assert stored[0].ingested_at.utcoffset() == dt.timedelta(0)
    assert len(store.documents(limit=2)) == 2
    assert store.raw_bytes("no-such-id") is None
    assert store.get_document("no-such-id") is None


def test_default_target_is_trucewatch_db_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_stores: StoreFactory
) -> None:
    monkeypatch.chdir(tmp_path)
    open_stores()
    assert (tmp_path / "trucewatch.db").is_file()


def test_two_stores_write_one_database_concurrently(
    store_target: Target, open_stores: StoreFactory
) -> None:
    stores = [open_stores(store_target), open_stores(store_target)]

    def ingest(worker: int) -> None:
        for n in range(25):
            text = f"Report {n} from worker {worker}."
            stores[worker].add_document(make_doc(text), b"", [make_claim(make_doc(text), 0)])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(ingest, (0, 1)))
    assert stores[0].counts()["documents"] == stores[1].counts()["claims"] == 50
    assert stores[0].integrity_check()


def test_concurrent_saves_lose_no_version(store_target: Target, open_stores: StoreFactory) -> None:
    stores = [open_stores(store_target), open_stores(store_target)]
    (claim,) = add(stores[0], "One shelling, edited by two analysts at once.", {})
    saves = 20

    def edit(worker: int) -> None:  # every save changes the data: one new version each
        for n in range(saves):
            stores[worker].save_incidents([inc("inc-1", claim, location=f"w{worker} {n}")])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(edit, (0, 1)))
    assert get(stores[1], "inc-1").version == 2 * saves


@pytest.mark.parametrize("failure", ["duplicate claim id", "unknown duplicate_of", "other doc"])
def test_a_failing_document_leaves_nothing(store: SqlStore, failure: str) -> None:
    add(store, "An earlier report that must survive.", {"actor": "Russia"})
    before = store.counts()
    doc = make_doc("Two claims of this report share an id.")
    claims = [make_claim(doc, 0), make_claim(doc, 0, type="firing")]
    if failure == "unknown duplicate_of":
        doc = doc.model_copy(update={"duplicate_of": "f" * 32})
        claims = [make_claim(doc, 0)]
    if failure == "other doc":
        claims = [make_claim(doc, 0), make_claim(make_doc("Another report."), 1)]
    with pytest.raises(StoreError, match=doc.id):
        store.add_document(doc, b"raw", claims, signature=b"sig")
    assert store.counts() == before
    assert not store.has_document(doc.id)
    assert store.search("share") == []
    assert store.integrity_check()


def test_claim_filters(store: SqlStore) -> None:
    a = add(store, "Report A.", {"date": "2021-08-10"}, {"date": "2021-08-12"}, {})
    b = add(store, "Report B.", {"date": "2021-08-11"})
    assert len(store.claims()) == 4
    by_document = sorted([a[1], b[0]], key=lambda c: (c.document_id, c.index))
    assert store.claims(since=dt.date(2021, 8, 11)) == by_document
    assert [c.id for c in store.claims(until=dt.date(2021, 8, 10))] == [a[0].id]
    assert [c.id for c in store.claims(document_id=b[0].document_id)] == [b[0].id]
    store.save_incidents([inc("inc-1", a[0])])
    assert a[0].id not in {c.id for c in store.claims(unlinked=True)}
    assert len(store.claims(unlinked=True)) == 3


def test_save_incidents_upserts_and_links(store: SqlStore) -> None:
    c1, c2 = add(store, "Two shellings reported.", {"date": "2021-08-11"}, {"date": "2021-08-12"})
    incident = inc("inc-1", c1, first_date="2021-08-11")
    store.save_incidents([incident])
    stored = get(store, "inc-1")
    assert (stored.version, [c.id for c in stored.claims]) == (1, [c1.id])
    assert stored.claims[0].incident_id == "inc-1"
    store.save_incidents([incident])  # unchanged: nothing to version
    assert get(store, "inc-1").version == 1

    grown = incident.model_copy(update={"last_date": dt.date(2021, 8, 12), "claims": [c1, c2]})
    store.save_incidents([grown])
    stored = get(store, "inc-1")
    assert (stored.version, stored.last_date) == (2, dt.date(2021, 8, 12))
    assert [c.id for c in stored.claims] == [c1.id, c2.id]
    assert store.claims(unlinked=True) == []


def test_moving_every_claim_deletes_the_emptied_incident(store: SqlStore) -> None:
    c1, c2 = add(store, "Two reports of one event.", {}, {})
    store.save_incidents([inc("inc-a", c1), inc("inc-b", c2)])
    store.save_incidents([inc("inc-b", c1, c2)])
    assert store.get_incident("inc-a") is None
    merged = get(store, "inc-b")
    assert (merged.version, len(merged.claims)) == (2, 2)
    store.save_incidents([inc("inc-b", c2)])
    assert [c.id for c in store.claims(unlinked=True)] == [c1.id]
    store.save_incidents([inc("inc-b")])
    assert store.counts()["incidents"] == 0


def test_save_incidents_refuses_unknown_or_shared_claims(store: SqlStore) -> None:
    (c1,) = add(store, "One claim.", {})
    ghost = c1.model_copy(update={"id": "nowhere:0"})
    with pytest.raises(StoreError, match="unknown claims nowhere:0"):
        store.save_incidents([inc("inc-ok", c1), inc("inc-bad", ghost)])
    assert store.counts()["incidents"] == 0  # the whole save rolled back
    with pytest.raises(StoreError, match="listed by incidents"):
        store.save_incidents([inc("inc-1", c1), inc("inc-2", c1)])


def test_incident_filters(store: SqlStore) -> None:
    c = add(
        store,
        "Several incidents in one bulletin.",
        {"actor": "Azerbaijan", "target": "Nagorno-Karabakh"},
        {"type": "firing", "actor": "Armenia", "target": "Azerbaijan"},
        {"actor": "Russia", "target": "Ukraine"},
        {"actor": "Armenia", "historical": True},
        {"actor": "Armenia"},
    )
    nk = {"ceasefire_id": "nk-2020"}
    store.save_incidents(
        [
            inc("i-aug", c[0], first_date="2021-08-11", last_date="2021-08-12", **nk),
            inc("i-jul", c[1], type="firing", first_date="2021-07-30", **nk),
            inc("i-ua", c[2], first_date="2022-03-01"),
            inc("i-old", c[3], first_date="2020-10-01", historical=True),
            inc("i-undated", c[4]),
        ]
    )

    def ids(**filters: typing.Any) -> list[str]:
        return [i.id for i in store.incidents(**filters)]

    assert ids() == ["i-jul", "i-aug", "i-ua", "i-undated"]
    assert ids(include_historical=True) == ["i-old", "i-jul", "i-aug", "i-ua", "i-undated"]
    assert ids(since=dt.date(2021, 8, 12), until=dt.date(2021, 8, 31)) == ["i-aug"]
    assert ids(since=dt.date(2021, 7, 30), until=dt.date(2021, 8, 11)) == ["i-jul", "i-aug"]
    assert ids(until=dt.date(2021, 7, 31)) == ["i-jul"]
    assert ids(side="Azerbaijan") == ["i-jul", "i-aug"]
    assert ids(side="Armenia", include_historical=True) == ["i-old", "i-jul", "i-undated"]
    assert ids(type="firing") == ["i-jul"]
    assert ids(ceasefire_id="nk-2020") == ["i-jul", "i-aug"]
    assert ids(ceasefire_id="nk-2020", side="Nagorno-Karabakh") == ["i-aug"]
    (aug,) = store.incidents(type="shelling", since=dt.date(2021, 8, 1), until=dt.date(2021, 8, 31))
    assert [cl.event.actor for cl in aug.claims] == ["Azerbaijan"]


def test_ceasefires_and_period_reports(store: SqlStore) -> None:
    parties = ["Armenia", "Azerbaijan", "Russia"]
    truce = Ceasefire(id="nk-2020", name="NK truce", parties=parties, start=dt.date(2020, 11, 10))
    assert store.add_ceasefire(truce)
    assert not store.add_ceasefire(truce)
    assert store.ceasefires() == [truce]

    doc = make_doc("One violation in the previous 24 hours; none the day before.")
    days = [(dt.date(2021, 8, 11), 1), (dt.date(2021, 8, 10), 0)]
    reports = [
        PeriodReport.model_validate(
            {"id": f"{doc.id}:p{i}", "document_id": doc.id, "source": "Russia", "count": count}
            | {"start": day, "end": day + dt.timedelta(days=1), "evidence": "one violation"}
        )
        for i, (day, count) in enumerate(days)
    ]
    store.add_document(doc, b"", period_reports=reports)
    assert store.period_reports() == sorted(reports, key=lambda r: r.start or dt.date.min)
    assert store.period_reports(since=dt.date(2021, 8, 12)) == [reports[0]]
    assert store.period_reports(until=dt.date(2021, 8, 10)) == [reports[1]]
    assert store.set_period_ceasefire(reports[0].id, "nk-2020")
    assert not store.set_period_ceasefire("nope", "nk-2020")
    (counted,) = store.period_reports(ceasefire_id="nk-2020")
    assert (counted.id, counted.count, counted.ceasefire_id) == (reports[0].id, 1, "nk-2020")


def test_long_ids_and_names_are_kept(store: SqlStore) -> None:
    long = "armenia-azerbaijan:" + "washington-brokered-humanitarian-ceasefire-" * 5
    truce = Ceasefire(id=long, name=long, parties=["Armenia"], start=dt.date(2020, 10, 26))
    assert store.add_ceasefire(truce)
    (claim,) = add(store, "A report counted against a long-named truce.", {"source": long})
    store.save_incidents([inc(long, claim, ceasefire_id=long)])
    assert store.ceasefires() == [truce]
    assert get(store, long).ceasefire_id == long


def test_search_finds_words_and_never_raises(store: SqlStore) -> None:
    (drone,) = add(store, "Two strikes with attack quadcopters near Khankendi.", {})
    add(store, "The appeal asks readers to donate.", {})
    assert store.search("quadcopters") == [drone.document_id]
    assert store.search("QUADCOPTERS khankendi") == [drone.document_id]
    assert store.search("quadcopters donate") == []
    assert store.search("near OR donate") == []  # OR is a word here, not an operator
    assert store.search("near(") == store.search('"Khankendi') == [drone.document_id]
    for hostile in ['"foo OR', "NEAR(x", "AND", "*", '"', "text:", "-", "a:b OR (", "^x", "'", " "]:
        assert store.search(hostile) == []
    assert store.search("@\x00Z quadcopters") == []  # a NUL ends FTS5's string: dropped
    assert store.search("quadco\x00pters") == [drone.document_id]


def test_reviews_round_trip(store: SqlStore) -> None:
    at = dt.datetime(2021, 8, 14, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    before, after = {"actor": "Armenia", "killed": None}, {"actor": "Azerbaijan", "notes": ["OC"]}
    review = Review(
        incident_id="inc-1", action="edit", who="analyst", at=at, before=before, after=after
    )
    first = store.add_review(review)
    second = store.add_review(review.model_copy(update={"action": "accept", "comment": None}))
    assert second > first
    stored = store.reviews("inc-1")
    assert [r.id for r in stored] == [first, second]
    assert stored[0] == review.model_copy(update={"id": first})
    assert stored[0].at.utcoffset() == dt.timedelta(0)
    assert store.reviews("inc-2") == []


def test_naive_datetimes_are_utc(store: SqlStore) -> None:
    naive = dt.datetime(2021, 8, 14, 23, 30)  # the test server's session time zone is +04
    store.add_review(Review(incident_id="inc-1", action="accept", who="analyst", at=naive))
    (stored,) = store.reviews("inc-1")
    assert stored.at == naive.replace(tzinfo=dt.UTC)


@pytest.mark.postgres
def test_postgres_refuses_nul_characters(postgres_url: str, open_stores: StoreFactory) -> None:
    store = open_stores(postgres_url)
    doc = make_doc("A report with a NUL \x00 character.")
    with pytest.raises(StoreError, match="NUL"):
        store.add_document(doc, b"raw", [make_claim(doc, 0)])
    assert not store.has_document(doc.id)


@pytest.mark.postgres
def test_postgres_search_uses_the_text_index(postgres_url: str, open_stores: StoreFactory) -> None:
    store = open_stores(postgres_url)
    add(store, "Two strikes with attack quadcopters near Khankendi.", {})
    with store.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        vector = migrations.FTS_POSTGRES_VECTOR
        plan = conn.exec_driver_sql(
            f"EXPLAIN SELECT id FROM documents WHERE {vector} @@ plainto_tsquery('simple', 'x')"
        ).scalars()
        assert "ix_documents_text_fts" in "\n".join(plan)


# -- property test: every Claim/Event field survives the store ---------------

_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
_name = st.none() | _text
_count = st.none() | st.integers(min_value=0, max_value=MAX_FIGURE)  # plausible figures
_offset = st.integers(0, 10**6)
_evidence = st.builds(Evidence, sentence=_text, start=_offset, end=_offset)
_kinds = {"type": EventType, "stance": Stance}
_labels = {name: st.sampled_from(typing.get_args(kind)) for name, kind in _kinds.items()}
_options = {"weapon": Weapon, "date_basis": DateBasis}
_optional = {name: st.none() | st.sampled_from(typing.get_args(k)) for name, k in _options.items()}
_names = {"actor": _name, "target": _name, "location": _name, "source": _text}
_numbers = {"killed": _count, "injured": _count, "count": _count, "historical": st.booleans()}
_when = {"date": st.none() | st.dates(), "evidence": st.lists(_evidence, max_size=3)}
_confidence = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
_fields = _labels | _optional | _names | _numbers | _when | {"confidence": _confidence}
_events = st.builds(Event, **_fields)
_degrees = {"lat": 90, "lon": 180}
_coordinates = {k: st.floats(-v, v, allow_nan=False) for k, v in _degrees.items()}
_precision = st.sampled_from(typing.get_args(GeoPrecision))
_geo = st.none() | st.builds(GeoPoint, precision=_precision, name=_text, **_coordinates)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        with open_store(tmp_path_factory.mktemp("store") / "hypothesis.db") as store:
            yield store
        return
    server = request.getfixturevalue("postgres_server")
    try:
        with open_store(server.create_database("test_hypothesis")) as store:
            yield store
    finally:
        server.drop_database("test_hypothesis")


@settings(max_examples=60, deadline=None)
@given(text=_text, events=st.lists(_events, min_size=1, max_size=4), geos=st.lists(_geo))
def test_claims_round_trip(
    shared_store: SqlStore, text: str, events: list[Event], geos: list[GeoPoint | None]
) -> None:
    doc = make_doc(f"round trip {text!r} {len(shared_store.documents())}")
    claims = [
        make_claim(doc, i).model_copy(
            update={"event": event, "geo": geos[i] if i < len(geos) else None}
        )
        for i, event in enumerate(events)
    ]
    assert shared_store.add_document(doc, text.encode(), claims)
    assert shared_store.claims(document_id=doc.id) == claims
    assert shared_store.raw_bytes(doc.id) == text.encode()


def test_a_failing_migration_leaves_no_trace(
    store_target: Target, monkeypatch: pytest.MonkeyPatch, open_stores: StoreFactory
) -> None:
    def broken(conn: typing.Any) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk on fire")

    open_stores(store_target).close()
    broken_version = len(migrations.MIGRATIONS) + 1
    failing = (*migrations.MIGRATIONS, migrations.Migration(broken_version, "broken", broken))
    monkeypatch.setattr(migrations, "MIGRATIONS", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        open_stores(store_target)
    monkeypatch.undo()
    again = open_stores(store_target)
    assert [version for version, _ in recorded_migrations(again)] == list(range(1, broken_version))
    assert "half_done" not in inspect(again.engine).get_table_names()


def test_incident_pages_filter_by_date_overlap_even_for_long_incidents(store: SqlStore) -> None:
    from trucewatch.store.queries import IncidentQuery

    a, b, c = add(store, "Three incidents, one of them long.", {}, {}, {})
    day = dt.date
    store.save_incidents(
        [
            inc("inc-short", a, first_date=day(2022, 2, 1), last_date=day(2022, 2, 1)),
            inc("inc-long", b, first_date=day(2022, 1, 1), last_date=day(2022, 3, 1)),
            inc("inc-undated", c),
        ]
    )

    def ids(**bounds: dt.date) -> list[str]:
        page = store.incident_page(IncidentQuery(**bounds), limit=10)
        summaries = store.incident_summaries(IncidentQuery(**bounds), limit=10)
        assert [s.id for s in summaries] == [i.id for i in page.items]
        assert page.total == len(page.items)
        return [i.id for i in page.items]

    assert ids() == ["inc-long", "inc-short", "inc-undated"]
    assert ids(since=day(2022, 2, 15)) == ["inc-long"]  # started 45 days before the bound
    assert ids(since=day(2022, 2, 1), until=day(2022, 2, 1)) == ["inc-long", "inc-short"]
    assert ids(since=day(2022, 3, 2)) == []
    assert ids(until=day(2021, 12, 31)) == []


def test_blame_pairs_are_read_inside_the_database(store: SqlStore) -> None:
    from trucewatch.store.queries import IncidentQuery

    a, b, c = add(store, "Claims of who did what.", {}, {}, {})
    day = dt.date(2022, 2, 1)
    blamed = {
        "inc-1": {"Armenia": ["Azerbaijan"], "Russia": ["Azerbaijan", "Armenia"]},
        "inc-2": {"Ukraine": ["Russia"], 'O\'Brien "quoted"': ["Side, with comma"]},
        "inc-3": {},
    }
    store.save_incidents(
        [
            inc(i, claim, first_date=day, last_date=day, blamed=blamed[i])
            for i, claim in zip(blamed, (a, b, c), strict=True)
        ]
    )
    expected = {(k, side) for sides in blamed.values() for k, v in sides.items() for side in v}
    assert store.blame_pairs(IncidentQuery()) == expected
    assert store.blame_pairs(IncidentQuery(since=day + dt.timedelta(days=1))) == set()


def test_side_and_text_match_ignoring_case_in_any_alphabet(store: SqlStore) -> None:
    """Issue 13: side=Österreich never matched (SQLite's lower() folds ASCII only)."""
    c = add(
        store,
        "ÖSTERREICH und УКРАЇНА melden Beschuss.",
        {"actor": "ÖSTERREICH", "target": "УКРАЇНА"},
    )
    store.save_incidents([inc("i-at", c[0], first_date="2024-03-03")])
    for side in ("Österreich", "österreich", "ÖSTERREICH", "україна", "Україна"):
        assert [i.id for i in store.incidents(side=side)] == ["i-at"], side
        page = store.incident_page(IncidentQuery(side=side), limit=10, offset=0)
        assert [i.id for i in page.items] == ["i-at"], side
    assert store.incidents(side="Osterreich") == []
