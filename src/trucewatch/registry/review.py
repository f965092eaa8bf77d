"""An analyst's review of incidents: accept, reject, edit fields, merge, split.

Every action is made against the version of the incident the analyst loaded (a stale one is
refused with StaleVersionError) and stored with who, when, before and after. Edited fields are
overrides: the linker recomputes an incident's summaries when new claims join it, then puts the
analyst's values back. A rejected incident keeps its claims (so re-linking them does not bring
it back) and leaves lists, bulletins, exports and alerts. Merged and split claim sets stay as
the analyst left them: the linker never moves a claim that already has an incident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import ValidationError

from trucewatch.link.ceasefires import ceasefire_for
from trucewatch.link.incidents import claim_order, incident_id
from trucewatch.link.summary import summarise
from trucewatch.models import (
    EDITABLE_FIELDS,
    EVENT_TYPES,
    OURS,
    Incident,
    Review,
    ReviewAction,
    ReviewStatus,
    origin_of,
    validation_problems,
)
from trucewatch.models.figures import MAX_FIGURE
from trucewatch.store.base import StaleVersionError
from trucewatch.store.sql import SqlStore


class ReviewError(ValueError):
    """A review action that cannot be applied as asked; nothing was changed."""


def changes(before: Incident, after: Incident) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, as JSON: (their values before, their values after)."""
    old = before.model_dump(mode="json", exclude={"claims", "version"})
    new = after.model_dump(mode="json", exclude={"claims", "version"})
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def form_edits(incident: Incident, form: Mapping[str, str]) -> dict[str, Any]:
    """The fields of an edit form (strings, as a browser posts them) whose values differ from
    the incident's, as `Reviewer.edit` fields: a whole number of killed or injured becomes the
    range low = best = high, a latitude and longitude a settlement-precision point named after
    the location. ReviewError when a number is not one."""
    fields: dict[str, Any] = {}
    for name in ("type", "first_date", "last_date", "location", "ceasefire_id"):
        value = form.get(name, "").strip()
        current = getattr(incident, name)
        if value and value != (str(current) if current is not None else ""):
            fields[name] = value
    for name in ("killed", "injured"):
        value = form.get(name, "").strip()
        if value and value != str(getattr(incident, name).best):
            if not (value.isascii() and value.isdigit()) or len(value) > 9:
                raise ReviewError(
                    f"{name}: a whole number up to {MAX_FIGURE:,}, not {value[:20]!r}"
                )
            n = int(value)
            fields[name] = {"low": n, "best": n, "high": n}
    historical = form.get("historical") == "on"
    if historical != incident.historical:
        fields["historical"] = historical
    lat, lon = form.get("lat", "").strip(), form.get("lon", "").strip()
    if lat and lon:
        try:
            point = (float(lat), float(lon))
        except ValueError:
            raise ReviewError("lat and lon: numbers in decimal degrees") from None
        now = (incident.geo.lat, incident.geo.lon) if incident.geo else None
        if point != now:
            name = fields.get("location") or incident.location or f"{lat}, {lon}"
            fields["geo"] = {
                "lat": point[0],
                "lon": point[1],
                "precision": "settlement",
                "name": name,
            }
    return fields


