"""A mission's own observations: what its monitors saw, stored as a claim like any report's.

An observation becomes a document (its text written from the fields, outlet = the mission,
origin "observation") with one asserting claim whose source is the mission; the registry links
it to the incidents of other sources like any claim, and bulletins count it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from trucewatch.models import (
    Claim,
    Event,
    EventType,
    Evidence,
    GeoPoint,
    StoredDocument,
    Weapon,
    document_id,
)
from trucewatch.models.figures import Figure
from trucewatch.registry.ingest import Registry

ORIGIN = "observation"


class Observation(BaseModel):
    """What a monitor saw directly."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    observed_at: dt.datetime
    place: str = Field(min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    type: EventType
    weapon: Weapon | None = None
    count: Figure | None = None
    direction: str | None = Field(
        default=None, max_length=200, description="direction of fire, e.g. 'from east to west'"
    )
    actor: str | None = Field(default=None, max_length=100, description="the side that fired")
    target: str | None = Field(default=None, max_length=100)
    killed: Figure | None = None
    injured: Figure | None = None
    notes: str = Field(default="", max_length=5000)

    def text(self, mission: str, monitor: str) -> str:
        """The observation as the sentence a report would give (the claim's evidence)."""
        what = self.type.replace("_", " ")
        times = f"{self.count} x " if self.count else ""
        weapon = f" ({self.weapon.replace('_', ' ')})" if self.weapon else ""
        parts = [
            f"{mission} monitor {monitor} observed {times}{what}{weapon} at {self.place} "
            f"on {self.observed_at.isoformat(timespec='minutes')}."
        ]
        if self.actor or self.target:
            parts.append(f"Fire by {self.actor or 'unknown'} at {self.target or 'unknown'}.")
        if self.direction:
            parts.append(f"Direction of fire: {self.direction}.")
        if self.killed is not None or self.injured is not None:
            parts.append(f"Casualties: {self.killed or 0} killed, {self.injured or 0} injured.")
        if self.notes:
            parts.append(f"Notes: {self.notes}")
        return " ".join(parts)


def record(registry: Registry, observation: Observation, *, mission: str, monitor: str) -> Claim:
    """Store `observation` as a document and its claim in the registry's store, and link it;
    returns the stored claim (with its incident). Recording the same observation twice stores
    it once. A place without coordinates is looked up in the registry's gazetteer."""
    store = registry.store
    text = observation.text(mission, monitor)
    doc_id = document_id(text)
    geo: GeoPoint | None = None
    if observation.lat is not None and observation.lon is not None:
        geo = GeoPoint(
            lat=observation.lat, lon=observation.lon, precision="settlement", name=observation.place
        )
    else:
        geo = registry.geocoder.locate(observation.place)
    event = Event(
        type=observation.type,
        actor=observation.actor or None,
        target=observation.target or None,
        source=mission,
        stance="asserts",
        weapon=observation.weapon,
        location=observation.place,
        date=observation.observed_at.date(),
        killed=observation.killed,
        injured=observation.injured,
        count=observation.count,
        date_basis="stated",
        evidence=[Evidence(sentence=text, start=0, end=len(text))],
        confidence=1.0,
    )
    claim = Claim(id=Claim.make_id(doc_id, 0), document_id=doc_id, index=0, event=event, geo=geo)
    document = StoredDocument(
        id=doc_id,
        text=text,
        published=observation.observed_at.date(),
        outlet=mission,
        title=f"Observation: {observation.type.replace('_', ' ')} at {observation.place}",
        origin=ORIGIN,
        ingested_at=dt.datetime.now(dt.UTC),
    )
    store.add_document(document, text.encode("utf-8"), [claim])
    registry.relink([claim])
    stored = store.claims(document_id=doc_id)
    return stored[0] if stored else claim
