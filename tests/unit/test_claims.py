"""Tests for trucewatch.extract.claims.AttributionFinder: who makes a claim."""

from __future__ import annotations

import pytest

from trucewatch.extract.claims import Attribution, AttributionFinder
from trucewatch.extract.lexicon import default_lexicon
from trucewatch.sides import SideResolver


@pytest.fixture(scope="module")
def finder() -> AttributionFinder:
    return AttributionFinder(default_lexicon(), SideResolver())


def only(finder: AttributionFinder, sentence: str) -> Attribution:
    found = finder.find(sentence)
    assert len(found) == 1, found
    return found[0]


def test_speaker_before_said(finder: AttributionFinder) -> None:
    a = only(finder, "Ukraine's General Staff said Russian troops shelled a school near Avdiivka.")
    assert (a.kind, a.side, a.relayed) == ("side", "Ukraine", False)
    assert a.speaker_text == "Ukraine's General Staff"


def test_according_to(finder: AttributionFinder) -> None:
    a = only(finder, "According to the Pakistani army, Indian troops fired mortar rounds at dawn.")
    assert (a.kind, a.side, a.relayed) == ("side", "Pakistan", False)


def test_military_posts_are_not_a_speaker(finder: AttributionFinder) -> None:
    # regression: 'post' was a reporting lemma, so 'Indian posts fired' made India a speaker
    a = only(finder, "According to the Pakistani army, Indian posts fired mortar rounds at dawn.")
    assert (a.kind, a.side) == ("side", "Pakistan")


def test_unnamed_speaker_after_quote_inherits(finder: AttributionFinder) -> None:
    a = only(finder, "“The enemy opened fire on our trenches twice,” the ministry said.")
    assert (a.kind, a.side, a.relayed) == ("inherit", None, False)
    assert a.speaker_text == "the ministry"


def test_statement_of_a_side_that_is_false_is_relayed(finder: AttributionFinder) -> None:
    sentence = (
        "The statement of the Armenian Defence Ministry that Azerbaijani units opened fire "
        "is false."
    )
    a = only(finder, sentence)
    assert (a.kind, a.side, a.relayed) == ("side", "Armenia", True)


def test_denier_and_relayed_claimant_in_one_sentence(finder: AttributionFinder) -> None:
    found = finder.find(
        "Baku's defence ministry said the claims of the Armenian side about shelling are false."
    )
    assert [(a.side, a.relayed) for a in found] == [("Azerbaijan", False), ("Armenia", True)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Local residents said the village was shelled overnight.",
        "Villagers told reporters that mortar rounds hit two houses.",
        "Reuters reported that shells hit the village.",
        "The news agency reported that drones struck a depot.",
    ],
)
def test_outlets_and_residents_are_media(finder: AttributionFinder, sentence: str) -> None:
    a = only(finder, sentence)
    assert (a.kind, a.side) == ("media", "media")


@pytest.mark.parametrize(
    "sentence",
    [
        "Ukraine's General Staff said Russian troops shelled a school near Avdiivka.",
        "“The enemy opened fire on our trenches twice,” the ministry said.",
        "Local residents said the village was shelled overnight.",
        pytest.param(
            "According to the Pakistani army, Indian troops fired mortar rounds at dawn.",
            id="according-to",
        ),
    ],
)
def test_attribution_span_covers_the_speaker(finder: AttributionFinder, sentence: str) -> None:
    a = only(finder, sentence)
    assert a.speaker_text in sentence[a.start : a.end]


def test_sentence_without_attribution(finder: AttributionFinder) -> None:
    assert finder.find("Two shells landed near the school on Tuesday.") == []
