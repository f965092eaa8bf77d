"""The error classes that broke extraction on real monitor reports, each on sentences written for
these tests: unrealised acts, one claim told twice, denials, numbers in the wrong role,
background, claimants, actors outside the profiles, and observer-mission tallies."""

from __future__ import annotations

import datetime as dt

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document, Event

PUBLISHED = dt.date(2023, 4, 14)  # a Friday


def run(extractor: Extractor, text: str, published: dt.date | None = PUBLISHED) -> list[Event]:
    return extractor.extract(Document(id="t", text=text, published=published))


def current(events: list[Event]) -> list[Event]:
    return [e for e in events if e.is_violation and not e.historical]


def dump(events: list[Event]) -> list[dict[str, object]]:
    return [e.model_dump(exclude={"evidence", "confidence"}) for e in events]


# -- 1. negated, modal and hypothetical acts ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The brigade commander said his units did not return fire during the night.",
        "The general staff said the army will respond firmly to any provocation near Kherson.",
        "Both battalions refrained from using heavy weapons near the reservoir, the mission noted.",
        "The rebel spokesman threatened to shell the district centre if the convoy moved on.",
        "The two delegations agreed to halt all offensive operations along the river from Monday.",
        "Local elders called for an end to the shelling of their farms, the governor said.",
        "If the attacks on the pumping station continue, the talks will collapse, the envoy said.",
    ],
)
def test_unrealised_acts_are_not_violations(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert current(events) == [], dump(events)


def test_an_act_named_only_as_the_reason_for_another_is_not_a_second_act(
    extractor: Extractor,
) -> None:
    text = (
        "The border guard service said its patrol opened fire near Ostrivka on Thursday in "
        "response to the shelling of the checkpoint."
    )
    events = current(run(extractor, text))
    assert len(events) == 1, dump(events)
    assert events[0].type == "firing"


def test_a_real_act_beside_an_intention_is_kept(extractor: Extractor) -> None:
    text = (
        "The defence ministry said enemy troops shelled Ostrivka with mortars on Thursday and "
        "threatened to storm the village."
    )
    events = current(run(extractor, text))
    assert len(events) == 1, dump(events)
    assert events[0].type == "shelling"
