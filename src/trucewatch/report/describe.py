"""How an incident reads: who did it per whom, who denies, where, what toll, and one neutral
sentence per claim ("X said Y shelled Z near P; Y denied it"). Shared by the bulletin and the
exports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from trucewatch.models import CasualtyRange, Claim, Event, Incident

UNATTRIBUTED = "unattributed"

# --- per-incident summaries (shared with report.bulletin) ------------------------------------


def current_claims(incident: Incident) -> list[Claim]:
    return [c for c in incident.claims if not c.event.historical]


def reporting_claims(incident: Incident) -> list[Claim]:
    """Current claims that report the incident (assert or neutral), denials excluded."""
    return [c for c in current_claims(incident) if c.event.stance != "denies"]


def add_ids(table: dict[str, list[str]], key: str, ids: Iterable[str]) -> None:
    bucket = table.setdefault(key, [])
    bucket.extend(i for i in ids if i not in bucket)


def blame_pairs(
    incident: Incident, *, with_history: bool = False
) -> dict[tuple[str, str], list[str]]:
    """(claimant, blamed side) -> ids of the asserting claims that say so, plus `blamed`."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for claim in incident.claims if with_history else current_claims(incident):
        event = claim.event
        if event.stance == "asserts" and event.actor:
            pairs.setdefault((event.source, event.actor), []).append(claim.id)
    for claimant, actors in incident.blamed.items():
        for actor in actors:
            pairs.setdefault((claimant, actor), [])
    return pairs


def perpetrators(incident: Incident) -> dict[str, list[str]]:
    """Blamed side -> claim ids; {"unattributed": reporting claim ids} when nobody is named."""
    table: dict[str, list[str]] = {}
    for (_, actor), ids in blame_pairs(incident).items():
        add_ids(table, actor, ids)
    return table or {UNATTRIBUTED: [c.id for c in reporting_claims(incident)]}


def claimants(incident: Incident) -> dict[str, list[str]]:
    """Who reports the incident (denials excluded) -> claim ids."""
    table: dict[str, list[str]] = {}
    for claim in reporting_claims(incident):
        add_ids(table, claim.event.source, [claim.id])
    for claimant in incident.blamed:
        add_ids(table, claimant, [])
    return table


def deniers(incident: Incident) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for claim in current_claims(incident):
        if claim.event.stance == "denies":
            add_ids(table, claim.event.source, [claim.id])
    for side in incident.denied_by:
        add_ids(table, side, [])
    return table


def targets(incident: Incident) -> list[str]:
    return list(dict.fromkeys(c.event.target for c in reporting_claims(incident) if c.event.target))


def place(incident: Incident) -> str | None:
    if incident.location:
        return incident.location
    if incident.geo:
        return incident.geo.name
    return next((c.event.location for c in reporting_claims(incident) if c.event.location), None)


def casualties(
    incident: Incident, field: Literal["killed", "injured"]
) -> tuple[CasualtyRange, list[str]]:
    """The incident's summary when set (a reviewer may have edited it), else the range of the
    figures its reporting claims give (best = lowest, ACLED's conservative practice); with the
    ids of the claims that give a figure."""
    given = [(c.id, getattr(c.event, field)) for c in reporting_claims(incident)]
    given = [(i, v) for i, v in given if v is not None]
    ids = [i for i, _ in given]
    summary: CasualtyRange = getattr(incident, field)
    if (summary.low, summary.best, summary.high) != (None, None, None) or not given:
        return summary, ids
    values = [v for _, v in given]
    return CasualtyRange(low=min(values), best=min(values), high=max(values)), ids


# type -> (what a named side did, what was reported without one, unit of `count`)
_PHRASES: dict[str, tuple[str, str, str]] = {
    "armed_clash": ("took part in an armed clash", "an armed clash", "clashes"),
    "firing": ("opened fire", "firing", "incidents"),
    "shelling": ("carried out shelling", "shelling", "attacks"),
    "drone_strike": ("carried out a drone strike", "a drone strike", "strikes"),
    "explosive": ("used an explosive device", "an explosion", "explosions"),
    "attack_on_civilians": ("attacked civilians", "an attack on civilians", "attacks"),
    "intrusion": ("carried out an incursion", "an incursion", "incursions"),
    "territory_seizure": ("took positions or territory", "a seizure of territory", "positions"),
    "shoot_down": ("shot down an aircraft", "a shoot-down", "aircraft"),
    "ceasefire_violation": ("violated the ceasefire", "a ceasefire violation", "violations"),
}
_SHOT_DOWN = {"drone": "a drone", "missile": "a missile", "rocket": "a rocket"}


def side_name(side: str) -> str:
    return "Media" if side == "media" else side


def _casualty_clause(killed: int | None, injured: int | None) -> str:
    if killed == 0 and injured == 0:
        return "no casualties"
    parts = []
    if killed is not None:
        parts.append("no deaths" if killed == 0 else f"{killed} killed")
    if injured is not None:
        parts.append("no injuries" if injured == 0 else f"{injured} injured")
    return ", ".join(parts)


def claim_sentence(event: Event) -> str:
    """One neutral sentence: "Russia said Azerbaijan carried out a drone strike near X; …"."""
    who = side_name(event.source)
    if event.stance == "denies":
        return f"{who} denied it."
    verb, noun, unit = _PHRASES.get(event.type, (f"carried out {event.type}", event.type, "acts"))
    if event.type == "shoot_down" and event.weapon in _SHOT_DOWN:
        verb = f"shot down {_SHOT_DOWN[event.weapon]}"
    text = (
        f"{who} said {event.actor} {verb}"
        if event.actor and event.stance == "asserts"
        else (f"{who} reported {noun}")
    )
    if event.location:
        text += f" near {event.location}"
    if event.count is not None and event.count > 1:
        text += f" ({event.count} {unit})"
    clause = _casualty_clause(event.killed, event.injured)
    return text + (f"; {clause}." if clause else ".")


def statements(
    incident: Incident,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(sentence -> claim ids of what was said, sentence -> claim ids of the denials)."""
    said: dict[str, list[str]] = {}
    denied: dict[str, list[str]] = {}
    for claim in current_claims(incident):
        table = denied if claim.event.stance == "denies" else said
        add_ids(table, claim_sentence(claim.event), [claim.id])
    named = {c.event.source for c in reporting_claims(incident)}
    verb = _PHRASES.get(incident.type, ("was responsible", "", ""))[0]
    for claimant, actors in incident.blamed.items():
        if claimant not in named and actors:
            add_ids(said, f"{side_name(claimant)} said {' and '.join(actors)} {verb}.", [])
    for side, ids in deniers(incident).items():
        if not ids:
            add_ids(denied, f"{side_name(side)} denied it.", [])
    return said, denied


def notes(incident: Incident) -> str:
    """Who said what and who denied it, as running text."""
    said, denied = statements(incident)
    return " ".join([*said, *denied])
