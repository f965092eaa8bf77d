"""Fuzz Extractor.extract: zero-width joiners, bidi overrides, combining marks, many quotes and
colons, and sentences of up to 100,000 characters without a full stop. Every event's evidence
must slice the document text exactly, and the extraction must end within the time limit.

The long-sentence property accepts a DocumentTimeout: that *is* the documented outcome for a
pathological document (trucewatch.extract.timelimit); run.py counts such timeouts per target."""

from __future__ import annotations

import datetime as dt

import pytest
from fuzzlib import EXAMPLES, TIME_LIMIT, fuzz_settings, probe, valid_unicode
from hypothesis import event, given
from hypothesis import strategies as st

from trucewatch.extract.pipeline import Extractor
from trucewatch.extract.timelimit import DocumentTimeout, time_limit
from trucewatch.models import Document, Event

pytestmark = pytest.mark.fuzz

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
COMBINING = "".join(chr(c) for c in range(0x300, 0x370)) + "\u20dd\u0489"
QUOTES = "“”«»\"'‘’„‹›「」"
_VOCAB = (
    "Azerbaijani Armenian forces troops shelled fired attacked drone shot down killed wounded "
    "injured soldiers civilians village of near Tavush Tovuz Donetsk Avdiivka ministry defence "
    "said reported denied according to statement : ; — – , . ! ? 12:00 two 3 1994 war ceasefire "
    "violation violated Thursday yesterday over the past 24 hours no casualties its our enemy "
    "القوات הצבא Україна ЗСУ DPR ISPR LoC BSF mortar artillery sniper"
).split()
_MARK = st.sampled_from(list(ZERO_WIDTH + BIDI + COMBINING + QUOTES) + ["\n", "\n\n", " "])
_TOKEN = st.one_of(
    st.sampled_from(_VOCAB),
    st.sampled_from(_VOCAB).flatmap(lambda w: _MARK.map(lambda m: w[:1] + m + w[1:])),
    _MARK,
    st.text(max_size=6),
)
_DAY = st.none() | st.dates(min_value=dt.date(1, 1, 10), max_value=dt.date(9999, 12, 20))


def _check(text: str, events: list[Event]) -> None:
    for item in events:
        assert item.evidence, "an event rests on evidence"
        for evidence in item.evidence:
            assert 0 <= evidence.start <= evidence.end <= len(text)
            assert text[evidence.start : evidence.end] == evidence.sentence
        for count in (item.killed, item.injured, item.count):
            assert count is None or count >= 0
        assert valid_unicode(item.location)
        assert valid_unicode(item.actor)


@fuzz_settings()
@given(
    tokens=st.lists(_TOKEN, min_size=1, max_size=120),
    separator=st.sampled_from([" ", "", "\u200d", " \u202e", "\u00a0"]),
    repeat=st.integers(1, 3) | st.integers(1, 40),
    published=_DAY,
)
def test_extract_on_hostile_text(
    extractor: Extractor, tokens: list[str], separator: str, repeat: int, published: dt.date | None
) -> None:
    text = separator.join(tokens) * repeat
    with probe("extract", text), time_limit(TIME_LIMIT):
        events = extractor.extract(Document(id="fuzz", text=text, published=published))
        _check(text, events)
    event(f"events: {min(len(events), 3)}{'+' if len(events) >= 3 else ''}")


LONG_LIMIT = min(TIME_LIMIT, 5.0)


@fuzz_settings(examples=max(3, EXAMPLES // 15), deadline=LONG_LIMIT + 30)
@given(
    lead=st.sampled_from(["Armenian forces shelled Tavush", "a drone was shot down", "fired"]),
    phrase=st.lists(_TOKEN.filter(lambda t: "." not in t), max_size=12).map(" ".join),
    length=st.sampled_from([10_000, 30_000, 100_000]) | st.integers(1_000, 100_000),
)
def test_extract_on_a_very_long_sentence(
    extractor: Extractor, lead: str, phrase: str, length: int
) -> None:
    """One sentence of up to 100k characters without a full stop: events with exact evidence,
    or a DocumentTimeout after LONG_LIMIT seconds - never anything else, never longer."""
    unit = f"{lead} {phrase}".strip()  # an act in every repeat: the sentence gets parsed
    text = ((unit + " ") * (length // (len(unit) + 1) + 1))[:length]
    with probe("extract/long-sentence", text, allow_timeout=True):
        try:
            with time_limit(LONG_LIMIT):
                events = extractor.extract(Document(id="fuzz", text=text))
        except DocumentTimeout:
            event("timeout")
            raise
        _check(text, events)
