"""Conversions between the data contracts (trucewatch.models) and table rows (schema.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from trucewatch.models import (
    Ceasefire,
    Claim,
    Event,
    GeoPoint,
    Incident,
    PeriodReport,
    Review,
    StoredDocument,
)
from trucewatch.models.figures import stored_event, stored_incident

DOCUMENT_FIELDS = tuple(name for name in StoredDocument.model_fields)
"""The `documents` columns a StoredDocument is read from (everything but `raw`)."""


def document_row(doc: StoredDocument, raw: bytes) -> dict[str, Any]:
    return {**doc.model_dump(), "raw": raw}


def document_from_row(row: RowMapping) -> StoredDocument:
    return StoredDocument.model_validate({name: row[name] for name in DOCUMENT_FIELDS})


def claim_row(claim: Claim) -> dict[str, Any]:
    event, geo = claim.event, claim.geo
    return {
        "id": claim.id,
        "document_id": claim.document_id,
        "idx": claim.index,
        "type": event.type,
        "actor": event.actor,
        "target": event.target,
        "source": event.source,
        "stance": event.stance,
        "date": event.date,
        "historical": event.historical,
        "lat": geo.lat if geo else None,
        "lon": geo.lon if geo else None,
        "geo_precision": geo.precision if geo else None,
        "geo_name": geo.name if geo else None,
        "incident_id": claim.incident_id,
        "event": event.model_dump(mode="json"),
    }


def claim_from_row(row: RowMapping) -> Claim:
    geo = None
    if row["lat"] is not None and row["lon"] is not None:
        geo = GeoPoint(
            lat=row["lat"], lon=row["lon"], precision=row["geo_precision"], name=row["geo_name"]
        )
    return Claim(
        id=row["id"],
        document_id=row["document_id"],
        index=row["idx"],
        event=Event.model_validate(stored_event(row["event"])),
        geo=geo,
        incident_id=row["incident_id"],
    )


def incident_data(incident: Incident) -> dict[str, Any]:
    """The JSON kept in `incidents.data`: everything but the claims and the stored version."""
    return incident.model_dump(mode="json", exclude={"claims", "version"})


def incident_row(incident: Incident) -> dict[str, Any]:
    geo = incident.geo
    return {
        "id": incident.id,
        "type": incident.type,
        "first_date": incident.first_date,
        "last_date": incident.last_date,
        "lat": geo.lat if geo else None,
        "lon": geo.lon if geo else None,
        "ceasefire_id": incident.ceasefire_id,
        "historical": incident.historical,
        "status": incident.status,
        "uncertainty": incident.uncertainty,
        "data": incident_data(incident),
    }


def incident_from_row(row: RowMapping, claims: list[Claim]) -> Incident:
    data = stored_incident(row["data"])
    return Incident.model_validate({**data, "version": row["version"], "claims": claims})


def ceasefire_row(c: Ceasefire) -> dict[str, Any]:
    return c.model_dump()


def ceasefire_from_row(row: RowMapping) -> Ceasefire:
    return Ceasefire.model_validate(dict(row))


def period_report_row(p: PeriodReport) -> dict[str, Any]:
    return p.model_dump()


def period_report_from_row(row: RowMapping) -> PeriodReport:
    return PeriodReport.model_validate(dict(row))


def review_row(r: Review) -> dict[str, Any]:
    row = r.model_dump(mode="json", include={"before", "after"})
    row.update(incident_id=r.incident_id, action=r.action, who=r.who, at=r.at, comment=r.comment)
    return row


def review_from_row(row: RowMapping) -> Review:
    return Review.model_validate(dict(row))
