"""Plausible figures end to end (issue 13): a 400-digit toll in a report, an edit of
{-5, 1e20, -7}, and rows stored before the ceiling existed never break the registry."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import SourceItem
from trucewatch.models import CasualtyRange, Document
from trucewatch.models.figures import MAX_FIGURE
from trucewatch.registry import Registry
from trucewatch.registry.review import Reviewer, ReviewError
from trucewatch.report.export import export
from trucewatch.store import SqlStore, open_store
from trucewatch.web.charts.style import radius_for

HUGE = "9" * 400
REPORT = (
    f"Armenia's Defence Ministry said on Tuesday that Azerbaijani forces shelled Tegh on "
    f"Monday, killing {HUGE} civilians."
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


def ingest(store: SqlStore, extractor: Extractor, geocoder: Geocoder, text: str) -> None:
    doc = Document(id="r", text=text, published=dt.date(2024, 3, 5))
    item = SourceItem(document=doc, raw=text.encode(), outlet="Test Wire")
    summary = Registry(store, extractor, geocoder).ingest([item])
    assert summary.failed == []


def test_a_huge_extracted_toll_is_dropped_kept_as_text_and_flagged(
    extractor: Extractor,
) -> None:
    reading = extractor.read(Document(id="r", text=REPORT, published=dt.date(2024, 3, 5)))
    (event,) = [e for e in reading.events if e.type != "ceasefire_violation" or e.location]
    assert event.killed is None
    assert HUGE in event.evidence[0].sentence
    assert event.confidence <= 0.3
    assert any(w.startswith("killed 99999999… (400 digits) dropped") for w in reading.warnings)


def test_a_huge_toll_reaches_no_page_export_or_bulletin(
    store: SqlStore, extractor: Extractor, geocoder: Geocoder, tmp_path: Path
) -> None:
    ingest(store, extractor, geocoder, REPORT)
    (incident,) = store.incidents()
    assert incident.killed == CasualtyRange()
    assert any(d.startswith("low extraction confidence") for d in incident.doubts)
    assert export([incident], tmp_path / "out.parquet", "parquet") == 1


@pytest.mark.parametrize(
    "killed",
    [
        {"low": -5, "best": 10**20, "high": -7},
        {"low": 1, "best": int(HUGE), "high": int(HUGE)},
        {"low": 5, "best": 3, "high": 9},
        {"best": MAX_FIGURE + 1},
    ],
)
def test_an_implausible_edit_is_refused(
    store: SqlStore, extractor: Extractor, geocoder: Geocoder, killed: dict[str, int]
) -> None:
    ingest(store, extractor, geocoder, REPORT.replace(HUGE, "two"))
    (incident,) = store.incidents()
    with pytest.raises(ReviewError, match="invalid value"):
        Reviewer(store, "ana").edit(incident.id, {"killed": killed}, version=incident.version)


def test_rows_stored_before_the_ceiling_are_read_without_their_figures(
    store: SqlStore, extractor: Extractor, geocoder: Geocoder, tmp_path: Path
) -> None:
    ingest(store, extractor, geocoder, REPORT.replace(HUGE, "two"))
    db = tmp_path / "registry.db"
    with sqlite3.connect(db) as conn:  # what an older version could store
        conn.execute(
            "UPDATE claims SET event = replace(event, '\"killed\": 2', '\"killed\": ' || ?)",
            (HUGE,),
        )
        conn.execute(
            "UPDATE incidents SET data = replace(data, '\"best\": 2', '\"best\": -' || ?)", (HUGE,)
        )
        assert HUGE in conn.execute("SELECT event FROM claims").fetchone()[0]
        assert HUGE in conn.execute("SELECT data FROM incidents").fetchone()[0]
    (incident,) = store.incidents()
    assert incident.killed == CasualtyRange()
    assert all(c.event.killed is None for c in incident.claims)
    assert export([incident], tmp_path / "out.parquet", "parquet") == 1


def test_map_radius_takes_any_toll() -> None:
    assert radius_for(int(HUGE)) == 18.0
    assert radius_for(-(10**400)) == 4.0


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"first_date": "0001-01-01", "last_date": "0001-01-02"}, "first_date 0001-01-01"),
        ({"first_date": "2024-03-03", "last_date": "9999-12-31"}, "last_date 9999-12-31"),
        ({"location": "Tegh " * 300_000}, "location has 1,500,000 characters"),
    ],
)
def test_edits_out_of_bounds_are_refused(
    store: SqlStore,
    extractor: Extractor,
    geocoder: Geocoder,
    fields: dict[str, str],
    problem: str,
) -> None:
    ingest(store, extractor, geocoder, REPORT.replace(HUGE, "two"))
    (incident,) = store.incidents()
    with pytest.raises(ReviewError, match=problem):
        Reviewer(store, "ana").edit(incident.id, fields, version=incident.version)


def test_user_names_differ_by_more_than_case_and_passwords_are_not_blank(
    store: SqlStore,
) -> None:
    from trucewatch.store.accounts import AccountError, Accounts

    accounts = Accounts(store)
    accounts.add_user("viewer1", "viewer-pass-1", "viewer")
    with pytest.raises(AccountError, match="already exists \\(as 'viewer1'\\)"):
        accounts.add_user("Viewer1", "viewer-pass-2", "viewer")
    for blank in (" " * 10, "a" * 12, "ab" * 6):
        with pytest.raises(AccountError, match="3 different characters"):
            accounts.add_user("viewer2", blank, "viewer")


def test_ingest_records_the_extraction_warnings(
    store: SqlStore, extractor: Extractor, geocoder: Geocoder
) -> None:
    doc = Document(id="r", text=REPORT, published=dt.date(2024, 3, 5), origin="feed:1")
    item = SourceItem(document=doc, raw=REPORT.encode(), outlet="Test Wire")
    summary = Registry(store, extractor, geocoder).ingest([item])
    assert [w[:40] for w in summary.warnings] == ["feed:1: killed 99999999… (400 digits) dr"]
