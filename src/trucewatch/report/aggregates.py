"""Aggregates of incidents: violations per day per claimed perpetrator, who blames whom (the
web dashboard and the API draw them).

They read incident summaries only (`blamed`, `denied_by`, dates), never the claims, so they stay
cheap on a large registry. An incident blamed on two sides counts once for each (as in the
bulletin); one nobody blames counts as "unattributed".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, PrivateAttr

from trucewatch.report.describe import UNATTRIBUTED


@dataclass(frozen=True)
class DayCount:
    """How many violations one group is claimed to have committed on one day."""

    day: dt.date
    group: str  # claimed perpetrator ("unattributed" etc.)
    count: int


class Summarised(Protocol):
    """An incident or an incident summary: what the aggregates read."""

    @property
    def first_date(self) -> dt.date | None: ...

    @property
    def blamed(self) -> Mapping[str, Sequence[str]]: ...

    @property
    def denied_by(self) -> Sequence[str]: ...


def blamed_sides(incident: Summarised) -> list[str]:
    sides = sorted({side for sides in incident.blamed.values() for side in sides})
    return sides or [UNATTRIBUTED]


def day_counts(incidents: Iterable[Summarised]) -> list[DayCount]:
    """Incidents per first day per claimed perpetrator (undated incidents are left out)."""
    counts: Counter[tuple[dt.date, str]] = Counter()
    for incident in incidents:
        if incident.first_date is None:
            continue
        for side in blamed_sides(incident):
            counts[(incident.first_date, side)] += 1
    return [DayCount(day=day, group=group, count=n) for (day, group), n in sorted(counts.items())]


class BlameCell(BaseModel):
    claimant: str
    blamed: str
    incidents: int


class BlameMatrix(BaseModel):
    """Claimant × blamed side: how many incidents the claimant blames on that side, and how
    many incidents each side denies."""

    claimants: list[str]
    sides: list[str]
    cells: list[BlameCell]
    denials: dict[str, int]
    _index: dict[tuple[str, str], int] | None = PrivateAttr(default=None)

    def count(self, claimant: str, side: str) -> int:
        if self._index is None:
            self._index = {(c.claimant, c.blamed): c.incidents for c in self.cells}
        return self._index.get((claimant, side), 0)


def blame_matrix(incidents: Sequence[Summarised]) -> BlameMatrix:
    pairs: Counter[tuple[str, str]] = Counter()
    denials: Counter[str] = Counter()
    for incident in incidents:
        for claimant, sides in incident.blamed.items():
            for side in sides:
                pairs[(claimant, side)] += 1
        denials.update(set(incident.denied_by))
    claimants = sorted({c for c, _ in pairs})
    sides = sorted({s for _, s in pairs})
    cells = [BlameCell(claimant=c, blamed=s, incidents=n) for (c, s), n in sorted(pairs.items())]
    return BlameMatrix(claimants=claimants, sides=sides, cells=cells, denials=dict(denials))
