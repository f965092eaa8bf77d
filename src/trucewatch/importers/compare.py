"""Our incidents against a reference dataset's for the same period.

Two incidents match when their days are at most `max_days` apart (their [first, last] date
intervals, compared by the gap between them), their points at most `max_km` apart (without a
point on either side: the same place name), and their types are of one family
(`same_family`). Each incident matches at most one of the other side: candidate pairs are taken
closest first (fewest days apart, then fewest km, then ids), greedily. An undated incident
matches nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from trucewatch.link.rules import haversine_km, place_tokens, types_compatible
from trucewatch.models import Incident

# the ACLED event type our types fall under (as the export maps them)
FAMILIES: dict[str, str] = {
    "armed_clash": "battle",
    "firing": "battle",
    "intrusion": "battle",
    "shelling": "remote",
    "drone_strike": "remote",
    "explosive": "remote",
    "attack_on_civilians": "civilians",
    "territory_seizure": "territory",
    "shoot_down": "air_defence",
}


def same_family(a: str, b: str) -> bool:
    """Types that may describe one event: one family, a generic type (ceasefire_violation,
    armed_clash) with any, or firing with shelling (as the linker allows)."""
    family = FAMILIES.get(a)
    return types_compatible(a, b) or (family is not None and family == FAMILIES.get(b))


def days_apart(a: Incident, b: Incident) -> int | None:
    """Days between the two incidents' date intervals (0 when they overlap); None if undated."""
    if a.first_date is None or b.first_date is None:
        return None
    a_last, b_last = a.last_date or a.first_date, b.last_date or b.first_date
    gap: dt.timedelta = max(a.first_date - b_last, b.first_date - a_last, dt.timedelta(0))
    return gap.days


def km_apart(a: Incident, b: Incident) -> float | None:
    """Kilometres between the two points; 0 for the same place name without points; None when
    they cannot be compared."""
    if a.geo is not None and b.geo is not None:
        return haversine_km(a.geo, b.geo)
    if a.geo is None and b.geo is None:
        names = place_tokens(a.location), place_tokens(b.location)
        if names[0] and names[0] == names[1]:
            return 0.0
    return None


def _days(incident: Incident, margin: int = 0) -> list[dt.date]:
    """The days of an incident's interval, widened by `margin` days each way."""
    if incident.first_date is None:
        return []
    first = incident.first_date - dt.timedelta(days=margin)
    last = (incident.last_date or incident.first_date) + dt.timedelta(days=margin)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Match:
    ours: Incident
    theirs: Incident
    days: int
    km: float


@dataclass(frozen=True)
class Comparison:
    matched: list[Match]
    ours_only: list[Incident]
    theirs_only: list[Incident]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "matched": len(self.matched),
            "ours_only": len(self.ours_only),
            "theirs_only": len(self.theirs_only),
        }


def compare(
    ours: Sequence[Incident],
    theirs: Sequence[Incident],
    *,
    max_days: int = 1,
    max_km: float = 25.0,
) -> Comparison:
    """Pair our incidents with theirs (see the module docstring); the rest is one-sided."""
    by_day: dict[dt.date, list[int]] = {}
    for j, b in enumerate(theirs):
        for day in _days(b):
            by_day.setdefault(day, []).append(j)
    candidates: list[tuple[int, float, str, str, int, int]] = []
    for i, a in enumerate(ours):
        near = sorted({j for day in _days(a, max_days) for j in by_day.get(day, ())})
        for j in near:
            b = theirs[j]
            days = days_apart(a, b)
            if days is None or days > max_days or not same_family(a.type, b.type):
                continue
            km = km_apart(a, b)
            if km is None or km > max_km:
                continue
            candidates.append((days, km, a.id, b.id, i, j))
    candidates.sort()
    used_ours: set[int] = set()
    used_theirs: set[int] = set()
    matched: list[Match] = []
    for days, km, _, _, i, j in candidates:
        if i in used_ours or j in used_theirs:
            continue
        used_ours.add(i)
        used_theirs.add(j)
        matched.append(Match(ours[i], theirs[j], days, km))
    matched.sort(key=lambda m: (m.ours.first_date or dt.date.max, m.ours.id))
    return Comparison(
        matched=matched,
        ours_only=[a for i, a in enumerate(ours) if i not in used_ours],
        theirs_only=[b for j, b in enumerate(theirs) if j not in used_theirs],
    )
