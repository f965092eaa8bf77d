"""Tests for trucewatch.extract.sentences.split_sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.extract.sentences import split_sentences

REPORT = (
    "Overnight shelling near the river\n"
    "\n"
    "  The defence ministry said two posts were hit. Nobody was injured.\n"
    "Monitors will visit the area on Friday.   \n"
)


def test_offsets_slice_text_back_to_each_sentence() -> None:
    sentences = split_sentences(REPORT)
    assert [s.text for s in sentences] == [
        "Overnight shelling near the river",
        "The defence ministry said two posts were hit.",
        "Nobody was injured.",
        "Monitors will visit the area on Friday.",
    ]
    for s in sentences:
        assert REPORT[s.start : s.end] == s.text
    assert [s.index for s in sentences] == [0, 1, 2, 3]


def test_lines_are_hard_boundaries() -> None:
    text = "Drone downed over the valley\nA spokesman confirmed it on Monday"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Drone downed over the valley",
        "A spokesman confirmed it on Monday",
    ]
    assert sentences[0].line != sentences[1].line


def test_two_sentence_quotation_is_open_at_start_of_second() -> None:
    text = "The commander said: “We saw the flashes. Then the shells landed.” He left at once."
    first, second, third = split_sentences(text)
    # (open at start, open at end) for each sentence
    assert (first.quote_open_at_start, first.quote_open_at_end) == (False, True)
    assert (second.quote_open_at_start, second.quote_open_at_end) == (True, False)
    assert (third.quote_open_at_start, third.quote_open_at_end) == (False, False)


def test_straight_quotes_are_tracked_too() -> None:
    text = '"Our post was hit. We held it," the officer said.'
    first, second = split_sentences(text)
    assert first.quote_open_at_end
    assert (second.quote_open_at_start, second.quote_open_at_end) == (True, False)


def test_unclosed_quote_does_not_run_into_next_paragraph() -> None:
    text = "“We were attacked. It lasted an hour.\nThe talks resume next week."
    sentences = split_sentences(text)
    assert sentences[-1].text == "The talks resume next week."
    assert not sentences[-1].quote_open_at_start


def test_titles_do_not_end_a_sentence() -> None:
    text = "Lt. Col. Ivanov said the post was shelled."
    assert [s.text for s in split_sentences(text)] == [text]


@pytest.mark.parametrize("place", ["Sotk", "Kyiv", "Gaza"])
def test_short_place_name_ends_a_sentence(place: str) -> None:
    # regression: a capitalised word of up to four letters used to count as an abbreviation
    text = f"Mortars hit a post near {place}. No one was hurt."
    assert [s.text for s in split_sentences(text)] == [
        f"Mortars hit a post near {place}.",
        "No one was hurt.",
    ]


_PIECES = st.sampled_from(
    [
        "Shells",
        "fell",
        "near",
        "Avdiivka",
        "Lt.",
        "No.",
        "5",
        ".",
        "!",
        "?",
        ",",
        " ",
        "  ",
        "\n",
        "\n\n",
        "“",
        "”",
        '"',
        "«",
        "»",
        "they",
        "said",
        "\t",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40).map(" ".join))
def test_sentences_are_ordered_stripped_slices_within_one_line(text: str) -> None:
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text
        assert s.text == s.text.strip()
        assert "\n" not in s.text
        assert s.start >= previous_end
        previous_end = s.end


def test_opening_quote_starts_the_next_sentence() -> None:
    text = "“Two strikes hit the post,” it said. “There were no casualties.”"
    assert [s.text for s in split_sentences(text)] == [
        "“Two strikes hit the post,” it said.",
        "“There were no casualties.”",
    ]


def test_hard_wrapped_paragraph_is_read_as_running_text() -> None:
    text = (
        "THE ARMY SAID THAT REBELS ATTACKED A PATROL NEAR THE RIVER CROSSING\n"
        "EARLY ON MONDAY AND THAT TWO SOLDIERS WERE WOUNDED IN THE EXCHANGE\n"
        "OF FIRE. THE PATROL RETURNED TO ITS BASE."
    )
    sentences = split_sentences(text)
    assert len(sentences) == 2
    assert sentences[0].text.endswith("EXCHANGE\nOF FIRE.")
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_title_over_one_line_is_not_unwrapped() -> None:
    text = "Shelling reported near the line of contact overnight\nThe ministry said so."
    assert [s.text for s in split_sentences(text)] == [
        "Shelling reported near the line of contact overnight",
        "The ministry said so.",
    ]
