"""Russian and Ukrainian reports read into the same claims as English ones.

Per document: sentences (razdel; line breaks end them), tokens with lemmas (pymorphy3), the
conflict profile the text names most; then per clause: the act (lexicon triggers, the heaviest
weapon), the sides and their roles (prepositions, case, order around the act, speech words for
the speaker), place, date, count and toll. A clause that only retells the act before it (no place,
count, date or side of its own) adds its details to that act. Mentions of one claim are folded as
for English (extract.merge). Sides and places come out with their English names; evidence is the
sentence as written. Component name: `trucewatch.extract.ru_uk.v1`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from trucewatch.extract.languages.clauses import (
    WEIGHT,
    Mention,
    act,
    count_of,
    place_of,
    side_mentions,
    split_clauses,
    toll,
)
from trucewatch.extract.languages.compiled import Compiled, SideEntry, compile_language
from trucewatch.extract.languages.dates import DateReading, read_date
from trucewatch.extract.languages.morphology import Span, Token
from trucewatch.extract.merge import fold
from trucewatch.models import (
    VIOLENT_TYPES,
    Document,
    DocumentReading,
    Event,
    Evidence,
    PeriodStatement,
)
from trucewatch.sides import Profile

COMPONENT = "trucewatch.extract.ru_uk.v1"
_NAMED = ("party", "country", "institution")
_RECENT = dt.timedelta(days=2)
# acts of their own kind: not a retelling of a tally, whose acts are counted apart
_DISTINCT = ("explosive", "drone_strike", "intrusion", "shoot_down")
# mines and blasts often have no named author: the actor of the act before is not carried over
_NOT_CARRIED = (
    "shoot_down",
    "explosive",
)  # an act dated earlier than this before publication is background


@dataclass
class _State:
    published: dt.date | None
    speaker: str | None = None
    context_day: dt.date | None = None
    events: list[Event] = field(default_factory=list)
    periods: list[PeriodStatement] = field(default_factory=list)
    headlines: frozenset[int] = frozenset()  # start offsets of headline sentences
    lead: int = -1  # start offset of the first sentence of the body


class SlavicReader:
    """Reads documents of one language (ru or uk); one instance holds the compiled lexicon."""

    def __init__(self, language: str, profiles: Sequence[Profile]) -> None:
        self.c: Compiled = compile_language(language, profiles)

    def read(self, doc: Document) -> DocumentReading:
        c = self.c
        sentences = c.morph.sentences(doc.text)
        cast = _Cast(c, sentences)
        state = _State(doc.published, speaker=cast.first_speaker, headlines=_headlines(doc.text))
        state.lead = next((s.start for s in sentences if s.start not in state.headlines), -1)
        for sent in sentences:
            self._sentence(sent, state, cast)
        events = [e for e in fold(_headline_actors(state.events)) if e.type in VIOLENT_TYPES]
        return DocumentReading(events, state.periods)

    def _sentence(self, sent: Span, state: _State, cast: _Cast) -> None:
        c = self.c
        sent_date = read_date(c, sent.tokens, sent.text, state.published)
        speakers = [m for m in side_mentions(c, sent.tokens, None) if m.role == "speaker"]
        own_speaker = cast.resolve(speakers[0].entry, None) if speakers else None
        speaker = own_speaker or state.speaker
        told: _Told = (None, None)
        for tokens in split_clauses(c, sent.tokens):
            told = self._clause(sent, tokens, sent_date, speaker, state, cast, told)
        if sent_date.stated and sent_date.day is not None:
            state.context_day = sent_date.day

    def _clause(
        self,
        sent: Span,
        tokens: Sequence[Token],
        sent_date: DateReading,
        speaker: str | None,
        state: _State,
        cast: _Cast,
        told: _Told,
    ) -> _Told:
        """Read one clause into the state; the act it tells and its actor, for the clause after
        it in the same sentence (which may leave out both: "…, а біля Y здійснили мінування")."""
        c = self.c
        text = sent.text[tokens[0].start - sent.start : tokens[-1].end - sent.start]
        evidence = Evidence(sentence=sent.text, start=sent.start, end=sent.end)
        kind, weapon = act(c, tokens, told[0])
        killed, injured, zero_killed, zero_injured = toll(c, tokens)
        date = read_date(c, tokens, text, state.published)
        day = date.day if date.stated else sent_date.day if sent_date.stated else None
        if (
            c.has("zero_phrases", tokens)
            and (kind is not None or date.stated)
            and not c.has("denial", tokens)
            and not (killed or injured or zero_killed or zero_injured)
        ):
            state.periods.append(
                PeriodStatement(
                    source=speaker or "media",
                    day=day or state.context_day or state.published,
                    count=0,
                    evidence=evidence,
                )
            )
            return (None, None)
        if kind not in VIOLENT_TYPES or c.has("retaliation", tokens):
            self._toll_only(state, killed, injured, zero_killed, zero_injured)
            return (None, None)  # agreements and talks are not read here, nor the return fire
        trigger_at = next((h.first for h in c.triggers.scan(tokens)), 0)
        mentions = side_mentions(c, tokens, trigger_at)
        # "the enemy" is the speaker's rival, or with no speaker named, the rival of the side hit
        viewpoint = speaker or cast.pick(mentions, "target", None) or cast.viewpoint
        actor = cast.pick(mentions, "actor", viewpoint)
        target = cast.pick(mentions, "target", viewpoint, not_side=actor)
        named = any(m.entry.kind in _NAMED and m.role == "actor" for m in mentions)
        place = place_of(c, tokens, mentions)
        count = count_of(c, tokens)
        if count is not None and weapon is None and kind in ("firing", "shelling", "armed_clash"):
            kind = "ceasefire_violation"  # a tally; the acts it counts give the kind
        denial = c.has("denial", tokens)
        if place is not None and place[1] == "region" and kind == "ceasefire_violation":
            place = None  # a tally "in Donbas" is not placed: its acts are
        previous = state.events[-1] if state.events else None
        retelling = not named or c.has("consequence", tokens[:3])
        if (
            previous is not None
            and place is None
            and count is None
            and not date.stated
            and retelling
            and not denial
            and previous.type in VIOLENT_TYPES
            and kind != "shoot_down"
            and not ((previous.count or 0) > 1 and kind in _DISTINCT)
        ):
            state.events[-1] = _retold(previous, kind, weapon, killed, injured, evidence)
            return (kind, state.events[-1].actor)
        if actor is None and told[1] is not None:
            actor = told[1]  # the subject the sentence already named
        if actor is None and kind not in _NOT_CARRIED:
            actor = next((e.actor for e in reversed(state.events) if e.actor), None)
        if actor is None and kind not in _NOT_CARRIED and target and target == speaker:
            actor = cast.rival(target)  # a side that says it came under fire blames its rival
        if kind == "shoot_down":
            actor, target = (speaker if speaker in cast.parties else actor), None
        if target is None and actor is not None:
            target = speaker if speaker in cast.parties and speaker != actor else cast.rival(actor)
        if day is None:
            day = state.context_day or state.published
            basis = "context" if state.context_day else "published"
        else:
            basis = "stated"
        historical = (
            date.old_year
            or sent_date.old_year
            or c.has("long_spans", tokens)
            or c.has("background", tokens)
            or (c.has("earlier_report", tokens) and c.has("speech", tokens))
            or (day is not None and state.published is not None and state.published - day > _RECENT)
        )
        if denial and actor is None:
            actor = cast.rival(target)  # "the report of shelling our positions is false"
        source = actor if denial else speaker  # the accused is the one who denies
        event = Event(
            type=kind,  # type: ignore[arg-type]
            actor=actor,
            target=target,
            source=source or "media",
            stance="denies" if denial else ("asserts" if actor else "neutral"),
            weapon=weapon,  # type: ignore[arg-type]
            location=place[0] if place else None,
            date=day,
            killed=0 if zero_killed else killed,
            injured=0 if zero_injured else injured,
            count=count,
            historical=bool(historical),
            date_basis=basis,  # type: ignore[arg-type]
            evidence=[evidence],
            confidence=0.5,
            # a headline, or the lead under one when it names no actor and counts nothing,
            # sums up a claim the body details
            headline=sent.start in state.headlines
            or (
                bool(state.headlines)
                and sent.start == state.lead
                and actor is None
                and count is None
            ),
        )
        state.events.append(event)
        return (kind, actor)

    def _toll_only(
        self,
        state: _State,
        killed: int | None,
        injured: int | None,
        zero_killed: bool,
        zero_injured: bool,
    ) -> None:
        """A clause with a toll and no act: "пострадавших нет" tells of the acts before it."""
        current = [i for i, e in enumerate(state.events) if not e.historical]
        if not current:
            return
        if zero_killed or zero_injured:
            for i in current:
                e = state.events[i]
                update: dict[str, int] = {}
                if zero_killed and e.killed is None:
                    update["killed"] = 0
                if zero_injured and e.injured is None:
                    update["injured"] = 0
                state.events[i] = e.model_copy(update=update)
        elif killed is not None or injured is not None:
            e = state.events[current[-1]]
            state.events[current[-1]] = e.model_copy(
                update={
                    "killed": e.killed if killed is None else killed,
                    "injured": e.injured if injured is None else injured,
                }
            )


_Told = tuple[str | None, str | None]  # (act type, actor) of the clause before in a sentence
_HEAD_LINES = 3  # headlines and subtitles stand in the first lines


def _headlines(text: str) -> frozenset[int]:
    """Start offsets of the first lines that end without a full stop: a headline or subtitle
    sums up a claim the body tells in full (extract.merge folds it there)."""
    out: set[int] = set()
    offset = 0
    seen = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            seen += 1
            if seen > _HEAD_LINES:
                break
            if stripped[-1] not in '.!?…»"”':
                out.add(offset + len(line) - len(line.lstrip()))
        offset += len(line) + 1
    return frozenset(out)


def _headline_actors(events: list[Event]) -> list[Event]:
    """A headline with no actor ("two violations in a day") takes the actor the body names for
    the same tally or act, and a tally of one with no actor the actor of the act told after it,
    so that each folds into the claim it sums up."""
    out = list(events)
    for i, e in enumerate(events):
        if e.actor is not None or e.historical:
            continue
        body: Event | None = None
        if e.headline:
            same = (b for b in events if not b.headline and b.actor and b.count == e.count)
            body = next(same, None)
        elif e.count == 1:
            body = next((b for b in events[i + 1 :] if b.actor and not b.historical), None)
        if body is not None:
            out[i] = e.model_copy(
                update={"actor": body.actor, "target": body.target, "stance": body.stance}
            )
    return out


def _retold(
    previous: Event,
    kind: str,
    weapon: str | None,
    killed: int | None,
    injured: int | None,
    evidence: Evidence,
) -> Event:
    """The act before, with what a clause retelling it adds (weapon, toll, a more specific type)."""
    update: dict[str, object] = {"evidence": [*previous.evidence, evidence]}
    if weapon and (previous.weapon is None or WEIGHT[weapon] > WEIGHT[previous.weapon]):
        update["weapon"] = weapon
        if previous.type in ("ceasefire_violation", "armed_clash", "firing", "shelling"):
            update["type"] = kind
    if killed is not None and previous.killed is None:
        update["killed"] = killed
    if injured is not None and previous.injured is None:
        update["injured"] = injured
    return previous.model_copy(update=update)


class _Cast:
    """The document's profile and named sides: speakers, rivals, the region of "militants"."""

    def __init__(self, c: Compiled, sentences: Sequence[Span]) -> None:
        self.c = c
        profiles: Counter[str] = Counter()
        named: Counter[str] = Counter()
        self.first_speaker: str | None = None
        region_words: Counter[str] = Counter()
        lemmas = Counter(t.lemma for s in sentences for t in s.tokens)
        for region, words in c.lexicon.militants.by_region.items():
            region_words[region] = sum(lemmas[c.morph.lemma(w)] for w in words)
        ranked = region_words.most_common()
        self.region: str | None = ranked[0][0] if ranked else None
        speaker_entries: list[SideEntry] = []
        hit: Counter[str] = Counter()  # sides named as the ones fired upon
        for sent in sentences:
            trigger = c.triggers.first(sent.tokens)
            for m in side_mentions(c, sent.tokens, trigger.first if trigger else None):
                if m.role == "target" and m.entry.kind in _NAMED:
                    hit[m.entry.side] += 1
                if m.entry.profile:
                    profiles[m.entry.profile] += 1
                if m.entry.side and m.entry.kind in _NAMED:
                    named[m.entry.side] += 1
                if m.role == "speaker":
                    speaker_entries.append(m.entry)
        for profile in c.profiles.values():
            profiles[profile.id] += sum(named[s] for s in profile.sides)
        best = profiles.most_common(2)
        self.profile = (
            c.profiles[best[0][0]]
            if best and best[0][1] >= 1 and (len(best) == 1 or best[1][1] < best[0][1])
            else None
        )
        self.parties: tuple[str, ...] = tuple(self.profile.sides) if self.profile else ()
        if self.region not in self.parties:
            self.region = None  # "militants" of a conflict the lexicon's regions are not in
        self.named = named
        self.first_speaker = next(
            (s for e in speaker_entries if (s := self.resolve(e, None)) is not None), None
        )
        # with no speaker named, "the enemy" is seen from the side the text has fired upon
        self.viewpoint = next((s for s, _ in hit.most_common() if s in self.parties), None)

    def rival(self, side: str | None) -> str | None:
        if side is None or side not in self.parties:
            return None
        others = [p for p in self.parties if p != side]
        ranked = sorted(others, key=lambda p: -self.named[p])
        return ranked[0] if ranked and self.named[ranked[0]] else (others[0] if others else None)

    def resolve(self, entry: SideEntry, speaker: str | None) -> str | None:
        if entry.kind == "enemy":
            return self.rival(speaker)
        if entry.kind == "own":
            return speaker
        if entry.kind == "militants":
            return self.region
        return entry.side or None

    def pick(
        self, mentions: list[Mention], role: str, speaker: str | None, not_side: str | None = None
    ) -> str | None:
        for m in mentions:
            if m.role != role or m.entry.kind == "place":
                continue
            side = self.resolve(m.entry, speaker)
            if side and side != not_side and not (role == "actor" and side == "civilians"):
                return side
        return None
