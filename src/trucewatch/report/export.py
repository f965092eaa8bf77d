"""Incident exports (CSV with ACLED-style columns, GeoJSON, JSONL, Parquet) and the per-incident
summaries they share with the bulletin.

One row per incident. ACLED column names are used where they apply:

- `event_id_cnty`: our incident id; `event_date`: `first_date` (YYYY-MM-DD; empty when unknown);
- `time_precision` (ACLED: 1 day, 2 week, 3 month): 1 when the incident is dated to one day
  (`last_date` empty or equal to `first_date`), 2 when it spans at most 7 days, 3 when it spans
  more or has no date at all (ACLED has no "unknown");
- `event_type` / `sub_event_type`: mapped from our type to ACLED's event types
  (`_ACLED`); `ceasefire_violation` (kind not given) has none and exports as two empty cells;
  of the non-violent types, `ceasefire_agreement` maps to "Agreement", deployment and mediation
  to "Other", all under "Strategic developments";
- `actor1`: the blamed sides ("; "-joined, empty when unattributed); `actor2`: the targets;
- `geo_precision` (ACLED: 1 town, 2 near/district, 3 province/country): 1 settlement,
  2 district or region, 3 country, empty without coordinates;
- `source`: the claimants that report the incident, then the outlets that published their
  reports; `notes`: who said what and who denied it, then the evidence sentences quoted;
- `fatalities`: the best killed figure, empty when unknown (never 0 for "not said").

Our own columns follow (see `COLUMNS`): `incident_type`, `last_date`, `claims` (number),
`claim_ids`, `claimants` (every speaker, deniers included), `blamed` ("claimant: sides"),
`denied_by`, killed/injured low/best/high, `sources` (documents), `urls`, `reports` (per claim:
its id and its report's URL, outlet, title and publication day; JSON text in CSV and Parquet, a
list in GeoJSON), `ceasefire_id`, `historical`, `incident_id`. Parquet has the same columns,
typed (dates date32, counts int64 nullable, coordinates float64); GeoJSON has them as
properties of Point features, coordinates in [lon, lat] order, and leaves out incidents without
coordinates; JSONL is each incident dumped whole with all its claims, each with its `report`
(it reads back with `Incident.model_validate`).

CSV cells are untrusted text: the csv module quotes them, and a text cell starting with
= + - @ (or a tab or carriage return) gets a leading apostrophe so that a spreadsheet shows it
as text instead of running it as a formula. Numeric cells (e.g. a negative longitude) are not
altered; the other formats keep the text as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from trucewatch.models import Incident, StoredDocument
from trucewatch.report.describe import (
    UNATTRIBUTED,
    blame_pairs,
    casualties,
    claimants,
    deniers,
    notes,
    perpetrators,
    place,
    targets,
)
from trucewatch.report.provenance import attach_reports, report_ref

Format = Literal["csv", "geojson", "jsonl", "parquet"]
# --- rows ----------------------------------------------------------------------------------

_ACLED: dict[str, tuple[str, str]] = {
    "armed_clash": ("Battles", "Armed clash"),
    "firing": ("Battles", "Armed clash"),
    "intrusion": ("Battles", "Armed clash"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "drone_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "explosive": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "attack_on_civilians": ("Violence against civilians", "Attack"),
    "territory_seizure": ("Strategic developments", "Non-violent transfer of territory"),
    "shoot_down": ("Strategic developments", "Disrupted weapons use"),
    "ceasefire_violation": ("", ""),
    "ceasefire_agreement": ("Strategic developments", "Agreement"),
    "deployment": ("Strategic developments", "Other"),
    "mediation": ("Strategic developments", "Other"),
}

_GEO_PRECISION = {"settlement": 1, "district": 2, "region": 2, "country": 3}

# ACLED's columns first, then ours; each column's kind types the Parquet schema
COLUMNS: tuple[str, ...] = tuple(
    (
        "event_id_cnty event_date time_precision event_type sub_event_type actor1 actor2 location "
        "latitude longitude geo_precision source notes fatalities "
        "incident_type last_date claims claim_ids claimants blamed denied_by killed_low "
        "killed_high injured_low injured_best injured_high sources urls reports ceasefire_id "
        "historical incident_id"
    ).split()
)
_KINDS: dict[str, str] = {
    **dict.fromkeys(("event_date", "last_date"), "date"),
    **dict.fromkeys(("latitude", "longitude"), "float"),
    "historical": "bool",
    **dict.fromkeys(
        "time_precision geo_precision fatalities claims killed_low killed_high injured_low "
        "injured_best injured_high sources".split(),
        "int",
    ),
}


def time_precision(first: dt.date | None, last: dt.date | None) -> int:
    if first is None:
        return 3
    span = ((last or first) - first).days
    return 1 if span <= 0 else 2 if span <= 7 else 3


def incident_row(
    incident: Incident,
    documents: Mapping[str, StoredDocument] = {},  # read only
) -> dict[str, Any]:
    """One incident as a row of typed values (None where unknown), keys as in `COLUMNS`."""
    killed, _ = casualties(incident, "killed")
    injured, _ = casualties(incident, "injured")
    event_type, sub_event_type = _ACLED.get(incident.type, ("", ""))
    blamed = [a for a in perpetrators(incident) if a != UNATTRIBUTED]
    speakers = dict.fromkeys(c.event.source for c in incident.claims)
    doc_ids = list(dict.fromkeys(c.document_id for c in incident.claims))
    urls = [d.url for i in doc_ids if (d := documents.get(i)) is not None and d.url]
    outlets = [d.outlet for i in doc_ids if (d := documents.get(i)) is not None and d.outlet]
    reports = [_report(c.id, documents.get(c.document_id)) for c in incident.claims]
    evidence = list(dict.fromkeys(e.sentence for c in incident.claims for e in c.event.evidence))
    by_claimant: dict[str, list[str]] = {}
    for claimant, actor in blame_pairs(incident):
        by_claimant.setdefault(claimant, []).append(actor)
    geo = incident.geo
    return {
        "event_id_cnty": incident.id,
        "event_date": incident.first_date,
        "time_precision": time_precision(incident.first_date, incident.last_date),
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": "; ".join(blamed),
        "actor2": "; ".join(targets(incident)),
        "location": place(incident) or "",
        "latitude": geo.lat if geo else None,
        "longitude": geo.lon if geo else None,
        "geo_precision": _GEO_PRECISION[geo.precision] if geo else None,
        "source": "; ".join(dict.fromkeys([*claimants(incident), *outlets])),
        "notes": " ".join([notes(incident), *(f"“{sentence}”" for sentence in evidence)]),
        "fatalities": killed.best,
        "incident_type": incident.type,
        "last_date": incident.last_date or incident.first_date,
        "claims": len(incident.claims),
        "claim_ids": "; ".join(c.id for c in incident.claims),
        "claimants": "; ".join({**speakers, **dict.fromkeys(incident.blamed)}),
        "blamed": "; ".join(f"{k}: {', '.join(v)}" for k, v in by_claimant.items()),
        "denied_by": "; ".join(deniers(incident)),
        "killed_low": killed.low,
        "killed_high": killed.high,
        "injured_low": injured.low,
        "injured_best": injured.best,
        "injured_high": injured.high,
        "sources": len(doc_ids) or incident.sources,
        "urls": "; ".join(urls),
        "reports": reports,
        "ceasefire_id": incident.ceasefire_id or "",
        "historical": incident.historical,
        "incident_id": incident.id,
    }


def _report(claim_id: str, document: StoredDocument | None) -> dict[str, Any]:
    ref = report_ref(document).model_dump(mode="json") if document is not None else {}
    return {"claim_id": claim_id, **ref}


# --- writers -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A leading apostrophe for text a spreadsheet would take as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | int | float):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return spreadsheet_safe(str(value))


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its `reports` list as JSON text (CSV and Parquet cells)."""
    return {**row, "reports": json.dumps(row["reports"], ensure_ascii=False)}


