"""Which truce an incident is counted against: the one in force on its first day between its
sides."""

from __future__ import annotations

import re
from collections.abc import Sequence

from trucewatch.models import Ceasefire, Incident


def incident_sides(incident: Incident) -> set[str]:
    """Every side the incident involves: blamed actors, claims' actors and targets (case-folded)."""
    sides = {actor for actors in incident.blamed.values() for actor in actors}
    for claim in incident.claims:
        sides.update(s for s in (claim.event.actor, claim.event.target) if s)
    return {s.casefold().strip() for s in sides}


_WORD = re.compile(r"[\w-]{4,}")


def _words(text: str | None) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text or "")}


def _incident_words(incident: Incident, sides: set[str]) -> set[str]:
    """Place names of the incident and sides that are regions ("Nagorno-Karabakh"), as words:
    what a ceasefire's area may name."""
    words = set().union(*(_words(s) for s in sides)) if sides else set()
    words |= _words(incident.location) | _words(incident.geo.name if incident.geo else None)
    for claim in incident.claims:
        words |= _words(claim.event.location)
    return words


def _told_by_monitor(incident: Incident, ceasefire: Ceasefire) -> bool:
    monitor = _words(ceasefire.monitor)
    return bool(monitor) and any(_words(c.event.source) & monitor for c in incident.claims)


def ceasefire_for(incident: Incident, ceasefires: Sequence[Ceasefire]) -> str | None:
    """Id of the ceasefire in force on the incident's first day that fits it best: the number
    of its parties among the incident's sides, plus one when its area names a place or side of
    the incident; at least two such points are needed (both sides, or one side and the area),
    so a strike in Gaza is not counted against a Lebanon truce that shares one party. An
    incident that names no side at all (a neutral observer's tally) counts against a ceasefire
    whose monitor told it and whose area names its place. Ties go to the latest started (then
    the smallest id); None if undated or none applies."""
    day = incident.first_date
    if day is None:
        return None
    sides = incident_sides(incident)
    words = _incident_words(incident, sides)
    scored = []
    for cf in ceasefires:
        if not cf.in_force(day):
            continue
        parties = {p.casefold().strip() for p in cf.parties}
        fit = len(parties & sides)
        # a party's own name in the area ("northern Israel") says nothing about the place
        party_words = set().union(*(_words(p) for p in parties)) if parties else set()
        area = 1 if _words(cf.area) & (words - party_words) else 0
        if fit >= 1 and fit + area >= 2:
            scored.append((fit + area, cf.start.toordinal(), cf.id))
        elif not sides and area and _told_by_monitor(incident, cf):
            scored.append((2, cf.start.toordinal(), cf.id))
    if not scored:
        return None
    best = max(scored, key=lambda t: (t[0], t[1]))
    return min(t[2] for t in scored if (t[0], t[1]) == (best[0], best[1]))
