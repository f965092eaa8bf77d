"""`trucewatch import acled|ucdp|compare` on a real SQLite file: reference rows become incidents
marked with their origin, re-importing adds nothing, bad rows are reported with FILE:LINE, and
an ACLED event is matched with one of our incidents.

The CSV rows are invented for these tests, in the columns of ACLED's and UCDP GED's exports.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch.cli.importing import import_
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.importers import compare, import_acled, import_ucdp, origin_of
from trucewatch.importers.actors import side_name
from trucewatch.ingest.sources import read_sources
from trucewatch.models import CasualtyRange, Claim, Event, GeoPoint, Incident, StoredDocument
from trucewatch.registry import Registry
from trucewatch.store import SqlStore, open_store

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp\n"
)
ACLED_ROWS = [
    # line 2 (its note spans lines 2-3)
    "TWA001,2021-08-11,2021,1,Political violence,Explosions/Remote violence,Air/drone strike,"
    "Military Forces of Azerbaijan (2003-),,1,Military Forces of Nagorno-Karabakh (1994-2023),"
    ",2,12,,31,Caucasus and Central Asia,Azerbaijan,Khojavend,,,Khramort,39.9300,46.8600,1,"
    'Russian Defence Ministry,International,"Two quadcopter strikes hit a position near\n'
    'Khramort, the ""peacekeepers"" said. No casualties.",0,,1629072000\n',
    # line 4
    "TWA002,15 January 2021,2021,1,Political violence,Battles,Armed clash,"
    "Military Forces of Armenia (2018-),,1,Military Forces of Azerbaijan (2003-),,1,11,,51,"
    "Caucasus and Central Asia,Armenia,Tavush,,,Berd,40.8800,45.3900,2,Armenian Ministry of "
    "Defence,National,Exchange of fire near Berd.,2,,1611000000\n",
    # line 5
    "TWA003,2021-08-12,2021,1,Political violence,Violence against civilians,Attack,"
    "Unidentified Armed Group (Azerbaijan),,3,Civilians (Azerbaijan),,7,37,Civilian targeting,"
    "31,Caucasus and Central Asia,Azerbaijan,Tartar,,,Tartar,,,3,Media,National,"
    "A farmer was shot.,1,,1629072000\n",
    # line 6: a protest, skipped
    "TWA004,2021-08-12,2021,1,Demonstrations,Protests,Peaceful protest,Protesters (Armenia),,6,"
    ",,0,60,,51,Caucasus and Central Asia,Armenia,Yerevan,,,Yerevan,40.18,44.51,1,Media,"
    "National,A rally.,0,,1629072000\n",
    # line 7: malformed, no event_date
    "TWA005,,2021,1,Political violence,Battles,Armed clash,Military Forces of Armenia (2018-),,"
    "1,,,0,10,,51,Caucasus and Central Asia,Armenia,Tavush,,,Berd,40.88,45.39,1,Media,"
    "National,,0,,1629072000\n",
    # line 8: an agreement: stored as a claim, no incident
    "TWA006,2021-08-13,2021,1,Strategic developments,Strategic developments,Agreement,"
    "Government of Armenia (2018-),,1,Government of Azerbaijan (2003-),,1,11,,51,"
    "Caucasus and Central Asia,Armenia,Syunik,,,Goris,39.51,46.34,1,Media,National,"
    "Sides agreed to a truce.,0,,1629072000\n",
]
UCDP_HEADER = (
    "id,year,type_of_violence,conflict_name,dyad_name,side_a,side_b,source_article,"
    "where_coordinates,adm_1,adm_2,latitude,longitude,where_prec,country,date_start,date_end,"
    "deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low\n"
)
UCDP_ROWS = [
    # line 2
    '900001,2020,1,Azerbaijan: Nagorno-Karabakh,"Government of Azerbaijan - Republic of '
    'Artsakh",Government of Azerbaijan,Republic of Artsakh,"Invented wire, 2 Oct 2020",'
    "Martuni town,Khojavend district,,39.7950,47.1130,1,Azerbaijan,"
    "2020-10-02 00:00:00.000,2020-10-03 00:00:00.000,2,3,0,0,5,9,3\n",
    # line 3
    "900002,2020,3,Armenia - civilians,Government of Armenia - Civilians,Government of Armenia,"
    "Civilians,Invented wire,Tartar,Tartar district,,40.3400,46.9300,4,Azerbaijan,"
    "2020-10-04,2020-10-04,0,0,1,0,1,2,1\n",
    # line 4: malformed type of violence
    "900003,2020,9,X,X,A,B,,Berd,,,40.88,45.39,1,Armenia,2020-10-05,2020-10-05,0,0,0,0,0,0,0\n",
    # line 5
    "900004,2020,2,Militias,Militia A - Militia B,Militia A,Militia B,,,,,40.0690,45.0382,6,"
    "Armenia,2020-10-06,2020-10-06,0,0,0,1,1,1,1\n",
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


@pytest.fixture
def acled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "acled.csv"
    path.write_bytes((ACLED_HEADER + "".join(ACLED_ROWS)).encode("utf-8"))
    return path


@pytest.fixture
def ucdp_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ged.csv"
    path.write_bytes((UCDP_HEADER + "".join(UCDP_ROWS)).encode("utf-8"))
    return path


def by_id(store: SqlStore) -> dict[str, Incident]:
    return {i.id: i for i in store.incidents()}


def test_acled_rows_become_incidents_marked_acled(store: SqlStore, acled_csv: Path) -> None:
    bad: list[str] = []
    summary = import_acled(store, acled_csv, on_bad=bad.append)
    assert (summary.new, summary.present, summary.skipped) == (4, 0, 1)
    assert bad == summary.bad == [f"{acled_csv}:7: missing event_date"]

    found = by_id(store)
    assert sorted(found) == ["acled:TWA001", "acled:TWA002", "acled:TWA003"]
    assert {origin_of(i) for i in found.values()} == {"acled"}
    strike = found["acled:TWA001"]
    assert strike.type == "drone_strike"
    assert strike.first_date == dt.date(2021, 8, 11)
    assert strike.blamed == {"ACLED": ["Azerbaijan"]}
    assert strike.claims[0].event.target == "Nagorno-Karabakh"
    assert strike.killed == CasualtyRange(low=0, best=0, high=0)
    assert strike.geo == GeoPoint(lat=39.93, lon=46.86, precision="settlement", name="Khramort")
    clash = found["acled:TWA002"]
    assert (clash.type, clash.first_date) == ("armed_clash", dt.date(2021, 1, 15))
    assert clash.geo is not None
    assert clash.geo.precision == "district"
    assert clash.killed.best == 2
    attack = found["acled:TWA003"]
    assert attack.type == "attack_on_civilians"
    assert attack.blamed == {}
    assert attack.claims[0].event.target == "civilians"
    assert attack.geo is None
    assert attack.location == "Tartar"

    doc = store.get_document("acled:TWA001")
    assert doc is not None
    assert (doc.origin, doc.outlet) == ("acled", "ACLED")
    assert doc.published == dt.date(2021, 8, 16)
    assert "Two quadcopter strikes" in doc.text
    assert store.raw_bytes("acled:TWA001") == ACLED_ROWS[0].encode("utf-8")
    agreement = store.claims(document_id="acled:TWA006")
    assert [c.event.type for c in agreement] == ["ceasefire_agreement"]
    assert agreement[0].incident_id is None
    assert not store.has_document("acled:TWA004")


def test_reimport_adds_nothing(store: SqlStore, acled_csv: Path, ucdp_csv: Path) -> None:
    import_acled(store, acled_csv)
    import_ucdp(store, ucdp_csv)
    before = store.counts()
    again = import_acled(store, acled_csv)
    assert (again.new, again.present, again.skipped, len(again.bad)) == (0, 4, 1, 1)
    again = import_ucdp(store, ucdp_csv)
    assert (again.new, again.present, len(again.bad)) == (0, 3, 1)
    assert store.counts() == before


def test_reimport_repairs_an_incident_a_crash_left_out(store: SqlStore, acled_csv: Path) -> None:
    import_acled(store, acled_csv)
    strike = store.get_incident("acled:TWA001")
    assert strike is not None
    store.save_incidents([strike.model_copy(update={"claims": []})])  # as if never saved
    assert store.get_incident("acled:TWA001") is None
    assert import_acled(store, acled_csv).new == 0
    assert store.get_incident("acled:TWA001") == strike


def test_ucdp_rows_keep_their_killed_range(store: SqlStore, ucdp_csv: Path) -> None:
    summary = import_ucdp(store, ucdp_csv)
    assert (summary.new, summary.present, summary.skipped) == (3, 0, 0)
    assert summary.bad == [f"{ucdp_csv}:4: type_of_violence '9' is not 1, 2 or 3"]

    found = by_id(store)
    assert sorted(found) == ["ucdp:900001", "ucdp:900002", "ucdp:900004"]
    assert {origin_of(i) for i in found.values()} == {"ucdp"}
    battle = found["ucdp:900001"]
    assert battle.type == "armed_clash"
    assert (battle.first_date, battle.last_date) == (dt.date(2020, 10, 2), dt.date(2020, 10, 3))
    assert battle.killed == CasualtyRange(low=3, best=5, high=9)
    assert battle.blamed == {"UCDP": ["Azerbaijan"]}
    assert battle.claims[0].event.target == "Nagorno-Karabakh"
    assert battle.geo is not None
    assert battle.geo.precision == "settlement"
    assert battle.geo.name == "Martuni town"
    one_sided = found["ucdp:900002"]
    assert one_sided.type == "attack_on_civilians"
    assert one_sided.blamed == {"UCDP": ["Armenia"]}
    assert one_sided.claims[0].event.target == "civilians"
    assert one_sided.killed == CasualtyRange(low=1, best=1, high=2)
    assert one_sided.geo is not None
    assert one_sided.geo.precision == "region"
    militias = found["ucdp:900004"]
    assert militias.blamed == {"UCDP": ["Militia A"]}
    assert militias.geo is not None
    assert militias.geo.precision == "country"
    doc = store.get_document("ucdp:900001")
    assert doc is not None
    assert (doc.origin, doc.outlet) == ("ucdp", "UCDP GED")
    assert store.raw_bytes("ucdp:900002") == UCDP_ROWS[1].encode("utf-8")


def test_optional_columns_may_be_missing(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,location\n"
        "TWB001,2022-09-13,Explosions/Remote violence,Jermuk\n",
        encoding="utf-8",
    )
    summary = import_acled(store, path)
    assert (summary.new, summary.bad) == (1, [])
    incident = store.get_incident("acled:TWB001")
    assert incident is not None
    assert (incident.type, incident.location, incident.geo) == (
        "ceasefire_violation",
        "Jermuk",
        None,
    )


def test_a_file_without_a_required_column_is_one_bad_row(store: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "no-type.csv"
    path.write_text("event_id_cnty,event_date\nTWC001,2022-09-13\n", encoding="utf-8")
    summary = import_acled(store, path)
    assert summary.new == 0
    assert summary.bad == [f"{path}:1: missing required column(s): event_type"]


def test_a_row_that_is_not_utf8_is_bad_the_others_are_imported(
    store: SqlStore, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"event_id_cnty,event_date,event_type,location\n"
        b"TWD001,2022-09-13,Battles,Jermuk\n"
        b"TWD002,2022-09-13,Battles,J\xe9rmuk\n"
        b"TWD003,13/09/2022,Battles,Jermuk\n"
        b"TWD004,13 September 2022,Battles,Jermuk\n"
    )
    summary = import_acled(store, path)
    assert summary.new == 2
    assert summary.bad == [
        f"{path}:3: not UTF-8 text",
        f"{path}:4: event_date '13/09/2022' is not a date",
    ]


def test_actor_names() -> None:
    assert side_name("Military Forces of Azerbaijan (2003-)") == "Azerbaijan"
    assert side_name("Police Forces of Ukraine (2019-)") == "Ukraine"
    assert side_name("Government of Armenia") == "Armenia"
    assert side_name("Civilians (Armenia)") == "civilians"
    assert side_name("Unidentified Armed Group (Ukraine)") is None
    assert side_name("Rapid Support Forces") == "Rapid Support Forces"
    assert side_name("Sudan Liberation Movement") == "Sudan Liberation Movement"
    assert side_name("") is None


def our_incident(store: SqlStore, doc_id: str, day: dt.date, geo: GeoPoint, kind: str) -> None:
    """One of our own incidents, stored the way the registry stores one."""
    text = f"Report {doc_id}: {kind} near {geo.name}."
    doc = StoredDocument(id=doc_id, text=text, ingested_at=dt.datetime.now(dt.UTC))
    event = Event.model_validate(
        {"type": kind, "actor": "Azerbaijan", "source": "Russia", "date": day}
    )
    claim = Claim(id=f"{doc_id}:0", document_id=doc_id, index=0, event=event, geo=geo)
    assert store.add_document(doc, text.encode(), [claim])
    incident = Incident(id=f"inc-{doc_id}", type=kind, first_date=day, geo=geo, claims=[claim])
    store.save_incidents([incident])


def test_compare_matches_acled_with_ours(store: SqlStore, acled_csv: Path) -> None:
    import_acled(store, acled_csv)
    near_khramort = GeoPoint(lat=39.85, lon=46.95, precision="settlement", name="Askeran")
    our_incident(store, "ours1", dt.date(2021, 8, 11), near_khramort, "drone_strike")
    far = GeoPoint(lat=41.0, lon=44.0, precision="settlement", name="Elsewhere")
    our_incident(store, "ours2", dt.date(2021, 8, 11), far, "shelling")

    incidents = store.incidents()
    ours = [i for i in incidents if origin_of(i) == "trucewatch"]
    theirs = [i for i in incidents if origin_of(i) == "acled"]
    assert [i.id for i in ours] == ["inc-ours1", "inc-ours2"]
    result = compare(ours, theirs)
    assert [(m.ours.id, m.theirs.id, m.days) for m in result.matched] == [
        ("inc-ours1", "acled:TWA001", 0)
    ]
    assert 0 < result.matched[0].km < 25
    assert [i.id for i in result.ours_only] == ["inc-ours2"]
    assert [i.id for i in result.theirs_only] == ["acled:TWA002", "acled:TWA003"]
    assert result.counts == {"matched": 1, "ours_only": 1, "theirs_only": 2}
    assert compare(ours, theirs, max_km=5).counts["matched"] == 0


def test_cli(tmp_path: Path, acled_csv: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    result = runner.invoke(import_, ["acled", str(acled_csv), "--db", db])
    assert result.exit_code == 1
    assert f"error: {acled_csv}:7: missing event_date" in result.stderr
    assert "4 new, 0 already present, 1 skipped (not violations), 1 bad rows" in result.stderr
    again = runner.invoke(import_, ["acled", str(acled_csv), "--db", db])
    assert "0 new, 4 already present" in again.stderr

    good = tmp_path / "good.csv"
    good.write_text(UCDP_HEADER + UCDP_ROWS[0], encoding="utf-8")
    result = runner.invoke(import_, ["ucdp", str(good), "--db", db])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 already present" in result.stderr

    with open_store(db) as store:
        spot = GeoPoint(lat=39.92, lon=46.88, precision="settlement", name="Khramort")
        our_incident(store, "ours1", dt.date(2021, 8, 12), spot, "ceasefire_violation")
    args = ["compare", "--origin", "acled", "--since", "2021-08-01", "--until", "2021-08-31"]
    result = runner.invoke(import_, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "1 matched, 0 ours only, 1 acled only"
    assert "inc-ours1 = acled:TWA001" in result.stdout
    assert "acled:TWA003" in result.stdout


def test_our_claims_never_join_reference_incidents(
    store: SqlStore, acled_csv: Path, tmp_path: Path, extractor: Extractor, geocoder: Geocoder
) -> None:
    import_acled(store, acled_csv)
    report = (
        "Azerbaijani forces struck a Karabakh position near Khramort with two quadcopters on "
        "Wednesday, the Russian Defence Ministry said. There were no casualties."
    )
    src = tmp_path / "ours.jsonl"
    src.write_text(
        json.dumps({"id": "r", "text": report, "published": "2021-08-12"}) + "\n",
        encoding="utf-8",
    )
    registry = Registry(store, extractor=extractor, geocoder=geocoder)
    assert not registry.ingest(read_sources([str(src)])).failed
    incidents = store.incidents()
    reference = next(i for i in incidents if i.id == "acled:TWA001")
    assert [c.document_id for c in reference.claims] == ["acled:TWA001"]
    (ours,) = [i for i in incidents if origin_of(i) == "trucewatch"]
    assert ours.type == "drone_strike"
