"""The repository interface every store backend implements, and its error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from trucewatch.models import (
    Ceasefire,
    Claim,
    Incident,
    PeriodReport,
    ReportRef,
    Review,
    StoredDocument,
)


class StoreError(Exception):
    """The store cannot be opened, or a write breaks the registry's rules; nothing was written."""


class StaleVersionError(StoreError):
    """An edit was made against a version of an incident that is no longer the stored one
    (someone else changed it meanwhile, or it is gone); nothing was written.

    `stored_version` is the version now stored (None: the incident no longer exists),
    `expected_version` the one the edit was made against."""

    def __init__(self, incident_id: str, stored_version: int | None, expected_version: int) -> None:
        self.incident_id = incident_id
        self.stored_version = stored_version
        self.expected_version = expected_version
        if stored_version is None:
            message = (
                f"incident {incident_id} was removed by someone else (you edited version "
                f"{expected_version}): reload and edit again"
            )
        else:
            message = (
                f"incident {incident_id} was changed by someone else (version {stored_version}, "
                f"you edited version {expected_version}): reload and edit again"
            )
        super().__init__(message)


@runtime_checkable
class IncidentStore(Protocol):
    """Documents, their claims and period reports, incidents, ceasefires and reviews."""

    def add_document(
        self,
        doc: StoredDocument,
        raw: bytes,
        claims: Sequence[Claim] = (),
        period_reports: Sequence[PeriodReport] = (),
        signature: bytes | None = None,
    ) -> bool: ...

    def has_document(self, id: str) -> bool: ...

    def get_document(self, id: str) -> StoredDocument | None: ...

    def report_refs(self, ids: Iterable[str]) -> dict[str, ReportRef]: ...

    def raw_bytes(self, id: str) -> bytes | None: ...

    def documents(self, limit: int | None = None) -> list[StoredDocument]: ...

    def signatures(self, since: dt.datetime | None = None) -> Iterator[tuple[str, bytes]]: ...

    def claims(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        unlinked: bool = False,
        document_id: str | None = None,
    ) -> list[Claim]: ...

    def save_incidents(
        self, incidents: Sequence[Incident], *, linking: bool = False
    ) -> list[str]: ...

    def incidents(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        ceasefire_id: str | None = None,
        side: str | None = None,
        type: str | None = None,
        include_historical: bool = False,
    ) -> list[Incident]: ...

    def get_incident(self, id: str) -> Incident | None: ...

    def add_ceasefire(self, c: Ceasefire) -> bool: ...

    def ceasefires(self) -> list[Ceasefire]: ...

    def period_reports(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        ceasefire_id: str | None = None,
    ) -> list[PeriodReport]: ...

    def set_period_ceasefire(self, report_id: str, ceasefire_id: str | None) -> bool: ...

    def search(self, query: str, limit: int = 20) -> list[str]: ...

    def add_review(self, r: Review) -> int: ...

    def update_incident(
        self, incident: Incident, *, expected_version: int, review: Review
    ) -> Incident: ...

    def reviews(self, incident_id: str) -> list[Review]: ...

    def counts(self) -> dict[str, int]: ...

    def integrity_check(self) -> bool: ...

    def close(self) -> None: ...