def _write_csv(rows: list[dict[str, Any]], path: Path) -> int:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows({k: _csv_cell(v) for k, v in _flat(row).items()} for row in rows)
    return len(rows)


def _write_geojson(rows: list[dict[str, Any]], path: Path) -> int:
    features = [
        {
            "type": "Feature",
            "id": row["incident_id"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {k: _json_value(v) for k, v in row.items()},
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(features)


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa  # heavy: imported only for this format
    import pyarrow.parquet as pq

    kinds = {
        "str": pa.string(),
        "date": pa.date32(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
    }
    schema = pa.schema([(name, kinds[_KINDS.get(name, "str")]) for name in COLUMNS])
    table = pa.Table.from_pylist([_flat(row) for row in rows], schema=schema)
    pq.write_table(table, path)
    return len(rows)


def export(
    incidents: Sequence[Incident],
    path: Path,
    fmt: Format,
    *,
    documents: Mapping[str, StoredDocument] = {},  # read only
) -> int:
    """Write `incidents` to `path` as `fmt`; the number of rows (GeoJSON: features) written.
    `documents` (id -> document) are the reports of the incidents' claims."""
    incidents = attach_reports(incidents, {i: report_ref(d) for i, d in documents.items()})
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for incident in incidents:
                line = json.dumps(incident.model_dump(mode="json"), ensure_ascii=False)
                handle.write(line + "\n")
        return len(incidents)
    rows = [incident_row(i, documents) for i in incidents]
    if fmt == "csv":
        return _write_csv(rows, path)
    if fmt == "geojson":
        return _write_geojson(rows, path)
    if fmt == "parquet":
        return _write_parquet(rows, path)
    raise ValueError(f"unknown export format: {fmt!r}")
