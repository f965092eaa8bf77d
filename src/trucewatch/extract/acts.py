"""What happened: event triggers in a sentence, and the type and weapon of the act.

Triggers come from the lexicon; a trigger negated ("there were no shootings") or not realised
("prohibited from opening fire", "aims to end the shelling") is no act. The type follows the
heaviest weapon named (the annotation scheme: mortars + machine guns -> shelling, mortar); for a
shoot-down the weapon is the platform brought down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.extract.lexicon import Lexicon
from trucewatch.models import VIOLENT_TYPES

_NEGATED = re.compile(r"\b(?:no|not|without|never|nor|neither|any)\s+(?:\w+\s+){0,2}$", re.I)
_IRREALIS = re.compile(
    r"\b(?:prohibited from|prohibit|ban on|banned from|to prevent|prevent|refrain from|would|"
    r"will|could|might|threaten\w*|ready to|calls? (?:on|for)|urged?|in case of|if|whether|"
    r"aimed at|aims? to|to end|an end to|a halt to|halt(?:ed|ing)? the|in order to|plans? to|"
    r"seeks? to|vowed to|warned|preparing|prepared to|intend\w* to)\b",
    re.I,
)
_AIR = re.compile(
    r"\b(?:air ?strikes?|air ?raids?|aerial bomb\w*|bombed|bombing|warplanes?|jets?)\b", re.I
)
_FLYING = re.compile(r"\b(?:uav|drone|quadcopter)", re.I)
_GENERIC = ("firing", "armed_clash", "ceasefire_violation", "shelling", "attack_on_civilians")
_NEGATION_WINDOW = 22  # characters before a trigger inspected for negation
_IRREALIS_WINDOW = 40


_DEFINITE = re.compile(r"\b(?:the|this|that|these|those|such)\s+$", re.I)


@dataclass(frozen=True)
class Trigger:
    type: str
    start: int
    end: int
    anaphoric: bool = False  # "as a result of the ceasefire violation": refers back to an act


def find_triggers(text: str, lexicon: Lexicon) -> list[Trigger]:
    """The acts a sentence reports as having happened, in text order."""
    out = []
    for kind, m in lexicon.types_in(text):
        if _NEGATED.search(text[max(0, m.start() - _NEGATION_WINDOW) : m.start()]):
            continue
        before = text[max(0, m.start() - _IRREALIS_WINDOW) : m.start()]
        if kind in VIOLENT_TYPES and _IRREALIS.search(before):
            continue
        anaphoric = bool(_DEFINITE.search(text[max(0, m.start() - 30) : m.start()]))
        out.append(Trigger(kind, m.start(), m.end(), anaphoric))
    return out


def main_trigger(triggers: list[Trigger], lexicon: Lexicon) -> Trigger:
    """The most specific violent trigger, or the most specific one if none is violent."""
    violent = [t for t in triggers if t.type in VIOLENT_TYPES]
    return max(violent or triggers, key=lambda t: lexicon.specificity[t.type])


def type_and_weapon(etype: str, text: str, lexicon: Lexicon) -> tuple[str, str | None]:
    """The act's final type and weapon, given the trigger's type and the weapons named."""
    named = sorted(
        (w for w in lexicon.weapons if w.pattern.search(text)), key=lambda w: w.weight, reverse=True
    )
    codes = [w.code for w in named]
    if etype == "shoot_down":
        platform = next((c for c in codes if c in ("drone", "aircraft", "missile")), None)
        return etype, platform or ("drone" if _FLYING.search(text) else None)
    if etype == "drone_strike":
        default = "aircraft" if _AIR.search(text) else "drone"
        return etype, next((c for c in codes if c in ("drone", "aircraft", "missile")), default)
    if etype == "explosive":
        return etype, next((c for c in codes if c in ("landmine", "explosive")), "explosive")
    if etype in _GENERIC:
        for code in codes:
            upgraded = lexicon.weapon_types.get(code)
            if upgraded is None:
                return etype, code
            if etype == "attack_on_civilians" or (
                etype == "shelling" and upgraded == "drone_strike"
            ):
                continue
            return upgraded, code
        return etype, None
    return etype, codes[0] if codes and etype in VIOLENT_TYPES else None
