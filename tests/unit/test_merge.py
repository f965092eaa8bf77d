"""Tests for trucewatch.extract.merge.fold on hand-built events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trucewatch.extract.merge import fold
from trucewatch.models import Event, Evidence

DAY = dt.date(2021, 8, 11)


def event(text: str, start: int, **fields: Any) -> Event:
    """An event whose evidence is a made-up sentence at `start`."""
    base: dict[str, Any] = {
        "type": "ceasefire_violation",
        "actor": "Azerbaijan",
        "target": "Nagorno-Karabakh",
        "source": "Russia",
        "date": DAY,
        "date_basis": "statement",
        "evidence": [Evidence(sentence=text, start=start, end=start + len(text))],
    }
    base.update(fields)
    return Event(**base)


def test_generic_tally_of_one_folds_into_specific_act() -> None:
    tally = event("Monitors saw one truce breach overnight.", 0, count=1)
    strike = event(
        "Two quadcopter strikes hit a Karabakh post.",
        41,
        type="drone_strike",
        weapon="drone",
        count=2,
        killed=0,
        injured=0,
    )
    folded = fold([tally, strike])
    assert len(folded) == 1
    (merged,) = folded
    assert merged.type == "drone_strike"
    assert merged.count == 2
    assert merged.weapon == "drone"
    assert (merged.killed, merged.injured) == (0, 0)
    assert [e.start for e in merged.evidence] == [0, 41]


def test_different_actors_stay_apart() -> None:
    one = event("Azerbaijani units fired on a post.", 0, type="firing")
    other = event(
        "Karabakh units fired on a post.",
        40,
        type="firing",
        actor="Nagorno-Karabakh",
        target="Azerbaijan",
    )
    assert len(fold([one, other])) == 2


def test_tally_of_several_does_not_absorb_act_with_its_own_place() -> None:
    tally = event("The ceasefire was broken seven times.", 0, count=7, location=None)
    detail = event(
        "Rifle fire hit a trench near Taghavard.",
        40,
        type="firing",
        weapon="small_arms",
        location="Taghavard",
    )
    folded = fold([tally, detail])
    assert sorted(e.type for e in folded) == ["ceasefire_violation", "firing"]
    assert next(e for e in folded if e.type == "ceasefire_violation").count == 7


@pytest.mark.parametrize("stances", [("asserts", "denies"), ("asserts", "neutral")])
def test_different_stance_never_folds(stances: tuple[str, str]) -> None:
    first = event("Baku's units shelled a village.", 0, type="shelling", stance=stances[0])
    second = event("Baku's units shelled a village.", 40, type="shelling", stance=stances[1])
    assert len(fold([first, second])) == 2


@pytest.mark.parametrize("media_first", [True, False])
def test_media_mention_folds_into_named_source(media_first: bool) -> None:
    media = event("Reports spoke of a drone strike.", 0, type="drone_strike", source="media")
    named = event(
        "Moscow's ministry described a drone strike.",
        40,
        type="drone_strike",
        source="Russia",
        weapon="drone",
    )
    ordered = [media, named] if media_first else [named, media]
    folded = fold(ordered)
    assert len(folded) == 1
    assert folded[0].source == "Russia"
    assert folded[0].weapon == "drone"


def test_two_different_named_sources_stay_apart() -> None:
    russia = event("Moscow reported a breach.", 0, source="Russia")
    armenia = event("Yerevan reported a breach.", 30, source="Armenia")
    assert len(fold([russia, armenia])) == 2


def test_stated_dates_three_days_apart_stay_apart() -> None:
    early = event("Shells fell on Monday.", 0, type="shelling", date=DAY, date_basis="stated")
    late = event(
        "Shells fell on Thursday.",
        30,
        type="shelling",
        date=DAY + dt.timedelta(days=3),
        date_basis="stated",
    )
    assert len(fold([early, late])) == 2


def test_stated_dates_one_day_apart_fold() -> None:
    early = event("Shells fell late on Monday.", 0, type="shelling", date=DAY, date_basis="stated")
    late = event(
        "Shells fell early on Tuesday.",
        30,
        type="shelling",
        date=DAY + dt.timedelta(days=1),
        date_basis="stated",
    )
    assert len(fold([early, late])) == 1


def test_historical_and_current_never_fold() -> None:
    now = event("Artillery hit the town.", 0, type="shelling")
    past = event(
        "Artillery hit the town in 2016.",
        30,
        type="shelling",
        historical=True,
        date=None,
        date_basis=None,
    )
    assert len(fold([now, past])) == 2


def test_fold_keeps_order_of_first_mentions() -> None:
    a = event("Drone strike on a post.", 0, type="drone_strike")
    b = event(
        "Mortar fire on a village.",
        30,
        type="shelling",
        actor="Nagorno-Karabakh",
        target="Azerbaijan",
        source="Azerbaijan",
    )
    c = event("Another drone strike mention.", 60, type="drone_strike")
    folded = fold([a, b, c])
    assert [e.type for e in folded] == ["drone_strike", "shelling"]
    assert [len(e.evidence) for e in folded] == [2, 1]


def test_fold_of_nothing_is_nothing() -> None:
    assert fold([]) == []


def test_repeated_mentions_fold_at_once_without_pairing() -> None:
    """Issue 13: one sentence repeated 20,000 times held every pair (quadratic time and memory)."""
    repeats = [event("Troops shelled Tegh.", 21 * i, location="Tegh") for i in range(20_000)]
    (merged,) = fold(repeats)
    assert len(merged.evidence) == 20_000
    assert merged.evidence[-1].start == 21 * 19_999


def test_distinct_mentions_past_the_cap_are_left_out_with_a_warning() -> None:
    from trucewatch.extract.merge import MAX_MENTIONS

    tolls = [event(f"Shelling killed {n}.", 20 * n, killed=n) for n in range(MAX_MENTIONS + 7)]
    warnings: list[str] = []
    folded = fold(tolls, warnings)
    assert [e.killed for e in folded] == list(range(MAX_MENTIONS))  # tolls differ: none fold
    assert warnings == [
        f"7 mention(s) left out: more than {MAX_MENTIONS} distinct mentions in one document"
    ]


def test_fold_stops_at_the_document_time_limit() -> None:
    from trucewatch.extract.timelimit import DocumentTimeout, time_limit

    tolls = [event(f"Shelling killed {n}.", 20 * n, killed=n % 3) for n in range(400)]
    with pytest.raises(DocumentTimeout), time_limit(1e-6):
        fold(tolls)
