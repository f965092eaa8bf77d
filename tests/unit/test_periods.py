"""Aggregate statements read alongside the claims: tallies and statements of zero."""

from __future__ import annotations

import datetime as dt

from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document

FRIDAY = dt.date(2022, 9, 16)


def test_tally_of_one_is_kept_as_a_period_statement(extractor: Extractor) -> None:
    text = (
        "The Russian Defence Ministry said on Thursday that its peacekeepers had registered one "
        "ceasefire violation in the previous 24 hours. \u201cAzerbaijani units fired at a "
        "Karabakh post near Khramort with small arms,\u201d it said."
    )
    reading = extractor.read(Document(id="p1", text=text, published=FRIDAY))
    assert [(p.source, p.count, p.day) for p in reading.periods] == [
        ("Russia", 1, dt.date(2022, 9, 14))
    ]
    # the tally of one and its detail stay one claim
    assert len([e for e in reading.events if e.is_violation and not e.historical]) == 1


def test_no_violations_recorded_is_a_zero_statement(extractor: Extractor) -> None:
    text = (
        "No ceasefire violations were recorded over the past day, the press centre of the "
        "Joint Forces Operation said on Friday."
    )
    reading = extractor.read(Document(id="p2", text=text, published=FRIDAY))
    assert [(p.source, p.count) for p in reading.periods] == [("Ukraine", 0)]
    assert reading.periods[0].day == dt.date(2022, 9, 15)
    assert reading.events == []


def test_background_tally_is_no_period_statement(extractor: Extractor) -> None:
    text = "More than 3,000 ceasefire violations have been recorded since January this year."
    reading = extractor.read(Document(id="p3", text=text, published=FRIDAY))
    assert reading.periods == []
