"""Whether two claims of different reports may describe the same real-world incident.

A pair is compatible when nothing they state contradicts: both are current violations, their days
are at most one apart (an unknown day fits any), their places agree by name or lie within 25 km
(an unknown place fits any), their sides agree (an unknown side fits any; a denial fits only the
assertion it denies: same actor), and their types agree (equal, a generic type fits any, firing
fits shelling). Counts and tolls never block. Two claims of one document are never the same
incident unless one denies the other: the extractor has already folded what one document says
twice, so what is left apart in one document is apart in the world.

`score` ranks compatible pairs: whole points for every stated field two claims share, and the
similarity of their evidence sentences as a tie-breaker only (it is compared second).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

from trucewatch.models import VIOLENT_TYPES, Claim, GeoPoint

MAX_DAYS_APART = 1
MAX_KM_APART = 25.0
NEAR_KM = 5.0
GENERIC_TYPES = frozenset({"ceasefire_violation", "armed_clash"})
_INTERCHANGEABLE = frozenset({"firing", "shelling"})
_EARTH_RADIUS_KM = 6371.0088
_WORD = re.compile(r"\w+")


class Score(NamedTuple):
    """How well two claims agree: compared by `agreement` first, `similarity` breaks ties."""

    agreement: float
    similarity: float


def linkable(claim: Claim) -> bool:
    """A claim that may belong to an incident: a violation told as current, not background."""
    return claim.event.type in VIOLENT_TYPES and not claim.event.historical


def place_tokens(name: str | None) -> frozenset[str]:
    """The words of a place name, normalised (NFKC, case-folded, punctuation dropped)."""
    if not name:
        return frozenset()
    return frozenset(_WORD.findall(unicodedata.normalize("NFKC", name).casefold()))


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance between two points in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _side(name: str | None) -> str | None:
    return name.casefold().strip() if name else None


def _sides_agree(a: str | None, b: str | None) -> bool:
    x, y = _side(a), _side(b)
    return x is None or y is None or x == y


def types_compatible(a: str, b: str) -> bool:
    """Equal types, a generic type with any, or firing with shelling."""
    return a == b or a in GENERIC_TYPES or b in GENERIC_TYPES or {a, b} == _INTERCHANGEABLE


def is_denial_pair(a: Claim, b: Claim) -> bool:
    """One claim denies what the other asserts: same (stated) actor, compatible types."""
    stances = {a.event.stance, b.event.stance}
    if stances != {"denies", "asserts"}:
        return False
    actor = _side(a.event.actor)
    return actor is not None and actor == _side(b.event.actor)


def dates_compatible(a: Claim, b: Claim) -> bool:
    """Dated claims at most a day apart; a date only inferred from when the report was made
    (statement or publication day, DESIGN's date_basis) may lag the act by another day."""
    x, y = a.event.date, b.event.date
    if x is None or y is None:
        return True
    inferred = any(c.event.date_basis not in (None, "stated") for c in (a, b))
    return abs((x - y).days) <= MAX_DAYS_APART + (1 if inferred else 0)


def _place_points(a: Claim, b: Claim) -> int | None:
    """Agreement of two places: 2 same name or within 5 km, 1 one name within the other or within
    25 km, 0 apart; None when the two cannot be compared (one place unknown)."""
    points: list[int] = []
    ta, tb = place_tokens(a.event.location), place_tokens(b.event.location)
    if ta and tb:
        points.append(2 if ta == tb else 1 if ta <= tb or tb <= ta else 0)
    if a.geo is not None and b.geo is not None:
        km = haversine_km(a.geo, b.geo)
        points.append(2 if km <= NEAR_KM else 1 if km <= MAX_KM_APART else 0)
    return max(points) if points else None


def places_compatible(a: Claim, b: Claim) -> bool:
    points = _place_points(a, b)
    return points is None or points > 0


def sides_compatible(a: Claim, b: Claim) -> bool:
    if (a.event.stance == "denies") != (b.event.stance == "denies"):
        if not is_denial_pair(a, b):
            return False
    return _sides_agree(a.event.actor, b.event.actor) and _sides_agree(
        a.event.target, b.event.target
    )


def compatible(a: Claim, b: Claim) -> bool:
    """Whether two claims may describe the same incident (symmetric; a claim fits itself)."""
    if a.id == b.id:
        return True
    if not (linkable(a) and linkable(b)):
        return False
    if a.document_id == b.document_id and not is_denial_pair(a, b):
        return False
    return (
        types_compatible(a.event.type, b.event.type)
        and tallies_compatible(a, b)
        and dates_compatible(a, b)
        and places_compatible(a, b)
        and sides_compatible(a, b)
    )


def is_tally(claim: Claim) -> bool:
    """'violated the ceasefire seven times': an aggregate of several acts, not one act."""
    return claim.event.type == "ceasefire_violation" and (claim.event.count or 0) > 1


def tallies_compatible(a: Claim, b: Claim) -> bool:
    """A tally is one incident only with the same tally retold (same count) or its denial;
    it never absorbs a single act, nor another day's different tally."""
    if not (is_tally(a) or is_tally(b)):
        return True
    return is_tally(a) and is_tally(b) and a.event.count == b.event.count


def _tokens(claim: Claim) -> frozenset[str]:
    text = " ".join(e.sentence for e in claim.event.evidence)
    return frozenset(w for w in _WORD.findall(text.casefold()) if len(w) > 2)


def similarity(a: Claim, b: Claim) -> float:
    """Token Jaccard of the two claims' evidence sentences (0 when either has none)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _same(x: object, y: object) -> int:
    return int(x is not None and x == y)


def agreement(a: Claim, b: Claim) -> int:
    """Whole points for what two claims state alike: day (2 same, 1 a day apart), place (2, 1),
    actor, target, type, weapon, count, killed, injured (1 each)."""
    ea, eb = a.event, b.event
    points = 0
    if ea.date is not None and eb.date is not None:
        points += max(0, 2 - abs((ea.date - eb.date).days))
    points += _place_points(a, b) or 0
    points += _same(_side(ea.actor), _side(eb.actor)) + _same(_side(ea.target), _side(eb.target))
    points += _same(ea.type, eb.type) + _same(ea.weapon, eb.weapon)
    points += _same(ea.count, eb.count) + _same(ea.killed, eb.killed)
    return points + _same(ea.injured, eb.injured)


def score(a: Claim, b: Claim) -> Score:
    """How well two (compatible) claims agree; larger is better, compared as a tuple."""
    return Score(float(agreement(a, b)), similarity(a, b))
