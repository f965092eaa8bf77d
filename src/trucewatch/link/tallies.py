"""Tallies contain acts: "seven violations yesterday" and "mortar fire on a village yesterday"
from the same claimant are related as part-of, never merged (link.decision vetoes joining a
tally with an act) and never counted twice (the bulletin counts acts, and a tally only through
its period report).

An act incident is part of a tally incident when one of the tally's claims and one of the act's
claims are told by the same claimant about the same day, and the act lies inside the tally's
area: within the area's radius of its point when the tally names a place, or, when it names
none, when the two claims come from one document (a bulletin that gives the total and then
details an act) or agree on the blamed side. A tally never contains an act of another day or
outside its area. The relation is kept on the tally (`Incident.contains`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trucewatch.link.decision import place_points
from trucewatch.link.rules import haversine_km, is_tally
from trucewatch.models import Claim, GeoPoint, Incident

# how far from a tally's point its area reaches, by the precision of that point
_AREA_KM = {"settlement": 25.0, "district": 40.0, "region": 120.0, "country": 1500.0}


def _norm(text: str | None) -> str | None:
    return text.casefold().strip() if text else None


def _inside(act: GeoPoint, area: GeoPoint) -> bool:
    return haversine_km(act, area) <= _AREA_KM[area.precision]


def covers(tally: Claim, act: Claim) -> bool:
    """Whether a tally claim counts an act claim among its acts."""
    if not is_tally(tally) or is_tally(act):
        return False
    if tally.event.date is None or tally.event.date != act.event.date:
        return False  # never across periods
    if _norm(tally.event.source) != _norm(act.event.source):
        return False
    if tally.geo is not None or tally.event.location:
        if tally.geo is not None and act.geo is not None:
            return _inside(act.geo, tally.geo)
        points = place_points(tally, act)
        return points is not None and points >= 1.0
    if tally.document_id == act.document_id:
        return True
    blamed = _norm(tally.event.actor)
    return blamed is not None and blamed == _norm(act.event.actor)


def _is_tally_incident(incident: Incident) -> bool:
    return bool(incident.claims) and all(is_tally(c) for c in incident.claims)


def relate(touched: Sequence[Incident], others: Iterable[Incident]) -> list[Incident]:
    """`touched` with each tally's `contains` recomputed, plus every other tally incident whose
    `contains` changed because an act of `touched` falls inside it (to be saved too)."""
    by_id = {i.id: i for i in others}
    by_id.update((i.id, i) for i in touched)
    tallies = [i for i in by_id.values() if _is_tally_incident(i)]
    acts = [i for i in by_id.values() if i.claims and not _is_tally_incident(i)]
    touched_ids = {i.id for i in touched}
    out = {i.id: i for i in touched}
    for tally in tallies:
        # pairs of two untouched incidents were related when one of them was last touched
        in_view = acts if tally.id in touched_ids else [a for a in acts if a.id in touched_ids]
        if not in_view and tally.id not in touched_ids:
            continue
        found = {
            act.id for act in in_view if any(covers(t, a) for t in tally.claims for a in act.claims)
        }
        if tally.id in touched_ids:
            # an act no longer in view (another window) stays contained
            kept = {i for i in tally.contains if i not in by_id}
        else:
            kept = {i for i in tally.contains if i not in touched_ids}
        wanted = sorted(kept | found)
        if wanted != tally.contains or tally.id in touched_ids:
            out[tally.id] = tally.model_copy(update={"contains": wanted})
    return list(out.values())
