"""Property test: the extractor returns claims for any text, and its evidence always points
into the document text it was given."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document

# words that steer the rules into their branches: quotes, colons, dates, sides, tolls, denials
_VOCAB = (
    'the said fired shelled “ ” " : ; — Azerbaijani Armenian forces near village of 12:00 two '
    "killed wounded no casualties denied false allegedly statement of according to Thursday over "
    "the past 24 hours . , 1994 war DPR ISPR drone shot down UAV its our the enemy \n"
).split(" ")
_TEXT = st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(max_size=8)), max_size=60).map(" ".join)
_DAY = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 10), max_value=dt.date(9999, 12, 20)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, published=_DAY)
def test_any_text_gives_valid_claims(extractor: Extractor, text: str, published: dt.date) -> None:
    events = extractor.extract(Document(id="fuzz", text=text, published=published))
    for event in events:
        for evidence in event.evidence:
            assert text[evidence.start : evidence.end] == evidence.sentence
        assert event.killed is None or event.killed >= 0


def test_sentences_past_the_cap_are_left_out_with_a_warning(extractor: Extractor) -> None:
    from trucewatch.extract.caps import MAX_SENTENCES

    text = "Calm day. " * (MAX_SENTENCES + 5)
    reading = extractor.read(Document(id="long", text=text))
    assert reading.warnings == [
        f"5 sentence(s) left out: more than {MAX_SENTENCES} sentences in one document"
    ]


def test_an_overlong_sentence_is_not_parsed_and_is_warned_of(extractor: Extractor) -> None:
    from trucewatch.extract.caps import MAX_SENTENCE_CHARS

    text = "Troops shelled Tegh " + "and shelled Tegh " * (MAX_SENTENCE_CHARS // 17) + "today."
    reading = extractor.read(Document(id="one", text=text))
    assert reading.events == []
    assert reading.warnings == [
        f"1 sentence(s) not read: longer than {MAX_SENTENCE_CHARS} characters"
    ]
