"""The lexicon of one language (`lexicons/<code>.yaml`), validated on load: a malformed file is
reported with its name and the problem."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from trucewatch.models import EventType, Weapon, validation_problems


class LexiconError(ValueError):
    """A language lexicon is missing or malformed; the message names the file."""


class Militants(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    words: list[str]
    by_region: dict[str, list[str]]


class LanguageLexicon(BaseModel):
    """Phrases of one language, each written in any inflected form (matched on lemmas)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str
    triggers: dict[str, EventType]
    weapons: dict[str, Weapon]
    count_nouns: list[str]
    count_adverbs: dict[str, int]
    numbers: dict[str, int]
    approximate: list[str]
    zero_phrases: list[str]
    negations: list[str]
    retaliation: list[str]
    speech: list[str]
    media: list[str]
    force_nouns: list[str]
    target_nouns: list[str]
    actor_preps: list[str]
    target_preps: list[str]
    enemy: list[str]
    own: list[str]
    militants: Militants
    past_day: list[str]
    same_day: list[str]
    yesterday: list[str]
    day_before_yesterday: list[str]
    weekdays: dict[str, int]
    months: dict[str, int]
    long_spans: list[str]
    background: list[str]
    earlier_report: list[str]
    killed: list[str]
    injured: list[str]
    no_casualty: list[str]
    killed_only: list[str]
    denial: list[str]
    clause_breaks: list[str]
    place_cues: list[str]
    place_suffixes: list[str]
    transliteration: dict[str, str]
    sides: dict[str, list[str]]
    not_sides: list[str]
    unrealised: list[str]
    consequence: list[str]
    district_words: list[str]
    direction_words: list[str]
    origin_cues: list[str]
    year_words: list[str]
    birth_words: list[str]


def lexicon_path(language: str) -> Path:
    return Path(str(resources.files("trucewatch") / "lexicons" / f"{language}.yaml"))


def has_lexicon(language: str) -> bool:
    return language.isalpha() and lexicon_path(language).is_file()


@cache
def load_language_lexicon(language: str) -> LanguageLexicon:
    """The shipped lexicon of a language (`lexicons/<code>.yaml`)."""
    return read_language_lexicon(lexicon_path(language), language)


def read_language_lexicon(path: Path, language: str) -> LanguageLexicon:
    """A language lexicon file, validated; LexiconError names the file and what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon: {exc}") from exc
    try:
        lexicon = LanguageLexicon.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(f"{path}: " + "; ".join(validation_problems(exc.errors()))) from exc
    if lexicon.language != language:
        raise LexiconError(f"{path}: says language {lexicon.language!r}, expected {language!r}")
    return lexicon
