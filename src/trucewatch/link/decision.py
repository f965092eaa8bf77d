"""Linking as a scored decision: how strongly two claims of different reports speak of one act.

`pair_score` adds evidence for and against, field by field, into one number (points, roughly
log-odds); None is a veto, a contradiction no other agreement can outweigh:

- **date** (distance and precision): the same day +2.0 (+1.5 when a date is only inferred from
  when the report was made); a day apart +0.5 (+1.0 inferred); two days apart, only for an
  inferred date, 0; anything further a veto.
- **place** (distance and hierarchy): the same name (spelling variants alike) or points within
  5 km +2.0; within 25 km +1.0; a settlement inside a named district or region (its point
  within that area's radius) +0.5; two settlements further apart than 25 km a veto; two names
  that differ with no point to compare -1.5.
- **sides and direction**: each of actor and target stated alike +0.75; a mirrored pair (each
  side blames the other for one clash: actor and target swapped, each told by its victim) +0.5;
  actor and target swapped otherwise: an answer aimed at a place of its own (a retaliation) is a
  veto, one at the same place or at no stated place ("returned fire") -1.0, one exchange;
  actors both stated and different -2.0, targets -1.0.
- **type and weapon**: the same type +1.0, a generic or interchangeable pair 0, otherwise -1.5;
  the same weapon +0.5, two different ones -0.5.
- **casualties**: the same non-zero toll +1.0, within a factor of two +0.5 (tolls grow as
  bodies are found), none against some, or further apart, -1.0.
- **evidence similarity**: 3 × the token Jaccard of the evidence sentences (near-duplicate
  wording of a relayed statement scores high).

Plus the vetoes of `rules`: two claims of one document (unless one denies the other, or the two
are the mirrored accounts of one clash), a tally
with anything but the same tally, a background or non-violent claim.

A pair joins when its score reaches `THRESHOLD` (calibrated on the tune part of the linking
gold set, docs/linking.md). A claim with no date or no place needs `STRONG` and more: a
placeless pair must be the same day with the same type; an undated pair the same place.
Sides and a region alone can never reach it.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from trucewatch.link.rules import (
    GENERIC_TYPES,
    MAX_KM_APART,
    NEAR_KM,
    haversine_km,
    is_denial_pair,
    is_tally,
    linkable,
    place_tokens,
    similarity,
    tallies_compatible,
    types_compatible,
)
from trucewatch.models import Claim, GeoPoint

THRESHOLD = 0.0
"""Score at which two claims are taken to be one act (tune part of the linking gold set)."""
STRONG = 5.0
"""Score an undated or placeless pair must reach."""

# radius within which a point counts as inside a named area of this precision
_AREA_KM = {"district": 40.0, "region": 120.0, "country": 1500.0}
_SAME_NAME = 0.85  # difflib ratio at which two place names are one spelled two ways


class PairScore(NamedTuple):
    """A pair's score and the facts the strong-evidence rule needs."""

    score: float
    same_day: bool
    same_place: bool
    same_type: bool


def _fold(name: str | None) -> str:
    return " ".join(sorted(place_tokens(name)))


def same_name(a: str | None, b: str | None) -> bool:
    """Two place names that are one place: equal words, or spellings close enough
    ("Kyriat Shmona" and "Kiryat Shmona")."""
    x, y = _fold(a), _fold(b)
    if not x or not y:
        return False
    return x == y or difflib.SequenceMatcher(None, x, y).ratio() >= _SAME_NAME


def _inside(small: GeoPoint, area: GeoPoint) -> bool:
    radius = _AREA_KM.get(area.precision)
    return radius is not None and haversine_km(small, area) <= radius


def place_points(a: Claim, b: Claim) -> float | None:
    """Evidence from the two places; None is a veto; 0.0 when a place is unknown."""
    name_a, name_b = a.event.location, b.event.location
    if same_name(name_a, name_b):
        return 2.0
    ga, gb = a.geo, b.geo
    if ga is not None and gb is not None:
        km = haversine_km(ga, gb)
        if km <= NEAR_KM:
            return 2.0
        if km <= MAX_KM_APART:
            return 1.0
        if _inside(ga, gb) or _inside(gb, ga):
            return 0.5
        if ga.precision == gb.precision == "settlement":
            return None
        return -1.5
    ta, tb = place_tokens(name_a), place_tokens(name_b)
    if ta and tb:
        return 0.5 if ta <= tb or tb <= ta else -1.5
    return 0.0


def date_points(a: Claim, b: Claim) -> float | None:
    x, y = a.event.date, b.event.date
    if x is None or y is None:
        return 0.0
    inferred = any(c.event.date_basis not in (None, "stated") for c in (a, b))
    days = abs((x - y).days)
    if days == 0:
        return 1.5 if inferred else 2.0
    if days == 1:
        return 1.0 if inferred else 0.5
    if days == 2 and inferred:
        return 0.0
    return None


