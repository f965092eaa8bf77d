"""Numbers in report prose: casualty tolls ("two soldiers were wounded", "no casualties") and
counted acts ("two strikes", "violated the ceasefire seven times")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.extract.lexicon import Lexicon

WORD_NUMBERS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "dozens": 24,
    "several": 0,
}
NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+|(?:"
    + "|".join(
        sorted((w for w in WORD_NUMBERS if w not in ("a", "an", "several")), key=len, reverse=True)
    )
    + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# a number that is a date, a time, a year, a calibre, a distance, an ordinal or a unit number
_DATE_BEFORE = re.compile(
    rf"(?:\b{_MONTHS}\.?\s*|\bno\.?\s*|\bnumber\s*|#\s*|[:/.-])$", re.IGNORECASE
)
_NOT_A_COUNT_AFTER = re.compile(
    rf"^(?:\s*{_MONTHS}\b|\s*(?:st|nd|rd|th)\b|[:/.]\d|\s?-?(?:mm|cm|km|m|kg|hours?|h)\b|"
    r"\s*(?:a\.m|p\.m|am|pm|hrs|gmt|utc)\b|-\d)",
    re.IGNORECASE,
)


def is_toll_number(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] can be a toll: not a year ('in 2019'), a day of the
    month ('On June 14', '14 June'), a time ('10:40'), a calibre or distance ('82 mm', '5 km'),
    an ordinal or a unit's number ('the 72nd brigade', 'No. 5')."""
    digits = text[start:end].replace(",", "")
    if digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2099:
        return False
    if _DATE_BEFORE.search(text[max(0, start - 12) : start]):
        return False
    return not _NOT_A_COUNT_AFTER.match(text[end : end + 12])


_QUALIFIER = r"(?:at least |more than |over |some |about |around |nearly |up to |another |the )?"


def parse_number(text: str) -> int | None:
    """'3,186' -> 3186, 'seven' -> 7, 'twenty-two' -> 22; None when it is not a number."""
    words = text.lower().replace(",", "").replace("-", " ").split()
    if not words:
        return None
    if words[0].isdigit():
        return int(words[0])
    total = 0
    for word in words:
        if word not in WORD_NUMBERS:
            return None
        total += WORD_NUMBERS[word]
    return total or None


@dataclass(frozen=True)
class Toll:
    killed: int | None = None
    injured: int | None = None

    def merged(self, other: Toll) -> Toll:
        return Toll(
            self.killed if self.killed is not None else other.killed,
            self.injured if self.injured is not None else other.injured,
        )

    @property
    def empty(self) -> bool:
        return self.killed is None and self.injured is None


