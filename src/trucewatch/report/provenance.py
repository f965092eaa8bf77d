"""Where each claim comes from, for every output: its report's URL, outlet, title and day.

    incidents = with_reports(store, incidents)   # each claim's `report` filled

Claims are stored without these (the document holds them once); outputs - `incidents --json`,
the exports and the API - fill them in so a reader can open what an incident rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from trucewatch.models import Incident, ReportRef, StoredDocument


class ReportSource(Protocol):
    def report_refs(self, ids: Iterable[str]) -> dict[str, ReportRef]: ...


def report_ref(document: StoredDocument) -> ReportRef:
    return ReportRef(
        url=document.url,
        outlet=document.outlet,
        title=document.title,
        published=document.published,
    )


def attach_reports(incidents: Sequence[Incident], refs: Mapping[str, ReportRef]) -> list[Incident]:
    """The incidents with each claim's `report` set from `refs` (document id -> ReportRef)."""
    out = []
    for incident in incidents:
        claims = [
            c.model_copy(update={"report": refs[c.document_id]}) if c.document_id in refs else c
            for c in incident.claims
        ]
        out.append(incident.model_copy(update={"claims": claims}))
    return out


def with_reports(store: ReportSource, incidents: Sequence[Incident]) -> list[Incident]:
    """The incidents with each claim's report read from `store` (one query per 500 reports)."""
    refs = store.report_refs(c.document_id for i in incidents for c in i.claims)
    return attach_reports(incidents, refs)
