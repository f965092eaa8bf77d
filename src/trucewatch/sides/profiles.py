"""Conflict profiles (``profiles/*.yaml`` + user dirs) and the country lexicon
(``lexicons/countries.yaml``): their dataclasses, YAML loading and validation.

Callers usually import these names from :mod:`trucewatch.sides`, which re-exports them.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import pathlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trucewatch.models import validation_problems
from trucewatch.sides.aliases import TOKEN, alias_key, fold
from trucewatch.sides.places import Place


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


class ProfileError(ValueError):
    """A profile or lexicon file is malformed; the message names the file and the problem."""


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
    return "; ".join(validation_problems(exc.errors(), top="(top)"))


def _check_aliases(groups: Iterable[tuple[str, str, Sequence[str]]], source: str) -> None:
    """Every alias must tokenise, and one spelling must not name two different sides."""
    owner: dict[tuple[tuple[str, ...], tuple[str | None, ...]], str] = {}
    for section, name, aliases in groups:
        for alias in (name, *aliases):
            try:
                keys, case, _ = alias_key(alias)
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
        if not TOKEN.search(fold(kw)):
            raise ProfileError(f"{source}: keyword {kw!r} has no word characters")
    places = []
    for p in model.places:
        if p.side is not None and p.side not in sides:
            raise ProfileError(f"{source}: place {p.name!r}: side {p.side!r} is not in sides")
        for v in (p.name, *p.variants):
            if not TOKEN.search(fold(v)):
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
class CountryLexicon:
    countries: tuple[Country, ...]
    institutions: dict[str, tuple[str, ...]]
    not_sides: tuple[str, ...]


@functools.cache
def country_lexicon() -> CountryLexicon:
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
            ("country", c.name, [*c.aliases, *demonym_forms(c.demonyms), *c.capitals])
            for c in countries
        ]
        + [("institution", k, v) for k, v in institutions.items()],
        source,
    )
    return CountryLexicon(countries, institutions, tuple(model.not_sides))


def demonym_forms(demonyms: Iterable[str]) -> list[str]:
    """Demonyms plus their plural ("Azeri" -> "Azeris"); "-ese", "-sh", "-ch" take none."""
    out = []
    for d in demonyms:
        out.append(d)
        if not d.endswith(("s", "sh", "ch", "ese", "x", "z")):
            out.append(d + "s")
    return out


def load_countries() -> tuple[Country, ...]:
    """The world-country lexicon (canonical short names, aliases, demonyms, capitals)."""
    return country_lexicon().countries
