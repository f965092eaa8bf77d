"""Summaries of an incident derived from its claims (DESIGN.md: incident <- claims).

Claims that report the violation (stance asserts, or neutral: told without naming the
perpetrator) give the type, the casualty ranges and who blames whom; denials give `denied_by`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from trucewatch.link.rules import place_tokens
from trucewatch.models import CasualtyRange, Claim, GeoPoint, Incident

# most specific first: an incident told as a drone strike by one and a violation by another is
# a drone strike
SPECIFICITY: tuple[str, ...] = (
    "shoot_down",
    "drone_strike",
    "explosive",
    "attack_on_civilians",
    "territory_seizure",
    "shelling",
    "intrusion",
    "firing",
    "armed_clash",
    "ceasefire_violation",
)
_PRECISION_RANK = {"settlement": 0, "district": 1, "region": 2, "country": 3}


def _reporting(claims: Sequence[Claim]) -> list[Claim]:
    """The claims that say the violation happened: every stance but a denial."""
    return [c for c in claims if c.event.stance != "denies"]


def most_specific_type(types: Iterable[str]) -> str | None:
    present = set(types)
    ranked = [t for t in SPECIFICITY if t in present]
    if ranked:
        return ranked[0]
    return min(present) if present else None


def casualty_range(values: Iterable[int | None]) -> CasualtyRange:
    """Low, best (median, rounded down) and high of the stated numbers; 0 is a stated number."""
    stated = sorted(v for v in values if v is not None)
    if not stated:
        return CasualtyRange()
    n = len(stated)
    best = stated[n // 2] if n % 2 else (stated[n // 2 - 1] + stated[n // 2]) // 2
    return CasualtyRange(low=stated[0], best=best, high=stated[-1])


def best_geo(claims: Sequence[Claim]) -> GeoPoint | None:
    """The most precise point among the claims; the one most claims share breaks ties."""
    points = [c.geo for c in claims if c.geo is not None]
    if not points:
        return None
    names = Counter(p.name for p in points)
    return min(points, key=lambda p: (_PRECISION_RANK[p.precision], -names[p.name], p.name))


def common_location(claims: Sequence[Claim]) -> str | None:
    """The place name most claims give (compared normalised), as first written; the longer
    (more specific) name breaks ties."""
    written: dict[frozenset[str], str] = {}
    counts: Counter[frozenset[str]] = Counter()
    for claim in claims:
        tokens = place_tokens(claim.event.location)
        if tokens and claim.event.location:
            written.setdefault(tokens, claim.event.location.strip())
            counts[tokens] += 1
    if not counts:
        return None
    key = min(counts, key=lambda t: (-counts[t], -len(written[t]), written[t]))
    return written[key]


def blame(claims: Sequence[Claim]) -> dict[str, list[str]]:
    """Claimant -> the sides it blames, over the reporting claims that name an actor."""
    blamed: dict[str, set[str]] = {}
    for claim in _reporting(claims):
        if claim.event.actor:
            blamed.setdefault(claim.event.source, set()).add(claim.event.actor)
    return {source: sorted(actors) for source, actors in sorted(blamed.items())}


LOW_CONFIDENCE = 0.6
# how much each doubt adds to an incident's uncertainty (combined as independent chances)
_DOUBT_WEIGHTS = {"denied": 0.35, "disputed": 0.35, "unplaced": 0.25, "undated": 0.2, "single": 0.1}


def assess(incident: Incident) -> Incident:
    """The incident with `uncertainty` (0 sure .. 1 doubtful) and the `doubts` behind it:
    low extraction confidence, a denial, claimants blaming different sides, a place not on
    the map, no date, one source only. The review queue is ordered by it."""
    reporting = _reporting(incident.claims) or incident.claims
    doubts: list[str] = []
    weights: list[float] = []
    if reporting:
        confidence = sum(c.event.confidence for c in reporting) / len(reporting)
        weights.append(1.0 - confidence)
        if confidence < LOW_CONFIDENCE:
            doubts.append(f"low extraction confidence ({confidence:.2f})")
    if incident.denied_by:
        doubts.append("denied by " + ", ".join(incident.denied_by))
        weights.append(_DOUBT_WEIGHTS["denied"])
    if len({tuple(sides) for sides in incident.blamed.values()}) > 1:
        doubts.append("claimants blame different sides")
        weights.append(_DOUBT_WEIGHTS["disputed"])
    if incident.geo is None:
        doubts.append("place not resolved" if incident.location else "no place given")
        weights.append(_DOUBT_WEIGHTS["unplaced"])
    if incident.first_date is None:
        doubts.append("no date")
        weights.append(_DOUBT_WEIGHTS["undated"])
    if incident.sources <= 1:
        doubts.append("one source")
        weights.append(_DOUBT_WEIGHTS["single"])
    sure = 1.0
    for weight in weights:
        sure *= 1.0 - weight
    return incident.model_copy(update={"uncertainty": round(1.0 - sure, 4), "doubts": doubts})


def summarise(incident: Incident) -> Incident:
    """The incident with every summary recomputed from its claims (other fields kept), then
    the analyst's overrides applied and its uncertainty assessed."""
    return assess(_derive(incident).with_overrides())


def _derive(incident: Incident) -> Incident:
    claims = incident.claims
    if not claims:
        return incident.model_copy(
            update={"blamed": {}, "denied_by": [], "sources": 0, "geo": None, "location": None}
        )
    reporting = _reporting(claims)
    # when the act happened: a denial is dated the day it was issued, so it does not count
    # while a reporting claim gives a date; a day only inferred from when a report appeared
    # (date_basis statement/published/context) counts when no claim states one
    dated = [c for c in (reporting or claims) if c.event.date is not None]
    stated = [c for c in dated if c.event.date_basis in (None, "stated")]
    dates: list[dt.date] = [c.event.date for c in (stated or dated) if c.event.date is not None]
    kind = most_specific_type(c.event.type for c in (reporting or claims))
    geo = best_geo(claims)
    return incident.model_copy(
        update={
            "type": kind or incident.type,
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
            "geo": geo,
            "location": geo.name if geo is not None else common_location(claims),
            "killed": casualty_range(c.event.killed for c in reporting),
            "injured": casualty_range(c.event.injured for c in reporting),
            "blamed": blame(claims),
            "denied_by": sorted({c.event.source for c in claims if c.event.stance == "denies"}),
            "sources": len({c.document_id for c in claims}),
        }
    )
