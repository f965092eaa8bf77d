"""The resolver that maps mentions in text to sides, using conflict profiles and the country
lexicon.

Profiles and the lexicon are loaded and validated by :mod:`trucewatch.sides.profiles`, and
aliases are matched on folded word tokens by :mod:`trucewatch.sides.aliases`. Callers import
these names from :mod:`trucewatch.sides`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from trucewatch.sides.aliases import Matcher, Tokens, alias_key
from trucewatch.sides.places import Place
from trucewatch.sides.profiles import (
    Ceasefire,
    Country,
    Profile,
    ProfileError,
    country_lexicon,
    demonym_forms,
    load_countries,
    load_profiles,
)

__all__ = [
    "Ceasefire",
    "Country",
    "Place",
    "PlaceMention",
    "Profile",
    "ProfileError",
    "SideMention",
    "SideResolver",
    "load_countries",
    "load_profiles",
]


@dataclass(frozen=True)
class SideMention:
    side: str
    text: str
    start: int
    end: int
    kind: str  # "party" | "institution" | "country" | "place"


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    text: str
    start: int
    end: int


# A side named only as a modifier ("Russian-backed", "pro-Russian", "Iran-based") is not the
# side that acts. "-led" is not here: a "US-led" force is partly the leader's.
_MOD_AFTER = re.compile(
    r"[-\u2010-\u2015](?:backed|supported|sponsored|allied|aligned|funded|trained|armed|"
    r"administered|installed|leaning|friendly|based|affiliated|linked)\b",
    re.IGNORECASE,
)
_MOD_BEFORE = re.compile(r"\b(?:pro|anti)[-\u2010-\u2015]\s*$", re.IGNORECASE)
# Generic words after a place name ("Poonch sector", "Martuni region") tried off in place().
_PLACE_SUFFIXES = frozenset(
    "sector sectors district region area areas direction town city village settlement raion "
    "rayon oblast province governorate valley".split()
)


@dataclass(frozen=True)
class _Compiled:
    sides: Matcher  # parties, institutions, countries, places, ignore phrases
    detect: Matcher  # the same plus keywords, weighted for profile detection
    places: Matcher  # places only (for find_places)
    place_index: dict[tuple[str, ...], Place]


def _lexicon_matcher(matcher: Matcher, side_names: frozenset[str] | None = None) -> None:
    lex = country_lexicon()
    for c in lex.countries:
        weight = 1 if side_names is not None and c.name in side_names else 0
        for alias in (c.name, *c.aliases, *demonym_forms(c.demonyms), *c.capitals):
            matcher.add(alias, c.name, "country", weight)
    for name, aliases in lex.institutions.items():
        for alias in (name, *aliases):
            matcher.add(alias, name, "institution")
    for phrase in lex.not_sides:
        matcher.add(phrase, "", "ignore")


def _specificity(alias: str, lexicon: Matcher) -> int:
    """Detection weight of a profile alias: 2 if specific to the conflict ("IDF", "Defense
    Army"), 1 if it names or contains a country ("Russian peacekeepers"), 0 if it is a global
    institution ("UN")."""
    hits = lexicon.scan(Tokens(alias))
    if any(e.kind == "country" for e, _, _ in hits):
        return 1
    if len(hits) == 1 and hits[0][1] == 0 and hits[0][2] == len(alias):
        return 0
    return 2


def _compile(profiles: Sequence[Profile]) -> _Compiled:
    sides, detect, places = Matcher(), Matcher(by_weight=True), Matcher()
    place_index: dict[tuple[str, ...], Place] = {}
    lexicon = Matcher()
    _lexicon_matcher(lexicon)
    for p in profiles:
        for kind, groups in (("party", p.sides), ("institution", p.institutions)):
            for name, aliases in groups.items():
                for alias in (name, *aliases):
                    sides.add(alias, name, kind)
                    detect.add(alias, name, kind, _specificity(alias, lexicon))
        for pl in p.places:
            for variant in (pl.name, *pl.variants):
                sides.add(variant, pl.side or "", "place", place=pl)
                detect.add(variant, pl.side or "", "place", 1, pl)
                places.add(variant, pl.side or "", "place", place=pl)
                place_index.setdefault(alias_key(variant)[0], pl)
        for kw in p.keywords:
            detect.add(kw, "", "keyword", 2)
    side_names = frozenset(s for p in profiles for s in p.sides)
    _lexicon_matcher(sides)
    _lexicon_matcher(detect, side_names)
    return _Compiled(sides, detect, places, place_index)


class SideResolver:
    """Maps mentions in text to side names, using profiles and the country lexicon."""

    def __init__(self, profiles: Sequence[Profile] | None = None) -> None:
        self.profiles = tuple(load_profiles() if profiles is None else profiles)
        self._all: _Compiled | None = None
        self._one: dict[int, tuple[Profile, _Compiled]] = {}

    def _compiled(self, profile: Profile | None) -> _Compiled:
        if profile is None:
            if self._all is None:
                self._all = _compile(self.profiles)
            return self._all
        cached = self._one.get(id(profile))
        if cached is None or cached[0] is not profile:
            cached = self._one[id(profile)] = (profile, _compile([profile]))
        return cached[1]

    def detect_profile(self, text: str) -> Profile | None:
        """The profile whose keywords, aliases and places occur most in ``text``.

        Keywords and conflict-specific aliases ("IDF", "Defense Army") weigh 2; places, country
        names of the profile's sides and aliases containing them ("Russian peacekeepers") weigh
        1. The best profile must beat every other one, score at least 2, and have specific
        evidence (a keyword, specific alias or place, or two of its sides named). Otherwise
        None: a text about Syria that names Russia ten times is not about Russia-Ukraine.
        """
        toks = Tokens(text)
        scores: list[tuple[int, bool, Profile]] = []
        for p in self.profiles:
            hits = [e for e, _, _ in self._compiled(p).detect.scan(toks) if e.weight]
            named = {e.side for e in hits if e.kind in ("party", "country") and e.side in p.sides}
            specific = len(named) >= 2 or any(e.weight >= 2 or e.kind == "place" for e in hits)
            scores.append((sum(e.weight for e in hits), specific, p))
        scores.sort(key=lambda t: -t[0])  # stable: profile order breaks no ties (ties -> None)
        if not scores or scores[0][0] < 2 or not scores[0][1]:
            return None
        if len(scores) > 1 and scores[1][0] == scores[0][0]:
            return None
        return scores[0][2]

    def find(self, text: str, profile: Profile | None = None) -> list[SideMention]:
        """Every non-overlapping side mention, leftmost-longest, sorted by start.

        Places appear (kind "place") only when their profile gives them a side. Countries named
        only as modifiers ("Russian-backed", "pro-Russian") are left out.
        """
        out = []
        for entry, start, end in self._compiled(profile).sides.scan(Tokens(text)):
            if not entry.side:  # ignore phrases, places without a side
                continue
            if entry.kind != "place" and (
                _MOD_AFTER.match(text, end) or _MOD_BEFORE.search(text, max(0, start - 6), start)
            ):
                continue
            out.append(SideMention(entry.side, text[start:end], start, end, entry.kind))
        return out

    def resolve(self, mention: str, profile: Profile | None = None) -> str | None:
        """The side a phrase names: its leftmost party, institution or country mention."""
        for m in self.find(mention, profile):
            if m.kind != "place":
                return m.side
        return None

    def place(self, name: str, profile: Profile | None = None) -> Place | None:
        """Gazetteer lookup by name or variant, case/diacritic/hyphen-insensitive; a leading
        "the" and a trailing generic word ("Poonch sector") are tried off if needed."""
        index = self._compiled(profile).place_index
        keys = Tokens(name).keys
        if keys and keys[0] == "the":
            keys = keys[1:]
        while keys:
            found = index.get(tuple(keys))
            if found is not None:
                return found
            if len(keys) < 2 or keys[-1] not in _PLACE_SUFFIXES:
                return None
            keys = keys[:-1]
        return None

    def find_places(self, text: str, profile: Profile | None = None) -> list[PlaceMention]:
        """Every gazetteer place named in ``text`` (with or without a side)."""
        return [
            PlaceMention(e.place, text[s:t], s, t)
            for e, s, t in self._compiled(profile).places.scan(Tokens(text))
            if e.place is not None
        ]
