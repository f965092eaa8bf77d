"""The extractor's domain lexicon: `lexicons/extraction.yaml` compiled into regular expressions."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from trucewatch.extract.modality import Modality, compile_modality

_FLAGS = re.IGNORECASE


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One regex matching any of `patterns` as whole words."""
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?![\w-])", _FLAGS
    )


@dataclass(frozen=True)
class WeaponRule:
    code: str
    weight: int
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    triggers: dict[str, re.Pattern[str]]
    specificity: dict[str, int]
    weapons: tuple[WeaponRule, ...]
    weapon_types: dict[str, str]
    reporting_lemmas: frozenset[str]
    reporting: re.Pattern[str]
    according_to: re.Pattern[str]
    denial: re.Pattern[str]
    alleged: re.Pattern[str]
    none_both: re.Pattern[str]
    none_killed: re.Pattern[str]
    none_injured: re.Pattern[str]
    killed_words: str
    injured_words: str
    person_words: str
    count_nouns: str
    historical: re.Pattern[str]
    retaliation: re.Pattern[str]
    enemy: re.Pattern[str]
    state_forces: re.Pattern[str]
    armed_groups: dict[str, tuple[str, ...]]
    any_trigger: re.Pattern[str]
    any_toll: re.Pattern[str]
    no_violations: re.Pattern[str]
    modality: Modality
    previous_period: re.Pattern[str]

    def types_in(self, text: str) -> list[tuple[str, re.Match[str]]]:
        """Every (event type, match) whose trigger occurs in `text`, in text order."""
        found = [(kind, m) for kind, rx in self.triggers.items() for m in rx.finditer(text)]
        return sorted(found, key=lambda item: item[1].start())


def _words(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


def _reporting_surface(lemmas: list[str]) -> re.Pattern[str]:
    forms: set[str] = set()
    irregular = {
        "say": ["says", "said", "saying"],
        "tell": ["told", "tells"],
        "write": ["wrote", "writes", "written"],
        "show": ["showed", "shown", "shows"],
    }
    for lemma in lemmas:
        if lemma in irregular:
            forms.update(irregular[lemma])
            continue
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms.update({lemma + "s", stem + "ed", stem + "ing"})
        if lemma.endswith("y"):
            forms.update({lemma[:-1] + "ies", lemma[:-1] + "ied"})
    return re.compile(r"\b(?:" + _words(sorted(forms)) + r")\b", _FLAGS)


def compile_lexicon(data: dict[str, Any]) -> Lexicon:
    triggers = {kind: _alternation(list(p)) for kind, p in data["triggers"].items()}
    weapons = tuple(
        WeaponRule(code, int(spec["weight"]), _alternation(list(spec["patterns"])))
        for code, spec in data["weapons"].items()
    )
    casualties = data["casualties"]
    every_trigger = [p for patterns in data["triggers"].values() for p in patterns]
    return Lexicon(
        triggers=triggers,
        specificity={k: int(v) for k, v in data["specificity"].items()},
        weapons=weapons,
        weapon_types=dict(data["weapon_types"]),
        reporting_lemmas=frozenset(data["reporting_lemmas"]),
        reporting=_reporting_surface(list(data["reporting_lemmas"])),
        according_to=_alternation(list(data["according_to"])),
        denial=_alternation(list(data["denial"])),
        alleged=_alternation(list(data["alleged"])),
        none_both=_alternation(list(casualties["none_both"])),
        none_killed=_alternation(list(casualties["none_killed"])),
        none_injured=_alternation(list(casualties["none_injured"])),
        killed_words=_words(list(casualties["killed_words"])),
        injured_words=_words(list(casualties["injured_words"])),
        person_words=_words(list(casualties["person_words"])),
        count_nouns=_words(list(data["count_nouns"])),
        historical=_alternation(list(data["historical"])),
        retaliation=_alternation(list(data["retaliation"])),
        enemy=_alternation(list(data["enemy"])),
        state_forces=_alternation(list(data.get("state_forces", ["$^"]))),
        armed_groups={k: tuple(v) for k, v in data["armed_groups"].items()},
        any_trigger=_alternation(every_trigger),
        no_violations=_alternation(list(data["no_violations"])),
        modality=compile_modality(data.get("modality", {})),
        previous_period=_alternation(list(data.get("previous_period", ["$^"]))),
        any_toll=_alternation(
            [*casualties["killed_words"], *casualties["injured_words"], *casualties["none_both"]]
        ),
    )


def load_lexicon_file(path: Path) -> Lexicon:
    with path.open(encoding="utf-8") as handle:
        return compile_lexicon(yaml.safe_load(handle))


@functools.cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped in the package."""
    text = resources.files("trucewatch").joinpath("lexicons/extraction.yaml").read_text("utf-8")
    return compile_lexicon(yaml.safe_load(text))
