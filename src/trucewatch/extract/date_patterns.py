"""Vocabulary and regular expressions that find date expressions in a sentence.

One compiled pattern per kind of expression; :mod:`trucewatch.extract.date_resolvers` turns their
matches into dates and :mod:`trucewatch.extract.dates` runs them.
"""

from __future__ import annotations

import re

from trucewatch.extract.numbers import WORD_NUMBERS

# --------------------------------------------------------------------------- vocabulary

MONTHS: dict[str, int] = {
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
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Meteorological seasons (northern hemisphere): month in which each season starts.
SEASON_START: dict[str, int] = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
# spans such as "a few days", "several weeks": fuzzy quantities count as a handful
NUMBERS: dict[str, int] = {
    **{word: value for word, value in WORD_NUMBERS.items() if value},
    "few": 3,
    "several": 3,
    "couple of": 2,
    "couple": 2,
}
UNIT_DAYS: dict[str, float] = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

# Words before a bare 4-digit number that make it a year ("in 1992", "the 1994 ceasefire").
YEAR_PREV = frozenset(
    "in since of from until till by early late mid the before after during between around "
    "circa c. spring summer autumn fall winter year".split()
)
# Words after a bare 4-digit number that make it a year even without a preceding cue.
YEAR_NEXT = frozenset(
    "war wars ceasefire cease-fire agreement agreements truce conflict accord accords deal "
    "offensive election elections protocol escalation hostilities clashes fighting memorandum "
    "armistice peace referendum invasion annexation revolution uprising declaration talks summit "
    "census massacre crisis coup campaign".split()
)
# Words after a 4-digit number that make it a quantity, never a year ("2000 troops").
YEAR_BLOCK_NEXT = frozenset(
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
RE_MONTH_DAY = _c(
    rf"""(?:(?P<wd>{_WD}),?\s+)?{_NIGHT_OF}?
    (?P<mon>{_MON})\s+(?P<day>{_DAY})
    (?:\s*{_TO}\s*(?:(?P<mon2>{_MON})\s+)?(?P<day2>{_DAY}))?
    {_YEAR_TAIL}"""
)
# "5 April 2016", "7th of March", "28-29 May", "30 December to 2 January 2022"
RE_DAY_MONTH = _c(
    rf"""(?:(?P<wd>{_WD}),?\s+)?{_NIGHT_OF}?(?:the\s+)?
    (?P<day>{_DAY})(?:\s*{_TO}\s*(?P<day2>{_DAY}))?
    \s+(?:of\s+)?(?P<mon>{_MON})
    (?:\s*{_TO}\s*{_DAY}\s+(?:of\s+)?(?P<mon2>{_MON}))?
    {_YEAR_TAIL}"""
)
RE_ISO = _c(r"(?<![\d./-])(?P<year>(?:19|20)\d{2})-(?P<mon>0[1-9]|1[0-2])-(?P<day>[0-3]\d)(?!\d)")
# "12.04.2023", "5.4.2016", "16.09.23" (two-digit years need two-digit day and month)
RE_DOTTED = _c(
    r"""(?<![\d.])(?:(?P<day>[0-3]?\d)\.(?P<mon>[01]?\d)\.(?P<year>(?:19|20)\d{2})
    |(?P<day2>[0-3]\d)\.(?P<mon2>[01]\d)\.(?P<yy>\d{2}))(?!\d|\.\d)"""
)
# Rare forms delegated to dateparser: "05-Apr-2016", "Apr-05-2016", "5/Apr/16".
RE_LOOSE = _c(
    rf"""(?<![\w./-])(?:\d{{1,2}}[-/]{_MON}[-/]\d{{2,4}}|{_MON}[-/]\d{{1,2}}[-/]\d{{2,4}})
    (?![\w/-])"""
)

RE_RELATIVE_DAY = _c(
    r"""\b(?:(?P<d2>the\s+day\s+before\s+yesterday)
    |(?P<d1>yesterday(?:\s+(?:morning|afternoon|evening|night))?|last\s+(?:night|evening))
    |(?P<d0>(?:earlier\s+|later\s+)?today|this\s+(?:morning|afternoon|evening)
        |(?:earlier\s+|later\s+)?tonight|overnight
        |on\s+the\s+day\b(?!\s+(?:of|before|after|when|that|in|on|it)\b)))\b"""
)
RE_AGO = _c(rf"\b(?P<n>{_NUM})\s+(?P<u>day|week|month|year)s?\s+ago\b")
RE_PAST_DAY = _c(
    r"""\b(?:(?P<today>since\s+the\s+(?:beginning|start)\s+of\s+(?:the\s+)?(?:current\s+)?day)
    |(?:(?:over|in|during|within|for|throughout)\s+)?the\s+(?:past|last|previous|preceding)\s+
        (?:24\s*hours|24-hour\s+period|twenty[\s-]four\s+hours)
    |(?:over|in|during|within|for|throughout)\s+the\s+(?:past|last|previous|preceding)\s+day
    |(?:in|during|over)\s+24\s*hours
    |during\s+the\s+day)\b"""
)
RE_WEEKDAY = _c(
    rf"""(?:{_NIGHT_OF})?(?:(?P<mod>this\s+past|last|this|next|past)\s+)?
    (?P<wd>{_WD})
    (?:\s+(?:night|morning|afternoon|evening)\b)?
    (?:\s*(?:-|–|to|into)\s*{_WD})?"""
)
RE_MONTH = _c(
    rf"""(?:\b(?P<pre>in|of|until|till|by|from|during|between|before|after|through|to|and
        |around)\s+)?
    (?:(?P<mod>(?:earlier\s+|later\s+)?(?:this\s+past|last|this|next)
        |(?:the\s+)?(?:early|late|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of))[\s-]+)?
    (?P<mon>{_MON})(?:,?\s+(?:of\s+)?(?:(?P<year>{_YEAR})|(?P<rel>this|last|next)\s+year\b))?
    (?!\s*\d)"""
)
RE_SEASON = _c(
    rf"""(?:(?P<mod>this\s+past|last|this|next|past|early|late|mid)[\s-]+
        |(?P<pre>(?:in|during|over|through|throughout)\s+(?:the\s+)?))?
    (?P<s>spring|summer|fall|autumn|winter)\b
    (?:\s+(?:of\s+)?(?P<year>{_YEAR})(?:\s*[-–/]\s*\d{{2,4}}(?!\d))?)?"""
)
RE_PERIOD = _c(
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
RE_REL_MONTH_YEAR = _c(
    r"\b(?:(?:earlier|later)\s+)?(?P<mod>last|this|next|past)\s+(?P<u>month|year)\b"
)
RE_YEAR = _c(
    rf"""(?:(?P<mod>(?:since\s+(?:the\s+)?)?(?:early|late|mid)|since)[\s-]+)?
    (?<![\w#/.,:$£€])(?P<y>(?:19|20)\d{{2}})(?P<dec>s)?
    (?:\s*[-–/]\s*(?P<y2>(?:19|20)?\d{{2}})|\s+(?:to|and|through|until)\s+(?P<y3>{_YEAR}))?
    (?![\w%]|[.,:/]\d)"""
)

MONTH_GATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _F)
