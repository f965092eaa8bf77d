"""Tests for trucewatch.ingest.clean.clean_text."""

from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.ingest.clean import clean_text

SHARED = Path(__file__).resolve().parents[3] / "shared"

ARTICLE = (
    "Observers on the northern line logged four breaches of the truce overnight, "
    "the monitoring mission said on Tuesday.\n"
    "\n"
    "Two of the breaches involved mortar rounds landing near a grain depot outside the village; "
    "nobody was hurt, according to the mission’s daily report.\n"
    "\n"
    "“We urge both sides to show restraint,” a spokesperson told reporters in the capital.\n"
    "The foreign ministry said it would support the talks and donate tents to displaced families."
)

APPEAL = (
    "\n\n"
    "A Message from The Daily Borderland:\n"
    "Dear readers,\n"
    "Our reporters keep working from the front line, but the newsroom runs on reader money.\n"
    "If you can, please support us monthly from just $3 — it takes a minute to set up.\n"
    "Remind me later.\n"
)


def test_appeal_at_end_is_removed_and_article_kept_byte_identical() -> None:
    assert clean_text(ARTICLE + APPEAL) == ARTICLE


def test_newsletter_prompts_before_appeal_are_removed() -> None:
    text = ARTICLE + "\n\nSign up for our weekly newsletter\nEnter your email address\n" + APPEAL
    assert clean_text(text) == ARTICLE


def test_appeal_body_starting_with_support_line_is_removed() -> None:
    text = (
        ARTICLE + "\nSupport independent journalism\nEvery contribution counts.\nRemind me later."
    )
    assert clean_text(text) == ARTICLE


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia said it would support the talks.",
        "Support for the ceasefire is waning in both capitals, a poll found.",
        "The charity asked donors to donate blankets to families near the line.",
        "Residents who subscribe to the local alert service were warned of shelling.",
        "The newsletter of the mission listed 12 violations.",
        "Read more about the agreement in the text published by the ministry.",
        "Share prices in Baku fell after the clash.",
        "Dear readers of the statement will note that it blames no one.",
        "AFP contributed reporting.",
    ],
)
def test_news_sentences_that_mention_appeal_words_are_kept(sentence: str) -> None:
    text = f"The mission reported two violations.\n{sentence}"
    assert clean_text(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "Remind me later",
        "Subscribe to our newsletter",
        "Sign up",
        "Get our free daily newsletter:",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Comments are closed.",
        "You Might Also Like",
        "Follow us on social networks",
        "Read more: Ceasefire talks stall in Geneva",
        "Share this",
        "Share this article",
        "Skip to main content",
        "AD",
        "Advertising",
        "Advertisement",
        "#POLITICS",
        "#POLITICS #WAR",
        "4 min read",
        "Total views: 1,204",
        "5 × two =",
        "nine x 3 =",
        "Comments are closed, but trackbacks and pingbacks are open.",
        "Skip to main contentSkip to navigation",
        "Sign up now: Get our weekly newsletters delivered to your inbox",
        "Please enter your comment!",
        "Donate now",
        "Related articles",
    ],
)
def test_boilerplate_lines_are_dropped_anywhere(line: str) -> None:
    first = "The mission reported two violations on Monday."
    last = "Both sides blamed each other for the breach."
    assert clean_text(f"{first}\n{line}\n{last}") == f"{first}\n{last}"


def test_appeal_opener_far_from_the_end_is_not_a_cut_point() -> None:
    body = "\n".join(f"Paragraph {n} of the monitoring report." for n in range(40))
    text = f"Dear readers,\n{body}"
    assert clean_text(text) == text


def test_whitespace_is_normalised_without_touching_words() -> None:
    text = "\r\n\r\nFirst\u00a0line.   \r\n\r\n\r\n\r\nSecond\u202fline.\t\n\n\n"
    assert clean_text(text) == "First line.\n\nSecond line."


def test_blank_lines_left_by_dropped_lines_collapse() -> None:
    text = "One.\n\nRead more: Other story\n\nTwo."
    assert clean_text(text) == "One.\n\nTwo."


def test_only_boilerplate_gives_empty_string() -> None:
    assert clean_text("Share this\nAdvertisement\n#NEWS\n") == ""
    assert clean_text("") == ""


def test_moscow_times_donation_appeal_is_removed() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared not present beside the checkout")
    corpus = SHARED / "corpus" / "moscow-times-2021-karabakh-truce.txt"
    raw = corpus.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    first_paragraph = raw.splitlines()[0]
    assert cleaned.startswith(first_paragraph + "\n")
    assert cleaned.endswith("AFP contributed reporting.")
    for appeal_part in ("A Message from", "Dear readers", "support us monthly", "Remind me later"):
        assert appeal_part not in cleaned
