"""Find and resolve date expressions in one sentence of a news report.

Expressions are resolved relative to an *anchor* day: the publication day of the report, or the
day a statement was made when the caller knows it.  The rules follow news-reporting conventions
(see ``shared/eval/SCHEMA.md``): a bulletin's "over the past 24 hours" is the day before the
anchor, a bare weekday is the most recent such day on or before the anchor, a month-day without a
year is the latest such day not more than two days after the anchor, and so on.

Spans are found with this module's own regular expressions and resolved with plain ``datetime``
arithmetic.  ``dateparser`` is only a lazily imported fallback for rare numeric/abbreviated forms
such as ``05-Apr-2016``; it is never run over whole texts (``search_dates`` yields false positives
such as "now").

Words such as "earlier", "previously" or "back then" are not dates: the caller handles them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from trucewatch.extract.numbers import WORD_NUMBERS

__all__ = ["DateMention", "Kind", "Precision", "find_dates", "previous_weekday"]

Kind = Literal[
    "explicit", "weekday", "relative_day", "past_day", "season", "month", "year", "period"
]
Precision = Literal["day", "month", "season", "year", "unknown"]

#: Events further back than this (in days, ~2 months) are outside the news horizon.
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


# --------------------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Meteorological seasons (northern hemisphere): month in which each season starts.
_SEASON_START: dict[str, int] = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
# spans such as "a few days", "several weeks": fuzzy quantities count as a handful
_NUMBERS: dict[str, int] = {
    **{word: value for word, value in WORD_NUMBERS.items() if value},
    "few": 3,
    "several": 3,
    "couple of": 2,
    "couple": 2,
}
_UNIT_DAYS: dict[str, float] = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

# Words before a bare 4-digit number that make it a year ("in 1992", "the 1994 ceasefire").
_YEAR_PREV = frozenset(
    "in since of from until till by early late mid the before after during between around "
    "circa c. spring summer autumn fall winter year".split()
)
# Words after a bare 4-digit number that make it a year even without a preceding cue.
_YEAR_NEXT = frozenset(
    "war wars ceasefire cease-fire agreement agreements truce conflict accord accords deal "
    "offensive election elections protocol escalation hostilities clashes fighting memorandum "
    "armistice peace referendum invasion annexation revolution uprising declaration talks summit "
    "census massacre crisis coup campaign".split()
)
# Words after a 4-digit number that make it a quantity, never a year ("2000 troops").
_YEAR_BLOCK_NEXT = frozenset(
    "people persons troops soldiers servicemen violations times civilians casualties residents "
    "refugees peacekeepers fighters militants men women children km kilometres kilometers metres "
    "meters m shells rounds rockets missiles drones mines cases incidents dead killed injured "
    "wounded homes houses buildings families hectares tons tonnes dollars usd euros feet "
    "positions villages members observers monitors units vehicles tanks hours days strikes "
    "attacks shots projectiles bullets prisoners detainees hostages displaced votes police "
    "officers personnel weapons guns mortars artillery sq square".split()
)

# --------------------------------------------------------------------------- regex pieces

_MON_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MON = rf"(?:(?:{_MON_FULL})\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_DAY = r"(?<![\d,.:/])(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_NUM = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|few|several|couple\s+of|couple)"
)
_TO = r"(?:-|–|—|to|until|till|through|and)"
_YEAR_TAIL = rf"(?:,?\s+(?:of\s+)?(?:(?P<year>{_YEAR})|(?P<rel>this|last|next)\s+year\b))?"
_NIGHT_OF = r"(?:(?:the\s+)?night\s+(?:of|from)\s+(?:the\s+)?)"

_F = re.IGNORECASE


def _c(pattern: str) -> re.Pattern[str]:
    # Every expression starts with a letter or digit at a word boundary; saying so up front lets
    # the engine skip most positions quickly (~3x faster on patterns with optional prefixes).
    return re.compile(rf"(?=[A-Za-z0-9])\b(?:{pattern})", _F | re.VERBOSE)


# "Friday, March 5, 2021", "on the night of May 28-29", "from March 24 to March 25", "March 7th"
_RE_MONTH_DAY = _c(
    rf"""(?:(?P<wd>{_WD}),?\s+)?{_NIGHT_OF}?
    (?P<mon>{_MON})\s+(?P<day>{_DAY})
    (?:\s*{_TO}\s*(?:(?P<mon2>{_MON})\s+)?(?P<day2>{_DAY}))?
    {_YEAR_TAIL}"""
)
# "5 April 2016", "7th of March", "28-29 May", "30 December to 2 January 2022"
_RE_DAY_MONTH = _c(
    rf"""(?:(?P<wd>{_WD}),?\s+)?{_NIGHT_OF}?(?:the\s+)?
    (?P<day>{_DAY})(?:\s*{_TO}\s*(?P<day2>{_DAY}))?
    \s+(?:of\s+)?(?P<mon>{_MON})
    (?:\s*{_TO}\s*{_DAY}\s+(?:of\s+)?(?P<mon2>{_MON}))?
    {_YEAR_TAIL}"""
)
_RE_ISO = _c(r"(?<![\d./-])(?P<year>(?:19|20)\d{2})-(?P<mon>0[1-9]|1[0-2])-(?P<day>[0-3]\d)(?!\d)")
# "12.04.2023", "5.4.2016", "16.09.23" (two-digit years need two-digit day and month)
_RE_DOTTED = _c(
    r"""(?<![\d.])(?:(?P<day>[0-3]?\d)\.(?P<mon>[01]?\d)\.(?P<year>(?:19|20)\d{2})
    |(?P<day2>[0-3]\d)\.(?P<mon2>[01]\d)\.(?P<yy>\d{2}))(?!\d|\.\d)"""
)
# Rare forms delegated to dateparser: "05-Apr-2016", "Apr-05-2016", "5/Apr/16".
_RE_LOOSE = _c(
    rf"""(?<![\w./-])(?:\d{{1,2}}[-/]{_MON}[-/]\d{{2,4}}|{_MON}[-/]\d{{1,2}}[-/]\d{{2,4}})
    (?![\w/-])"""
)

_RE_RELATIVE_DAY = _c(
    r"""\b(?:(?P<d2>the\s+day\s+before\s+yesterday)
    |(?P<d1>yesterday(?:\s+(?:morning|afternoon|evening|night))?|last\s+(?:night|evening))
    |(?P<d0>(?:earlier\s+|later\s+)?today|this\s+(?:morning|afternoon|evening)
        |(?:earlier\s+|later\s+)?tonight|overnight
        |on\s+the\s+day\b(?!\s+(?:of|before|after|when|that|in|on|it)\b)))\b"""
)
_RE_AGO = _c(rf"\b(?P<n>{_NUM})\s+(?P<u>day|week|month|year)s?\s+ago\b")
_RE_PAST_DAY = _c(
    r"""\b(?:(?P<today>since\s+the\s+(?:beginning|start)\s+of\s+(?:the\s+)?(?:current\s+)?day)
    |(?:(?:over|in|during|within|for|throughout)\s+)?the\s+(?:past|last|previous|preceding)\s+
        (?:24\s*hours|24-hour\s+period|twenty[\s-]four\s+hours)
    |(?:over|in|during|within|for|throughout)\s+the\s+(?:past|last|previous|preceding)\s+day
    |(?:in|during|over)\s+24\s*hours
    |during\s+the\s+day)\b"""
)
_RE_WEEKDAY = _c(
    rf"""(?:{_NIGHT_OF})?(?:(?P<mod>this\s+past|last|this|next|past)\s+)?
    (?P<wd>{_WD})
    (?:\s+(?:night|morning|afternoon|evening)\b)?
    (?:\s*(?:-|–|to|into)\s*{_WD})?"""
)
_RE_MONTH = _c(
    rf"""(?:\b(?P<pre>in|of|until|till|by|from|during|between|before|after|through|to|and
        |around)\s+)?
    (?:(?P<mod>(?:earlier\s+|later\s+)?(?:this\s+past|last|this|next)
        |(?:the\s+)?(?:early|late|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of))[\s-]+)?
    (?P<mon>{_MON})(?:,?\s+(?:of\s+)?(?:(?P<year>{_YEAR})|(?P<rel>this|last|next)\s+year\b))?
    (?!\s*\d)"""
)
_RE_SEASON = _c(
    rf"""(?:(?P<mod>this\s+past|last|this|next|past|early|late|mid)[\s-]+
        |(?P<pre>(?:in|during|over|through|throughout)\s+(?:the\s+)?))?
    (?P<s>spring|summer|fall|autumn|winter)\b
    (?:\s+(?:of\s+)?(?P<year>{_YEAR})(?:\s*[-–/]\s*\d{{2,4}}(?!\d))?)?"""
)
_RE_PERIOD = _c(
    rf"""\b(?:(?:(?:in|over|during|for|throughout|within)\s+)?the\s+
        (?P<dir>past|last|previous|preceding|coming|next)\s+(?:(?P<n>{_NUM})\s+)?
        (?P<u>hour|day|week|month|year)(?P<pl>s)?
    |(?:in\s+)?recent\s+(?P<u2>hour|day|week|month|year)s
    |(?:in|during|over|for)\s+the\s+(?P<u3>day|week|month|year)s\s+
        (?:since|after|following|that\s+followed|before|prior)
    |for\s+(?P<n4>{_NUM})\s+(?P<u4>day|week|month|year)s?
    |(?P<wk>(?:(?:earlier|later)\s+)?(?:this|last|next|past)\s+week)
    |since\s+the\s+(?:beginning|start)\s+of\s+(?:the\s+|this\s+)?(?P<u5>week|month|year)
    |since\s+(?P<mon>{_MON})(?:,?\s+(?:(?P<year>{_YEAR})|(?P<rel>this|last)\s+year))?(?!\s*\d)
    )\b"""
)
_RE_REL_MONTH_YEAR = _c(
    r"\b(?:(?:earlier|later)\s+)?(?P<mod>last|this|next|past)\s+(?P<u>month|year)\b"
)
_RE_YEAR = _c(
    rf"""(?:(?P<mod>(?:since\s+(?:the\s+)?)?(?:early|late|mid)|since)[\s-]+)?
    (?<![\w#/.,:$£€])(?P<y>(?:19|20)\d{{2}})(?P<dec>s)?
    (?:\s*[-–/]\s*(?P<y2>(?:19|20)?\d{{2}})|\s+(?:to|and|through|until)\s+(?P<y3>{_YEAR}))?
    (?![\w%]|[.,:/]\d)"""
)

# --------------------------------------------------------------------------- helpers

_Handler = Callable[[re.Match[str], datetime.date | None], "DateMention | None"]


def _mention(
    m: re.Match[str],
    kind: Kind,
    day: datetime.date | None,
    precision: Precision,
    historical: bool,
    start: int | None = None,
) -> DateMention:
    s = m.start() if start is None else start
    e = m.end()
    return DateMention(m.string[s:e], s, e, kind, day, precision, historical)


def _month_num(token: str) -> int:
    return _MONTHS[token.rstrip(".").lower()]


def _is_capitalised(token: str) -> bool:
    """Month names must be capitalised: "may" and "march" are also verbs."""
    return token[:1].isupper()


def _day_num(token: str) -> int:
    return int(re.sub(r"\D", "", token))


def _num(token: str | None, default: int = 1) -> int:
    if token is None:
        return default
    t = re.sub(r"\s+", " ", token.lower())
    if t.isdigit():
        return int(t)
    return _NUMBERS.get(t, default)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _valid_month_day(month: int, day: int) -> bool:
    return _safe_date(2000, month, day) is not None  # 2000 is a leap year


def _months_before(anchor: datetime.date, day: datetime.date) -> int:
    return (anchor.year * 12 + anchor.month) - (day.year * 12 + day.month)


def _beyond_horizon(anchor: datetime.date | None, day: datetime.date | None) -> bool:
    return anchor is not None and day is not None and (anchor - day).days > HORIZON_DAYS


def _shift_months(day: datetime.date, months: int) -> datetime.date:
    idx = day.year * 12 + day.month - 1 + months
    return datetime.date(idx // 12, idx % 12 + 1, 1)


def _resolve_month_day(month: int, day: int, anchor: datetime.date) -> datetime.date | None:
    """Latest ``month``/``day`` not more than FUTURE_SLACK_DAYS after ``anchor``."""
    limit = anchor + datetime.timedelta(days=FUTURE_SLACK_DAYS)
    for year in range(limit.year, limit.year - 9, -1):
        cand = _safe_date(year, month, day)
        if cand is not None and cand <= limit:
            return cand
    return None


@lru_cache(maxsize=256)
def _dateparser_parse(text: str, anchor: datetime.date | None) -> datetime.date | None:
    """Fallback parser for rare explicit forms; imported lazily (first call ~0.5 s)."""
    import dateparser

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if anchor is not None:
        settings["RELATIVE_BASE"] = datetime.datetime.combine(anchor, datetime.time(12))
    try:
        result: Any = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return result.date() if isinstance(result, datetime.datetime) else None


# --------------------------------------------------------------------------- handlers


def _explicit_named(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    mon_tok, mon2_tok = m.group("mon"), m.group("mon2")
    if not _is_capitalised(mon_tok) or (mon2_tok is not None and not _is_capitalised(mon2_tok)):
        return None
    month, day = _month_num(mon_tok), _day_num(m.group("day"))
    if not _valid_month_day(month, day):
        return None
    year: int | None = None
    if m.group("year"):
        year = int(m.group("year"))
        # "December 30 to January 2, 2022": the year belongs to the end of the range.
        if mon2_tok is not None and _month_num(mon2_tok) < month:
            year -= 1
    elif m.group("rel"):
        if anchor is None:
            return _mention(m, "explicit", None, "day", False)
        year = anchor.year + {"this": 0, "last": -1, "next": 1}[m.group("rel").lower()]
    if year is not None:
        resolved = _safe_date(year, month, day)
        if resolved is None:
            return None
    elif anchor is not None:
        resolved = _resolve_month_day(month, day, anchor)
    else:
        resolved = None
    return _mention(m, "explicit", resolved, "day", _beyond_horizon(anchor, resolved))


def _explicit_iso(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    day = _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))
    if day is None:
        return None
    return _mention(m, "explicit", day, "day", _beyond_horizon(anchor, day))


def _explicit_dotted(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    if m.group("year"):
        day = _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))
    else:
        yy = int(m.group("yy"))
        # Two-digit year: the century closest to the anchor (without one: 1969-2068).
        ref = anchor.year if anchor is not None else 2019
        year = min((1900 + yy, 2000 + yy), key=lambda y: abs(y - ref))
        day = _safe_date(year, int(m.group("mon2")), int(m.group("day2")))
    if day is None:
        return None
    return _mention(m, "explicit", day, "day", _beyond_horizon(anchor, day))


def _explicit_loose(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    day = _dateparser_parse(m.group(0), anchor)
    if day is None:
        return None
    return _mention(m, "explicit", day, "day", _beyond_horizon(anchor, day))


def _relative_day(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    back = 2 if m.group("d2") else 1 if m.group("d1") else 0
    day = None if anchor is None else anchor - datetime.timedelta(days=back)
    return _mention(m, "relative_day", day, "day", False)


def _ago(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    n, unit = _num(m.group("n")), m.group("u").lower()
    if unit in ("day", "week"):
        day = (
            None if anchor is None else anchor - datetime.timedelta(days=n * int(_UNIT_DAYS[unit]))
        )
        return _mention(m, "relative_day", day, "day", _beyond_horizon(anchor, day))
    if unit == "month":
        day = None if anchor is None else _shift_months(anchor, -n)
        return _mention(m, "month", day, "month", n > 2)
    day = None if anchor is None else _safe_date(anchor.year - n, 1, 1)
    return _mention(m, "year", day, "year", True)


def _past_day(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    back = 0 if m.group("today") else 1
    day = None if anchor is None else anchor - datetime.timedelta(days=back)
    return _mention(m, "past_day", day, "day", False)


def _weekday(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    if anchor is None:
        return _mention(m, "weekday", None, "day", False)
    wd = _WEEKDAYS[m.group("wd").lower()]
    mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
    if mod == "next":
        day = anchor + datetime.timedelta(days=(wd - anchor.weekday() - 1) % 7 + 1)
    elif mod in ("last", "past", "this past"):
        day = previous_weekday(anchor - datetime.timedelta(days=1), wd)
    else:
        day = previous_weekday(anchor, wd)
    return _mention(m, "weekday", day, "day", False)


def _month(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    tok = m.group("mon")
    mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
    if not _is_capitalised(tok):
        return None
    if not (m.group("pre") or mod or m.group("year") or m.group("rel")):
        return None  # a bare month name is too ambiguous ("May", "March")
    if len(tok.rstrip(".")) <= 4 and tok.lower() not in ("may", "june", "july", "sept"):
        if not m.group("year"):
            return None  # abbreviations only with a year ("Nov 2020")
    month = _month_num(tok)
    start = m.start("mod") if m.group("mod") else m.start("mon")
    day: datetime.date | None = None
    if m.group("year"):
        day = datetime.date(int(m.group("year")), month, 1)
    elif anchor is not None:
        if m.group("rel"):
            year = anchor.year + {"this": 0, "last": -1, "next": 1}[m.group("rel").lower()]
        elif mod.endswith("last") or mod.endswith("past"):
            year = anchor.year if month < anchor.month else anchor.year - 1
        elif mod.endswith("next"):
            year = anchor.year if month > anchor.month else anchor.year + 1
        elif mod.endswith("this"):
            year = anchor.year
        else:
            year = anchor.year if month <= anchor.month else anchor.year - 1
        day = datetime.date(year, month, 1)
    historical = anchor is not None and day is not None and _months_before(anchor, day) > 2
    return _mention(m, "month", day, "month", historical, start)


def _season_of(day: datetime.date) -> datetime.date:
    """First day of the (meteorological) season containing ``day``."""
    if day.month == 12:
        return datetime.date(day.year, 12, 1)
    if day.month <= 2:
        return datetime.date(day.year - 1, 12, 1)
    return datetime.date(day.year, (day.month - 3) // 3 * 3 + 3, 1)


def _season(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    season = m.group("s").lower()
    mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
    year_tok = m.group("year")
    if not (mod or year_tok or m.group("pre")):
        return None
    if season == "fall" and not (mod or year_tok):
        return None  # "in the fall of Shusha"
    start_month = _SEASON_START[season]
    start = m.start("mod") if m.group("mod") else m.start("s")
    last = mod in ("last", "past", "this past")
    day: datetime.date | None = None
    if year_tok:
        day = datetime.date(int(year_tok), start_month, 1)
    elif anchor is not None:
        current = _season_of(anchor)
        candidates = [
            datetime.date(y, start_month, 1) for y in range(anchor.year - 2, anchor.year + 2)
        ]
        if last:
            day = max(c for c in candidates if c < current)
        elif mod == "next":
            day = min(c for c in candidates if c > current)
        elif mod == "this":
            day = (
                current
                if current.month == start_month
                else datetime.date(anchor.year, start_month, 1)
            )
        else:  # "in the summer", "early spring": the most recent one, the current one included
            day = max(c for c in candidates if c <= current)
    if last:
        historical = True
    elif mod in ("this", "next"):
        historical = False
    else:
        end = None if day is None else _shift_months(day, 3)
        historical = _beyond_horizon(anchor, end)
    return _mention(m, "season", day, "season", historical, start)


def _period(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    if m.group("wk"):
        return _mention(m, "period", None, "unknown", False)
    if m.group("mon"):  # "since January this year"
        tok = m.group("mon")
        if not _is_capitalised(tok):
            return None
        month = _month_num(tok)
        if m.group("year"):
            since: datetime.date | None = datetime.date(int(m.group("year")), month, 1)
        elif anchor is not None:
            if m.group("rel"):
                year = anchor.year - (m.group("rel").lower() == "last")
            else:
                year = anchor.year if month <= anchor.month else anchor.year - 1
            since = datetime.date(year, month, 1)
        else:
            since = None
        long = anchor is None or since is None or (anchor - since).days >= HISTORICAL_SPAN_DAYS
        return _mention(m, "period", None, "unknown", long)
    if m.group("u5"):  # "since the beginning of the year"
        unit = m.group("u5").lower()
        if anchor is None:
            long = unit != "week"
        elif unit == "week":
            long = False
        elif unit == "month":
            long = anchor.day - 1 >= HISTORICAL_SPAN_DAYS
        else:
            long = (anchor - datetime.date(anchor.year, 1, 1)).days >= HISTORICAL_SPAN_DAYS
        return _mention(m, "period", None, "unknown", long)
    if m.group("u"):
        unit, n = m.group("u").lower(), _num(m.group("n"))
        if unit == "day" and not m.group("pl") and not m.group("n"):
            return None  # "the past day" is a bulletin day (past_day rule)
    elif m.group("u2"):
        unit, n = m.group("u2").lower(), 3
    elif m.group("u3"):
        unit, n = m.group("u3").lower(), 3
    else:
        unit, n = m.group("u4").lower(), _num(m.group("n4"))
    days = n * _UNIT_DAYS[unit]
    return _mention(m, "period", None, "unknown", days >= HISTORICAL_SPAN_DAYS)


def _rel_month_year(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    mod, unit = m.group("mod").lower(), m.group("u").lower()
    offset = {"last": -1, "past": -1, "this": 0, "next": 1}[mod]
    if unit == "month":
        day = None if anchor is None else _shift_months(anchor, offset)
        return _mention(m, "month", day, "month", False)
    day = None if anchor is None else datetime.date(anchor.year + offset, 1, 1)
    return _mention(m, "year", day, "year", offset < 0)


def _prev_word(text: str, pos: int) -> str:
    found = re.search(r"([A-Za-z.#'’]+)[\s-]*$", text[:pos])
    return found.group(1).lower() if found else ""


def _next_word(text: str, pos: int) -> str:
    found = re.match(r"[\s-]*([A-Za-z'’-]+)", text[pos:])
    return found.group(1).lower() if found else ""


def _year(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    text = m.string
    first = int(m.group("y"))
    nxt = _next_word(text, m.end())
    if nxt in _YEAR_BLOCK_NEXT:
        return None
    mod = m.group("mod")
    if m.group("dec"):  # "the 1990s", "since the early 1990s"
        if first % 10:
            return None
        historical = anchor is None or first + 9 < anchor.year
        return _mention(m, "year", None, "unknown", historical)
    is_range = bool(m.group("y3") or (m.group("y2") and len(m.group("y2")) == 4))
    if not mod and not is_range:
        before = text[m.start("y") - 1] if m.start("y") > 0 else ""
        if before == "-":
            return None
        prev = _prev_word(text, m.start("y"))
        # After a month name ("march 2021" that the month rule rejected) it is still a year.
        if prev.rstrip(".") not in _MONTHS and prev not in _YEAR_PREV and nxt not in _YEAR_NEXT:
            return None
    last = first
    if m.group("y3"):
        last = int(m.group("y3"))
    elif m.group("y2"):
        tail = m.group("y2")
        last = int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail)
        if not first <= last <= first + 20:
            return None
    historical = anchor is None or last < anchor.year
    return _mention(m, "year", datetime.date(first, 1, 1), "year", historical)


_MONTH_GATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _F)
_Gate = tuple[str, ...] | re.Pattern[str]

# (pattern, handler, gate): a rule runs only when the lower-cased sentence contains one of the
# gate substrings, or the gate pattern matches the sentence; cheap gates skip most rules on most
# sentences.  Rules are listed in order of preference between spans of equal length.
_RULES: tuple[tuple[re.Pattern[str], _Handler, _Gate], ...] = (
    (_RE_MONTH_DAY, _explicit_named, _MONTH_GATE),
    (_RE_DAY_MONTH, _explicit_named, _MONTH_GATE),
    (_RE_ISO, _explicit_iso, re.compile(r"\d-\d")),
    (_RE_DOTTED, _explicit_dotted, re.compile(r"\d\.\d")),
    (_RE_LOOSE, _explicit_loose, _MONTH_GATE),
    (_RE_PAST_DAY, _past_day, ("day", "hour")),
    (_RE_RELATIVE_DAY, _relative_day, ("day", "night", "morning", "afternoon", "evening")),
    (_RE_AGO, _ago, ("ago",)),
    (_RE_WEEKDAY, _weekday, ("day",)),
    (_RE_PERIOD, _period, ("hour", "day", "week", "month", "year", "since")),
    (_RE_SEASON, _season, ("spring", "summer", "fall", "autumn", "winter")),
    (_RE_MONTH, _month, _MONTH_GATE),
    (_RE_REL_MONTH_YEAR, _rel_month_year, ("month", "year")),
    (_RE_YEAR, _year, ("19", "20")),
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
