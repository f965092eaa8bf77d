"""The registry's ingest job: reports in, documents, claims, period reports and incidents stored.

Per report: its id is the hash of its normalised text, so the same report ingested twice adds
nothing; a near duplicate (the same story re-published with small edits) is stored as a
duplicate of the first and yields no claims of its own; otherwise it is read (`registry.read`:
claims extracted, places geocoded) and the document, its claims and its period reports are
written in ONE transaction. After a batch, the new claims are linked into incidents together
with the stored incidents of the same days, and each incident is counted against the ceasefire
in force. `ingest` reads each report itself; `store_and_link` takes readings made elsewhere.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from trucewatch.extract.pipeline import Extractor
from trucewatch.extract.timelimit import time_limit
from trucewatch.geo.geocoder import Geocoder
from trucewatch.ingest.dedupe import NearDuplicateIndex, signature
from trucewatch.ingest.readers import InputError
from trucewatch.ingest.sources import SourceItem
from trucewatch.link.ceasefires import ceasefire_for
from trucewatch.link.incidents import link
from trucewatch.link.rules import linkable
from trucewatch.link.tallies import relate
from trucewatch.models import OURS, Claim, Incident, document_id, origin_of
from trucewatch.registry.ceasefires import profile_ceasefires
from trucewatch.registry.read import Reading, read, stored_document
from trucewatch.sides import Profile
from trucewatch.store.sql import SqlStore

_log = logging.getLogger(__name__)

LINK_WINDOW = dt.timedelta(days=2)  # stored incidents this close to new claims are candidates
# estimated Jaccard of 5-word shingles above which a report is a re-publication of a stored one
NEAR_DUPLICATE_THRESHOLD = 0.7
_CLOCK_SLACK = dt.timedelta(seconds=5)  # re-read a little before the last read: commits race it


@dataclass
class IngestSummary:
    new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    failed: list[str] = field(default_factory=list)
    claims: int = 0
    incidents: int = 0
    read: int = 0  # reports this registry read (extracted) itself; none for store_and_link
    not_extracted: list[str] = field(default_factory=list)  # "origin (language)", stored unread
    warnings: list[str] = field(default_factory=list)
    """"origin: what the extraction left out or doubted" (caps on hostile text, implausible
    figures dropped); also logged as warnings."""


class Registry:
    """Ingests reports into a store; one instance per store, reusable across batches."""

    def __init__(
        self,
        store: SqlStore,
        extractor: Extractor | None = None,
        geocoder: Geocoder | None = None,
    ) -> None:
        self.store = store
        self._extractor = extractor
        self._geocoder = geocoder
        self._near: NearDuplicateIndex | None = None
        self._near_read_at: dt.datetime | None = None
        for ceasefire in profile_ceasefires():
            store.add_ceasefire(ceasefire)
        self.ceasefires = store.ceasefires()

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = Extractor()
        return self._extractor

    @property
    def geocoder(self) -> Geocoder:
        if self._geocoder is None:
            self._geocoder = Geocoder()
        return self._geocoder

    @property
    def near_duplicates(self) -> NearDuplicateIndex:
        """The near-duplicate index, brought up to date with what other processes stored since
        it was last read (two ingests may run at once on one registry)."""
        if self._near is None:
            self._near = NearDuplicateIndex(threshold=NEAR_DUPLICATE_THRESHOLD)
        since = self._near_read_at - _CLOCK_SLACK if self._near_read_at else None
        self._near_read_at = dt.datetime.now(dt.UTC)
        for doc_id, sig in self.store.signatures(since=since):
            if doc_id not in self._near:
                self._near.add(doc_id, sig)
        return self._near

    def ingest(
        self,
        items: Iterable[SourceItem | InputError],
        on_item: Callable[[str, str], None] | None = None,
    ) -> IngestSummary:
        """Read and store every item, then link the new claims; `on_item(origin, outcome)` is
        told of each one as it is done. A report already stored, or a near duplicate of one,
        is not read at all."""
        return self._run(items, on_item)

    def store_and_link(
        self,
        readings: Iterable[Reading | InputError],
        on_item: Callable[[str, str], None] | None = None,
    ) -> IngestSummary:
        """Store readings made beforehand by `read` (by batch workers, say), then link the new
        claims; the same outcomes as `ingest`, without reading any report again."""
        return self._run(readings, on_item)

    def _run(
        self,
        items: Iterable[SourceItem | Reading | InputError],
        on_item: Callable[[str, str], None] | None,
    ) -> IngestSummary:
        summary = IngestSummary()
        new_claims: list[Claim] = []
        self.ceasefires = self.store.ceasefires()  # one added meanwhile counts too
        for item in items:
            if isinstance(item, InputError):
                summary.failed.append(str(item))
                outcome, origin = f"failed: {item.reason}", item.origin
            else:
                if isinstance(item, Reading):
                    origin = item.origin
                else:
                    origin = item.document.origin or item.document.id
                try:
                    outcome = self._ingest_one(item, summary, new_claims)
                except Exception as exc:  # noqa: BLE001 - one bad report must not stop a batch
                    summary.failed.append(f"{origin}: {type(exc).__name__}: {exc}")
                    outcome = f"failed: {exc}"
            if on_item is not None:
                on_item(origin, outcome)
        summary.claims = len(new_claims)
        summary.incidents = self.relink(new_claims)
        return summary

    def _ingest_one(
        self, item: SourceItem | Reading, summary: IngestSummary, new: list[Claim]
    ) -> str:
        if isinstance(item, Reading):
            doc_id, text, raw = item.document.id, item.document.text, item.raw
        else:
            doc_id, text, raw = document_id(item.document.text), item.document.text, item.raw
        if self.store.has_document(doc_id):
            summary.duplicates += 1
            return "duplicate"
        sig = item.signature if isinstance(item, Reading) else signature(text)
        first = self.near_duplicates.find(sig)
        if first is not None:
            if isinstance(item, Reading):
                stored = item.document.model_copy(
                    update={"duplicate_of": first, "ingested_at": dt.datetime.now(dt.UTC)}
                )
            else:
                stored = stored_document(item, duplicate_of=first)
            if self.store.add_document(stored, raw, signature=sig):
                summary.near_duplicates += 1
            return f"near duplicate of {first}"
        if isinstance(item, Reading):
            reading = item
        else:
            with time_limit():  # $TRUCEWATCH_DOC_TIMEOUT: a pathological report fails alone
                reading = read(item, self.extractor, self.geocoder)
            summary.read += 1
        stored = reading.document.model_copy(update={"ingested_at": dt.datetime.now(dt.UTC)})
        for warning in reading.warnings:
            summary.warnings.append(f"{reading.origin}: {warning}")
            _log.warning("%s: %s", reading.origin, warning)
        periods = [
            p.model_copy(update={"ceasefire_id": self._ceasefire_of(reading.profile, p.start)})
            for p in reading.periods
        ]
        claims = reading.claims
        if not self.store.add_document(stored, raw, claims, periods, signature=sig):
            summary.duplicates += 1
            return "duplicate"
        if doc_id not in self.near_duplicates:
            self.near_duplicates.add(doc_id, sig)
        new.extend(claims)
        summary.new += 1
        if not reading.extracted:
            language = reading.document.language
            summary.not_extracted.append(f"{reading.origin} ({language})")
            return f"new: not extracted, no pipeline for language {language!r}"
        return f"new: {len(claims)} claim(s)"

    def _ceasefire_of(self, profile: Profile | None, day: dt.date | None) -> str | None:
        """An aggregate statement counts against a ceasefire of the report's conflict in force
        on its day: the profile's own or one added by hand between the profile's parties, the
        latest started."""
        if profile is None or day is None:
            return None
        sides = set(profile.sides)
        in_force = [
            c
            for c in self.ceasefires
            if c.in_force(day)
            and (
                c.profile == profile.id or (c.profile is None and len(sides & set(c.parties)) >= 2)
            )
        ]
        return max(in_force, key=lambda c: (c.start, c.id)).id if in_force else None

    def relink(self, claims: Sequence[Claim] = (), *, attempts: int = 3) -> int:
        """Link `claims` and every stored claim still without an incident (those of a batch
        that was interrupted before it linked) with the stored incidents of their days;
        returns the number of incidents touched. When someone changed a candidate incident
        between the read and the save (an analyst, another ingest), the save skips it and
        linking starts again from a fresh read, up to `attempts` times; what is still left
        unlinked then is linked by the next relink."""
        self.ceasefires = self.store.ceasefires()  # one added meanwhile counts too
        touched = 0
        for attempt in range(attempts):
            # a retry reads the store afresh: the batch's claims are stored, unlinked or not
            saved, stale = self._link_once(claims if attempt == 0 else ())
            touched += saved
            if not stale:
                break
        return touched

    def recompute(self, since: dt.date | None = None) -> tuple[int, int]:
        """Link again, with the current rules, the incidents no analyst touched (first day on or
        after `since`, or all; undated ones only without `since`): they are dissolved and their
        claims linked afresh, against every incident kept. An incident an analyst reviewed
        (accepted, rejected, edited: any override) or reshaped (a merge or split left a review)
        is kept as it is, claims and all. Returns (incidents dissolved, incidents touched)."""
        found = self.store.incidents(since=since, include_historical=True, include_rejected=True)
        loose = [
            i
            for i in found
            if origin_of(i) == OURS
            and i.status == "unreviewed"
            and not i.overrides
            and not self.store.reviews(i.id)
        ]
        claims = [c.model_copy(update={"incident_id": None}) for i in loose for c in i.claims]
        self.store.save_incidents([i.model_copy(update={"claims": []}) for i in loose])
        return len(loose), self.relink(claims)

    def _link_once(self, claims: Sequence[Claim]) -> tuple[int, list[str]]:
        # the batch's claims, and linkable claims an earlier batch left without an incident
        # (read off a partial index: normally none, whatever the registry's size)
        pending = {c.id: c for c in self.store.orphan_claims()}
        pending.update({c.id: c for c in claims if linkable(c)})
        if not pending:
            return 0, []
        todo = list(pending.values())
        existing = [i for i in self._candidates(todo) if origin_of(i) == OURS]
        incidents = link(todo, existing)  # never into imported reference data
        incidents = relate(incidents, existing)  # tallies and the acts they count
        incidents = [  # an analyst's ceasefire (an override) stands
            i.model_copy(update={"ceasefire_id": ceasefire_for(i, self.ceasefires)})
            for i in incidents
        ]
        incidents = [i.with_overrides() for i in incidents]
        stale = self.store.save_incidents(incidents, linking=True)
        return len(incidents) - len(stale), stale

    def _candidates(self, claims: Sequence[Claim]) -> list[Incident]:
        """Stored incidents new claims may join (store.candidates): for a dated claim with a
        point, those within two days and near it; with no point (it joins only on the same day,
        link.decision), those within a day; for an undated claim, undated ones at its place."""
        windows = []
        for c in claims:
            if c.event.date is None:
                continue
            box = (c.geo.lat, c.geo.lon, c.geo.precision) if c.geo is not None else None
            reach = LINK_WINDOW if box is not None else dt.timedelta(days=1)
            windows.append((_shift(c.event.date, -reach), _shift(c.event.date, reach), box))
        points = [
            (c.geo.lat, c.geo.lon) for c in claims if c.event.date is None and c.geo is not None
        ]
        return self.store.link_candidates(windows, points)


def _shift(day: dt.date, delta: dt.timedelta) -> dt.date:
    """`day + delta`, held within the calendar (a report dated 0001-01-01 must not crash)."""
    try:
        return day + delta
    except OverflowError:
        return dt.date.min if delta < dt.timedelta(0) else dt.date.max
