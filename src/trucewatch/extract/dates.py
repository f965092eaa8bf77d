"""Find and resolve date expressions in one sentence of a news report.

Expressions are resolved relative to an *anchor* day: the publication day of the report, or the
day a statement was made when the caller knows it.  The rules follow news-reporting conventions
(docs/annotation.md, "Time and background"): a bulletin's "over the past 24 hours" is the day
before the anchor, a bare weekday is the most recent such day on or before the anchor, a
month-day without a year is the latest such day not more than two days after the anchor, and so
on.

Spans are found with our own regular expressions (:mod:`trucewatch.extract.date_patterns`) and
resolved with plain ``datetime`` arithmetic (:mod:`trucewatch.extract.date_resolvers`); this module
runs those rules and picks among overlapping spans.  ``dateparser`` is only a lazily imported
fallback for rare numeric/abbreviated forms such as ``05-Apr-2016``; it is never run over whole
texts (``search_dates`` yields false positives such as "now").

Words such as "earlier", "previously" or "back then" are not dates: the caller handles them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from trucewatch.extract.date_mention import (
    FUTURE_SLACK_DAYS,
    HISTORICAL_SPAN_DAYS,
    HORIZON_DAYS,
    DateMention,
    Kind,
    Precision,
    previous_weekday,
)
from trucewatch.extract.date_patterns import (
    MONTH_GATE,
    RE_AGO,
    RE_DAY_MONTH,
    RE_DOTTED,
    RE_ISO,
    RE_LOOSE,
    RE_MONTH,
    RE_MONTH_DAY,
    RE_PAST_DAY,
    RE_PERIOD,
    RE_REL_MONTH_YEAR,
    RE_RELATIVE_DAY,
    RE_SEASON,
    RE_WEEKDAY,
    RE_YEAR,
)
from trucewatch.extract.date_resolvers import (
    resolve_ago,
    resolve_dotted_date,
    resolve_iso_date,
    resolve_loose_date,
    resolve_month,
    resolve_named_date,
    resolve_past_day,
    resolve_period,
    resolve_rel_month_year,
    resolve_relative_day,
    resolve_season,
    resolve_weekday,
    resolve_year,
)

__all__ = [
    "FUTURE_SLACK_DAYS",
    "HISTORICAL_SPAN_DAYS",
    "HORIZON_DAYS",
    "DateMention",
    "Kind",
    "Precision",
    "find_dates",
    "previous_weekday",
]

_Handler = Callable[[re.Match[str], datetime.date | None], "DateMention | None"]

_Gate = tuple[str, ...] | re.Pattern[str]

# (pattern, handler, gate): a rule runs only when the lower-cased sentence contains one of the
# gate substrings, or the gate pattern matches the sentence; cheap gates skip most rules on most
# sentences.  Rules are listed in order of preference between spans of equal length.
_RULES: tuple[tuple[re.Pattern[str], _Handler, _Gate], ...] = (
    (RE_MONTH_DAY, resolve_named_date, MONTH_GATE),
    (RE_DAY_MONTH, resolve_named_date, MONTH_GATE),
    (RE_ISO, resolve_iso_date, re.compile(r"\d-\d")),
    (RE_DOTTED, resolve_dotted_date, re.compile(r"\d\.\d")),
    (RE_LOOSE, resolve_loose_date, MONTH_GATE),
    (RE_PAST_DAY, resolve_past_day, ("day", "hour")),
    (RE_RELATIVE_DAY, resolve_relative_day, ("day", "night", "morning", "afternoon", "evening")),
    (RE_AGO, resolve_ago, ("ago",)),
    (RE_WEEKDAY, resolve_weekday, ("day",)),
    (RE_PERIOD, resolve_period, ("hour", "day", "week", "month", "year", "since")),
    (RE_SEASON, resolve_season, ("spring", "summer", "fall", "autumn", "winter")),
    (RE_MONTH, resolve_month, MONTH_GATE),
    (RE_REL_MONTH_YEAR, resolve_rel_month_year, ("month", "year")),
    (RE_YEAR, resolve_year, ("19", "20")),
)


def find_dates(sentence: str, anchor: datetime.date | None) -> list[DateMention]:
    """Find the date expressions in ``sentence`` and resolve them relative to ``anchor``.

    Returns non-overlapping mentions sorted by start offset.  When two candidate spans overlap
    the longer one wins ("April 5, 2016" over "2016"; "since January this year" over "January").
    """
    candidates: list[tuple[int, int, DateMention]] = []
    lowered = sentence.lower()
    gates: dict[int, bool] = {}
    for priority, (pattern, handler, gate) in enumerate(_RULES):
        if isinstance(gate, re.Pattern):
            if id(gate) not in gates:
                gates[id(gate)] = gate.search(sentence) is not None
            if not gates[id(gate)]:
                continue
        elif not any(g in lowered for g in gate):
            continue
        for match in pattern.finditer(sentence):
            if match.end() == match.start():
                continue
            try:
                mention = handler(match, anchor)
            except (ValueError, OverflowError):  # date arithmetic off the calendar (year 1/9999)
                continue
            if mention is not None and mention.end > mention.start:
                candidates.append((priority, match.start(), mention))
    candidates.sort(key=lambda c: (-(c[2].end - c[2].start), c[0], c[1]))
    chosen: list[DateMention] = []
    for _, _, mention in candidates:
        if all(mention.end <= o.start or mention.start >= o.end for o in chosen):
            chosen.append(mention)
    chosen.sort(key=lambda d: d.start)
    return chosen
