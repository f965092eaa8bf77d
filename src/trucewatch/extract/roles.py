"""Actor and target: which side mention in a parsed sentence did it, and to whom.

The role of a mention comes from its place in the dependency tree: the subject of an act is its
actor ("Azerbaijani forces opened fire"), the agent of a passive too ("was shelled by ..."); the
object of "on / at / against / toward / in the direction of" is its target; "from X's positions"
names the actor; a demonym on the act's noun ("Pakistani shelling") names the actor.
"""

from __future__ import annotations

from typing import Literal

from spacy.tokens import Span, Token

Role = Literal["actor", "target", "speaker", "none"]

_NP_INTERNAL = {
    "compound",
    "amod",
    "nmod",
    "det",
    "nummod",
    "npadvmod",
    "quantmod",
    "punct",
    "case",
    "poss",
    "appos",
}
_TARGET_PREPS = {
    "on",
    "at",
    "against",
    "toward",
    "towards",
    "upon",
    "into",
    "onto",
    "in",
    "near",
    "over",
    "targeting",
}
_ACTOR_PREPS = {"by", "from"}
_CONTAINERS = {
    "position",
    "positions",
    "direction",
    "territory",
    "unit",
    "units",
    "village",
    "settlement",
    "side",
    "post",
    "posts",
    "area",
    "areas",
    "soldier",
    "soldiers",
    "city",
    "town",
    "army",
    "forces",
    "force",
    "troops",
    "formations",
    "zone",
    "population",
    "civilians",
    "residents",
    "infrastructure",
    "outpost",
    "outposts",
    "checkpoint",
    "base",
    "bases",
    "part",
    "sections",
    "section",
    "line",
    "region",
}
_SUFFERING = {"come", "suffer", "receive", "sustain", "lose", "be", "remain", "get"}
_BLAMING = {"accuse", "blame", "condemn", "charge", "hold"}
_HIT = {
    "attack",
    "shell",
    "target",
    "hit",
    "strike",
    "bomb",
    "fire",
    "shoot",
    "kill",
    "wound",
    "injure",
    "besiege",
    "surround",
    "ambush",
    "raid",
}


def mention_role(span: Span, reporting_lemmas: frozenset[str]) -> Role:
    """The role of the side mention `span` in its sentence."""
    tok = span.root
    seen = 0
    while tok.dep_ in _NP_INTERNAL and tok.head is not tok and seen < 6:
        if tok.dep_ in ("amod", "compound", "poss", "nmod") and _is_act_noun(tok.head):
            return "actor"  # "Azerbaijani shelling", "Pakistan's firing"
        tok = tok.head
        seen += 1
    return _role_of_phrase(tok, reporting_lemmas, depth=0)


def _is_act_noun(tok: Token) -> bool:
    return tok.pos_ == "NOUN" and tok.lemma_.lower() in {
        "shelling",
        "fire",
        "firing",
        "attack",
        "strike",
        "violation",
        "provocation",
        "aggression",
        "offensive",
        "assault",
        "incursion",
        "intrusion",
        "shot",
        "sniper",
        "drone",
        "bombardment",
        "raid",
        "airstrike",
        "barrage",
        "gunfire",
        "breach",
    }


def _role_of_phrase(tok: Token, reporting: frozenset[str], depth: int) -> Role:
    if depth > 4:
        return "none"
    dep = tok.dep_
    head = tok.head
    if dep == "conj":
        return _role_of_phrase(head, reporting, depth + 1)
    if dep in ("nsubj", "csubj"):
        lemma = head.lemma_.lower()
        if lemma in reporting:
            return "speaker"
        if lemma in _SUFFERING:
            return "target"
        return "actor"
    if dep == "nsubjpass":
        return "target" if head.lemma_.lower() in _HIT else "none"
    if dep == "agent" or (dep == "pobj" and head.dep_ == "agent"):
        return "actor"
    if dep == "dobj":
        lemma = head.lemma_.lower()
        if lemma in _BLAMING:
            return "actor"
        if lemma in _HIT:
            return "target"
        return "none"
    if dep == "pobj":
        prep = head.lower_
        if prep in _ACTOR_PREPS:
            return "actor"
        if prep == "of":
            owner = head.head
            if owner.lemma_.lower() in _CONTAINERS or owner.lower_ in _CONTAINERS:
                return _role_of_phrase(owner, reporting, depth + 1)
            if _is_act_noun(owner):
                return "target"
            return "none"
        if prep in _TARGET_PREPS:
            return "target"
    return "none"
