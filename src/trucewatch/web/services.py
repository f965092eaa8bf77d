"""What every route uses: the store, accounts, settings and login throttle of the running app,
and the mapping of domain errors to HTTP answers."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import HTTPException, Query, Request
from pydantic import BeforeValidator, Field

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo.geocoder import Geocoder
from trucewatch.models import Claim, ReviewStatus
from trucewatch.registry import Registry
from trucewatch.registry.observations import Observation, record
from trucewatch.store.accounts import Accounts
from trucewatch.store.queries import IncidentQuery, Near, Order, Origin
from trucewatch.store.sql import SqlStore
from trucewatch.web.limits import LoginThrottle
from trucewatch.web.settings import WebSettings


@dataclass
class Services:
    settings: WebSettings
    store: SqlStore
    accounts: Accounts
    throttle: LoginThrottle
    extractor: Extractor | None = None  # loaded by the registry when first needed
    geocoder: Geocoder | None = None
    _registry: Registry | None = None
    _registry_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def registry(self) -> Registry:
        """The ingest job (its extractor loads on first use: a few seconds)."""
        with self._registry_lock:
            if self._registry is None:
                self._registry = Registry(self.store, self.extractor, self.geocoder)
            return self._registry

    def record(self, observation: Observation, monitor: str) -> Claim:
        """Store and link what one of the mission's monitors saw."""
        return record(self.registry, observation, mission=self.settings.mission, monitor=monitor)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _blank_is_none(value: object) -> object:
    """A form sends every field, the empty ones as "": that means "not set" (text filters
    take "" as unset themselves: a validator here would run before their length check)."""
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)
# bounds on the inner type: a bound on the optional one would be checked against None
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Radius = Annotated[float, Field(gt=0, le=5000)]


class Filters:
    """The incident filters every list, map and chart takes (query parameters)."""

    def __init__(
        self,
        since: Annotated[dt.date | None, Blank, Query(description="first day (YYYY-MM-DD)")] = None,
        until: Annotated[dt.date | None, Blank, Query(description="last day (YYYY-MM-DD)")] = None,
        ceasefire: Annotated[str | None, Query(max_length=200)] = None,
        side: Annotated[
            str | None, Query(max_length=200, description="a side named as actor or target")
        ] = None,
        type: Annotated[str | None, Query(max_length=50, description="event type")] = None,
        lat: Annotated[Latitude | None, Blank, Query()] = None,
        lon: Annotated[Longitude | None, Blank, Query()] = None,
        radius_km: Annotated[
            Radius | None,
            Blank,
            Query(description="with lat and lon: within this radius"),
        ] = None,
        q: Annotated[
            str | None, Query(max_length=500, description="words in a source's text")
        ] = None,
        updated_since: Annotated[
            dt.datetime | None, Blank, Query(description="changed at or after (ISO 8601)")
        ] = None,
        status: Annotated[ReviewStatus | None, Blank, Query()] = None,
        origin: Annotated[Origin, Query()] = "trucewatch",
        historical: Annotated[bool, Query(description="include background incidents")] = False,
    ) -> None:
        self.since, self.until = since, until
        self.ceasefire = ceasefire or None
        self.side = side or None
        self.type = type or None
        self.lat, self.lon, self.radius_km = lat, lon, radius_km
        self.q = q or None
        self.updated_since = updated_since
        self.status = status
        self.origin: Origin = origin
        self.historical = historical

    def query(self, order: Order = "date") -> IncidentQuery:
        near = None
        if self.lat is not None and self.lon is not None and self.radius_km is not None:
            near = Near(self.lat, self.lon, self.radius_km)
        elif any(v is not None for v in (self.lat, self.lon, self.radius_km)):
            raise HTTPException(400, "lat, lon and radius_km go together")
        updated = self.updated_since
        if updated is not None:
            try:
                updated = (
                    updated.replace(tzinfo=dt.UTC)
                    if updated.tzinfo is None
                    else updated.astimezone(dt.UTC)
                )
            except OverflowError:
                raise HTTPException(400, "updated_since is outside the calendar in UTC") from None
        return IncidentQuery(
            since=self.since,
            until=self.until,
            ceasefire_id=self.ceasefire,
            side=self.side,
            type=self.type,
            near=near,
            text=self.q,
            updated_since=updated,
            status=self.status,
            origin=self.origin,
            include_historical=self.historical,
            order=order,
        )

    def params(self) -> dict[str, str]:
        """The filters set, as query parameters (for links to other pages)."""
        values = {
            "since": self.since,
            "until": self.until,
            "ceasefire": self.ceasefire,
            "side": self.side,
            "type": self.type,
            "lat": self.lat,
            "lon": self.lon,
            "radius_km": self.radius_km,
            "q": self.q,
            "status": self.status,
        }
        out = {k: str(v) for k, v in values.items() if v is not None}
        if self.origin != "trucewatch":
            out["origin"] = self.origin
        if self.historical:
            out["historical"] = "true"
        return out
