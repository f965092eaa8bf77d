"""Conflict profiles (``profiles/*.yaml`` + user dirs), the country lexicon
(``lexicons/countries.yaml``) and the resolver that maps mentions in text to sides.

Matching works on tokens, not one big regex: the text is folded once (lower case, no diacritics,
unified dashes/apostrophes, same length so offsets hold), cut into word tokens, and aliases are
looked up in a dict keyed by token tuples, leftmost-longest.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import pathlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


@dataclass(frozen=True)
class Place:
    name: str
    variants: tuple[str, ...]
    lat: float
    lon: float
    kind: str  # settlement | district | region | area
    country: str | None
    side: str | None  # the side holding the place, for target inference


@dataclass(frozen=True)
class Ceasefire:
    name: str
    parties: tuple[str, ...]
    start: datetime.date
    end: datetime.date | None
    area: str | None
    monitor: str | None


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    keywords: tuple[str, ...]
    sides: dict[str, tuple[str, ...]]
    institutions: dict[str, tuple[str, ...]]
    places: tuple[Place, ...]
    ceasefires: tuple[Ceasefire, ...]


@dataclass(frozen=True)
class Country:
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    capitals: tuple[str, ...]


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


class ProfileError(ValueError):
    """A profile or lexicon file is malformed; the message names the file and the problem."""


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032"
_EXTRA_FOLDS = {"ə": "e", "Ə": "E", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}
_EXTRA_FOLDS |= {"đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "æ": "a", "Æ": "A", "œ": "o", "Œ": "O"}


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFKD", chr(cp))[:1]
        if base and base != chr(cp) and base.isascii() and base.isalpha():
            table[cp] = base
    for src, dst in _EXTRA_FOLDS.items():
        table[ord(src)] = dst
    table.update({ord(c): "-" for c in _DASHES})
    table.update({ord(c): "'" for c in _APOSTROPHES})
    return table


_FOLD = _fold_table()


def _fold(text: str) -> str:
    """Lower-case, strip diacritics, unify dashes/apostrophes; keeps the length of ``text``."""
    folded = text.translate(_FOLD).lower()
    if len(folded) != len(text):  # a character that lower-cases to two (rare): go char by char
        folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_FOLD))
    return folded


_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_GAP_SPACE = re.compile(r"[\s\-]+")
_SPELLING = {"defence": "defense", "centre": "center", "armour": "armor"}  # one key for UK/US


class _Tokens:
    """The word tokens of one text: folded keys (possessive "'s" off) and character offsets."""

    __slots__ = ("text", "folded", "keys", "starts", "ends", "full_ends", "_gaps")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = folded = _fold(text)
        self.keys: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []  # end of the core, before a possessive "'s"
        self.full_ends: list[int] = []
        for m in _TOKEN.finditer(folded):
            tok, end = m.group(), m.end()
            if len(tok) > 2 and tok.endswith("'s"):
                tok, end = tok[:-2], end - 2
            self.keys.append(_SPELLING.get(tok, tok))
            self.starts.append(m.start())
            self.ends.append(end)
            self.full_ends.append(m.end())
        self._gaps: dict[int, str] = {}

    def gap(self, j: int) -> str:
        """Normalised separator between token j-1 and token j."""
        g = self._gaps.get(j)
        if g is None:
            g = _GAP_SPACE.sub(" ", self.folded[self.full_ends[j - 1] : self.starts[j]])
            g = self._gaps[j] = g.strip() or " "
        return g


@dataclass(frozen=True, slots=True)
class _Entry:
    side: str
    kind: str  # party | institution | country | place | ignore | keyword
    rank: int
    case: tuple[str | None, ...]  # per token: exact spelling required (acronyms), else None
    gaps: tuple[str, ...]
    weight: int = 0  # for profile detection
    place: Place | None = None


_COMMON_WORDS = frozenset(
    "us it is as at am an in on no or so to we he me my who all and car".split()
)
_RANK = {"party": 50, "institution": 40, "ignore": 35, "country": 30, "place": 20, "keyword": 10}


def _alias_key(alias: str) -> tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]]:
    """Token keys, case-sensitive spellings and separators of one alias."""
    toks = _Tokens(alias)
    if not toks.keys:
        raise ValueError(f"alias {alias!r} has no word characters")
    no_lower = not any(c.islower() for c in alias)
    case: list[str | None] = []
    for s, e in zip(toks.starts, toks.ends, strict=True):
        orig = alias[s:e]
        upper = sum(c.isupper() for c in orig)
        acronym = upper >= 2 or (no_lower and len(orig) == 1 and orig.isupper())
        case.append(orig if acronym else None)
    gaps = tuple(toks.gap(j) for j in range(1, len(toks.keys)))
    return tuple(toks.keys), tuple(case), gaps


class _Matcher:
    """Leftmost-longest dictionary matcher over token tuples.

    Entries sharing a spelling are tried by rank (party > institution > country > place), or by
    detection weight when ``by_weight``; ties keep insertion order (earlier profiles first).
    """

    def __init__(self, by_weight: bool = False) -> None:
        self.index: dict[tuple[str, ...], list[_Entry]] = {}
        self.first: dict[str, int] = {}  # first token -> longest alias starting with it
        self.by_weight = by_weight

    def add(
        self, alias: str, side: str, kind: str, weight: int = 0, place: Place | None = None
    ) -> _Entry:
        keys, case, gaps = _alias_key(alias)
        entry = _Entry(side, kind, _RANK[kind], case, gaps, weight, place)
        bucket = self.index.setdefault(keys, [])
        if entry not in bucket:
            bucket.append(entry)
            bucket.sort(key=(lambda e: -e.weight) if self.by_weight else (lambda e: -e.rank))
        self.first[keys[0]] = max(self.first.get(keys[0], 0), len(keys))
        return entry

    def scan(self, toks: _Tokens) -> list[tuple[_Entry, int, int]]:
        """(entry, start, end) of every non-overlapping match, leftmost-longest."""
        keys, first, index, text = toks.keys, self.first, self.index, toks.text
        out: list[tuple[_Entry, int, int]] = []
        n, i = len(keys), 0
        while i < n:
            longest = first.get(keys[i])
            if longest is None:
                i += 1
                continue
            hit = 0
            for size in range(min(longest, n - i), 0, -1):
                bucket = index.get(tuple(keys[i : i + size]))
                if bucket is None:
                    continue
                for entry in bucket:
                    if self._fits(entry, toks, text, i, size):
                        out.append((entry, toks.starts[i], toks.ends[i + size - 1]))
                        hit = size
                        break
                if hit:
                    break
            i += hit or 1
        return out

    @staticmethod
    def _fits(entry: _Entry, toks: _Tokens, text: str, i: int, size: int) -> bool:
        for j, exact in enumerate(entry.case):
            if exact is not None and text[toks.starts[i + j] : toks.ends[i + j]] != exact:
                return False
        if size == 1 and entry.case[0] is not None and toks.keys[i] in _COMMON_WORDS:
            last = len(toks.keys) - 1
            near = (text[toks.starts[k] : toks.ends[k]] for k in (i - 1, i + 1) if 0 <= k <= last)
            if any(len(w) > 1 and w.isupper() for w in near):  # "TOLD US THAT": shouting
                return False
        return all(toks.gap(i + j) == entry.gaps[j - 1] for j in range(1, size))


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _PlaceModel(_Model):
    name: str = Field(min_length=1)
    variants: list[str] = []
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: Literal["settlement", "district", "region", "area"]
    country: str | None = None
    side: str | None = None


class _CeasefireModel(_Model):
    name: str = Field(min_length=1)
    parties: list[str] = Field(min_length=1)
    start: datetime.date
    end: datetime.date | None = None
    area: str | None = None
    monitor: str | None = None


class _ProfileModel(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    keywords: list[str] = []
    sides: dict[str, list[str] | None] = Field(min_length=1)
    institutions: dict[str, list[str] | None] = {}
    places: list[_PlaceModel] = []
    ceasefires: list[_CeasefireModel] = []


class _CountryModel(_Model):
    name: str = Field(min_length=1)
    aliases: list[str] = []
    demonyms: list[str] = []
    capitals: list[str] = []


class _LexiconModel(_Model):
    countries: list[_CountryModel] = Field(min_length=1)
    institutions: dict[str, list[str] | None] = {}
    not_sides: list[str] = []


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{source}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: expected a mapping at the top level")
    return data


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors())


def _check_aliases(groups: Iterable[tuple[str, str, Sequence[str]]], source: str) -> None:
    """Every alias must tokenise, and one spelling must not name two different sides."""
    owner: dict[tuple[tuple[str, ...], tuple[str | None, ...]], str] = {}
    for section, name, aliases in groups:
        for alias in (name, *aliases):
            try:
                keys, case, _ = _alias_key(alias)
            except ValueError as exc:
                raise ProfileError(f"{source}: {section} {name!r}: {exc}") from exc
            prev = owner.setdefault((keys, case), name)
            if prev != name:
                raise ProfileError(f"{source}: alias {alias!r} of {name!r} already names {prev!r}")


def _parse_profile(text: str, source: str) -> Profile:
    data = _read_yaml(text, source)
    try:
        model = _ProfileModel.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: {_validation_message(exc)}") from exc
    sides = {k: tuple(v or ()) for k, v in model.sides.items()}
    institutions = {k: tuple(v or ()) for k, v in model.institutions.items()}
    _check_aliases(
        [("side", k, v) for k, v in sides.items()]
        + [("institution", k, v) for k, v in institutions.items()],
        source,
    )
    for kw in model.keywords:
        if not _TOKEN.search(_fold(kw)):
            raise ProfileError(f"{source}: keyword {kw!r} has no word characters")
    places = []
    for p in model.places:
        if p.side is not None and p.side not in sides:
            raise ProfileError(f"{source}: place {p.name!r}: side {p.side!r} is not in sides")
        for v in (p.name, *p.variants):
            if not _TOKEN.search(_fold(v)):
                raise ProfileError(f"{source}: place {p.name!r}: {v!r} has no word characters")
        places.append(Place(p.name, tuple(p.variants), p.lat, p.lon, p.kind, p.country, p.side))
    ceasefires = []
    for c in model.ceasefires:
        unknown = [s for s in c.parties if s not in sides]
        if unknown:
            raise ProfileError(f"{source}: ceasefire {c.name!r}: parties {unknown} not in sides")
        if c.end is not None and c.end < c.start:
            raise ProfileError(f"{source}: ceasefire {c.name!r}: end {c.end} before start")
        ceasefires.append(Ceasefire(c.name, tuple(c.parties), c.start, c.end, c.area, c.monitor))
    kws = tuple(model.keywords)
    return Profile(
        model.id, model.title, kws, sides, institutions, tuple(places), tuple(ceasefires)
    )


@functools.cache
def _packaged_profiles() -> tuple[Profile, ...]:
    folder = importlib.resources.files("trucewatch").joinpath("profiles")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    profiles = [
        _parse_profile(f.read_text("utf-8"), f"trucewatch/profiles/{f.name}") for f in files
    ]
    _check_unique(profiles)
    return tuple(profiles)


def _check_unique(profiles: Sequence[Profile]) -> None:
    ids = [p.id for p in profiles]
    if dup := sorted({i for i in ids if ids.count(i) > 1}):
        raise ProfileError(f"profile id(s) {dup} defined twice")


def load_profiles(extra_dirs: Sequence[pathlib.Path] = ()) -> tuple[Profile, ...]:
    """Packaged profiles plus every ``*.yaml``/``*.yml`` in ``extra_dirs`` (cached when none).
    A user profile replaces a packaged one with the same id; two user files with one id fail."""
    packaged = _packaged_profiles()
    if not extra_dirs:
        return packaged
    user: list[Profile] = []
    for folder in map(pathlib.Path, extra_dirs):
        if not folder.is_dir():
            raise ProfileError(f"{folder}: not a directory")
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            user.append(_parse_profile(path.read_text(encoding="utf-8"), str(path)))
    _check_unique(user)
    by_id = {p.id: p for p in packaged} | {p.id: p for p in user}
    return tuple(by_id.values())


@dataclass(frozen=True)
class _Lexicon:
    countries: tuple[Country, ...]
    institutions: dict[str, tuple[str, ...]]
    not_sides: tuple[str, ...]


@functools.cache
def _lexicon() -> _Lexicon:
    source = "trucewatch/lexicons/countries.yaml"
    text = importlib.resources.files("trucewatch").joinpath("lexicons/countries.yaml")
    data = _read_yaml(text.read_text(encoding="utf-8"), source)
    try:
        model = _LexiconModel.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: {_validation_message(exc)}") from exc
    countries = tuple(
        Country(c.name, tuple(c.aliases), tuple(c.demonyms), tuple(c.capitals))
        for c in model.countries
    )
    institutions = {k: tuple(v or ()) for k, v in model.institutions.items()}
    _check_aliases(
        [
            ("country", c.name, [*c.aliases, *_demonym_forms(c.demonyms), *c.capitals])
            for c in countries
        ]
        + [("institution", k, v) for k, v in institutions.items()],
        source,
    )
    return _Lexicon(countries, institutions, tuple(model.not_sides))


def _demonym_forms(demonyms: Iterable[str]) -> list[str]:
    """Demonyms plus their plural ("Azeri" -> "Azeris"); "-ese", "-sh", "-ch" take none."""
    out = []
    for d in demonyms:
        out.append(d)
        if not d.endswith(("s", "sh", "ch", "ese", "x", "z")):
            out.append(d + "s")
    return out


def load_countries() -> tuple[Country, ...]:
    """The world-country lexicon (canonical short names, aliases, demonyms, capitals)."""
    return _lexicon().countries


@dataclass(frozen=True)
class _Compiled:
    sides: _Matcher  # parties, institutions, countries, places, ignore phrases
    detect: _Matcher  # the same plus keywords, weighted for profile detection
    places: _Matcher  # places only (for find_places)
    place_index: dict[tuple[str, ...], Place]


def _lexicon_matcher(matcher: _Matcher, side_names: frozenset[str] | None = None) -> None:
    lex = _lexicon()
    for c in lex.countries:
        weight = 1 if side_names is not None and c.name in side_names else 0
        for alias in (c.name, *c.aliases, *_demonym_forms(c.demonyms), *c.capitals):
            matcher.add(alias, c.name, "country", weight)
    for name, aliases in lex.institutions.items():
        for alias in (name, *aliases):
            matcher.add(alias, name, "institution")
    for phrase in lex.not_sides:
        matcher.add(phrase, "", "ignore")


def _specificity(alias: str, lexicon: _Matcher) -> int:
    """Detection weight of a profile alias: 2 if specific to the conflict ("IDF", "Defense
    Army"), 1 if it names or contains a country ("Russian peacekeepers"), 0 if it is a global
    institution ("UN")."""
    hits = lexicon.scan(_Tokens(alias))
    if any(e.kind == "country" for e, _, _ in hits):
        return 1
    if len(hits) == 1 and hits[0][1] == 0 and hits[0][2] == len(alias):
        return 0
    return 2


def _compile(profiles: Sequence[Profile]) -> _Compiled:
    sides, detect, places = _Matcher(), _Matcher(by_weight=True), _Matcher()
    place_index: dict[tuple[str, ...], Place] = {}
    lexicon = _Matcher()
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
                place_index.setdefault(_alias_key(variant)[0], pl)
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
        toks = _Tokens(text)
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
        for entry, start, end in self._compiled(profile).sides.scan(_Tokens(text)):
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
        keys = _Tokens(name).keys
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
            for e, s, t in self._compiled(profile).places.scan(_Tokens(text))
            if e.place is not None
        ]
