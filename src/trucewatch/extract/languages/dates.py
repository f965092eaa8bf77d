"""Dates in Russian and Ukrainian reports: "7 сентября", "22 травня 2020 року", "14.11.2020",
"за минувшие сутки", "минулої доби", "вчера", "в ночь на 5 марта", "в четверг" — resolved
against the publication day. Month names in any case come from the lexicon (lemmas); the day
and month phrase is parsed with dateparser where it can, else from the lexicon's month table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import dateparser

from trucewatch.extract.languages.compiled import Compiled
from trucewatch.extract.languages.morphology import Token

_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_LATEST_AHEAD = dt.timedelta(days=2)  # a date without a year is never this far after publication


@dataclass(frozen=True)
class DateReading:
    day: dt.date | None  # the day the clause places its act on
    stated: bool  # written in the clause (not relative to publication)
    old_year: bool  # names a year before the publication year ("в 2014 году")


def _day_number(token: Token) -> int | None:
    return int(token.text) if token.text.isdigit() and 1 <= int(token.text) <= 31 else None


def _parse(phrase: str, language: str, base: dt.date | None) -> dt.date | None:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month"]}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(base, dt.time(12))
    try:
        found = dateparser.parse(phrase, languages=[language], settings=settings)
    except (ValueError, OverflowError):
        return None
    return found.date() if found is not None else None


def _with_year(day: int, month: int, year: int | None, published: dt.date | None) -> dt.date | None:
    if year is None:
        if published is None:
            return None
        year = published.year
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    if published is not None and found - published > _LATEST_AHEAD:
        found = found.replace(year=found.year - 1)  # "30 декабря" read on 2 January
    return found


def explicit_dates(
    c: Compiled, tokens: Sequence[Token], text: str, published: dt.date | None
) -> list[dt.date]:
    """The days written out in a clause, in order."""
    out: list[dt.date] = []
    for m in _NUMERIC.finditer(text):
        try:
            out.append(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:
            continue
    for i, tok in enumerate(tokens):
        month = c.months.get(tok.lemma)
        if month is None or not tok.text[:1].isalpha():
            continue
        day = next(
            (d for t in reversed(tokens[max(0, i - 3) : i]) if (d := _day_number(t)) is not None),
            None,
        )
        if day is None:
            continue
        year_tok = (
            tokens[i + 1] if i + 1 < len(tokens) and _YEAR.match(tokens[i + 1].text) else None
        )
        year = int(year_tok.text) if year_tok else None
        phrase = f"{day} {tok.text}" + (f" {year}" if year else "")
        parsed = _parse(phrase, c.language, published)
        if parsed is not None:  # dateparser read it: keep its day and month, our year rule
            day, month = parsed.day, parsed.month
        found = _with_year(day, month, year, published)
        if found is not None:
            out.append(found)
    return out


def read_date(
    c: Compiled, tokens: Sequence[Token], text: str, published: dt.date | None
) -> DateReading:
    """The day a clause states, written or relative to the publication day."""
    old_year = any(
        _YEAR.match(t.text)
        and published is not None
        and int(t.text) < published.year
        and not c.has("birth_words", tokens[i + 1 : i + 4])  # "1968 года рождения"
        for i, t in enumerate(tokens)
    )
    written = explicit_dates(c, tokens, text, published)
    if written:
        return DateReading(written[0], True, old_year)
    if published is None:
        return DateReading(None, False, old_year)
    for name, back in (("day_before_yesterday", 2), ("yesterday", 1), ("past_day", 1)):
        if c.has(name, tokens):
            return DateReading(published - dt.timedelta(days=back), True, old_year)
    if c.has("same_day", tokens):
        return DateReading(published, True, old_year)
    for i, tok in enumerate(tokens):
        weekday = c.weekdays.get(tok.lemma)
        if weekday is not None and i > 0 and tokens[i - 1].pos == "PREP":  # "в четверг"
            back = (published.weekday() - weekday) % 7
            return DateReading(published - dt.timedelta(days=back), True, old_year)
    return DateReading(None, False, old_year)
