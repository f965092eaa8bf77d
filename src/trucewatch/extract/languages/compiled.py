"""A language's lexicon and the conflict profiles' Cyrillic aliases and place names, compiled
into lemma matchers for that language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from trucewatch.extract.languages.lexicon import LanguageLexicon, load_language_lexicon
from trucewatch.extract.languages.morphology import Morphology, Token
from trucewatch.extract.languages.phrases import PhraseMatcher
from trucewatch.sides import Place, Profile

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class SideEntry:
    """What a matched name stands for: a side, a place (with the side holding it), or a word
    whose side depends on the speaker ("enemy", "own") or the region ("militants")."""

    side: str
    kind: str  # party | institution | country | place | enemy | own | militants | civilians
    profile: str | None = None
    place: Place | None = None


@dataclass
class Compiled:
    language: str
    lexicon: LanguageLexicon
    morph: Morphology
    triggers: PhraseMatcher[str] = field(default_factory=PhraseMatcher)
    weapons: PhraseMatcher[str] = field(default_factory=PhraseMatcher)
    sides: PhraseMatcher[SideEntry] = field(default_factory=PhraseMatcher)
    words: dict[str, PhraseMatcher[str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    months: dict[str, int] = field(default_factory=dict)
    weekdays: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    place_stems: dict[str, Place] = field(default_factory=dict)  # one-word names, by lemma

    def has(self, name: str, tokens: Sequence[Token]) -> bool:
        return bool(self.words[name].scan(tokens))

    def hits(self, name: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        return [(h.first, h.last) for h in self.words[name].scan(tokens)]


# word lists matched as phrases, by lexicon key
_WORD_LISTS = (
    "count_nouns",
    "approximate",
    "zero_phrases",
    "negations",
    "retaliation",
    "speech",
    "media",
    "force_nouns",
    "target_nouns",
    "actor_preps",
    "target_preps",
    "past_day",
    "same_day",
    "yesterday",
    "day_before_yesterday",
    "long_spans",
    "background",
    "earlier_report",
    "killed",
    "injured",
    "no_casualty",
    "killed_only",
    "denial",
    "clause_breaks",
    "unrealised",
    "consequence",
    "district_words",
    "direction_words",
    "origin_cues",
    "year_words",
    "birth_words",
    "place_cues",
)


def compile_language(language: str, profiles: Sequence[Profile]) -> Compiled:
    lex = load_language_lexicon(language)
    morph = Morphology(language)
    out = Compiled(language, lex, morph)
    for phrase, event_type in lex.triggers.items():
        out.triggers.add(morph.lemmas(phrase), event_type)
    for phrase, weapon in lex.weapons.items():
        out.weapons.add(morph.lemmas(phrase), weapon)
    for name in _WORD_LISTS:
        matcher: PhraseMatcher[str] = PhraseMatcher()
        for phrase in getattr(lex, name):
            matcher.add(morph.lemmas(phrase), phrase)
        out.words[name] = matcher
    for phrase, value in lex.count_adverbs.items():
        out.words["count_nouns"].add(morph.lemmas(phrase), f"={value}")
    for word, value in lex.numbers.items():  # by the word as written and by its lemma
        out.numbers.setdefault(morph.lemma(word), value)
        out.numbers[word.lower().replace("’", "'")] = value
    out.months = {morph.lemma(word): value for word, value in lex.months.items()}
    out.weekdays = {morph.lemma(word): value for word, value in lex.weekdays.items()}
    for phrase in lex.not_sides:  # first: an area named after a side is no side
        out.sides.add(morph.lemmas(phrase), SideEntry("", "ignore"))
    # profile names first: "Donetsk People's Republic" must win over the place "Donetsk"
    for profile in profiles:
        out.profiles[profile.id] = profile
        for group, names in (("party", profile.sides), ("institution", profile.institutions)):
            for name, aliases in names.items():
                for alias in aliases:
                    if _CYRILLIC.search(alias):
                        out.sides.add(morph.lemmas(alias), SideEntry(name, group, profile.id))
        for place in profile.places:
            for variant in place.variants:
                if _CYRILLIC.search(variant):
                    entry = SideEntry(place.side or "", "place", profile.id, place)
                    lemmas = morph.lemmas(variant)
                    out.sides.add(lemmas, entry)
                    if len(lemmas) == 1:
                        out.place_stems.setdefault(lemmas[0], place)
    for side, side_aliases in lex.sides.items():
        side_kind = "civilians" if side == "civilians" else "country"
        for alias in side_aliases:
            out.sides.add(morph.lemmas(alias), SideEntry(side, side_kind))
    for word_kind, words in (
        ("enemy", lex.enemy),
        ("own", lex.own),
        ("militants", lex.militants.words),
    ):
        for word in words:
            out.sides.add(morph.lemmas(word), SideEntry("", word_kind))
    return out


def transliterate(compiled: Compiled, name: str) -> str:
    """A Cyrillic place name in the Latin script, by the lexicon's table, capitalised per word."""
    table = compiled.lexicon.transliteration
    latin = "".join(table.get(ch, table.get(ch.lower(), ch)) for ch in name.lower())
    return re.sub(r"(^|[\s-])(\w)", lambda m: m.group(1) + m.group(2).upper(), latin)