def _norm(side: str | None) -> str | None:
    return side.casefold().strip() if side else None


def is_mirrored(a: Claim, b: Claim) -> bool:
    """Each side blames the other for one clash: actors and targets swapped, and each claim
    told by its own target (the victim's account). A strike and the other side's retaliation
    reported by an outlet, or claimed by the one who fired, are not mirrored."""
    ea, eb = a.event, b.event
    actor_a, target_a = _norm(ea.actor), _norm(ea.target)
    return (
        actor_a is not None
        and target_a is not None
        and actor_a != target_a
        and actor_a == _norm(eb.target)
        and target_a == _norm(eb.actor)
        and _norm(ea.source) == target_a
        and _norm(eb.source) == actor_a
    )


def is_reversed(a: Claim, b: Claim) -> bool:
    """Actor and target swapped (whoever tells it): an act and the other side's act."""
    ea, eb = a.event, b.event
    actor_a, target_a = _norm(ea.actor), _norm(ea.target)
    return (
        actor_a is not None
        and target_a is not None
        and actor_a != target_a
        and actor_a == _norm(eb.target)
        and target_a == _norm(eb.actor)
    )


def side_points(a: Claim, b: Claim) -> float | None:
    ea, eb = a.event, b.event
    actor_a, actor_b = _norm(ea.actor), _norm(eb.actor)
    target_a, target_b = _norm(ea.target), _norm(eb.target)
    if is_denial_pair(a, b):
        return 0.75
    if is_mirrored(a, b):
        return 0.5
    if is_reversed(a, b):
        return None  # decided in pair_score, which knows the places
    points = 0.0
    if actor_a and actor_b:
        points += 0.75 if actor_a == actor_b else -2.0
    if target_a and target_b:
        points += 0.75 if target_a == target_b else -1.0
    return points


def type_points(a: Claim, b: Claim) -> float:
    ea, eb = a.event, b.event
    if ea.type == eb.type:
        points = 1.0
    elif types_compatible(ea.type, eb.type):
        points = 0.0
    else:
        points = -1.5
    if ea.weapon and eb.weapon:
        points += 0.5 if ea.weapon == eb.weapon else -0.5
    return points


def casualty_points(a: Claim, b: Claim) -> float:
    x, y = a.event.killed, b.event.killed
    if x is None or y is None:
        return 0.0
    if x == y:
        return 1.0 if x > 0 else 0.0
    if min(x, y) == 0:
        return -1.0
    return 0.5 if max(x, y) <= 2 * min(x, y) else -1.0


def pair_score(a: Claim, b: Claim) -> PairScore | None:
    """The evidence that two claims tell of one act; None when they cannot."""
    if not (linkable(a) and linkable(b)):
        return None
    if a.document_id == b.document_id and not (is_denial_pair(a, b) or is_mirrored(a, b)):
        return None
    if not tallies_compatible(a, b):
        return None
    if (a.event.stance == "denies") != (b.event.stance == "denies") and not is_denial_pair(a, b):
        return None  # a denial fits only the accusation it denies
    days = date_points(a, b)
    place = place_points(a, b)
    if days is None or place is None:
        return None
    sides = side_points(a, b)
    if sides is None:  # actor and target swapped: the answer to an act
        unplaced = not (a.event.location or a.geo) or not (b.event.location or b.geo)
        if place < 2.0 and not unplaced:
            return None  # aimed at a place of its own: a retaliation, its own incident
        sides = -1.0  # "returned fire" at the same place, or nowhere said: one exchange
    kinds = type_points(a, b)
    total = days + place + sides + kinds + casualty_points(a, b) + 3.0 * similarity(a, b)
    same_type = a.event.type == b.event.type and (
        a.event.type not in GENERIC_TYPES or (is_tally(a) and is_tally(b))  # a tally retold
    )
    return PairScore(total, days >= 1.5, place >= 2.0, same_type)


def joins(pair: PairScore, a: Claim, b: Claim, threshold: float = THRESHOLD) -> bool:
    """Whether a scored pair is one act: the threshold, or for an undated or placeless claim
    the strong-evidence rule."""
    undated = a.event.date is None or b.event.date is None
    placeless = not (a.event.location or a.geo) or not (b.event.location or b.geo)
    if not (undated or placeless):
        return pair.score >= threshold
    need = max(threshold, STRONG)
    if undated and not pair.same_place:
        return False
    if placeless and not (pair.same_day and pair.same_type):
        return False
    return pair.score >= need
