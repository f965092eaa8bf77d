"""Tests for trucewatch.extract.dates (date expressions in one sentence)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.extract.dates import DateMention, find_dates, previous_weekday

D = datetime.date
FRI = D(2021, 8, 13)  # a Friday
MAY = D(2021, 5, 14)  # a Friday


def only(sentence: str, anchor: datetime.date | None) -> DateMention:
    found = find_dates(sentence, anchor)
    assert len(found) == 1, found
    return found[0]


def texts(sentence: str, anchor: datetime.date | None) -> list[str]:
    return [m.text for m in find_dates(sentence, anchor)]


# --------------------------------------------------------------------------- previous_weekday


def test_previous_weekday_same_day_and_earlier() -> None:
    assert previous_weekday(FRI, 4) == FRI
    assert previous_weekday(FRI, 3) == D(2021, 8, 12)
    assert previous_weekday(FRI, 5) == D(2021, 8, 7)


def test_previous_weekday_rejects_bad_weekday() -> None:
    with pytest.raises(ValueError, match="weekday"):
        previous_weekday(FRI, 7)


# --------------------------------------------------------------------------- acceptance cases


def test_brief_thursday_and_previous_24_hours() -> None:
    s = "The ministry said Thursday that two violations were logged in the previous 24 hours."
    thursday, past = find_dates(s, FRI)
    assert (thursday.text, thursday.kind, thursday.day) == ("Thursday", "weekday", D(2021, 8, 12))
    assert (past.text, past.kind, past.day) == (
        "in the previous 24 hours",
        "past_day",
        D(2021, 8, 12),
    )
    assert thursday.precision == past.precision == "day"
    assert not thursday.historical
    assert not past.historical


def test_brief_past_day_and_month_day_are_two_mentions() -> None:
    found = find_dates("Over the past day, on February 10, a drone struck a post.", D(2021, 2, 11))
    assert [(m.text, m.kind, m.day) for m in found] == [
        ("Over the past day", "past_day", D(2021, 2, 10)),
        ("February 10", "explicit", D(2021, 2, 10)),
    ]


def test_brief_december_with_january_anchor_is_previous_year() -> None:
    m = only("Shells hit the village on December 30, officials said.", D(2022, 1, 3))
    assert (m.kind, m.day, m.precision) == ("explicit", D(2021, 12, 30), "day")


def test_brief_full_date_without_anchor() -> None:
    m = only("The four-day war began on April 5, 2016 at dawn.", None)
    assert (m.text, m.kind, m.day, m.precision) == (
        "April 5, 2016",
        "explicit",
        D(2016, 4, 5),
        "day",
    )


def test_brief_dotted_date_with_time() -> None:
    m = only("Posted 12.04.2023 10:11 by the press service.", None)
    assert (m.text, m.day) == ("12.04.2023", D(2023, 4, 12))


def test_brief_last_fall_is_historical_season() -> None:
    m = only("The six-week war last fall left 6,500 people dead.", MAY)
    assert (m.text, m.kind, m.precision, m.historical) == ("last fall", "season", "season", True)
    assert m.day == D(2020, 9, 1)


def test_brief_quantities_are_not_years() -> None:
    s = (
        "UNIFIL has 2,000 peacekeepers under Resolution 1701, Resolution 2334 counts 6,500 people, "
        "3186 violations were logged at 12:00 and 2000 troops left."
    )
    assert find_dates(s, MAY) == []


def test_brief_early_1990s_and_months_since_are_historical() -> None:
    s = "Fighting has flared since the early 1990s, and in the months since the truce it grew."
    decade, period = find_dates(s, MAY)
    assert (decade.text, decade.kind, decade.day, decade.historical) == (
        "since the early 1990s",
        "year",
        None,
        True,
    )
    assert (period.text, period.kind, period.day, period.historical) == (
        "in the months since",
        "period",
        None,
        True,
    )


def test_brief_weekday_without_anchor_is_unresolved() -> None:
    m = only("Shelling resumed on Tuesday near the border.", None)
    assert (m.text, m.kind, m.day, m.precision) == ("Tuesday", "weekday", None, "day")


# --------------------------------------------------------------------------- relative days


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", FRI),
        ("this morning", FRI),
        ("earlier today", FRI),
        ("tonight", FRI),
        ("overnight", FRI),
        ("yesterday", D(2021, 8, 12)),
        ("last night", D(2021, 8, 12)),
        ("yesterday evening", D(2021, 8, 12)),
        ("the day before yesterday", D(2021, 8, 11)),
        ("three days ago", D(2021, 8, 10)),
    ],
)
def test_relative_day(phrase: str, expected: datetime.date) -> None:
    m = only(f"Mortars hit the post {phrase}, the army said.", FRI)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        phrase,
        "relative_day",
        expected,
        "day",
        False,
    )


def test_relative_day_on_the_day() -> None:
    assert only("Two soldiers were wounded on the day.", FRI).day == FRI
    assert find_dates("They met on the day of the referendum.", FRI) == []


def test_relative_day_without_anchor() -> None:
    m = only("Yesterday a sniper wounded a soldier.", None)
    assert (m.text, m.kind, m.day, m.precision) == ("Yesterday", "relative_day", None, "day")


# --------------------------------------------------------------------------- bulletin day


@pytest.mark.parametrize(
    "phrase",
    [
        "over the past day",
        "over the past 24 hours",
        "during the past day",
        "within the last 24 hours",
        "in the last 24 hours",
        "during the day",
        "in 24 hours",
    ],
)
def test_past_day_is_day_before_anchor(phrase: str) -> None:
    m = only(f"The enemy violated the ceasefire 8 times {phrase}.", FRI)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        phrase,
        "past_day",
        D(2021, 8, 12),
        "day",
        False,
    )


def test_since_beginning_of_current_day_is_anchor() -> None:
    m = only("Since the beginning of the current day, two violations were recorded.", FRI)
    assert (m.kind, m.day) == ("past_day", FRI)


def test_past_day_without_anchor() -> None:
    m = only("In the previous 24 hours the ceasefire was violated once.", None)
    assert (m.kind, m.day, m.precision) == ("past_day", None, "day")


# --------------------------------------------------------------------------- weekdays


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("Officials said on Monday that fire resumed.", "Monday", D(2021, 8, 9)),
        ("Tuesday night saw heavy shelling.", "Tuesday night", D(2021, 8, 10)),
        ("Tuesday's bulletin listed three breaches.", "Tuesday", D(2021, 8, 10)),
        ("The bulletin came out Friday.", "Friday", FRI),
        ("The post was hit last Friday.", "last Friday", D(2021, 8, 6)),
        ("The post was hit last Thursday.", "last Thursday", D(2021, 8, 12)),
        ("Talks resume next Monday.", "next Monday", D(2021, 8, 16)),
    ],
)
def test_weekday(sentence: str, text: str, expected: datetime.date) -> None:
    m = only(sentence, FRI)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        text,
        "weekday",
        expected,
        "day",
        False,
    )


def test_night_of_weekday_to_weekday_takes_first() -> None:
    m = only("Drones attacked on the night of Monday to Tuesday.", FRI)
    assert (m.kind, m.day) == ("weekday", D(2021, 8, 9))


# --------------------------------------------------------------------------- explicit days


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("It began on 5 April 2016 before dawn.", "5 April 2016", D(2016, 4, 5)),
        ("The file 2016-04-05 was released.", "2016-04-05", D(2016, 4, 5)),
        ("Peace was signed on March 26, 2022.", "March 26, 2022", D(2022, 3, 26)),
        ("Dated 16.09.23, the report said.", "16.09.23", D(2023, 9, 16)),
        ("Dated 31.12.99, the report said.", "31.12.99", D(1999, 12, 31)),
        ("The log of 05-Apr-2016 lists it.", "05-Apr-2016", D(2016, 4, 5)),
        ("On Friday, March 5, 2021, fighting resumed.", "Friday, March 5, 2021", D(2021, 3, 5)),
    ],
)
def test_explicit_with_year_needs_no_anchor(
    sentence: str, text: str, expected: datetime.date
) -> None:
    for anchor in (None, FRI):
        m = only(sentence, anchor)
        assert (m.text, m.kind, m.day, m.precision) == (text, "explicit", expected, "day")


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("On February 10 a drone struck.", "February 10", D(2021, 2, 10)),
        ("On 7 March the post was shelled.", "7 March", D(2021, 3, 7)),
        ("December 12 was quiet.", "December 12", D(2020, 12, 12)),
        ("By March 7th the truce had failed.", "March 7th", D(2021, 3, 7)),
        ("By the 7th of March the truce had failed.", "the 7th of March", D(2021, 3, 7)),
        ("Clashes from March 24 to March 25 killed two.", "March 24 to March 25", D(2021, 3, 24)),
        ("It happened on the night of May 29.", "the night of May 29", D(2021, 5, 29)),
        ("Fighting on 28-29 May was heavy.", "28-29 May", D(2021, 5, 28)),
        ("It was shelled on March 5 last year.", "March 5 last year", D(2020, 3, 5)),
    ],
)
def test_explicit_without_year_uses_anchor(
    sentence: str, text: str, expected: datetime.date
) -> None:
    m = only(sentence, D(2021, 6, 1))
    assert (m.text, m.kind, m.day, m.precision) == (text, "explicit", expected, "day")
    unresolved = only(sentence, None)
    assert (unresolved.text, unresolved.kind, unresolved.day, unresolved.precision) == (
        text,
        "explicit",
        None,
        "day",
    )


def test_explicit_allows_two_days_after_anchor() -> None:
    assert only("The truce starts on May 16.", MAY).day == D(2021, 5, 16)
    assert only("The truce started on May 17.", MAY).day == D(2020, 5, 17)


def test_range_crossing_new_year_takes_first_day() -> None:
    m = only("Shelling from 30 December to 2 January 2022 hit the town.", None)
    assert m.day == D(2021, 12, 30)


def test_explicit_historical_beyond_horizon() -> None:
    assert only("It happened on April 5, 2016.", MAY).historical
    assert not only("It happened on May 1, 2021.", MAY).historical
    assert not only("It happened on April 5, 2016.", None).historical


def test_invalid_calendar_days_are_ignored() -> None:
    assert find_dates("Nothing happened on February 30 or 31.04.2021.", MAY) == []


def test_lowercase_month_words_are_not_months() -> None:
    assert find_dates("Troops may march 5 km in may.", MAY) == []


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("sentence", "text", "anchor", "expected", "historical"),
    [
        ("Fire broke out in March.", "March", MAY, D(2021, 3, 1), False),
        ("Fire broke out in March.", "March", FRI, D(2021, 3, 1), True),
        ("Fire broke out in December.", "December", D(2022, 1, 3), D(2021, 12, 1), False),
        ("It was signed last November.", "last November", FRI, D(2020, 11, 1), True),
        ("It was signed last November.", "last November", D(2021, 12, 5), D(2021, 11, 1), False),
        ("It was signed November 2020.", "November 2020", FRI, D(2020, 11, 1), True),
        ("Talks stalled in early June.", "early June", FRI, D(2021, 6, 1), False),
        ("Talks stalled last month.", "last month", FRI, D(2021, 7, 1), False),
    ],
)
def test_month(
    sentence: str,
    text: str,
    anchor: datetime.date,
    expected: datetime.date,
    historical: bool,
) -> None:
    m = only(sentence, anchor)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        text,
        "month",
        expected,
        "month",
        historical,
    )


def test_month_without_anchor() -> None:
    m = only("It was signed in March.", None)
    assert (m.kind, m.day, m.precision) == ("month", None, "month")
    assert only("It was signed in November 2020.", None).day == D(2020, 11, 1)


# --------------------------------------------------------------------------- seasons


@pytest.mark.parametrize(
    ("phrase", "anchor", "expected", "historical"),
    [
        ("last fall", MAY, D(2020, 9, 1), True),
        ("last autumn", D(2021, 10, 20), D(2020, 9, 1), True),
        ("last summer", MAY, D(2020, 6, 1), True),
        ("last winter", D(2021, 1, 15), D(2019, 12, 1), True),
        ("this spring", MAY, D(2021, 3, 1), False),
        ("this winter", D(2021, 1, 15), D(2020, 12, 1), False),
    ],
)
def test_season(
    phrase: str, anchor: datetime.date, expected: datetime.date, historical: bool
) -> None:
    m = only(f"Fighting flared {phrase} near the lake.", anchor)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        phrase,
        "season",
        expected,
        "season",
        historical,
    )


def test_season_with_year_and_without_anchor() -> None:
    assert only("In the summer of 2014 the war began.", None).day == D(2014, 6, 1)
    m = only("The war last fall was short.", None)
    assert (m.kind, m.day, m.historical) == ("season", None, True)
    assert find_dates("The fall of the town shocked everyone.", MAY) == []


# --------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("The town was lost in 1992.", "1992", D(1992, 1, 1)),
        ("The region has been disputed since 2014.", "since 2014", D(2014, 1, 1)),
        ("It breached the 1994 ceasefire.", "1994", D(1994, 1, 1)),
        ("Troops withdrew in 2018.", "2018", D(2018, 1, 1)),
        ("Fighting peaked in mid-2014.", "mid-2014", D(2014, 1, 1)),
        ("The 2014-2016 fighting was fierce.", "2014-2016", D(2014, 1, 1)),
        ("The 2020 war ended fast.", "2020", D(2020, 1, 1)),
        ("The OSCE left last year.", "last year", D(2020, 1, 1)),
    ],
)
def test_year_is_historical_before_anchor_year(
    sentence: str, text: str, expected: datetime.date
) -> None:
    m = only(sentence, FRI)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        text,
        "year",
        expected,
        "year",
        True,
    )


def test_year_of_anchor_is_not_historical() -> None:
    assert not only("Troops withdrew in 2021.", FRI).historical
    assert not only("Troops withdrew this year.", FRI).historical


def test_year_without_anchor_is_historical() -> None:
    m = only("Troops withdrew in 2021.", None)
    assert (m.day, m.historical) == (D(2021, 1, 1), True)


def test_decade() -> None:
    m = only("Mines from the early 1990s still kill.", FRI)
    assert (m.text, m.kind, m.day, m.precision, m.historical) == (
        "early 1990s",
        "year",
        None,
        "unknown",
        True,
    )


def test_numbers_that_are_not_years() -> None:
    for s in [
        "Some 2,000 peacekeepers were deployed.",
        "In 2000 troops crossed the line.",
        "A total of 2019 violations were logged.",
        "Order No. 2015 was issued.",
        "It cost $2000.",
        "Resolution 2231 was adopted.",
    ]:
        assert find_dates(s, FRI) == [], s


def test_year_inside_a_full_date_is_not_a_separate_mention() -> None:
    assert texts("On April 5, 2016 and in March 2021.", FRI) == ["April 5, 2016", "March 2021"]


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("phrase", "historical"),
    [
        ("in recent days", False),
        ("over the past few days", False),
        ("over the past week", True),
        ("over the past weeks", True),
        ("in the past month", True),
        ("for the past 10 days", True),
        ("for the past 3 days", False),
        ("in the months since", True),
        ("in recent weeks", True),
        ("since January this year", True),
    ],
)
def test_period(phrase: str, historical: bool) -> None:
    for anchor in (FRI, None):
        m = only(f"Violations multiplied {phrase}, monitors said.", anchor)
        assert (m.text, m.kind, m.day, m.precision, m.historical) == (
            phrase,
            "period",
            None,
            "unknown",
            historical,
        )


# --------------------------------------------------------------------------- not dates


def test_earlier_previously_back_then_are_not_dates() -> None:
    s = "Earlier, the army had previously said that back then it was now calm."
    assert find_dates(s, FRI) == []


@pytest.mark.parametrize("anchor", [D(1, 1, 1), D(9999, 12, 31)])
def test_calendar_edges_do_not_raise(anchor: datetime.date) -> None:
    s = "Last year, next Friday, last winter, December 30, two years ago and 16.09.23."
    for m in find_dates(s, anchor):
        assert s[m.start : m.end] == m.text


def test_mentions_sorted_and_non_overlapping() -> None:
    s = "On Tuesday, March 2, 2021 and yesterday, since 2014 and over the past 24 hours."
    found = find_dates(s, FRI)
    assert [m.text for m in found] == [
        "Tuesday, March 2, 2021",
        "yesterday",
        "since 2014",
        "over the past 24 hours",
    ]
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start


# --------------------------------------------------------------------------- properties

_WORDS = st.sampled_from(
    [
        "on", "in", "last", "the", "night", "of", "since", "early", "Tuesday", "March", "May",
        "fall", "yesterday", "past", "24", "hours", "day", "2014", "1990s", "2,000", "5",
        "12.04.2023", "7th", "-", ",", "to", "ago", "three", "weeks", "Resolution", "1701",
    ]
)  # fmt: skip
_ANCHORS = st.none() | st.dates()


def _check_offsets(sentence: str, anchor: datetime.date | None) -> None:
    found = find_dates(sentence, anchor)
    for m in found:
        assert sentence[m.start : m.end] == m.text
        assert m.text
        if m.day is not None:
            assert m.precision in ("day", "month", "season", "year")
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start


@settings(max_examples=200, deadline=None)
@given(sentence=st.text(max_size=120), anchor=_ANCHORS)
def test_property_arbitrary_text(sentence: str, anchor: datetime.date | None) -> None:
    _check_offsets(sentence, anchor)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(_WORDS, max_size=14), anchor=_ANCHORS)
def test_property_date_like_text(words: list[str], anchor: datetime.date | None) -> None:
    _check_offsets(" ".join(words), anchor)
