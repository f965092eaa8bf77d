"""Where: the most precise place name a sentence gives, as written.

Preference order: a name introduced by a place word ("near Pisky", "the village of Taghavard",
"in the area of the settlement of Furukh"); a name the conflict gazetteer knows; a GPE/LOC/FAC
entity that is neither a country, a party nor a person; finally a region that is also a party's
name ("Nagorno-Karabakh").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from trucewatch.sides import SideResolver

_NAME = r"[A-Z][\w'’.-]*(?:[ -](?:[A-Z][\w'’.-]*|\d+))*"
_PLACE_WORD = r"(?:village|settlement|town|city|district|area|region|sector)s?"
# "near Pisky", "the village of Turkesh": a settlement named by a word that introduces one
_SETTLEMENT = re.compile(
    r"(?i:\b(?:near|outskirts of|vicinity of|villages? of|settlements? of|towns? of|city of|"
    r"suburbs? of|(?:village|settlement|town|city)s? (?:of|near)))\s+"
    rf"(?:the\s+)?(?:(?i:{_PLACE_WORD})\s+of\s+)?(?P<name>{_NAME})"
)
# "the area of Sotk", "the direction of Jermuk": a wider place
_AREA = re.compile(
    r"(?i:\b(?:areas? of|districts? of|region of|direction of|sector of))\s+"
    rf"(?:the\s+)?(?:(?i:{_PLACE_WORD})\s+of\s+)?(?P<name>{_NAME})"
)
_WEAK = re.compile(rf"\b(?:in|at|around|from|towards?|of)\s+(?:the\s+)?(?P<name>{_NAME})")
_SECTOR = re.compile(rf"(?P<name>{_NAME}) (?:sectors?|areas?|regions?|districts?|villages?)\b")
_NOT_PLACE = re.compile(
    r"^(?:The|A|An|This|That|Defen[cs]e|Ministry|Army|Armed|Forces|Joint|President|"
    r"Prime|General|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|OSCE|UN|JCCC|"
    r"Security|Council|Operation|Command|Task|Force|Mission|Special|International|"
    r"Independent|Centre|Center|Office|Statement|Telegram|Facebook|Twitter|Reuters|AFP|"
    r"Agreement|Contact|Group|Line of Contact|Reconciliation)\b"
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’.,])$|^\S+['’]s\s+")


# "Chermalyk (government-controlled, 31km north-east of Mariupol)": the town after the distance
# only locates the place before it
_REFERENCE_POINT = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:km|kilometres|kilometers|miles|m)\s+"
    r"(?:(?:north|south|east|west)(?:-?(?:north|south|east|west))*(?:-?(?:east|west))?\s+)?"
    r"(?:of|from)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?"
)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


_LEADING_PREPOSITION = re.compile(
    r"^(?:[Ii]n|[Aa]t|[Nn]ear|[Oo]n|[Ff]rom|[Tt]o|[Oo]utside)\s+(?=[A-Z])"
)


class PlaceFinder:
    def __init__(self, resolver: SideResolver, groups: Iterable[str] = ()) -> None:
        """`groups`: names of armed groups no profile lists ("M23"), never places."""
        self.resolver = resolver
        self.groups = frozenset(g.lower() for g in groups)

    def _usable(self, name: str, persons: set[str]) -> bool:
        """A name usable as a place: the gazetteer knows it, or it is neither a side, a person
        (spaCy PERSON), a dateline in capitals, nor a word that starts names of other things."""
        if _NOT_PLACE.match(name) or name.lower() in self.groups:
            return False
        if self.resolver.place(name) is not None:
            return True
        if name.isupper() and len(name) > 4:
            return False
        if any(name in person or person in name for person in persons):
            return False
        return self.resolver.resolve(name) is None

    def best(
        self, text: str, parsed: Doc | None = None, window: tuple[int, int] | None = None
    ) -> str | None:
        """The best place name in `text[window]`, as written; spaCy entities are read from
        `parsed`, the parse of `text` (or of a case-folded copy of the same length)."""
        lo, hi = window or (0, len(text))
        masked = _REFERENCE_POINT.sub(_blank, text)
        ents = [
            (e.label_, text[e.start_char : e.end_char])
            for e in (parsed.ents if parsed is not None else ())
            if lo <= e.start_char and e.end_char <= hi and masked[e.start_char : e.end_char].strip()
        ]
        found = self._best(masked[lo:hi], ents)
        return _LEADING_PREPOSITION.sub("", found) if found else found

    def _best(self, text: str, ents: list[tuple[str, str]]) -> str | None:
        persons = {name for label, name in ents if label == "PERSON"}
        for m in _SETTLEMENT.finditer(text):
            name = _POSSESSIVE.sub("", m.group("name"))
            if self._usable(name, persons):
                return name
        for m in _SECTOR.finditer(text):
            name = _POSSESSIVE.sub("", m.group("name"))
            if self._usable(name, persons) and self.resolver.resolve(name) is None:
                return name
        for m in _AREA.finditer(text):
            name = _POSSESSIVE.sub("", m.group("name"))
            if self._usable(name, persons):
                return name
        for mention in self.resolver.find_places(text):
            if mention.place.kind in ("settlement", "district", "area"):
                return mention.text
        for label, ent in ents:
            if label in ("GPE", "LOC", "FAC"):
                name = _POSSESSIVE.sub("", re.sub(r"^the\s+", "", ent, flags=re.I))
                if self._usable(name, persons):
                    return name
        for mention in self.resolver.find_places(text):
            return mention.text
        for m in _WEAK.finditer(text):
            name = _POSSESSIVE.sub("", m.group("name"))
            if self.resolver.place(name) is not None:
                return name
        return None
