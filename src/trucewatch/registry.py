"""The registry's ingest job: reports in, documents, claims, period reports and incidents stored.

Per report: its id is the hash of its normalised text, so the same report ingested twice adds
nothing; a near duplicate (the same story re-published with small edits) is stored as a
duplicate of the first and yields no claims of its own; otherwise the extractor reads it, places
are geocoded, and the document, its claims and its period reports are written in ONE
transaction. After a batch, the new claims are linked into incidents together with the stored
incidents of the same days, and each incident is counted against the ceasefire in force.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from trucewatch.dedupe import NearDuplicateIndex, signature
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo.geocoder import Geocoder
from trucewatch.ingest.readers import InputError
from trucewatch.ingest.sources import SourceItem
from trucewatch.link.ceasefires import ceasefire_for
from trucewatch.link.incidents import link
from trucewatch.link.rules import linkable
from trucewatch.link.tallies import relate
from trucewatch.models import Document
from trucewatch.records import (
    OURS,
    Ceasefire,
    Claim,
    Incident,
    PeriodReport,
    StoredDocument,
    document_id,
    origin_of,
)
from trucewatch.sides import Profile, load_profiles
from trucewatch.store.sql import SqlStore
from trucewatch.timelimit import time_limit

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


def ceasefire_id(profile: Profile, name: str) -> str:
    return f"{profile.id}:{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"


def profile_ceasefires(profiles: Sequence[Profile] | None = None) -> list[Ceasefire]:
    """The ceasefires the conflict profiles list, as registry records."""
    out = []
    for profile in profiles if profiles is not None else load_profiles():
        for c in profile.ceasefires:
            out.append(
                Ceasefire(
                    id=ceasefire_id(profile, c.name),
                    name=c.name,
                    parties=list(c.parties),
                    start=c.start,
                    end=c.end,
                    area=c.area,
                    monitor=c.monitor,
                    profile=profile.id,
                )
            )
    return out


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
        """Store every item; `on_item(origin, outcome)` is told of each one as it is done."""
        summary = IngestSummary()
        new_claims: list[Claim] = []
        self.ceasefires = self.store.ceasefires()  # one added meanwhile counts too
        for item in items:
            if isinstance(item, InputError):
                summary.failed.append(str(item))
                outcome, origin = f"failed: {item.reason}", item.origin
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

    def _ingest_one(self, item: SourceItem, summary: IngestSummary, new: list[Claim]) -> str:
        doc = item.document
        doc_id = document_id(doc.text)
        if self.store.has_document(doc_id):
            summary.duplicates += 1
            return "duplicate"
        sig = signature(doc.text)
        first = self.near_duplicates.find(sig)
        stored = StoredDocument(
            id=doc_id,
            text=doc.text,
            published=doc.published,
            url=doc.url,
            outlet=item.outlet,
            title=doc.title,
            origin=doc.origin,
            ingested_at=dt.datetime.now(dt.UTC),
            duplicate_of=first,
        )
        if first is not None:
            if self.store.add_document(stored, item.raw, signature=sig):
                summary.near_duplicates += 1
            return f"near duplicate of {first}"
        with time_limit():  # $TRUCEWATCH_DOC_TIMEOUT: a pathological report fails alone
            reading = self.extractor.read(Document(**{**doc.model_dump(), "id": doc_id}))
        countries = self.geocoder.countries_for(
            side for e in reading.events for side in (e.actor, e.target) if side
        )
        claims = [
            Claim(
                id=Claim.make_id(doc_id, i),
                document_id=doc_id,
                index=i,
                event=event,
                geo=self.geocoder.locate(event.location, countries=countries)
                if event.location
                else None,
            )
            for i, event in enumerate(reading.events)
        ]
        profile = self.extractor.resolver.detect_profile(doc.text)
        periods = [
            PeriodReport(
                id=f"{doc_id}:p{i}",
                document_id=doc_id,
                source=p.source,
                start=p.day,
                end=p.day,
                count=p.count,
                area=p.area,
                evidence=p.evidence.sentence,
                ceasefire_id=self._ceasefire_of(profile, p.day),
            )
            for i, p in enumerate(reading.periods)
        ]
        if not self.store.add_document(stored, item.raw, claims, periods, signature=sig):
            summary.duplicates += 1
            return "duplicate"
        if doc_id not in self.near_duplicates:
            self.near_duplicates.add(doc_id, sig)
        new.extend(claims)
        summary.new += 1
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
