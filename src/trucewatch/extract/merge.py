"""Within one document, fold mentions of the same claim into one event.

A headline, a lead sentence and the quoted statement often tell the same claim three times; a
tally of one ("one truce violation") is the act its details then describe. Two mentions fold when
nothing they state contradicts: same stance and background flag, same or unknown actor, target,
place, date (one day apart at most), count and toll, and compatible types (a violation of
unspecified kind folds into a specific one). A tally of several acts never absorbs a detailed act
with its own place: the schema keeps both.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Hashable

from trucewatch.extract.timelimit import check_time
from trucewatch.models import VIOLENT_TYPES, Event

GENERIC = {"ceasefire_violation", "armed_clash"}
_BASIS_RANK = {"stated": 0, "statement": 1, "context": 2, "published": 3, "": 4}
MAX_MENTIONS = 500
"""Distinct mentions folded per document (repeats of one mention count once). A document with
more is cut there with a warning: the pairwise fold costs the square of this number."""
_CHECK_EVERY = 4096  # heap steps between two looks at the document's time limit


def fold(events: list[Event], warnings: list[str] | None = None) -> list[Event]:
    """Fold compatible mentions pairwise, the closest pair first (ties: the earliest pair),
    until no pair is compatible. The result keeps the order of each group's first mention.

    The cost stays bounded on hostile text: mentions that state exactly the same fields are
    indexed by that key and fold at once (a sentence repeated 20,000 times is one mention);
    mentions that can never fold (another stance, background flag, or violent versus not) are
    folded apart; and at most `MAX_MENTIONS` distinct mentions are kept, the rest dropped with a
    line in `warnings`. Within a block, pair scores are computed once and kept in a heap; a merge
    only rescores the merged event's pairs."""
    index: dict[Hashable, int] = {}
    repeats: list[list[Event]] = []
    dropped = 0
    for n, event in enumerate(events):
        if n % _CHECK_EVERY == 0:
            check_time()
        key = _key(event)
        at = index.get(key)
        if at is not None:
            repeats[at].append(event)
        elif len(repeats) < MAX_MENTIONS:
            index[key] = len(repeats)
            repeats.append([event])
        else:
            dropped += 1
    if dropped and warnings is not None:
        warnings.append(
            f"{dropped} mention(s) left out: more than {MAX_MENTIONS} distinct mentions in "
            "one document"
        )
    mentions = [_combine_repeats(group) for group in repeats]
    blocks: dict[tuple[str, bool, bool], list[int]] = {}
    for i, event in enumerate(mentions):
        blocks.setdefault(_block(event), []).append(i)
    folded: list[tuple[int, Event]] = []
    for members in blocks.values():
        folded.extend(_fold_block(mentions, members))
    return [event for _, event in sorted(folded, key=lambda pair: pair[0])]


def _combine_repeats(group: list[Event]) -> Event:
    """What combining the mentions of one key pairwise in order gives, in one step."""
    if len(group) == 1:
        return group[0]
    confidence = group[0].confidence
    for other in group[1:]:
        confidence = round(min(1.0, max(confidence, other.confidence) + 0.05), 2)
    evidence = [ev for event in group for ev in event.evidence]
    return group[0].model_copy(
        update={"evidence": evidence, "confidence": confidence, "headline": False}
    )


def _key(event: Event) -> Hashable:
    """All that folding reads of a mention: its fields less evidence and confidence."""
    return (*(getattr(event, f) for f in _FIELDS), *_block(event), event.date_basis, event.headline)


def _block(event: Event) -> tuple[str, bool, bool]:
    """What two mentions must share to fold at all (see `compatible`); folding keeps it."""
    return (event.stance, event.historical, event.type in VIOLENT_TYPES)


def _fold_block(events: list[Event], members: list[int]) -> list[tuple[int, Event]]:
    """The greedy fold of `events[m] for m in members`, each result with its first position."""
    out: list[Event | None] = [events[m] for m in members]
    version = [0] * len(out)
    heap: list[tuple[int, int, int, int, int]] = []
    steps = 0

    def push(i: int, j: int) -> None:
        nonlocal steps
        steps += 1
        if steps % _CHECK_EVERY == 0:
            check_time()
        a, b = out[i], out[j]
        if a is not None and b is not None and compatible(a, b):
            heapq.heappush(heap, (-_agreement(a, b), i, j, version[i], version[j]))

    for i in range(len(out)):
        for j in range(i + 1, len(out)):
            push(i, j)
    while heap:
        _, i, j, vi, vj = heapq.heappop(heap)
        a, b = out[i], out[j]
        if a is None or b is None or (vi, vj) != (version[i], version[j]):
            continue  # a pair of an event merged away, or scored before a merge changed it
        out[i], out[j] = combine(a, b), None
        version[i] += 1
        for k in range(len(out)):
            if k != i and out[k] is not None:
                push(min(i, k), max(i, k))
    return [(members[i], e) for i, e in enumerate(out) if e is not None]


_FIELDS = (
    "type",
    "actor",
    "target",
    "source",
    "weapon",
    "location",
    "date",
    "count",
    "killed",
    "injured",
)


