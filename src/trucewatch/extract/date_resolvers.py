"""Resolve one date-pattern match into a :class:`DateMention` relative to an anchor day.

One handler per kind of expression (``resolve_*``), plus the calendar arithmetic they share and
the lazily imported ``dateparser`` fallback for rare explicit forms.  A handler returns None when
the match is not a date after all ("may", "the fall of the town", "2000 troops").
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any

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
    MONTHS,
    NUMBERS,
    SEASON_START,
    UNIT_DAYS,
    WEEKDAYS,
    YEAR_BLOCK_NEXT,
    YEAR_NEXT,
    YEAR_PREV,
)

# --------------------------------------------------------------------------- helpers


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
    return MONTHS[token.rstrip(".").lower()]


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
    return NUMBERS.get(t, default)


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


def resolve_named_date(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
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


def resolve_iso_date(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    day = _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))
    if day is None:
        return None
    return _mention(m, "explicit", day, "day", _beyond_horizon(anchor, day))


def resolve_dotted_date(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
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


def resolve_loose_date(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    day = _dateparser_parse(m.group(0), anchor)
    if day is None:
        return None
    return _mention(m, "explicit", day, "day", _beyond_horizon(anchor, day))


def resolve_relative_day(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    back = 2 if m.group("d2") else 1 if m.group("d1") else 0
    day = None if anchor is None else anchor - datetime.timedelta(days=back)
    return _mention(m, "relative_day", day, "day", False)


def resolve_ago(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    n, unit = _num(m.group("n")), m.group("u").lower()
    if unit in ("day", "week"):
        day = None if anchor is None else anchor - datetime.timedelta(days=n * int(UNIT_DAYS[unit]))
        return _mention(m, "relative_day", day, "day", _beyond_horizon(anchor, day))
    if unit == "month":
        day = None if anchor is None else _shift_months(anchor, -n)
        return _mention(m, "month", day, "month", n > 2)
    day = None if anchor is None else _safe_date(anchor.year - n, 1, 1)
    return _mention(m, "year", day, "year", True)


def resolve_past_day(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    back = 0 if m.group("today") else 1
    day = None if anchor is None else anchor - datetime.timedelta(days=back)
    return _mention(m, "past_day", day, "day", False)


def resolve_weekday(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    if anchor is None:
        return _mention(m, "weekday", None, "day", False)
    wd = WEEKDAYS[m.group("wd").lower()]
    mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
    if mod == "next":
        day = anchor + datetime.timedelta(days=(wd - anchor.weekday() - 1) % 7 + 1)
    elif mod in ("last", "past", "this past"):
        day = previous_weekday(anchor - datetime.timedelta(days=1), wd)
    else:
        day = previous_weekday(anchor, wd)
    return _mention(m, "weekday", day, "day", False)


def resolve_month(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
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


def resolve_season(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    season = m.group("s").lower()
    mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
    year_tok = m.group("year")
    if not (mod or year_tok or m.group("pre")):
        return None
    if season == "fall" and not (mod or year_tok):
        return None  # "in the fall of Shusha"
    start_month = SEASON_START[season]
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


def resolve_period(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
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
    days = n * UNIT_DAYS[unit]
    return _mention(m, "period", None, "unknown", days >= HISTORICAL_SPAN_DAYS)


def resolve_rel_month_year(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
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


def resolve_year(m: re.Match[str], anchor: datetime.date | None) -> DateMention | None:
    text = m.string
    first = int(m.group("y"))
    nxt = _next_word(text, m.end())
    if nxt in YEAR_BLOCK_NEXT:
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
        if prev.rstrip(".") not in MONTHS and prev not in YEAR_PREV and nxt not in YEAR_NEXT:
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
