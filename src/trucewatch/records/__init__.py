"""The registry's record types under their former import path; they are defined, with the
extraction contracts, in :mod:`trucewatch.models` (import them from there)."""

from trucewatch.models.records import (
    EDITABLE_FIELDS,
    OURS,
    REFERENCE_ORIGINS,
    CasualtyRange,
    Ceasefire,
    Claim,
    GeoPoint,
    GeoPrecision,
    Incident,
    PeriodReport,
    ReportRef,
    Review,
    ReviewAction,
    ReviewStatus,
    StoredDocument,
    document_id,
    normalise_text,
    origin_of,
)

__all__ = [
    "EDITABLE_FIELDS",
    "OURS",
    "REFERENCE_ORIGINS",
    "CasualtyRange",
    "Ceasefire",
    "Claim",
    "GeoPoint",
    "GeoPrecision",
    "Incident",
    "PeriodReport",
    "ReportRef",
    "Review",
    "ReviewAction",
    "ReviewStatus",
    "StoredDocument",
    "document_id",
    "normalise_text",
    "origin_of",
]
