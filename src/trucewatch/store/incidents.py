"""Saving incidents: upsert rows, (re)link their claims, version what changed, drop the empty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select, update

from trucewatch.models import Incident, Review
from trucewatch.store import rows
from trucewatch.store.base import StaleVersionError, StoreError
from trucewatch.store.schema import claims, incidents, reviews

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


def _keep_review(incident: Incident, stored: dict[str, Any]) -> Incident:
    """`incident` as the linker made it, with the review state now stored (status and
    overrides are the analysts': a linker working from an older read must not undo them)."""
    state = {
        "status": stored.get("status", "unreviewed"),
        "overrides": stored.get("overrides", {}),
    }
    if state == {"status": incident.status, "overrides": incident.overrides}:
        return incident
    return incident.model_copy(update=state).with_overrides()


def save_incidents(
    conn: Connection,
    batch: Sequence[Incident],
    *,
    now: dt.datetime,
    keep_review: bool = True,
    linking: bool = False,
) -> list[str]:
    """The body of SqlStore.save_incidents, inside the caller's write transaction.
    `keep_review`: a stored incident keeps its stored status and overrides (False: a
    reviewer's save, versions checked by the caller, saves them as given). `linking` (the
    linker's saves, made from an earlier read): an incident stored at another version than
    the one given was changed since (a review, another linker) and is skipped, its id
    returned, its new claims left unlinked for the next relink; only claims without an
    incident are linked, none is moved or unlinked."""
    _check_batch(batch)
    stale: list[str] = []
    versioned: set[str] = set()  # inserted or already bumped in this save
    changed: set[str] = set()  # incidents whose claim set changed
    for incident in batch:
        stored = conn.execute(
            select(incidents.c.version, incidents.c.data).where(incidents.c.id == incident.id)
        ).first()
        wanted = [claim.id for claim in incident.claims]
        owners = _owners(conn, wanted)
        if linking and (
            (stored.version if stored is not None else 0) != incident.version
            or any(owner not in (None, incident.id) for owner in owners.values())
        ):
            # changed since the linker read it: stored by another linker meanwhile (it read
            # no such incident: version 0), edited, or one of its claims moved elsewhere
            stale.append(incident.id)
            continue
        if stored is not None and keep_review:
            incident = _keep_review(incident, stored.data)
        row = rows.incident_row(incident)
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

        missing = sorted(set(wanted) - owners.keys())
        if missing:
            raise StoreError(f"incident {incident.id}: unknown claims {', '.join(missing[:5])}")
        dropped = sorted(_linked(conn, incident.id) - set(wanted))
        moved = [claim_id for claim_id, owner in owners.items() if owner != incident.id]
        if linking:
            # The linker only places claims that have no incident (link.incidents leaves a
            # linked claim where it is): a claim another incident holds now, or one this
            # incident gained, was put there since the linker read the store (an analyst's
            # merge or split, another ingest) and stays where it is.
            moved = [c for c in moved if owners[c] is None]
            dropped = []
        if dropped or moved:
            changed.add(incident.id)
            changed.update(o for c in moved if (o := owners[c]) and o != incident.id)
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
    return stale


def update_incident(
    conn: Connection,
    incident: Incident,
    *,
    expected_version: int,
    review: Review,
    now: dt.datetime,
) -> Incident:
    """The body of SqlStore.update_incident, inside the caller's write transaction; returns
    the edited incident as now stored."""
    if review.incident_id != incident.id:
        raise StoreError(f"a review of {review.incident_id} cannot record an edit of {incident.id}")
    before = conn.scalar(select(incidents.c.data).where(incidents.c.id == incident.id))
    row = rows.incident_row(incident)
    del row["id"]
    # Compare-and-set: the database itself refuses a stale version, whatever was read above.
    changed = conn.execute(
        update(incidents)
        .where(incidents.c.id == incident.id, incidents.c.version == expected_version)
        .values({**row, "version": expected_version + 1, "updated_at": now})
    )
    if changed.rowcount != 1:
        stored = conn.scalar(select(incidents.c.version).where(incidents.c.id == incident.id))
        raise StaleVersionError(incident.id, stored, expected_version)
    audit = review.model_copy(
        update={
            "before": review.before or before,
            "after": review.after or row["data"],
        }
    )
    conn.execute(insert(reviews).values(rows.review_row(audit)))
    linked = select(claims).where(claims.c.incident_id == incident.id)
    members = [
        rows.claim_from_row(r)
        for r in conn.execute(linked.order_by(claims.c.document_id, claims.c.idx)).mappings()
    ]
    return incident.model_copy(update={"version": expected_version + 1, "claims": members})


def apply_review(
    conn: Connection,
    changed: Sequence[Incident],
    *,
    expected: Mapping[str, int],
    audit: Sequence[Review],
    now: dt.datetime,
) -> None:
    """The body of SqlStore.apply_review, inside the caller's write transaction."""
    for incident_id, version in sorted(expected.items()):
        stored = conn.scalar(select(incidents.c.version).where(incidents.c.id == incident_id))
        if stored != version:
            raise StaleVersionError(incident_id, stored, version)
    save_incidents(conn, changed, now=now, keep_review=False)
    for review in audit:
        conn.execute(insert(reviews).values(rows.review_row(review)))
