"""Tests for trucewatch.extract.numbers: casualty tolls, counted acts and number words."""

from __future__ import annotations

import pytest

from trucewatch.extract.lexicon import default_lexicon
from trucewatch.extract.numbers import NumberReader, Toll, parse_number


@pytest.fixture(scope="module")
def reader() -> NumberReader:
    return NumberReader(default_lexicon())


# -- tolls -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "killed", "injured"),
    [
        pytest.param("The shelling caused no casualties.", 0, 0, id="no-casualties"),
        pytest.param("The army reported no losses on its side.", 0, 0, id="no-losses"),
        pytest.param("There were no fatalities, the mayor added.", 0, None, id="no-fatalities"),
        pytest.param(
            "Separatist gunners fired at the checkpoint late in the evening.",
            None,
            None,
            id="silent",
        ),
        pytest.param(
            "Three soldiers were killed and five wounded in the attack.", 3, 5, id="three-and-five"
        ),
        pytest.param(
            "One serviceman was wounded by a sniper near the bridge.", None, 1, id="one-wounded"
        ),
        pytest.param("Two civilians died in the blast.", 2, None, id="two-died"),
        pytest.param("The strike left 14 people dead.", 14, None, id="left-dead"),
    ],
)
def test_toll(reader: NumberReader, sentence: str, killed: int | None, injured: int | None) -> None:
    assert reader.toll(sentence) == Toll(killed=killed, injured=injured)


def test_no_one_was_hurt_means_zero_both(reader: NumberReader) -> None:
    assert reader.toll("No one was hurt.") == Toll(killed=0, injured=0)


def test_toll_empty_only_when_silent(reader: NumberReader) -> None:
    assert reader.toll("Artillery fire was heard all night.").empty
    assert not reader.toll("There were no casualties.").empty


# -- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("Enemy units carried out two strikes on our positions.", 2, id="two-strikes"),
        pytest.param("The militants opened fire seven times overnight.", 7, id="seven-times"),
        pytest.param(
            "The monitors recorded 29 ceasefire violations on Sunday.", 29, id="29-violations"
        ),
        pytest.param("The truce was breached twice near the river.", 2, id="twice"),
        pytest.param("The post came under fire once during the night.", 1, id="once"),
        pytest.param("The village was shelled again in the morning.", None, id="no-count"),
    ],
)
def test_count(reader: NumberReader, sentence: str, expected: int | None) -> None:
    assert reader.count(sentence) == expected


# -- number words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,186", 3186),
        ("100,000", 100000),
        ("42", 42),
        ("twenty-two", 22),
        ("seven", 7),
        ("Twelve", 12),
    ],
)
def test_parse_number(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "ceasefire", "many", "several", "seven-ish"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None
