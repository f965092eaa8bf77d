"""Tests for trucewatch.extract.pipeline.Extractor on short reports written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document, Event

THURSDAY = dt.date(2022, 9, 15)
MONDAY_BEFORE = dt.date(2022, 9, 12)

BULLETIN = (
    "The Armenian Defence Ministry said on Monday that Azerbaijani forces had fired mortars at "
    "Armenian positions near Sotk. No one was hurt."
)


def run(extractor: Extractor, text: str, published: dt.date | None = THURSDAY) -> list[Event]:
    return extractor.extract(Document(id="t", text=text, published=published))


def current_violent(events: list[Event]) -> list[Event]:
    return [e for e in events if e.is_violation and not e.historical]


def only_current(events: list[Event]) -> Event:
    found = current_violent(events)
    assert len(found) == 1, [e.model_dump(exclude={"evidence"}) for e in events]
    return found[0]


# -- (a) a ministry bulletin -------------------------------------------------------------------


def test_bulletin_yields_one_attributed_shelling(extractor: Extractor) -> None:
    event = only_current(run(extractor, BULLETIN))
    assert event.type == "shelling"
    assert event.weapon == "mortar"
    assert (event.actor, event.target, event.source) == ("Azerbaijan", "Armenia", "Armenia")
    assert event.stance == "asserts"
    assert event.date == MONDAY_BEFORE


def test_bulletin_place(extractor: Extractor) -> None:
    assert only_current(run(extractor, BULLETIN)).location == "Sotk"


def test_bulletin_no_one_hurt_means_no_casualties(extractor: Extractor) -> None:
    event = only_current(run(extractor, BULLETIN))
    assert (event.killed, event.injured) == (0, 0)


def test_follow_up_no_casualties_sentence_completes_the_claim(extractor: Extractor) -> None:
    text = (
        "Azerbaijan's Defence Ministry said on Monday that Armenian units fired at its positions "
        "near Lachin with large-calibre machine guns.\nThere were no casualties."
    )
    event = only_current(run(extractor, text))
    assert (event.actor, event.source, event.weapon) == ("Armenia", "Azerbaijan", "machine_gun")
    assert (event.killed, event.injured) == (0, 0)


# -- (b) a claim and its denial ----------------------------------------------------------------

CLAIM = (
    "Armenia's Defence Ministry said on Tuesday that Azerbaijani troops shelled Armenian "
    "positions near Jermuk.\n"
)


@pytest.mark.parametrize(
    "denial",
    [
        pytest.param(
            "“The information that Azerbaijani units shelled Armenian positions is false,” "
            "Azerbaijan's Defence Ministry said.",
            id="quoted-denial",
        ),
        pytest.param(
            "Azerbaijan's Defence Ministry said the statement of the Armenian Defence Ministry "
            "that Azerbaijani units shelled Armenian positions is false.",
            id="statement-of-x-is-false",
        ),
        pytest.param(
            "Azerbaijan's Defence Ministry said the claims of the Armenian side are false.",
            id="claims-of-x-are-false",
        ),
    ],
)
def test_denial_is_its_own_event_with_the_same_actor(extractor: Extractor, denial: str) -> None:
    events = current_violent(run(extractor, CLAIM + denial))
    asserting = [e for e in events if e.stance == "asserts"]
    denying = [e for e in events if e.stance == "denies"]
    dump = [e.model_dump(exclude={"evidence"}) for e in events]
    assert len(asserting) == 1, dump
    assert len(denying) == 1, dump
    (claim,), (denied,) = asserting, denying
    assert claim.actor == denied.actor == "Azerbaijan"
    assert claim.source == "Armenia"
    assert denied.source == "Azerbaijan"
    assert claim.date == denied.date == dt.date(2022, 9, 13)


# -- (c) background, (d) boilerplate ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The 1994 ceasefire ended a war that killed 30,000 people.",
        "The six-week war in 2020 left more than 6,500 people dead on both sides.",
    ],
)
def test_background_is_not_a_current_violation(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert current_violent(events) == [], [e.model_dump() for e in events]


@pytest.mark.parametrize(
    "text",
    [
        "Support our journalism. Donate now.",
        "Subscribe to our newsletter\nRemind me later.",
    ],
)
def test_boilerplate_yields_nothing(extractor: Extractor, text: str) -> None:
    assert run(extractor, text) == []


# -- (e) silence, (f) tallies, (g) conflicts without a profile --------------------------------


def test_casualties_are_null_when_the_text_is_silent(extractor: Extractor) -> None:
    text = "Ukraine's General Staff said Russian forces shelled Ukrainian positions near Avdiivka."
    event = only_current(run(extractor, text))
    assert (event.actor, event.source) == ("Russia", "Ukraine")
    assert event.killed is None
    assert event.injured is None


def test_aggregate_tally_is_one_event_dated_the_day_before(extractor: Extractor) -> None:
    text = (
        "Pakistan's military said Indian troops violated the ceasefire 120 times over the past "
        "24 hours."
    )
    event = only_current(run(extractor, text))
    assert event.type == "ceasefire_violation"
    assert event.count == 120
    assert (event.actor, event.source) == ("India", "Pakistan")
    assert event.date == THURSDAY - dt.timedelta(days=1)


def test_tally_without_publication_date_has_no_date(extractor: Extractor) -> None:
    text = "Indian troops violated the ceasefire 120 times over the past 24 hours, Pakistan said."
    event = only_current(run(extractor, text, published=None))
    assert event.count == 120
    assert event.date is None


def test_armed_group_without_profile_is_named(extractor: Extractor) -> None:
    text = "Taliban fighters attacked a police checkpoint in Helmand, officials said."
    event = only_current(run(extractor, text))
    assert event.actor == "Taliban"
    assert event.location == "Helmand"


# -- (h) evidence ------------------------------------------------------------------------------

EVIDENCE_TEXTS = [
    BULLETIN,
    CLAIM + "“The information that Azerbaijani units shelled Armenian positions is false,” "
    "Azerbaijan's Defence Ministry said.",
    "Peacekeepers report a breach\n\n  Russia's Defence Ministry said on Thursday that it had "
    "recorded one violation.\n“Azerbaijani units carried out two strikes with quadcopters on a "
    "Karabakh position,” it said. “There were no casualties.”\nDonate now.",
    "Pakistan's military said Indian troops violated the ceasefire 120 times over the past 24 "
    "hours.\r\nTwo civilians were wounded in Kotli.",
]


@pytest.mark.parametrize("text", EVIDENCE_TEXTS)
def test_evidence_offsets_slice_the_document(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert events
    for event in events:
        assert event.evidence
        for evidence in event.evidence:
            assert text[evidence.start : evidence.end] == evidence.sentence


def test_extraction_is_deterministic(extractor: Extractor) -> None:
    doc = Document(id="t", text=EVIDENCE_TEXTS[2], published=THURSDAY)
    assert extractor.extract(doc) == extractor.extract(doc)
