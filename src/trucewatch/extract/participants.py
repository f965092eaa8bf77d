"""Who did it to whom: actor and target of an act, from side mentions and the parse.

A mention's role comes from the dependency tree (roles.py), corrected by surface cues the small
parser often misses ("Russian-occupation forces opened fire" after a comma list). Possessives of
the speaker ("its forces", "our positions") stand for the speaker's side; "the enemy" for the
speaker's rival; for a shoot-down, the side that owned the downed platform is the target.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from trucewatch.extract.claims import Attribution
from trucewatch.extract.lexicon import Lexicon
from trucewatch.extract.roles import mention_role
from trucewatch.sides import Profile, SideMention, SideResolver

_OWN = re.compile(
    r"\b(?:its|our|their)\s+(?:own\s+)?(?:forces|troops|units|positions|soldiers|servicemen|"
    r"army|side|defenders)\b",
    re.I,
)
_PLATFORM = re.compile(
    r"\b(?:drones?|uavs?|quadcopters?|unmanned aerial vehicles?|aircraft|helicopters?|planes?|"
    r"jets?)\b",
    re.I,
)
_AIMED_AT = re.compile(r"\b(?:on|at|against|targeting|towards?)\s+(?:the\s+)?$")
_BETWEEN_SIDE_AND_ACT = re.compile(
    r"(?:\s+(?:units?|troops|forces|soldiers|army|military|side|have|has|had|also|reportedly|"
    r"allegedly|then|again|repeatedly))*\s+"
)
# "Armenian soldier killed ...", "two Ukrainian servicemen were wounded ...": the side hit
_VICTIM_AFTER = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:soldiers?|servicem[ae]n|troops|civilians?|officers?|border guards?|"
    r"policem[ae]n|peacekeepers?|jawans?|fighters?|militiam[ae]n|privates?|conscripts?)\s+"
    r"(?:(?:was|were|has been|have been|had been|is|are)\s+)?"
    r"(?:killed|wounded|injured|hurt|died|dies)\b",
    re.I,
)
# "... in Azeri firing", "... by Russian shelling": a demonym right before the act's noun
_BY_SIDE_ACT = re.compile(
    r"\s+(?:\w+\s+)?(?:shelling|firing|fire|gunfire|attacks?|strikes?|airstrikes?|drone strikes?|"
    r"bombardment|sniper fire|mortar fire|artillery fire|aggression|provocation)\b",
    re.I,
)
# a capitalised word right before an alias makes it part of a longer name ("Ta'ang National
# Liberation Army"); a possessive does not ("Colombia's National Liberation Army")
INSIDE_LONGER_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?<!'s)(?<!’s)\s+$")
_DATELINE = re.compile(r"[A-Z][A-Z .'-]{2,}(?:,\s*[^—–\n]{2,40}?)?\s+[—–]\s")
_OWNER_BEFORE = re.compile(r"\b(?:of|belonging to|from)\s+(?:the\s+)?(?:\w+\s+){0,2}$")


@dataclass
class Cast:
    """The parties a document names, most named first, and the conflict profile it fits."""

    profile: Profile | None = None
    counts: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)  # states named, most named first
    institutions: list[str] = field(default_factory=list)  # monitors and mediators, in order

    def host(self, speaker: str | None) -> str | None:
        """The state whose forces "the army" or "regime troops" are: the speaker when it is a
        state the report names, else the state the report names most."""
        if speaker is not None and speaker in self.countries:
            return speaker
        return self.countries.most_common(1)[0][0] if self.countries else None

    @property
    def parties(self) -> set[str]:
        return set(self.profile.sides) if self.profile else set()

    def rival(self, side: str | None) -> str | None:
        """The other party: the one the document names most, other than `side`, else the first
        other party of the conflict profile."""
        if side is None:
            return None
        allowed = self.parties or None
        for other, _ in self.counts.most_common():
            if other != side and (allowed is None or other in allowed):
                return other
        if self.profile and side in self.profile.sides:  # the profile's first other party
            return next((other for other in self.profile.sides if other != side), None)
        return None


class ParticipantFinder:
    def __init__(self, resolver: SideResolver, lexicon: Lexicon) -> None:
        self.resolver = resolver
        self.lexicon = lexicon

    def cast(self, text: str) -> Cast:
        cast = Cast(profile=self.resolver.detect_profile(text))
        for mention in self.mentions(text):
            if mention.kind in ("party", "country"):
                cast.counts[mention.side] += 1
            if mention.kind == "country":
                cast.countries[mention.side] += 1
            if mention.kind == "institution" and mention.side not in cast.institutions:
                cast.institutions.append(mention.side)
        return cast

    @functools.cached_property
    def _group_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """One compiled pattern per armed-group alias (capitals match case-sensitively)."""
        out = []
        for name, aliases in self.lexicon.armed_groups.items():
            for alias in aliases:
                flags = 0 if alias.isupper() else re.IGNORECASE
                pattern = re.escape(alias).replace("'", "['’]")  # Haftar's, Haftar’s
                out.append((name, re.compile(rf"\b{pattern}\b", flags)))
        return out

    def mentions(self, text: str) -> list[SideMention]:
        """Side mentions from the profiles and countries, plus armed groups of the lexicon."""
        found = [m for m in self.resolver.find(text) if m.kind != "place"]
        for name, rx in self._group_patterns:
            for m in rx.finditer(text):
                if INSIDE_LONGER_NAME.search(text, 0, m.start()):
                    continue  # "Ta'ang National Liberation Army" is not the ELN
                if not any(x.start <= m.start() < x.end for x in found):
                    found.append(SideMention(name, m.group(), m.start(), m.end(), "party"))
        return sorted(found, key=lambda m: m.start)

    def actor_target(
        self,
        text: str,
        parsed: Doc,
        attributions: list[Attribution],
        source: str | None,
        cast: Cast,
        window: tuple[int, int] | None = None,
    ) -> tuple[str | None, str | None]:
        """Actor and target of the act told in `text[window]` (default: the whole sentence);
        where the window names no side, the whole sentence is read. `parsed` is the parse of
        `text` (or of a case-folded copy of the same length)."""
        if window is not None:
            found = self._actor_target(text, parsed, attributions, source, cast, window)
            if found != (None, None):
                return found
        return self._actor_target(text, parsed, attributions, source, cast, (0, len(text)))

    def _actor_target(
        self,
        text: str,
        parsed: Doc,
        attributions: list[Attribution],
        source: str | None,
        cast: Cast,
        window: tuple[int, int],
    ) -> tuple[str | None, str | None]:
        lo, hi = window
        reporting = self.lexicon.reporting_lemmas
        speaking = [(a.start, a.end) for a in attributions]
        actor = target = None
        dateline = _DATELINE.match(text)
        if dateline:  # "SOTK, Armenia — …": where the report was filed, not who acted
            speaking = [*speaking, (0, dateline.end())]
        for mention in self.mentions(text):
            if any(s <= mention.start and mention.end <= e for s, e in speaking):
                continue
            if not lo <= mention.start < hi:
                continue
            span = parsed.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None:
                continue
            role = mention_role(span, reporting)
            if self._precedes_act(text, mention.end) or _BY_SIDE_ACT.match(text, mention.end):
                role = "actor"
            elif _VICTIM_AFTER.match(text, mention.end):
                role = "target"  # "Armenian soldier killed in ...": the side that lost him
            if mention.kind == "institution" and not (
                role == "target"
                and _AIMED_AT.search(text[max(0, mention.start - 20) : mention.start])
            ):
                continue  # monitors and mediators take part in an act only when it is aimed at them
            if role == "actor" and actor is None and mention.side != target:
                actor = mention.side
            elif role == "target" and target is None and mention.side != actor:
                target = mention.side
        if actor is None and source:
            for m in self.lexicon.enemy.finditer(text, lo, hi):
                span = parsed.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None:
                    continue
                if mention_role(span, reporting) == "actor" or self._precedes_act(text, m.end()):
                    actor = cast.rival(source)
                    break
        if actor is None:
            for m in self.lexicon.state_forces.finditer(text, lo, hi):
                span = parsed.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None:
                    continue
                if mention_role(span, reporting) == "actor" or self._precedes_act(text, m.end()):
                    actor = cast.host(source)
                    break
        named_speaker = source if source and source != "media" else None
        if named_speaker:
            for m in _OWN.finditer(text, lo, hi):
                span = parsed.char_span(m.start(), m.end(), alignment_mode="expand")
                role = mention_role(span, reporting) if span is not None else "none"
                if role == "actor" and actor is None:
                    actor = named_speaker
                elif role == "target" and target is None:
                    target = named_speaker
            if actor is None and any(
                tok.lower_ in ("it", "we")
                and tok.dep_ == "nsubj"
                and self.lexicon.any_trigger.match(text[tok.head.idx :])
                for tok in parsed
            ):
                actor = named_speaker  # "X said it shot down ...": the speaker's own side acted
        return actor, target

    def named_subject(self, parsed: Doc, start: int, end: int) -> str | None:
        """The armed group a parse names as the doer of the act at [start, end) when no profile,
        country or listed group does: the subject of the act's verb (or the agent of a passive)
        when it is a proper name or acronym ("NAS fighters attacked", "the ADF ambushed"),
        without the generic head noun ("rebels", "forces") and never a person, an outlet, a
        monitor or a place."""
        tokens = [t for t in parsed if start <= t.idx < end]
        if not tokens:
            return None
        verb = tokens[0] if tokens[0].pos_ in ("VERB", "AUX") else tokens[0].head
        doers = [c for c in verb.children if c.dep_ == "nsubj"]
        doers += [
            g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
        ]
        for doer in doers:
            name = _group_name(doer)
            if name is None:
                continue
            known = [m for m in self.resolver.find(name) if m.kind != "place"]
            if known:
                return None  # a side or an institution the mention pass already weighed
            listed = next(
                (
                    group
                    for group, aliases in self.lexicon.armed_groups.items()
                    if name.lower() in (a.lower() for a in aliases)
                ),
                None,
            )
            return listed or name
        return None

    def shoot_down(
        self,
        text: str,
        attributions: list[Attribution],
        source: str | None,
        actor: str | None,
        target: str | None,
        cast: Cast,
    ) -> tuple[str | None, str | None]:
        """For a shoot-down, the side that owned the platform ("an Armenian UAV") is the target."""
        speaking = [(a.start, a.end) for a in attributions]
        for mention in self.mentions(text):
            if any(s <= mention.start and mention.end <= e for s, e in speaking):
                continue
            if mention.side == source or not _owns_platform(text, mention.start, mention.end):
                continue
            owner = mention.side
            shooter = source if source not in (None, "media") else actor
            if shooter in (None, owner):
                shooter = cast.rival(owner)
            return shooter, owner
        return actor, target

    def _precedes_act(self, text: str, end: int) -> bool:
        """'Russian-occupation forces opened fire': a side named right before the act's verb."""
        gap = _BETWEEN_SIDE_AND_ACT.match(text[end:])
        rest = text[end + (gap.end() if gap else 0) :]
        return bool(self.lexicon.any_trigger.match(rest))