class NumberReader:
    """Reads tolls and counts from one sentence with the lexicon's word lists."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        people = lexicon.person_words
        self._scan = re.compile(
            rf"\b(?:(?P<n>{NUMBER})|(?P<k>{lexicon.killed_words})|(?P<i>{lexicon.injured_words}))\b",
            re.IGNORECASE,
        )
        self._toll_after = {
            kind: re.compile(
                rf"\b(?:{words})\s+(?:{_QUALIFIER})(?P<n>{NUMBER})\b(?:\s+(?:{people}))?",
                re.IGNORECASE,
            )
            for kind, words in (
                ("killed", r"killed|left|killing|death toll (?:of|to|at)"),
                ("injured", r"wounded|injured|wounding|injuring"),
            )
        }
        self._toll_bare = {
            kind: re.compile(rf"\b{_QUALIFIER}(?P<n>{NUMBER})\s+(?:{words})\b", re.IGNORECASE)
            for kind, words in (
                ("killed", r"dead|killed|deaths|fatalities"),
                ("injured", r"wounded|injured|injuries"),
            )
        }
        self._soldier_singular = {
            kind: re.compile(
                rf"\b(?:the|a|our|one)\s+(?:\w+\s+){{0,3}}?(?:soldier|serviceman|member|civilian|"
                rf"woman|man|resident|child|private|defender|employee|jawan|peacekeeper)\b"
                rf"[^.;]{{0,60}}?\b(?:{words})\b",
                re.IGNORECASE,
            )
            for kind, words in (
                ("killed", r"was killed|died|killed|dead|lost (?:his|her) life"),
                (
                    "injured",
                    r"was (?:\w+ )?(?:wounded|injured)|suffered an? (?:\w+ )?wound|"
                    r"received (?:\w+ )?(?:injuries|wounds?)|(?:\w+ )?wounded",
                ),
            )
        }
        # "killing a soldier", "wounding one civilian"
        self._one_person = {
            kind: re.compile(
                rf"\b(?:{verbs})\s+(?:an?|one)\s+(?:\w+\s+){{0,2}}?(?:soldier|serviceman|"
                rf"member|civilian|woman|man|resident|child|private|defender|employee|jawan|"
                rf"peacekeeper|officer|policeman|farmer|fighter)\b",
                re.IGNORECASE,
            )
            for kind, verbs in (("killed", "killing|killed"), ("injured", "wounding|injuring"))
        }
        self._count = re.compile(
            rf"\b{_QUALIFIER}(?P<n>{NUMBER})\s+(?:\w+[- ]){{0,3}}?(?:{lexicon.count_nouns})\b",
            re.IGNORECASE,
        )
        self._times = re.compile(
            rf"\b(?:(?P<n>{NUMBER})\s+times?|(?P<adverb>once|twice))\b", re.IGNORECASE
        )

    def toll(self, sentence: str) -> Toll:
        """Killed and injured as the sentence states them; None where it is silent."""
        killed = injured = None
        lex = self.lexicon
        if lex.none_both.search(sentence):
            killed = injured = 0
        if lex.none_killed.search(sentence):
            killed = 0
        if lex.none_injured.search(sentence):
            injured = 0
        found = self._numbers_before_words(sentence)
        for kind in ("killed", "injured"):
            if kind in found:
                continue
            m = next(
                (
                    x
                    for rx in (self._toll_after[kind], self._toll_bare[kind])
                    for x in rx.finditer(sentence)
                    if is_toll_number(sentence, x.start("n"), x.end("n"))
                ),
                None,
            )
            value = parse_number(m.group("n")) if m else None
            if value:
                found[kind] = value
            elif self._soldier_singular[kind].search(sentence) or self._one_person[kind].search(
                sentence
            ):
                found[kind] = 1
        if "killed" in found:
            killed = found["killed"]
        if "injured" in found and not (
            # "casualties" alone names both; counted once, as injured, unless a death count exists
            found.get("killed") == found["injured"] and "casualties" in sentence.lower()
        ):
            injured = found["injured"]
        return Toll(killed, injured)

    def _numbers_before_words(self, sentence: str) -> dict[str, int]:
        """'three civilians killed and another 10 wounded': each toll word takes the nearest
        number before it (within 60 characters) that no earlier toll word took."""
        found: dict[str, int] = {}
        pending: tuple[int, int] | None = None  # (value, end offset)
        for m in self._scan.finditer(sentence):
            if m.group("n"):
                if re.search(r"\bno\s+$", sentence[: m.start()], re.IGNORECASE):
                    continue  # "no one was hurt" is a zero, read by the none_* phrases
                if not _is_quantity(sentence, m.start(), m.end()) or not is_toll_number(
                    sentence, m.start(), m.end()
                ):
                    pending = None  # a date or measure between a number and its noun breaks it
                    continue
                value = parse_number(m.group("n"))
                pending = (value, m.end()) if value else pending
                continue
            kind = "killed" if m.group("k") else "injured"
            if pending and m.start() - pending[1] <= 60 and kind not in found:
                found[kind] = pending[0]
                pending = None
        return found

    def count(self, sentence: str) -> int | None:
        """How many acts the sentence counts ("two strikes", "seven times"), else None."""
        m = self._times.search(sentence)
        if m:
            if m.group("adverb"):
                return 1 if m.group("adverb").lower() == "once" else 2
            return parse_number(m.group("n"))
        for m in self._count.finditer(sentence):
            if not _is_quantity(sentence, m.start("n"), m.end("n")):
                continue
            value = parse_number(m.group("n"))
            if value:
                return value
        return None


_MEASURE = re.compile(
    r"-(?:hour|day|week|month|year|km|kilometre|kilometer|mile|metre|meter|mm|storey|story)s?\b",
    re.IGNORECASE,
)


def _is_quantity(text: str, start: int, end: int) -> bool:
    """Not a part of a name or a measure: 'BM-21', 'Zolote-4', 'a three-hour attack'."""
    if start > 0 and (text[start - 1] == "-" or text[start - 1].isalpha()):
        return False
    return not _MEASURE.match(text, end)
