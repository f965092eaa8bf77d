"""Where: the most precise place name a sentence gives, as written.

Preference order: a name introduced by a place word ("near Pisky", "the village of Taghavard",
"in the area of the settlement of Furukh"); a name the conflict gazetteer knows; a GPE/LOC/FAC
entity that is not a country or a party; finally a region that is also a party's name
("Nagorno-Karabakh").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from trucewatch.sides import SideResolver

_NAME = r"[A-Z][\w'’.-]*(?:[ -](?:[A-Z][\w'’.-]*|\d+))*"
_INTRO = re.compile(
    rf"\b(?:near|outskirts of|vicinity of|village of|villages of|settlement of|settlements of|"
    rf"town of|city of|towns of|area of|areas of|district of|region of|direction of|suburb of|"
    rf"sector of|in|at|around|from|towards?|of)\s+(?:the\s+)?(?:\w+\s+)?"
    rf"(?:(?:village|settlement|town|city|region|district|area|sector|sectors|areas)\s+of\s+)?"
    rf"(?P<name>{_NAME})"
)
_NOT_PLACE = re.compile(
    r"^(?:The|A|An|This|That|Defense|Defence|Ministry|Army|Armed|Forces|Joint|President|"
    r"Prime|General|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|Russian|OSCE|UN|"
    r"Security|Council|Operation|Command|Task|Force|Mission|Special|International|"
    r"Independent|Centre|Center|Office|Statement|Telegram|Facebook|Twitter)\b"
)
_SECTOR = re.compile(rf"(?P<name>{_NAME}) (?:sectors?|areas?|regions?|districts?)\b")


class PlaceFinder:
    def __init__(self, resolver: SideResolver) -> None:
        self.resolver = resolver

    def _is_place(self, name: str) -> bool:
        if _NOT_PLACE.match(name):
            return False
        if self.resolver.place(name) is not None:
            return True
        return self.resolver.resolve(name) is None

    def best(self, text: str, parsed: Doc | None = None) -> str | None:
        for m in _INTRO.finditer(text):
            name = m.group("name").rstrip(".’'")
            if self._is_place(name) and (
                self.resolver.place(name) is not None or m.group(0).split()[0].lower()
                not in ("in", "at", "from", "of", "around", "toward", "towards")
            ):
                return name
        for m in _SECTOR.finditer(text):
            if self._is_place(m.group("name")):
                return m.group("name")
        if parsed is not None:
            for ent in parsed.ents:
                if ent.label_ in ("GPE", "LOC", "FAC"):
                    name = re.sub(r"^the\s+", "", ent.text, flags=re.I).rstrip("’'s")
                    if self._is_place(name):
                        return name
        for mention in self.resolver.find(text):
            if mention.kind == "place":
                return mention.text
        for m in _INTRO.finditer(text):
            name = m.group("name")
            if self.resolver.place(name) is not None:
                return name
        return None
