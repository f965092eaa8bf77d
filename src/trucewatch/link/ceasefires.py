"""Which truce an incident is counted against: the one in force on its first day between its
sides."""

from __future__ import annotations

from collections.abc import Sequence

from trucewatch.records import Ceasefire, Incident


def incident_sides(incident: Incident) -> set[str]:
    """Every side the incident involves: blamed actors, claims' actors and targets (case-folded)."""
    sides = {actor for actors in incident.blamed.values() for actor in actors}
    for claim in incident.claims:
        sides.update(s for s in (claim.event.actor, claim.event.target) if s)
    return {s.casefold().strip() for s in sides}


def ceasefire_for(incident: Incident, ceasefires: Sequence[Ceasefire]) -> str | None:
    """Id of the ceasefire in force on the incident's first day whose parties include one of its
    sides, the latest started first (then the smallest id); None if undated or none applies."""
    day = incident.first_date
    if day is None:
        return None
    sides = incident_sides(incident)
    fitting = [
        cf
        for cf in ceasefires
        if cf.in_force(day) and any(p.casefold().strip() in sides for p in cf.parties)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda cf: (-cf.start.toordinal(), cf.id)).id