def _owns_platform(text: str, start: int, end: int) -> bool:
    """'an Armenian UAV', 'a drone belonging to units of X': the mention owns a flying platform."""
    following = " ".join(text[end:].split()[:4])
    if _PLATFORM.search(following) and not re.match(r"\s*(?:,|\bof\b|\bon\b|\bat\b)", text[end:]):
        return True
    before = text[max(0, start - 60) : start]
    return bool(_OWNER_BEFORE.search(before) and _PLATFORM.search(before))


_GENERIC_HEADS = frozenset(
    "forces force rebels rebel militants militant fighters fighter troops militia militias group "
    "groups insurgents insurgent guerrillas guerrilla soldiers units members gunmen army men "
    "elements formations combatants".split()
)
_KEPT_HEADS = frozenset({"separatists", "separatist"})  # the scheme's "Donetsk separatists"
_NOT_GROUPS = frozenset({"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "GPE", "LOC", "FAC"})


def _group_name(doer: Token) -> str | None:
    """'M23 rebels' -> 'M23', 'the ADF' -> 'ADF'; None unless a proper name or acronym leads."""
    words = [
        t
        for t in doer.subtree
        if t.i <= doer.i and t.dep_ not in ("det", "punct", "case", "poss", "nummod")
    ]
    while words and words[-1].lower_ in _GENERIC_HEADS:
        words.pop()
    if not words or any(t.ent_type_ in _NOT_GROUPS for t in words):
        return None
    named = all(
        t.pos_ == "PROPN"
        or t.ent_type_ in ("ORG", "NORP")
        or (t.text.isupper() and len(t.text) >= 2)
        or (t is words[-1] and t.lower_ in _KEPT_HEADS and len(words) > 1)
        for t in words
    )
    if not named or len(words) > 5:
        return None
    return " ".join(t.text for t in words)
