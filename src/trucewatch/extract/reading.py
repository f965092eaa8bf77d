"""What the extractor knows while it reads a document: the state carried from sentence to
sentence, what one sentence says about who speaks and when, and the reasoning about time —
the day a statement was made, the day an act happened, and whether it is background."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from trucewatch.extract.acts import Trigger
from trucewatch.extract.claims import Attribution
from trucewatch.extract.dates import DateMention
from trucewatch.extract.lexicon import Lexicon
from trucewatch.extract.participants import Cast
from trucewatch.extract.sentences import Sentence
from trucewatch.models import DateBasis, Evidence

_PAST_PERFECT = re.compile(r"\bhad\s+(?:\w+ly\s+)?(?:been\s+)?\w+(?:ed|en|wn|ught|lt)\b", re.I)


@dataclass
class DocumentState:
    """What the reader of a document remembers from one sentence to the next."""

    published: dt.date | None
    speaker: str | None = None
    speaker_sentence: int = -10
    last_day: dt.date | None = None
    cast: Cast = field(default_factory=Cast)
    in_background: bool = False  # the last event told was background
    monitor: str | None = None  # the monitoring mission the document names ("the Mission")
    relayed_body: str | None = None  # the side whose statement the whole report relays


@dataclass(frozen=True)
class SentenceReading:
    """What one sentence says about who speaks and when, before looking for acts in it."""

    sent: Sentence
    attributions: list[Attribution]
    dates: list[DateMention]
    statement_day: dt.date | None
    quote_speaker: str | None

    @property
    def evidence(self) -> Evidence:
        return Evidence(sentence=self.sent.text, start=self.sent.start, end=self.sent.end)


def statement_day(text: str, dates: list[DateMention], lexicon: Lexicon) -> dt.date | None:
    """The day the speaker made the statement ("said Thursday", "Tuesday's bulletin", "the
    ministry on Wednesday denied")."""
    for d in dates:
        if d.day is None or d.kind == "past_day":  # "recorded over the past day" is the period
            continue
        after = text[d.end : d.end + 16]
        before = text[max(0, d.start - 14) : d.start]
        if (
            after.startswith(("'s", "’s"))
            or lexicon.reporting.search(before)
            or lexicon.reporting.match(after.lstrip(" ,"))
        ):
            return d.day
    return None


def is_background(
    reading: SentenceReading, trigger: Trigger, state: DocumentState, lexicon: Lexicon
) -> bool:
    """Background: a cue or a past date in the trigger's clause, a past perfect told in the
    outlet's own voice, or a sentence that goes on telling background without a date or a
    speaker of its own."""
    text, dates, attributions = reading.sent.text, reading.dates, reading.attributions
    lo, hi = _clause(text, trigger)
    if lexicon.historical.search(text[lo:hi]):
        return True
    if any(d.historical and d.start < hi and d.end > lo for d in dates):
        return True
    if not attributions and _PAST_PERFECT.search(text):
        return True
    own_date = any(d.day is not None and d.precision == "day" for d in dates)
    return state.in_background and not own_date and not attributions


def act_day(
    reading: SentenceReading,
    state: DocumentState,
    historical: bool,
    window: tuple[int, int] | None = None,
) -> tuple[dt.date | None, DateBasis]:
    """The act's day: one the sentence states ("over the past 24 hours" counted back from the
    statement's day), else the statement's day, the last dated act, or the publication day."""
    dates, statement_day = reading.dates, reading.statement_day
    if window is not None:  # an act in one segment takes the dates stated in that segment
        inside = [d for d in dates if window[0] <= d.start < window[1]]
        dates = inside or dates
    if historical:
        resolved = [d.day for d in dates if d.day is not None]
        return (resolved[0] if resolved else None), "stated"
    for d in dates:
        if d.kind == "past_day" and statement_day is not None:
            return statement_day - dt.timedelta(days=1), "stated"
    event_days = [
        d for d in dates if d.day is not None and d.day != statement_day and d.precision == "day"
    ]
    if event_days:
        return event_days[0].day, "stated"
    if statement_day is not None:
        return statement_day, "statement"
    if state.last_day:
        return state.last_day, "context"
    return state.published, "published"


_CLAUSE_BREAK = re.compile(
    r";|\s[–—]\s|,\s+(?:stating|saying|adding|noting|which|while|whereas|although)\b", re.I
)


def _clause(text: str, trigger: Trigger) -> tuple[int, int]:
    """The span of the clause holding the trigger, cut at ';', dashes and ', saying/which ...'."""
    lo, hi = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= trigger.start:
            lo = m.end()
        elif m.start() >= trigger.end:
            hi = m.start()
            break
    return lo, hi
