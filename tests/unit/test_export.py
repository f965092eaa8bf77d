"""Tests for trucewatch.report.export: every format written and read back."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trucewatch.models import Claim, Event, Evidence, GeoPoint, Incident, StoredDocument
from trucewatch.report.export import COLUMNS, export, spreadsheet_safe, time_precision

DAY = dt.date(2021, 8, 11)


def claim(claim_id: str, **fields: Any) -> Claim:
    base: dict[str, Any] = {"type": "drone_strike", "source": "Russia", "date": DAY}
    base.update(fields)
    sentence = f"Made-up sentence of {claim_id}."
    base["evidence"] = [Evidence(sentence=sentence, start=0, end=len(sentence))]
    return Claim(id=claim_id, document_id=f"d-{claim_id}", index=0, event=Event(**base))


def incidents() -> list[Incident]:
    return [
        Incident(
            id="i-drone",
            type="drone_strike",
            first_date=DAY,
            last_date=dt.date(2021, 8, 12),
            location="Saribaba",
            geo=GeoPoint(lat=39.71, lon=46.73, precision="settlement", name="Saribaba"),
            ceasefire_id="nk-2020",
            claims=[
                claim(
                    "c1",
                    actor="Azerbaijan",
                    target="Nagorno-Karabakh",
                    location="Saribaba",
                    weapon="drone",
                    count=2,
                    killed=0,
                    injured=0,
                ),
                claim("c2", source="Azerbaijan", stance="denies", actor="Azerbaijan"),
            ],
        ),
        Incident(
            id="i-shell",
            type="shelling",
            first_date=DAY,
            geo=GeoPoint(lat=40.1, lon=-3.5, precision="region", name="Somewhere"),
            claims=[
                claim(
                    "c3", type="shelling", source="Armenia", actor="Azerbaijan", killed=2, injured=1
                ),
                claim(
                    "c4", type="shelling", source="Nagorno-Karabakh", actor="Azerbaijan", killed=5
                ),
            ],
        ),
        Incident(
            id="i-nogeo",
            type="ceasefire_violation",
            location='=HYPERLINK("http://evil","x")',
            claims=[claim("c5", type="ceasefire_violation", source="OSCE", stance="neutral")],
        ),
    ]


DOCS = {
    "d-c1": StoredDocument(
        id="d-c1",
        text="…",
        url="https://example.org/1",
        title="A",
        outlet="Example Wire",
        published=DAY,
        ingested_at=dt.datetime(2021, 8, 12),
    ),
}
C1_REPORT = {
    "claim_id": "c1",
    "url": "https://example.org/1",
    "outlet": "Example Wire",
    "title": "A",
    "published": "2021-08-11",
}


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert export(incidents(), path, "csv", documents=DOCS) == 3
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == list(COLUMNS)
        rows = {r["incident_id"]: r for r in reader}
    drone = rows["i-drone"]
    assert drone["event_id_cnty"] == "i-drone"
    assert drone["event_date"] == "2021-08-11"
    assert drone["time_precision"] == "2"
    assert (drone["event_type"], drone["sub_event_type"]) == (
        "Explosions/Remote violence",
        "Air/drone strike",
    )
    assert (drone["actor1"], drone["actor2"]) == ("Azerbaijan", "Nagorno-Karabakh")
    assert (drone["latitude"], drone["longitude"], drone["geo_precision"]) == (
        "39.71",
        "46.73",
        "1",
    )
    assert drone["source"] == "Russia; Example Wire"  # claimants, then outlets
    assert drone["claimants"] == "Russia; Azerbaijan"
    assert drone["denied_by"] == "Azerbaijan"
    assert drone["notes"] == (
        "Russia said Azerbaijan carried out a drone strike near Saribaba (2 strikes); "
        "no casualties. Azerbaijan denied it. "
        "“Made-up sentence of c1.” “Made-up sentence of c2.”"
    )
    assert json.loads(drone["reports"]) == [C1_REPORT, {"claim_id": "c2"}]  # d-c2 not stored
    assert drone["fatalities"] == "0"
    assert (drone["claims"], drone["claim_ids"], drone["sources"]) == ("2", "c1; c2", "2")
    assert drone["urls"] == "https://example.org/1"
    assert drone["ceasefire_id"] == "nk-2020"
    shell = rows["i-shell"]
    assert shell["time_precision"] == "1"
    assert (shell["fatalities"], shell["killed_low"], shell["killed_high"]) == ("2", "2", "5")
    assert (shell["injured_low"], shell["injured_best"], shell["injured_high"]) == ("1", "1", "1")
    assert shell["longitude"] == "-3.5"  # numbers are never given an apostrophe
    assert shell["geo_precision"] == "2"
    assert shell["blamed"] == "Armenia: Azerbaijan; Nagorno-Karabakh: Azerbaijan"
    vague = rows["i-nogeo"]
    assert (vague["event_type"], vague["sub_event_type"]) == ("", "")
    assert vague["event_date"] == ""
    assert vague["time_precision"] == "3"
    assert vague["actor1"] == ""
    assert vague["fatalities"] == ""
    assert vague["latitude"] == ""


def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    export(incidents(), path, "csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = {r["incident_id"]: r for r in csv.DictReader(handle)}
    assert rows["i-nogeo"]["location"] == '\'=HYPERLINK("http://evil","x")'
    for prefix in "=+-@":
        assert spreadsheet_safe(prefix + "1") == "'" + prefix + "1"
    assert spreadsheet_safe("Saribaba") == "Saribaba"


def test_geojson_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.geojson"
    assert export(incidents(), path, "geojson", documents=DOCS) == 2  # none without geo
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    features = {f["id"]: f for f in data["features"]}
    assert set(features) == {"i-drone", "i-shell"}
    drone = features["i-drone"]
    assert drone["geometry"] == {"type": "Point", "coordinates": [46.73, 39.71]}  # lon, lat
    assert features["i-shell"]["geometry"]["coordinates"] == [-3.5, 40.1]
    props = drone["properties"]
    assert set(props) == set(COLUMNS)
    assert props["event_date"] == "2021-08-11"
    assert props["fatalities"] == 0
    assert props["killed_high"] == 0
    assert props["actor1"] == "Azerbaijan"
    assert props["reports"] == [C1_REPORT, {"claim_id": "c2"}]


def test_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    original = incidents()
    assert export(original, path, "jsonl") == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    back = [Incident.model_validate(json.loads(line)) for line in lines]
    assert back == original
    first = json.loads(lines[0])
    assert [c["id"] for c in first["claims"]] == ["c1", "c2"]
    assert [c["report"] for c in first["claims"]] == [None, None]  # no documents given
    export(original, path, "jsonl", documents=DOCS)
    sourced = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert sourced["claims"][0]["report"] == {k: v for k, v in C1_REPORT.items() if k != "claim_id"}
    assert Incident.model_validate(sourced).claims[0].report is not None
    assert first["claims"][0]["event"]["evidence"][0]["sentence"] == "Made-up sentence of c1."


def test_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    assert export(incidents(), path, "parquet", documents=DOCS) == 3
    table = pq.read_table(path)
    assert table.column_names == list(COLUMNS)
    schema = table.schema
    assert schema.field("event_date").type == pa.date32()
    assert schema.field("fatalities").type == pa.int64()
    assert schema.field("latitude").type == pa.float64()
    assert schema.field("historical").type == pa.bool_()
    rows = {r["incident_id"]: r for r in table.to_pylist()}
    assert rows["i-drone"]["event_date"] == DAY
    assert rows["i-drone"]["longitude"] == pytest.approx(46.73)
    assert json.loads(rows["i-drone"]["reports"])[0] == C1_REPORT
    assert rows["i-shell"]["killed_high"] == 5
    assert rows["i-nogeo"]["fatalities"] is None
    assert rows["i-nogeo"]["event_date"] is None
    assert rows["i-nogeo"]["location"] == '=HYPERLINK("http://evil","x")'  # CSV-only guard


def test_empty_export_writes_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    assert export([], path, "csv") == 0
    assert path.read_text(encoding="utf-8").strip() == ",".join(COLUMNS)
    assert export([], tmp_path / "empty.parquet", "parquet") == 0
    assert pq.read_table(tmp_path / "empty.parquet").column_names == list(COLUMNS)


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export([], tmp_path / "x", "xlsx")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (DAY, None, 1),
        (DAY, DAY, 1),
        (DAY, DAY + dt.timedelta(days=7), 2),
        (DAY, DAY + dt.timedelta(days=8), 3),
        (None, None, 3),
    ],
)
def test_time_precision(first: dt.date | None, last: dt.date | None, expected: int) -> None:
    assert time_precision(first, last) == expected
