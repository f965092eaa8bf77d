"""The linker's candidate reads on a real store (SQLite, and PostgreSQL when installed): only
incidents in a claim's date window and reach, undated ones at its place, and orphan claims."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from trucewatch.models import Claim, Event, GeoPoint, Incident, StoredDocument, document_id
from trucewatch.store import SqlStore
from trucewatch.store.candidates import candidate_incidents

NOW = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
DAY = dt.date(2024, 2, 20)
HERE = GeoPoint(lat=47.00, lon=37.00, precision="settlement", name="Here")
CLOSE = GeoPoint(lat=47.10, lon=37.10, precision="settlement", name="Close")  # ~13 km
FAR = GeoPoint(lat=47.60, lon=37.00, precision="settlement", name="Far")  # ~67 km
AREA = GeoPoint(lat=47.80, lon=37.00, precision="region", name="Area")  # ~89 km, a region


@pytest.fixture
def store(store_target: str | Path, open_stores: Callable[..., SqlStore]) -> SqlStore:
    return open_stores(store_target)


def stored(
    store: SqlStore, name: str, day: dt.date | None, geo: GeoPoint | None, **event: typing.Any
) -> Claim:
    text = f"A made-up report about {name}."
    doc = StoredDocument(id=document_id(text), text=text, ingested_at=NOW)
    said = Event.model_validate(
        {"type": "shelling", "date": day, "location": geo.name if geo else None, **event}
    )
    claim = Claim(id=Claim.make_id(doc.id, 0), document_id=doc.id, index=0, event=said, geo=geo)
    assert store.add_document(doc, text.encode(), [claim])
    return claim


def incident(store: SqlStore, name: str, claim: Claim) -> None:
    geo, day = claim.geo, claim.event.date
    store.save_incidents(
        [Incident(id=name, type="shelling", first_date=day, last_date=day, geo=geo, claims=[claim])]
    )


def test_dated_candidates_are_the_window_and_reach_of_the_claim(store: SqlStore) -> None:
    for name, day, geo in [
        ("same-day-close", DAY, CLOSE),
        ("next-day-here", DAY + dt.timedelta(1), HERE),
        ("same-day-far", DAY, FAR),
        ("same-day-area", DAY, AREA),
        ("same-day-nowhere", DAY, None),
        ("week-later-here", DAY + dt.timedelta(7), HERE),
        ("undated-here", None, HERE),
    ]:
        incident(store, name, stored(store, name, day, geo))
    window = (DAY - dt.timedelta(2), DAY + dt.timedelta(2))
    found = store.link_candidates([(*window, (HERE.lat, HERE.lon, HERE.precision))], [])
    assert sorted(i.id for i in found) == [
        "next-day-here",
        "same-day-area",  # a region whose radius may reach the claim
        "same-day-close",
        "same-day-nowhere",
    ]
    assert all(i.claims for i in found)  # loaded with their claims
    anywhere = store.link_candidates([(*window, None)], [])
    assert {i.id for i in anywhere} == {i.id for i in found} | {"same-day-far"}
    undated = store.link_candidates([], [(HERE.lat, HERE.lon)])
    assert [i.id for i in undated] == ["undated-here"]


def test_orphans_are_only_linkable_claims_without_an_incident(store: SqlStore) -> None:
    linked = stored(store, "linked", DAY, HERE)
    incident(store, "inc-linked", linked)
    orphan = stored(store, "orphan", DAY, HERE)
    stored(store, "background", DAY, HERE, historical=True)
    stored(store, "talks", DAY, HERE, type="mediation")
    assert [c.id for c in store.orphan_claims()] == [orphan.id]


def test_a_dense_window_gives_the_nearest_incidents_first(store: SqlStore) -> None:
    incident(store, "here", stored(store, "here", DAY, HERE))
    incident(store, "close", stored(store, "close", DAY, CLOSE))
    incident(store, "nowhere", stored(store, "nowhere", DAY, None))
    window = (DAY, DAY, (HERE.lat, HERE.lon, HERE.precision))
    with store.read() as conn:
        two = candidate_incidents(conn, [window], [], limit=2)
    assert sorted(i.id for i in two) == ["here", "nowhere"]  # no point counts as nearest