def _agreement(a: Event, b: Event) -> int:
    """How many fields two compatible mentions state alike (both given and equal)."""
    return sum(1 for f in _FIELDS if getattr(a, f) is not None and getattr(a, f) == getattr(b, f))


def _agree(a: object, b: object) -> bool:
    return a is None or b is None or a == b


def _places_agree(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    x, y = a.lower(), b.lower()
    return x in y or y in x


# violations counted without a number: "more ceasefire violations", "recorded violations"
_PLURAL_VIOLATIONS = re.compile(
    r"\b(?:more|fewer|several|numerous|multiple|many|a number of|a similar number of|dozens of|"
    r"hundreds of|thousands of)\s+(?:\w+\s+)?(?:violations|explosions|breaches)\b|"
    r"\b(?:violations|explosions)\b[^.;]{0,40}\b(?:recorded|registered|observed)\b|"
    r"\b(?:recorded|registered|observed)\b[^.;]{0,40}\b(?:violations|explosions)\b",
    re.I,
)


def _is_tally(event: Event) -> bool:
    """A count of several violations: a number above one, or violations in the plural with no
    number ("the Mission recorded more ceasefire violations in Luhansk region")."""
    if event.type != "ceasefire_violation":
        return False
    if event.count is not None:
        return event.count > 1
    return any(_PLURAL_VIOLATIONS.search(e.sentence) for e in event.evidence)


def compatible(a: Event, b: Event) -> bool:
    if a.stance != b.stance or a.historical != b.historical:
        return False
    if not (a.source == b.source or "media" in (a.source, b.source)):
        return False
    if (a.type in VIOLENT_TYPES) != (b.type in VIOLENT_TYPES):
        return False
    summary = a.headline or b.headline
    if a.type != b.type:
        if a.type not in VIOLENT_TYPES:
            return False
        if a.type not in GENERIC and b.type not in GENERIC and not (summary or _same_strike(a, b)):
            return False
    if _is_tally(a) != _is_tally(b) and (a.location or b.location):
        return False
    stated = a.date_basis == "stated" and b.date_basis == "stated"
    if a.date and b.date and stated and abs((a.date - b.date).days) > 1:
        return False
    # an outlet's own summary of a named claim may name a wider place ("Poonch" for "Mendhar")
    restated = a.type == b.type and (a.source == "media") != (b.source == "media")
    vague = (
        summary
        or restated
        or any(e.type in GENERIC and e.count is None and not _is_tally(e) for e in (a, b))
    )
    return (
        _agree(a.actor, b.actor)
        and _agree(a.target, b.target)
        and (vague or _places_agree(a.location, b.location))
        and _agree_count(a, b)
        and _agree(a.killed, b.killed)
        and _agree(a.injured, b.injured)
    )


def _agree_count(a: Event, b: Event) -> bool:
    if a.count is None or b.count is None or a.count == b.count:
        return True
    # "one violation" and the "two strikes" that make it up are one event (count of the acts)
    return 1 in (a.count, b.count) and (a.type in GENERIC or b.type in GENERIC)


# Fire of one kind told in other words ("shelled", "fired on", "shells hit a kindergarten",
# "blast injuries"): the same strike when the same side hit the same place that day. The heavier
# kind names the claim.
_FIRE_RANK = {
    "firing": 1,
    "attack_on_civilians": 2,
    "explosive": 3,
    "shelling": 4,
    "drone_strike": 5,
}


def _same_strike(a: Event, b: Event) -> bool:
    return (
        a.type in _FIRE_RANK
        and b.type in _FIRE_RANK
        and a.actor is not None
        and a.actor == b.actor
        and a.date is not None
        and a.date == b.date
        and (a.location is None or b.location is None or a.location == b.location)
    )


def combine(a: Event, b: Event) -> Event:
    """One event holding what either mention states; the more specific type and source win."""
    specific = b if (a.type in GENERIC and b.type not in GENERIC) or a.headline else a
    if _same_strike(a, b) and not (a.headline or b.headline):
        specific = a if _FIRE_RANK[a.type] >= _FIRE_RANK[b.type] else b
    if a.type in GENERIC and b.type in GENERIC and a.count is None and b.count is not None:
        specific = b
    other = a if specific is b else b
    data = specific.model_dump(exclude={"evidence"})  # evidence is joined below, unvalidated
    for key, value in other.model_dump(exclude={"evidence"}).items():
        if data.get(key) is None and value is not None:
            data[key] = value
    if data["source"] == "media":
        data["source"] = other.source
    counts = [c for c in (a.count, b.count) if c is not None]
    if counts:
        data["count"] = specific.count if specific.count is not None else max(counts)
        if 1 in counts and len(counts) == 2:
            data["count"] = max(counts)
    dated = sorted((e for e in (a, b) if e.date), key=lambda e: _BASIS_RANK[e.date_basis or ""])
    if dated:
        data["date"], data["date_basis"] = dated[0].date, dated[0].date_basis
    data["confidence"] = round(min(1.0, max(a.confidence, b.confidence) + 0.05), 2)
    return Event.model_validate(data).model_copy(update={"evidence": [*a.evidence, *b.evidence]})
