"""Analyst review on a real registry: edits are overrides that survive re-linking, rejected
incidents leave lists and bulletins, merge and split keep every claim and their history, a
stale edit is refused, and a registry from before review state is migrated."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import SourceItem
from trucewatch.models import Document
from trucewatch.registry import Registry
from trucewatch.registry.review import Reviewer, ReviewError, form_edits
from trucewatch.report.daily import daily_bulletin
from trucewatch.store import SqlStore, StaleVersionError, open_store

CLAIM = (
    "Armenia's Defence Ministry said on Tuesday that Azerbaijani forces shelled positions near "
    "Sotk with mortars on Monday, killing one soldier."
)
SECOND_SOURCE = (
    "Azerbaijani artillery shelled Armenian positions near Sotk on Monday, Armenia's Defence "
    "Ministry said on Tuesday. Two soldiers were killed, the ministry said."
)
OTHER_DAY = (
    "Armenia's Defence Ministry said on Friday that Azerbaijani forces fired at positions near "
    "Jermuk on Thursday with small arms. There were no casualties."
)


def item(text: str, published: str) -> SourceItem:
    doc = Document(id=text[:20], text=text, published=dt.date.fromisoformat(published))
    return SourceItem(document=doc, raw=text.encode(), outlet="Test Wire")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


@pytest.fixture
def registry(store: SqlStore, extractor: Extractor, geocoder: Geocoder) -> Registry:
    return Registry(store, extractor, geocoder)


def only(store: SqlStore) -> list:  # type: ignore[type-arg]
    return [i for i in store.incidents() if i.first_date]


def test_an_edit_survives_a_new_claim_joining(store: SqlStore, registry: Registry) -> None:
    registry.ingest([item(CLAIM, "2022-09-13")])
    (incident,) = only(store)
    assert incident.killed.best == 1
    edited = Reviewer(store, "ana").edit(
        incident.id,
        {"killed": {"low": 3, "best": 3, "high": 3}, "location": "Sotk village"},
        version=incident.version,
        comment="local hospital",
    )
    assert edited.killed.best == 3
    assert edited.status == "accepted"
    again = registry.ingest([item(CLAIM, "2022-09-13")])  # the same report run again
    assert (again.new, again.duplicates) == (0, 1)
    registry.relink([*store.claims()])  # and every claim linked again
    assert only(store) == [edited]
    registry.ingest([item(SECOND_SOURCE, "2022-09-13")])  # the linker recomputes it
    (after,) = only(store)
    assert after.id == incident.id
    assert after.sources == 2
    assert after.killed.best == 3  # the analyst's value, not the claims' median
    assert after.location == "Sotk village"
    assert after.status == "accepted"
    assert after.version > edited.version
    reviews = store.reviews(incident.id)
    assert [(r.action, r.who, r.comment) for r in reviews] == [("edit", "ana", "local hospital")]
    assert reviews[0].before["killed"]["best"] == 1
    assert reviews[0].after["killed"]["best"] == 3
    undone = Reviewer(store, "ana").edit(incident.id, {}, version=after.version, clear=["killed"])
    assert undone.killed.best == 1  # median of 1 and 2, rounded down: the claims again
    assert "killed" not in undone.overrides


def test_stale_edits_and_bad_fields_are_refused(store: SqlStore, registry: Registry) -> None:
    registry.ingest([item(CLAIM, "2022-09-13")])
    (incident,) = only(store)
    reviewer = Reviewer(store, "ana")
    reviewer.set_status(incident.id, "accepted", version=incident.version)
    with pytest.raises(StaleVersionError, match="reload and edit again"):
        reviewer.edit(incident.id, {"type": "firing"}, version=incident.version)
    with pytest.raises(StaleVersionError):
        reviewer.set_status(incident.id, "rejected", version=incident.version)
    current = store.get_incident(incident.id)
    assert current is not None
    with pytest.raises(ReviewError, match="cannot be edited"):
        reviewer.edit(incident.id, {"claims": []}, version=current.version)
    with pytest.raises(ReviewError, match="invalid value"):
        reviewer.edit(incident.id, {"type": "picnic"}, version=current.version)
    assert store.get_incident(incident.id) == current  # nothing written


def test_a_rejected_incident_leaves_lists_and_bulletins(
    store: SqlStore, registry: Registry
) -> None:
    registry.ingest([item(CLAIM, "2022-09-13")])
    (incident,) = only(store)
    day = incident.first_date
    assert day is not None
    assert daily_bulletin(store, day).total.value == 1
    Reviewer(store, "ana").set_status(incident.id, "rejected", version=incident.version)
    assert only(store) == []
    assert daily_bulletin(store, day).total.value == 0
    assert store.incidents(include_rejected=True)[0].status == "rejected"
    registry.ingest([item(SECOND_SOURCE, "2022-09-13")])  # joins it, stays rejected
    assert only(store) == []
    (kept,) = [i for i in store.incidents(include_rejected=True) if i.first_date]
    assert kept.sources == 2


def test_merge_and_split(store: SqlStore, registry: Registry) -> None:
    registry.ingest([item(CLAIM, "2022-09-13"), item(OTHER_DAY, "2022-09-16")])
    first, second = only(store)
    reviewer = Reviewer(store, "ana")
    with pytest.raises(StaleVersionError):  # someone changed the target since it was loaded
        reviewer.merge(second.id, first.id, version=second.version, into_version=first.version + 1)
    assert store.get_incident(second.id) == second
    merged = reviewer.merge(second.id, first.id, version=second.version, into_version=first.version)
    assert store.get_incident(second.id) is None
    assert {c.id for c in merged.claims} == {c.id for c in [*first.claims, *second.claims]}
    assert merged.sources == 2
    assert [r.action for r in store.reviews(second.id)] == ["merge"]
    assert store.reviews(second.id)[0].after == {"into": first.id}
    with pytest.raises(ReviewError, match="no incident"):
        reviewer.merge(first.id, second.id, version=first.version, into_version=1)
    registry.relink()  # the linker leaves an analyst's grouping alone
    assert len(only(store)) == 1
    moving = [c.id for c in merged.claims if c.document_id == second.claims[0].document_id]
    kept, new = reviewer.split(merged.id, moving, version=merged.version)
    assert {c.id for c in new.claims} == set(moving)
    assert {c.id for c in kept.claims} == {c.id for c in first.claims}
    assert new.status == "accepted"
    assert len(only(store)) == 2
    assert [r.action for r in store.reviews(merged.id)] == ["merge", "split"]
    with pytest.raises(ReviewError, match="not none or all"):
        reviewer.split(kept.id, [c.id for c in kept.claims], version=kept.version)
    assert store.integrity_check()


def test_review_queue_order_puts_doubt_first(store: SqlStore, registry: Registry) -> None:
    from trucewatch.store.queries import IncidentQuery

    registry.ingest([item(CLAIM, "2022-09-13"), item(OTHER_DAY, "2022-09-16")])
    queue = store.incident_page(IncidentQuery(status="unreviewed", order="uncertainty"), limit=10)
    assert queue.total == 2
    scores = [i.uncertainty for i in queue.items]
    assert scores == sorted(scores, reverse=True)
    assert all(i.doubts for i in queue.items)  # one source each, at least
    Reviewer(store, "ana").set_status(queue.items[0].id, "accepted", version=queue.items[0].version)
    after = store.incident_page(IncidentQuery(status="unreviewed", order="uncertainty"), limit=10)
    assert [i.id for i in after.items] == [queue.items[1].id]


def test_a_registry_from_before_review_state_is_migrated(
    registry: Registry, store: SqlStore
) -> None:
    registry.ingest([item(CLAIM, "2022-09-13")])
    (incident,) = only(store)
    path = Path(str(store.engine.url.database))
    store.close()
    with sqlite3.connect(path) as conn:  # back to schema version 3
        conn.execute("DROP INDEX ix_incidents_queue")
        conn.execute("DROP INDEX ix_incidents_updated_at")
        conn.execute("ALTER TABLE incidents DROP COLUMN status")
        conn.execute("ALTER TABLE incidents DROP COLUMN uncertainty")
        for table in ("sessions", "api_tokens", "users"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM schema_migrations WHERE version = 4")
        conn.execute("UPDATE incidents SET data = json_remove(data, '$.uncertainty', '$.doubts')")
    with open_store(path) as migrated:
        (again,) = only(migrated)
        assert again.uncertainty == incident.uncertainty > 0
        assert again.doubts == incident.doubts
        assert migrated.counts()["users"] == 0
        assert migrated.integrity_check()


def test_a_linker_working_from_an_old_read_keeps_the_analysts_work(
    store: SqlStore, registry: Registry
) -> None:
    registry.ingest([item(CLAIM, "2022-09-13"), item(OTHER_DAY, "2022-09-16")])
    first, second = only(store)  # what a linker in another process read before the review
    reviewer = Reviewer(store, "ana")
    merged = reviewer.merge(second.id, first.id, version=second.version, into_version=first.version)
    edited = reviewer.edit(merged.id, {"killed": {"best": 9}}, version=merged.version)
    stale = store.save_incidents([first, second], linking=True)  # what it computed then
    assert stale == [first.id, second.id]  # changed since its read, and gone: both skipped
    (now,) = only(store)
    assert now.id == first.id
    assert {c.id for c in now.claims} == {c.id for c in merged.claims}  # the merge stands
    assert now.killed.best == 9  # the edit stands
    assert now.status == "accepted"
    assert now.version == edited.version
    assert store.integrity_check()


def test_two_linkers_creating_the_same_incident_do_not_overwrite_each_other(
    store: SqlStore, registry: Registry
) -> None:
    from trucewatch.link.incidents import link

    registry.ingest([item(CLAIM, "2022-09-13"), item(SECOND_SOURCE, "2022-09-13")])
    (stored,) = only(store)
    assert stored.sources == 2
    # another linker read the store before any of this was linked: from the first claim alone
    # it makes the same incident (ids derive from the claim), new to it (version 0)
    first = min(stored.claims, key=lambda c: c.id).model_copy(update={"incident_id": None})
    (made,) = link([first])
    assert made.id == stored.id
    assert made.version == 0
    assert made.sources == 1
    assert store.save_incidents([made], linking=True) == [made.id]  # stored since: skipped
    assert only(store) == [stored]


def test_undo_dates_ceasefires_and_merge_targets(store: SqlStore, registry: Registry) -> None:
    from trucewatch.models import Ceasefire

    registry.ingest([item(CLAIM, "2022-09-13"), item(OTHER_DAY, "2022-09-16")])
    first, second = only(store)
    reviewer = Reviewer(store, "ana")
    store.add_ceasefire(
        Ceasefire(id="test:truce", name="Test", parties=["X"], start=dt.date(2022, 1, 1))
    )
    set_by_hand = reviewer.edit(
        first.id,
        {"ceasefire_id": "test:truce", "historical": True},
        version=first.version,
    )
    assert (set_by_hand.ceasefire_id, set_by_hand.historical) == ("test:truce", True)
    undone = reviewer.edit(
        first.id, {}, clear=["ceasefire_id", "historical"], version=set_by_hand.version
    )
    assert undone.ceasefire_id == first.ceasefire_id  # what the ceasefire rules give again
    assert undone.historical is False
    assert undone.overrides == {}
    with pytest.raises(ReviewError, match="no ceasefire"):
        reviewer.edit(first.id, {"ceasefire_id": "nope"}, version=undone.version)
    assert first.last_date is not None
    late = first.last_date + dt.timedelta(days=3)
    with pytest.raises(ReviewError, match="is after the last"):
        reviewer.edit(first.id, {"first_date": late}, version=undone.version)
    with pytest.raises(ReviewError, match="go together"):
        reviewer.edit(first.id, {"first_date": None}, version=undone.version)
    rejected = reviewer.set_status(second.id, "rejected", version=second.version)
    with pytest.raises(ReviewError, match="is rejected"):
        reviewer.merge(first.id, second.id, version=undone.version, into_version=rejected.version)


def test_a_split_never_reuses_a_merged_away_id(store: SqlStore, registry: Registry) -> None:
    registry.ingest([item(CLAIM, "2022-09-13"), item(OTHER_DAY, "2022-09-16")])
    first, second = only(store)
    reviewer = Reviewer(store, "ana")
    merged = reviewer.merge(second.id, first.id, version=second.version, into_version=first.version)
    _kept, new = reviewer.split(merged.id, [c.id for c in second.claims], version=merged.version)
    assert new.id != second.id  # that id's history says it was merged away
    assert [r.action for r in store.reviews(second.id)] == ["merge"]


def test_an_edit_form_maps_to_review_fields(store: SqlStore, registry: Registry) -> None:
    registry.ingest([item(CLAIM, "2022-09-13")])
    (incident,) = only(store)
    unchanged = {"type": incident.type, "killed": str(incident.killed.best), "lat": ""}
    assert form_edits(incident, unchanged) == {}
    form = {**unchanged, "killed": "3", "lat": "40.1", "lon": "45.9", "location": "Sotk"}
    fields = form_edits(incident, form)
    assert fields["killed"] == {"low": 3, "best": 3, "high": 3}
    assert fields["geo"] == {"lat": 40.1, "lon": 45.9, "precision": "settlement", "name": "Sotk"}
    edited = Reviewer(store, "ana").edit(incident.id, fields, version=incident.version)
    assert edited.killed.best == 3
    with pytest.raises(ReviewError, match="killed: a whole number"):
        form_edits(incident, {"killed": "three"})
    with pytest.raises(ReviewError, match="lat and lon"):
        form_edits(incident, {"lat": "north", "lon": "45"})
