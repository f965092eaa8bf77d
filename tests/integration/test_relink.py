"""`trucewatch relink` on a real registry: incidents nobody reviewed are linked afresh, every
analyst's edit, rejection, merge and split is kept as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch.cli import cli
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import SourceItem
from trucewatch.link.summary import summarise
from trucewatch.models import Document, Incident
from trucewatch.registry import Registry
from trucewatch.registry.review import Reviewer
from trucewatch.store import SqlStore, open_store

MORTARS = (
    "The defence ministry in Yerevan said on Tuesday that Azerbaijani troops fired mortars at "
    "positions near Sotk on Monday, killing one soldier."
)
ARTILLERY = (
    "Azerbaijani artillery shelled Armenian positions near Sotk on Monday, the Armenian "
    "Defence Ministry said on Tuesday. Two soldiers died, it said."
)
JERMUK = (
    "Armenia's Defence Ministry said on Friday that Azerbaijani forces fired at positions near "
    "Jermuk on Thursday with small arms. There were no casualties."
)
KUT = (
    "Armenia's Defence Ministry said on Sunday that Azerbaijani forces fired at positions near "
    "Tegh on Saturday with small arms. There were no casualties."
)


def item(text: str, published: str) -> SourceItem:
    doc = Document(id=text[:24], text=text, published=dt.date.fromisoformat(published))
    return SourceItem(document=doc, raw=text.encode(), outlet="Made-up Wire")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


@pytest.fixture
def store(db: Path) -> Iterator[SqlStore]:
    with open_store(db) as s:
        yield s


@pytest.fixture
def registry(store: SqlStore, extractor: Extractor, geocoder: Geocoder) -> Registry:
    return Registry(store, extractor, geocoder)


def grouping(store: SqlStore) -> dict[str, set[str]]:
    every = store.incidents(include_rejected=True, include_historical=True)
    return {i.id: {c.id for c in i.claims} for i in every}


def by_place(store: SqlStore, word: str) -> Incident:
    (found,) = [
        i
        for i in store.incidents(include_rejected=True)
        if any(word in (c.event.location or "") for c in i.claims)
    ]
    return found


def test_relink_keeps_edits_rejections_and_splits(store: SqlStore, registry: Registry) -> None:
    registry.ingest(
        [
            item(MORTARS, "2022-09-13"),
            item(ARTILLERY, "2022-09-13"),
            item(JERMUK, "2022-09-16"),
            item(KUT, "2022-09-18"),
        ]
    )
    sotk, jermuk, kut = by_place(store, "Sotk"), by_place(store, "Jermuk"), by_place(store, "Tegh")
    assert sotk.sources == 2
    reviewer = Reviewer(store, "ana")
    # the analyst splits the two Sotk reports apart, edits Jermuk and rejects Kut
    moving = [c.id for c in sotk.claims][-1:]
    kept, split_off = reviewer.split(sotk.id, moving, version=sotk.version)
    edited = reviewer.edit(
        jermuk.id, {"location": "Jermuk outskirts"}, version=jermuk.version, comment="map"
    )
    reviewer.set_status(kut.id, "rejected", version=kut.version, comment="not a violation")
    before = grouping(store)
    stored = {i.id: i for i in store.incidents(include_rejected=True)}

    dissolved, _ = registry.recompute()

    assert dissolved == 0  # every incident carries an analyst's decision
    assert grouping(store) == before  # the split is not undone by the linker
    after = {i.id: i for i in store.incidents(include_rejected=True)}
    assert after == stored
    assert after[edited.id].location == "Jermuk outskirts"
    assert after[kut.id].status == "rejected"
    assert {kept.id, split_off.id} <= after.keys()


def test_relink_recomputes_what_nobody_reviewed(
    db: Path, store: SqlStore, registry: Registry
) -> None:
    registry.ingest(
        [item(MORTARS, "2022-09-13"), item(ARTILLERY, "2022-09-13"), item(JERMUK, "2022-09-16")]
    )
    sotk = by_place(store, "Sotk")
    # as if an older linker had kept the two Sotk reports apart: split them by hand in the
    # store, with no review recorded
    second = sotk.claims[-1]
    store.save_incidents(
        [
            sotk.model_copy(update={"claims": sotk.claims[:-1]}),
            summarise(Incident(id="inc-old-rules", type=sotk.type, claims=[second])),
        ]
    )
    assert by_place(store, "Jermuk").sources == 1
    assert len(grouping(store)) == 3

    result = CliRunner().invoke(cli, ["relink", "--db", str(db), "--since", "2022-09-01"])

    assert result.exit_code == 0, result.output
    assert "3 incident(s) recomputed" in result.output
    groups = grouping(store)
    assert len(groups) == 2
    assert {c.id for c in sotk.claims} in groups.values()  # joined again under today's rules
    assert "inc-old-rules" not in groups
