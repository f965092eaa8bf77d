"""The bulletin of one day, read from a store (the CLI's `bulletin` and the web app's)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from trucewatch.models import OURS, Ceasefire, Incident, origin_of
from trucewatch.report.bulletin import Bulletin, build_bulletin
from trucewatch.store.queries import IncidentQuery
from trucewatch.store.sql import SqlStore

_DAY = dt.timedelta(days=1)


def ours(incidents: list[Incident]) -> list[Incident]:
    """Bulletins count our incidents; imported reference data is for comparison only."""
    return [i for i in incidents if origin_of(i) == OURS]


def busiest_day(store: SqlStore, ceasefire_id: str | None = None) -> dt.date | None:
    """The day most of our incidents started on (the latest such day on a tie)."""
    days = Counter(
        i.first_date
        for i in ours(store.incidents(ceasefire_id=ceasefire_id))
        if i.first_date is not None
    )
    if not days:
        return None
    return max(days, key=lambda d: (days[d], d))


def daily_bulletin(store: SqlStore, day: dt.date, ceasefire: Ceasefire | None = None) -> Bulletin:
    """The bulletin of `day` (of one ceasefire, or of all incidents). ValueError for the first
    day of the calendar (it has no day before)."""
    if day <= dt.date.min:
        raise ValueError(f"no bulletin for {day}: the calendar has no day before it")
    cid = ceasefire.id if ceasefire else None
    today = ours(store.incidents(since=day, until=day, ceasefire_id=cid))
    before = ours(store.incidents(since=day - _DAY, until=day - _DAY, ceasefire_id=cid))
    # who blamed whom before: pairs read inside the database, not every earlier incident
    earlier = store.blame_pairs(IncidentQuery(until=day - _DAY, ceasefire_id=cid))
    periods = store.period_reports(since=day, until=day, ceasefire_id=cid)
    doc_ids = {c.document_id for i in today for c in i.claims} | {p.document_id for p in periods}
    documents = {d: doc for d in doc_ids if (doc := store.get_document(d)) is not None}
    return build_bulletin(
        day,
        today,
        periods,
        previous_day=before,
        earlier_pairs=earlier,
        ceasefire=ceasefire,
        documents=documents,
    )
