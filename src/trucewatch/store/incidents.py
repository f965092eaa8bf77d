"""Saving incidents: upsert rows, (re)link their claims, version what changed, drop the empty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, exists, select, update

from trucewatch.records import Incident
from trucewatch.store import rows
from trucewatch.store.base import StoreError
from trucewatch.store.schema import claims, incidents

CHUNK = 500
"""Ids per IN (...) list: far below every backend's bound-parameter limit."""


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_batch(batch: Sequence[Incident]) -> None:
    seen_incidents: set[str] = set()
    owner: dict[str, str] = {}
    for incident in batch:
        if incident.id in seen_incidents:
            raise StoreError(f"incident {incident.id} is listed twice in one save")
        seen_incidents.add(incident.id)
        for claim in incident.claims:
            if owner.setdefault(claim.id, incident.id) != incident.id:
                raise StoreError(
                    f"claim {claim.id} is listed by incidents {owner[claim.id]} and {incident.id}"
                )


def _linked(conn: Connection, incident_id: str) -> set[str]:
    return set(conn.scalars(select(claims.c.id).where(claims.c.incident_id == incident_id)))


def _owners(conn: Connection, claim_ids: Sequence[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for part in chunks(claim_ids):
        query = select(claims.c.id, claims.c.incident_id).where(claims.c.id.in_(part))
        found.update((claim_id, owner) for claim_id, owner in conn.execute(query))
    return found


def save_incidents(conn: Connection, batch: Sequence[Incident], *, now: dt.datetime) -> None:
    """The body of SqlStore.save_incidents, inside the caller's write transaction."""
    _check_batch(batch)
    versioned: set[str] = set()  # inserted or already bumped in this save
    changed: set[str] = set()  # incidents whose claim set changed
    for incident in batch:
        row = rows.incident_row(incident)
        stored = conn.execute(
            select(incidents.c.version, incidents.c.data).where(incidents.c.id == incident.id)
        ).first()
        if stored is None:
            conn.execute(incidents.insert().values({**row, "version": 1, "updated_at": now}))
            versioned.add(incident.id)
        elif stored.data != row["data"]:
            conn.execute(
                update(incidents)
                .where(incidents.c.id == incident.id)
                .values({**row, "version": stored.version + 1, "updated_at": now})
            )
            versioned.add(incident.id)

        wanted = [claim.id for claim in incident.claims]
        owners = _owners(conn, wanted)
        missing = sorted(set(wanted) - owners.keys())
        if missing:
            raise StoreError(f"incident {incident.id}: unknown claims {', '.join(missing[:5])}")
        dropped = sorted(_linked(conn, incident.id) - set(wanted))
        moved = [claim_id for claim_id, owner in owners.items() if owner != incident.id]
        if dropped or moved:
            changed.add(incident.id)
            changed.update(owner for owner in owners.values() if owner and owner != incident.id)
        for part in chunks(dropped):
            conn.execute(update(claims).where(claims.c.id.in_(part)).values(incident_id=None))
        for part in chunks(moved):
            conn.execute(
                update(claims).where(claims.c.id.in_(part)).values(incident_id=incident.id)
            )

    touched = sorted(changed | {incident.id for incident in batch})
    no_claims = ~exists().where(claims.c.incident_id == incidents.c.id)
    for part in chunks(touched):
        conn.execute(delete(incidents).where(incidents.c.id.in_(part), no_claims))
    for part in chunks(sorted(changed - versioned)):
        conn.execute(
            update(incidents)
            .where(incidents.c.id.in_(part))
            .values(version=incidents.c.version + 1, updated_at=now)
        )
