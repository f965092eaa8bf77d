"""Reading one report, the pure step of ingest: a source item in, a `Reading` out.

    reading = read(item, extractor, geocoder)

The reading holds everything the registry stores for a new report - the document, its claims
with their places geocoded, its period reports and the conflict profile its text belongs to -
computed without a store, so batch workers can read in parallel and hand readings to
`Registry.store_and_link`. Which ceasefire a period report counts against depends on the
ceasefires in the registry, so it is left for the store step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trucewatch.extract.languages.dispatch import document_language
from trucewatch.ingest.dedupe import signature
from trucewatch.models import Claim, Document, PeriodReport, StoredDocument, document_id

if TYPE_CHECKING:
    from trucewatch.extract.pipeline import Extractor
    from trucewatch.geo.geocoder import Geocoder
    from trucewatch.ingest.sources import SourceItem
    from trucewatch.sides import Profile


@dataclass(frozen=True)
class Reading:
    """One report as read: `document` (its id the hash of its text; `ingested_at` is set when
    it is stored), the record's bytes, its near-duplicate `signature`, claims, period reports
    (without a ceasefire yet) and the conflict profile its text was detected to belong to."""

    input_id: str
    document: StoredDocument
    raw: bytes
    signature: bytes
    claims: list[Claim]
    periods: list[PeriodReport]
    profile: Profile | None
    extracted: bool = True  # False: the report's language has no reader; stored unread
    warnings: tuple[str, ...] = ()  # what the extraction left out or doubted (caps, figures)

    @property
    def origin(self) -> str:
        """How messages name the report: its file/line or URL, else its input id."""
        return self.document.origin or self.input_id


def stored_document(item: SourceItem, duplicate_of: str | None = None) -> StoredDocument:
    """The document `item` is stored as; its id is the hash of its normalised text."""
    doc = item.document
    return StoredDocument(
        id=document_id(doc.text),
        text=doc.text,
        published=doc.published,
        url=doc.url,
        outlet=item.outlet,
        title=doc.title,
        language=document_language(doc),
        origin=doc.origin,
        ingested_at=dt.datetime.now(dt.UTC),
        duplicate_of=duplicate_of,
    )


def read(item: SourceItem, extractor: Extractor, geocoder: Geocoder | None) -> Reading:
    """Extract the claims and period statements of `item`'s report, geocode the claims' places
    (within the countries of the sides involved; not at all when `geocoder` is None) and detect
    its conflict profile. Raises ValueError when the text has no words."""
    doc = item.document
    stored = stored_document(item)
    doc_id = stored.id
    sig = signature(doc.text)
    language = stored.language  # detected once, stored with the document
    reading = extractor.read(Document(**{**doc.model_dump(), "id": doc_id, "language": language}))
    countries: list[str] = []
    if geocoder is not None:
        sides = (side for e in reading.events for side in (e.actor, e.target) if side)
        countries = geocoder.countries_for(sides)
    claims = [
        Claim(
            id=Claim.make_id(doc_id, i),
            document_id=doc_id,
            index=i,
            event=event,
            geo=geocoder.locate(event.location, countries=countries)
            if geocoder is not None and event.location
            else None,
        )
        for i, event in enumerate(reading.events)
    ]
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
            ceasefire_id=None,
        )
        for i, p in enumerate(reading.periods)
    ]
    profile = extractor.resolver.detect_profile(doc.text)
    return Reading(
        doc.id,
        stored,
        item.raw,
        sig,
        claims,
        periods,
        profile,
        reading.extracted,
        tuple(reading.warnings),
    )