class Reviewer:
    """Review actions on one store, as one user."""

    def __init__(self, store: SqlStore, who: str) -> None:
        self.store = store
        self.who = who

    def _load(self, id: str) -> Incident:
        incident = self.store.get_incident(id)
        if incident is None:
            raise ReviewError(f"no incident {id!r}")
        return incident

    def _review(
        self,
        incident_id: str,
        action: ReviewAction,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        comment: str | None,
    ) -> Review:
        return Review(
            incident_id=incident_id,
            action=action,
            who=self.who,
            at=dt.datetime.now(dt.UTC),
            before=dict(before),
            after=dict(after),
            comment=comment or None,
        )

    def _write(
        self, old: Incident, new: Incident, action: ReviewAction, comment: str | None, version: int
    ) -> Incident:
        """Store `new` if the incident is still at `version` (the one the analyst loaded)."""
        before, after = changes(old, new)
        review = self._review(old.id, action, before, after, comment)
        return self.store.update_incident(new, expected_version=version, review=review)

    def set_status(
        self, id: str, status: ReviewStatus, *, version: int, comment: str | None = None
    ) -> Incident:
        """Accept (confirm as it stands) or reject (not a real incident, or not one at all)."""
        old = self._load(id)
        action: ReviewAction = "reject" if status == "rejected" else "accept"
        new = old.model_copy(update={"status": status})
        return self._write(old, new, action, comment, version)

    def edit(
        self,
        id: str,
        fields: Mapping[str, Any],
        *,
        version: int,
        clear: Collection[str] = (),
        comment: str | None = None,
    ) -> Incident:
        """Set `fields` by hand (EDITABLE_FIELDS), drop the overrides named in `clear` (back to
        what the claims say); the incident counts as accepted."""
        unknown = sorted((set(fields) | set(clear)) - set(EDITABLE_FIELDS))
        if unknown:
            raise ReviewError(f"fields that cannot be edited: {', '.join(unknown)}")
        if "type" in fields and (
            not isinstance(fields["type"], str) or fields["type"] not in EVENT_TYPES
        ):
            raise ReviewError(f"invalid value: type {fields['type']!r} is not an event type")
        old = self._load(id)
        if old.version != version:  # checked again when writing, in the same transaction
            raise StaleVersionError(id, old.version, version)
        overrides = {k: v for k, v in old.overrides.items() if k not in clear}
        try:
            typed = Incident.model_validate({**old.model_dump(exclude={"claims"}), **fields})
        except ValidationError as error:
            problems = "; ".join(validation_problems(error.errors()))
            raise ReviewError(f"invalid value: {problems}") from None
        _check_bounds(typed, fields)
        overrides.update(typed.model_dump(mode="json", include=set(fields)))
        if fields.get("ceasefire_id") is not None and fields["ceasefire_id"] not in {
            c.id for c in self.store.ceasefires()
        }:
            raise ReviewError(f"invalid value: no ceasefire {fields['ceasefire_id']!r}")
        base = old.model_copy(update={"overrides": overrides, "status": "accepted"})
        return self._write(old, self._settle(base), "edit", comment, version)

    def _settle(self, incident: Incident) -> Incident:
        """The incident as its claims and the analyst's overrides make it: summaries from the
        claims, the overrides over them, and what summarising leaves alone recomputed unless
        set by hand (the ceasefire counted against, background: no). ReviewError when the
        dates end up reversed or half set."""
        if "historical" not in incident.overrides:
            incident = incident.model_copy(update={"historical": False})
        settled = summarise(incident)
        if "ceasefire_id" not in settled.overrides:
            ceasefire = ceasefire_for(settled, self.store.ceasefires())
            settled = settled.model_copy(update={"ceasefire_id": ceasefire})
        first, last = settled.first_date, settled.last_date
        if (first is None) != (last is None):
            raise ReviewError("invalid value: first and last day go together (set both or none)")
        if first is not None and last is not None and first > last:
            raise ReviewError(f"invalid value: the first day ({first}) is after the last ({last})")
        return settled

    def merge(
        self,
        id: str,
        into: str,
        *,
        version: int,
        into_version: int,
        comment: str | None = None,
    ) -> Incident:
        """Move every claim of `id` into `into` (which keeps its id and review state); `id` is
        gone afterwards, its history kept."""
        if id == into:
            raise ReviewError("an incident cannot be merged into itself")
        source, target = self._load(id), self._load(into)
        if target.status == "rejected":
            raise ReviewError(f"incident {into} is rejected: accept it before merging into it")
        if origin_of(source) != OURS or origin_of(target) != OURS:
            raise ReviewError("imported reference incidents (ACLED, UCDP) are not merged")
        members = sorted([*target.claims, *source.claims], key=claim_order)
        merged = self._settle(target.model_copy(update={"claims": members}))
        before, after = changes(target, merged)
        reviews = [
            self._review(into, "merge", before, {**after, "merged": id}, comment),
            self._review(id, "merge", {"claims": len(source.claims)}, {"into": into}, comment),
        ]
        emptied = source.model_copy(update={"claims": []})
        self.store.apply_review(
            [merged, emptied], expected={id: version, into: into_version}, reviews=reviews
        )
        return self._load(into)

    def split(
        self,
        id: str,
        claim_ids: Collection[str],
        *,
        version: int,
        comment: str | None = None,
    ) -> tuple[Incident, Incident]:
        """Move `claim_ids` out of `id` into a new incident; both are returned."""
        old = self._load(id)
        moving = [c for c in old.claims if c.id in set(claim_ids)]
        unknown = sorted(set(claim_ids) - {c.id for c in moving})
        if unknown:
            raise ReviewError(f"claims not in incident {id}: {', '.join(unknown)}")
        if not moving or len(moving) == len(old.claims):
            raise ReviewError("a split moves some of an incident's claims, not none or all")
        new_id = self._free_id(moving[0].id)
        new = self._settle(
            Incident(id=new_id, type=moving[0].event.type, claims=moving, status="accepted")
        )
        kept = self._settle(
            old.model_copy(update={"claims": [c for c in old.claims if c not in moving]})
        )
        before, after = changes(old, kept)
        moved = [c.id for c in moving]
        reviews = [
            self._review(
                id, "split", before, {**after, "split_off": new_id, "claims": moved}, comment
            ),
            self._review(new_id, "split", {"from": id}, {"claims": moved}, comment),
        ]
        self.store.apply_review([kept, new], expected={id: version}, reviews=reviews)
        return self._load(id), self._load(new_id)

    def _free_id(self, claim_id: str) -> str:
        """An id no incident has, nor ever had (a merged-away id keeps its history)."""
        salt = 0
        while self._taken(incident_id(claim_id, salt)):
            salt += 1
        return incident_id(claim_id, salt)

    def _taken(self, id: str) -> bool:
        return self.store.get_incident(id) is not None or bool(self.store.reviews(id))


EARLIEST_DAY = dt.date(1900, 1, 1)
"""The earliest first or last day an edit may set (a year-1 day stretches every timeline)."""
MAX_LOCATION = 200
"""The longest place name an edit may set."""


def _check_bounds(incident: Incident, fields: Mapping[str, Any]) -> None:
    """ReviewError for an edited day before EARLIEST_DAY or over a year ahead, or a place name
    longer than MAX_LOCATION characters."""
    latest = dt.date.today() + dt.timedelta(days=366)
    for name in ("first_date", "last_date"):
        day = getattr(incident, name)
        if name in fields and day is not None and not EARLIEST_DAY <= day <= latest:
            raise ReviewError(
                f"invalid value: {name} {day} is not between {EARLIEST_DAY} and {latest}"
            )
    location = incident.location
    if "location" in fields and location is not None and len(location) > MAX_LOCATION:
        raise ReviewError(
            f"invalid value: location has {len(location):,} characters (at most {MAX_LOCATION})"
        )
