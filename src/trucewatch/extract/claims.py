"""Who says it: attribution phrases in a sentence ("X said", "according to X", "..., said X",
"the statement of X that ...") and the speaker they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from trucewatch.extract.lexicon import Lexicon
from trucewatch.sides import SideResolver

# side: the phrase names a side; media: an outlet, residents, witnesses; official: an office with
# no side named ("the defence ministry spokesman"); inherit: a pronoun or "the statement";
# monitor: a monitoring mission named generically ("the Mission", "monitors"), which the reader
# resolves to the mission the document names
SpeakerKind = Literal["side", "inherit", "official", "media", "monitor"]

_BOUNDARY = re.compile(r"[,;:“”\"(]|\bthat\b|\band\b|\bwhile\b|\bbut\b|—|–")
_GENERIC = re.compile(
    r"\b(?:it|he|she|they|we|ministry|army|spokes\w+|command|headquarters|service|office|"
    r"official|officials|military|government|president|minister|mission|statement|bulletin|"
    r"department|authorities|forces|troops|side|press|commander|general|colonel|staff|"
    r"centre|center|source|sources)\b",
    re.IGNORECASE,
)
_OFFICIAL = re.compile(
    r"\b(?:ministry|army|spokes\w+|command|headquarters|military|government|president|minister|"
    r"department|authorities|forces|troops|commander|general|colonel|officials?|staff|police|"
    r"press (?:service|centre|center|office))\b",
    re.IGNORECASE,
)
_MONITOR = re.compile(
    r"^(?:the\s+)?(?:\w+\s+)?(?:mission|monitors|observers|monitoring (?:mission|team)|patrols?|"
    r"observer (?:mission|team|group))(?:'s)?$",
    re.IGNORECASE,
)
_MEDIA = re.compile(
    r"\b(?:residents|villagers|locals|witnesses|local people|"
    r"media(?! (?:wing|office|centre|center|department|service|directorate|cell))|"
    r"newspaper|outlet|journalists?|"
    r"correspondent|reporters?|news agency|reuters|afp|ap|bbc|cnn|al jazeera|observers said)\b",
    re.IGNORECASE,
)
# an alias inside a longer proper name ("Ta'ang National Liberation Army") is not that group
_LONGER_NAME_BEFORE = re.compile(r"\b[A-Z][\w'’.-]*(?<!'s)(?<!’s)\s+$")
_OUTLET_OF = re.compile(
    r"^\s+(?:state(?:-run|-owned)?\s+|\w+\s+)?(?:news agency|media|newspaper|television|tv|"
    r"broadcaster|radio|outlet|daily|website)\b",
    re.IGNORECASE,
)
# "Azerbaijani forces violated the ceasefire – Artsakh military": a headline's credited source
_HEADLINE_CREDIT = re.compile(r"\s[–—-]\s+(?P<x>[^–—.,;“”\"]{3,60})$")
# ", adding the information was passed on to X": a clause after the verb, not a speaker
_CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|be|been)\b", re.I)
_RELAY_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,3}?(?:that|according to which|claiming|alleging)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Attribution:
    """One attribution phrase: `speaker` is its resolved side, or how to resolve it."""

    start: int
    end: int
    speaker_text: str
    kind: SpeakerKind
    side: str | None
    relayed: bool  # the phrase reports someone else's claim ("the statement of X that ...")


class AttributionFinder:
    def __init__(self, lexicon: Lexicon, resolver: SideResolver) -> None:
        self.lexicon = lexicon
        self.resolver = resolver
        verbs = lexicon.reporting.pattern
        self._after_quote = re.compile(
            rf"(?:[,”\"]|\b(?:the )?statement)\s*(?:{verbs[2:-2]})\s+(?P<x>[^,.;“”\"]{{2,90}})",
            re.IGNORECASE,
        )
        self._statement_of = re.compile(
            r"\b(?:the\s+)?(?:statement|allegations?|claims?|information|reports?|report|"
            r"accusations?)\s+(?:issued\s+|disseminated\s+|spread\s+|made\s+)?(?:of|by|from)\s+"
            r"(?P<x>(?:the\s+)?[^,.;“”\"]{2,70}?)\s+(?=that\b|are\b|is\b|was\b|were\b|about\b)",
            re.IGNORECASE,
        )
        self._issued = re.compile(
            r"(?P<x>\b[A-Z][^,.;“”\"]{2,70}?)\s+(?:issued|released|published)\s+an?\s+"
            r"(?:statement|report|press release)\s+(?:according to which|saying|that)",
        )

    def find(self, sentence: str) -> list[Attribution]:
        found: list[Attribution] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, text: str, relayed: bool) -> None:
            if any(start < e and s < end for s, e in taken):
                return
            kind, side = self.resolve(text)
            taken.append((start, end))
            found.append(Attribution(start, end, text.strip(), kind, side, relayed))

        m = _HEADLINE_CREDIT.search(sentence)
        if m and self.resolve(m.group("x"))[0] == "side":
            add(m.start(), m.end(), m.group("x"), relayed=False)
        for m in self._issued.finditer(sentence):
            add(m.start(), m.end(), m.group("x"), relayed=True)
        for m in self._statement_of.finditer(sentence):
            add(m.start(), m.end(), m.group("x"), relayed=True)
        for m in self.lexicon.according_to.finditer(sentence):
            rest = sentence[m.end() :]
            x = _until_boundary(rest)
            if x and not x.lower().startswith("which"):
                end = m.end() + rest.index(x) + len(x)
                add(m.start(), end, x, relayed=False)
        for m in self._after_quote.finditer(sentence):
            x = m.group("x")
            if len(x.split()) <= 10 and not _CLAUSE_VERB.search(x):
                add(m.start(), m.end(), x, relayed=False)
        for m in self.lexicon.reporting.finditer(sentence):
            before = sentence[: m.start()]
            x = _back_to_boundary(before)
            if not x or not (_GENERIC.search(x) or self.resolver.find(x) or _MEDIA.search(x)):
                continue
            if self.lexicon.any_trigger.search(x):
                continue  # "troops shelled forward posts": an act, not a speaker
            relayed = bool(_RELAY_AFTER.match(sentence[m.end() :])) and m.group().lower() in (
                "claimed",
                "claims",
                "alleged",
                "alleges",
                "accused",
            )
            add(m.start() - len(x) - 1, m.end(), x, relayed)
        return sorted(found, key=lambda a: a.start)

    def resolve(self, text: str) -> tuple[SpeakerKind, str | None]:
        """The side an attribution's speaker phrase names, or how to fill it in."""
        mentions = [m for m in self.resolver.find(text) if m.kind != "place"]
        if mentions and _OUTLET_OF.search(text[mentions[0].end :]):
            return "media", "media"  # "a Chinese news agency": an outlet, not the side
        if mentions:
            return "side", mentions[0].side
        for name, aliases in self.lexicon.armed_groups.items():
            for alias in aliases:
                pattern = re.escape(alias).replace("'", "['’]")
                for m in re.finditer(rf"\b{pattern}\b", text):
                    if not _LONGER_NAME_BEFORE.search(text, 0, m.start()):
                        return "side", name
        if _MONITOR.match(text.strip()):
            return "monitor", None
        if _MEDIA.search(text):
            return "media", "media"
        if _OFFICIAL.search(text) and not re.match(r"\s*(?:the|its|this|that)\b", text, re.I):
            return "official", None
        return "inherit", None


def is_office(text: str) -> bool:
    """Whether a speaker phrase names an office of some side ("the army's media wing")."""
    return bool(_OFFICIAL.search(text))


def _back_to_boundary(before: str) -> str:
    """The phrase ending at a reporting verb: up to 10 words back, stopping at a boundary."""
    words = before.rstrip().split()
    tail = " ".join(words[-10:])
    cut = list(_BOUNDARY.finditer(tail))
    if cut:
        tail = tail[cut[-1].end() :]
    tail = re.sub(r"\b(?:has|have|had|also|further|later|earlier|previously|then)\b", " ", tail)
    return tail.strip()


def _until_boundary(after: str) -> str:
    m = re.search(r"[,.;:“”\"(]|\bthat\b", after)
    return (after[: m.start()] if m else after).strip()
