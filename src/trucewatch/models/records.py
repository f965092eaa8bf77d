"""Data contracts of the incident registry (incident <- claims <- reports).

A StoredDocument is one report as ingested; a Claim is one extracted Event of one document, with
its place resolved to coordinates; an Incident groups the claims about one real-world event and
carries summaries derived from them; a Ceasefire is a truce regime violations are counted
against; a PeriodReport is an aggregate statement ("one violation in the previous 24 hours",
"no violations recorded") kept as data, zero included; a Review is one human change with its
before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trucewatch.models.events import Event
from trucewatch.models.figures import MAX_FIGURE, Figure, describe, plausible

GeoPrecision = Literal["settlement", "district", "region", "country"]
ReviewAction = Literal["accept", "edit", "merge", "split", "reject"]
ReviewStatus = Literal["unreviewed", "accepted", "rejected"]

EDITABLE_FIELDS: tuple[str, ...] = (
    "type",
    "first_date",
    "last_date",
    "location",
    "geo",
    "killed",
    "injured",
    "historical",
    "ceasefire_id",
)
"""The incident fields an analyst may set by hand; a value set so is an override the linker
keeps when it recomputes the summaries from the claims."""


def normalise_text(text: str) -> str:
    """The form a document's identity is computed on: NFKC, case-folded, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def document_id(text: str) -> str:
    """Document id: SHA-256 of the normalised text (first 32 hex digits)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


class StoredDocument(BaseModel):
    """One report as the registry keeps it."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    language: str | None = "en"
    origin: str | None = None
    ingested_at: dt.datetime
    duplicate_of: str | None = Field(
        default=None, description="the first-stored document this one nearly repeats"
    )


class GeoPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    precision: GeoPrecision
    name: str = Field(description="the gazetteer name the place resolved to")


class ReportRef(BaseModel):
    """Where a claim can be read: its report's address, outlet, title and publication day."""

    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None


class Claim(BaseModel):
    """One extracted claim of one document, placed on the map where the gazetteer allows."""

    id: str
    document_id: str
    index: int = Field(ge=0, description="position of the event in the document's output")
    event: Event
    geo: GeoPoint | None = None
    incident_id: str | None = None
    report: ReportRef | None = Field(
        default=None,
        description="the report the claim was read from (filled in outputs: exports, "
        "`incidents --json`, the API); not stored with the claim",
    )

    @model_validator(mode="after")
    def _plausible_figures(self) -> Claim:
        event = self.event
        for name in ("killed", "injured", "count"):
            if not plausible(getattr(event, name)):
                raise ValueError(
                    f"claim {self.id}: {name} {describe(getattr(event, name))} is not a "
                    f"plausible figure (0 to {MAX_FIGURE:,})"
                )
        return self

    @staticmethod
    def make_id(document_id: str, index: int) -> str:
        return f"{document_id}:{index}"


class CasualtyRange(BaseModel):
    """Low, best and high across an incident's asserting claims (None when no claim says);
    each a plausible figure (trucewatch.models.figures), low <= best <= high."""

    low: Figure | None = None
    best: Figure | None = None
    high: Figure | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CasualtyRange:
        given = [v for v in (self.low, self.best, self.high) if v is not None]
        if given != sorted(given):
            raise ValueError(
                f"low <= best <= high is wanted, not {self.low}, {self.best}, {self.high}"
            )
        return self


class Incident(BaseModel):
    """The real-world event that claims refer to, with summaries derived from its claims."""

    id: str
    type: str
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    location: str | None = None
    geo: GeoPoint | None = None
    killed: CasualtyRange = Field(default_factory=CasualtyRange)
    injured: CasualtyRange = Field(default_factory=CasualtyRange)
    blamed: dict[str, list[str]] = Field(
        default_factory=dict, description="claimant -> the sides it blames for this incident"
    )
    denied_by: list[str] = Field(default_factory=list)
    sources: int = Field(default=0, description="number of distinct documents behind it")
    ceasefire_id: str | None = None
    historical: bool = False
    uncertainty: float = Field(
        default=0.0, ge=0.0, le=1.0, description="how much an analyst should look at it"
    )
    doubts: list[str] = Field(default_factory=list, description="why it is uncertain")
    status: ReviewStatus = "unreviewed"
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="field -> value an analyst set (EDITABLE_FIELDS)"
    )
    version: int = 1
    contains: list[str] = Field(
        default_factory=list,
        description="a tally's acts: ids of the incidents it counts (link.tallies)",
    )
    link_scores: dict[str, float] = Field(
        default_factory=dict,
        description="claim id -> the linking score with which it joined (link.decision)",
    )
    claims: list[Claim] = Field(default_factory=list)

    def with_overrides(self) -> Incident:
        """This incident with the analyst's overrides applied over the derived summaries
        (validated: a stored override is JSON)."""
        if not self.overrides:
            return self
        unknown = sorted(set(self.overrides) - set(EDITABLE_FIELDS))
        if unknown:
            raise ValueError(f"fields that cannot be set by hand: {', '.join(unknown)}")
        data = {**self.model_dump(exclude={"claims"}), **self.overrides}
        return Incident.model_validate(data).model_copy(update={"claims": self.claims})


REFERENCE_ORIGINS: tuple[str, ...] = ("acled", "ucdp")  # imported datasets, kept for comparison
OURS = "trucewatch"


def origin_of(incident: Incident) -> str:
    """Where an incident comes from: "acled" or "ucdp" for imported reference data (its id, or
    else every claim's document id, carries the prefix), "trucewatch" for ours."""
    for origin in REFERENCE_ORIGINS:
        prefix = origin + ":"
        if incident.id.startswith(prefix):
            return origin
        if incident.claims and all(c.document_id.startswith(prefix) for c in incident.claims):
            return origin
    return OURS


class Ceasefire(BaseModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    parties: list[str] = Field(min_length=1)
    start: dt.date
    end: dt.date | None = None
    area: str | None = None
    monitor: str | None = None
    profile: str | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Ceasefire:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"ceasefire {self.id!r} ends ({self.end}) before it starts")
        return self

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class PeriodReport(BaseModel):
    """An aggregate statement: `count` violations between `start` and `end`, said by `source`."""

    id: str
    document_id: str
    source: str
    start: dt.date | None = None
    end: dt.date | None = None
    count: Figure
    area: str | None = None
    ceasefire_id: str | None = None
    evidence: str = ""


class Review(BaseModel):
    """One human change to an incident, kept with what it changed."""

    id: int | None = None
    incident_id: str
    action: ReviewAction
    who: str
    at: dt.datetime
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    comment: str | None = None
