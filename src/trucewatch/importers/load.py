"""Writing reference rows to the store, and telling reference incidents from ours.

Each row of a reference dataset becomes one StoredDocument (id "<origin>:<row id>", origin
"acled"/"ucdp", the CSV row as its raw bytes), one Claim and, for a violent type, one Incident
with that single claim, id "<origin>:<row id>". Non-violent rows (ACLED agreements) keep their
document and claim but get no incident, as our own linker does with non-violent claims.

The store writes a document with its claims in one transaction and incidents in another; a
crash between the two leaves a document without its incident, which the next import of the same
file repairs (the row is "already present", its missing incident is saved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from trucewatch.importers.csvfile import BadRow, CsvRow, FileError
from trucewatch.link.summary import summarise
from trucewatch.models import (
    VIOLENT_TYPES,
    CasualtyRange,
    Claim,
    Event,
    GeoPoint,
    Incident,
    StoredDocument,
)
from trucewatch.store.base import IncidentStore, StoreError


@dataclass(frozen=True)
class Reference:
    """One reference row, ready to store."""

    document: StoredDocument
    raw: bytes
    claim: Claim
    killed: CasualtyRange | None = None  # the dataset's own low/best/high, when it gives one
    last_date: dt.date | None = None  # when the event spans days

    @classmethod
    def of_row(
        cls,
        row: CsvRow,
        *,
        doc_id: str,
        origin: str,
        outlet: str,
        title: str,
        event: Event,
        geo: GeoPoint | None,
        now: dt.datetime,
        published: dt.date | None = None,
        killed: CasualtyRange | None = None,
        last_date: dt.date | None = None,
    ) -> Reference:
        """One row's document (text: the claim's evidence sentence; raw bytes: the CSV row)
        and its single claim."""
        document = StoredDocument(
            id=doc_id,
            text=event.evidence[0].sentence,
            published=published,
            outlet=outlet,
            title=title,
            language="en",
            origin=origin,
            ingested_at=now,
        )
        claim = Claim(
            id=Claim.make_id(doc_id, 0), document_id=doc_id, index=0, event=event, geo=geo
        )
        return cls(document=document, raw=row.raw, claim=claim, killed=killed, last_date=last_date)

    def incident(self) -> Incident | None:
        """The row's incident, None for a non-violent type (its claim stays unlinked)."""
        if self.claim.event.type not in VIOLENT_TYPES:
            return None
        claim = self.claim.model_copy(update={"incident_id": self.document.id})
        incident = summarise(Incident(id=self.document.id, type=claim.event.type, claims=[claim]))
        update: dict[str, object] = {}
        if self.killed is not None:
            update["killed"] = self.killed
        if self.last_date is not None and incident.first_date is not None:
            update["last_date"] = max(self.last_date, incident.first_date)
        return incident.model_copy(update=update) if update else incident


@dataclass
class ImportSummary:
    new: int = 0
    present: int = 0
    skipped: int = 0
    bad: list[str] = field(default_factory=list)  # "FILE:LINE: reason"

    def line(self) -> str:
        return (
            f"{self.new} new, {self.present} already present, {self.skipped} skipped "
            f"(not violations), {len(self.bad)} bad rows"
        )


Parser = Callable[[CsvRow, dt.datetime], Reference | None]


def import_rows(
    store: IncidentStore,
    path: Path,
    rows: Iterable[CsvRow],
    parse: Parser,
    *,
    on_bad: Callable[[str], None] = lambda _message: None,
) -> ImportSummary:
    """Store every row `parse` accepts (None: a row skipped on purpose); bad rows are reported
    as "FILE:LINE: reason" through `on_bad` and in the summary, and the import goes on."""
    summary = ImportSummary()
    now = dt.datetime.now(dt.UTC)

    def bad(line: int, reason: str) -> None:
        message = f"{path}:{line}: {reason}" if line else f"{path}: {reason}"
        summary.bad.append(message)
        on_bad(message)

    try:
        for row in rows:
            if row.problem is not None:
                bad(row.line, row.problem)
                continue
            try:
                reference = parse(row, now)
                if reference is None:
                    summary.skipped += 1
                elif _store(store, reference):
                    summary.new += 1
                else:
                    summary.present += 1
            except (BadRow, StoreError) as error:
                bad(row.line, str(error))
    except FileError as error:
        bad(error.line, error.reason)
    return summary


def _store(store: IncidentStore, reference: Reference) -> bool:
    """Store one reference row; False when it was already stored (its incident repaired if a
    crash left it out)."""
    incident = reference.incident()
    if store.add_document(reference.document, reference.raw, [reference.claim]):
        if incident is not None:
            store.save_incidents([incident])
        return True
    if incident is not None and store.get_incident(incident.id) is None:
        stored = store.claims(document_id=reference.document.id)
        if stored and all(c.incident_id is None for c in stored):
            repaired = replace(reference, claim=stored[0]).incident()
            if repaired is not None:
                store.save_incidents([repaired])
    return False
