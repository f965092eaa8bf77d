"""What :func:`trucewatch.extract.dates.find_dates` returns, and the news-horizon conventions
(in days) by which it resolves date expressions relative to an anchor day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FUTURE_SLACK_DAYS",
    "HISTORICAL_SPAN_DAYS",
    "HORIZON_DAYS",
    "DateMention",
    "Kind",
    "Precision",
    "previous_weekday",
]

Kind = Literal[
    "explicit", "weekday", "relative_day", "past_day", "season", "month", "year", "period"
]
Precision = Literal["day", "month", "season", "year", "unknown"]

#: Acts further back than this (in days, ~2 months) are background: a report recaps them.
HORIZON_DAYS = 60
#: Month-day without a year: the latest such day not more than this many days after the anchor.
FUTURE_SLACK_DAYS = 2
#: Periods (tallies) spanning at least this many days are historical ("weeks or longer").
HISTORICAL_SPAN_DAYS = 7


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a sentence.

    ``precision`` is the granularity of the expression even when it could not be resolved (a
    weekday without an anchor has precision "day" and ``day`` None).  Periods and decades have
    precision "unknown".
    """

    text: str  # the matched words as in the sentence (== sentence[start:end])
    start: int
    end: int
    kind: Kind
    day: datetime.date | None
    precision: Precision
    historical: bool


def previous_weekday(anchor: datetime.date, weekday: int) -> datetime.date:
    """Most recent day with ``weekday`` (Monday=0 … Sunday=6) on or before ``anchor``."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be in 0..6, got {weekday}")
    return anchor - datetime.timedelta(days=(anchor.weekday() - weekday) % 7)
