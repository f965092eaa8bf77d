"""The registry end to end on a real SQLite file: ingest, re-ingest, near duplicates, linking a
claim with its denial and with another outlet's wording, ceasefires, period reports, bad input,
and the commands that read it back (incidents, bulletin, exports)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from trucewatch.cli import cli
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import read_sources
from trucewatch.registry import Registry
from trucewatch.store import SqlStore, open_store

# Reports written for these tests, about one drone strike (11 August 2022) told three ways.
BULLETIN = (
    "The Russian Defence Ministry said on Friday that its peacekeepers had registered one "
    "ceasefire violation in the previous 24 hours. \u201cAzerbaijani armed forces struck a "
    "position of the Karabakh Defence Army near Khramort with an attack drone,\u201d the "
    "ministry said. \u201cThere were no casualties.\u201d"
)
OTHER_OUTLET = (
    "Drone strike reported near Khramort\n"
    "A Karabakh Defence Army post near Khramort was hit by an Azerbaijani attack drone on "
    "Thursday, Russia's Defence Ministry said in its bulletin on the peacekeeping mission. "
    "Nobody was hurt, the bulletin said."
)
DENIAL = (
    "Azerbaijan's Defence Ministry on Friday denied that its units had used a drone near "
    "Khramort. \u201cThe information spread by the Russian side is false and does not reflect "
    "reality,\u201d the ministry said."
)
QUIET_DAY = (
    "No ceasefire violations were recorded in the zone of the peacekeeping mission over the past "
    "day, the Russian Defence Ministry said on Saturday."
)


def records(**texts: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": k, "text": t, "published": p} for k, (t, p) in texts.items()]


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


@pytest.fixture
def registry(store: SqlStore, extractor: Extractor, geocoder: Geocoder) -> Registry:
    return Registry(store, extractor=extractor, geocoder=geocoder)


def ingest(registry: Registry, *paths: Path) -> None:
    summary = registry.ingest(read_sources([str(p) for p in paths]))
    assert not summary.failed, summary.failed


def strike_incidents(store: SqlStore) -> list[object]:
    return [i for i in store.incidents() if i.type == "drone_strike"]


def test_ingesting_twice_adds_nothing(registry: Registry, store: SqlStore, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(a=(BULLETIN, "2022-08-12")))
    ingest(registry, src)
    counts = store.counts()
    summary = registry.ingest(read_sources([str(src)]))
    assert (summary.new, summary.duplicates) == (0, 1)
    assert store.counts() == counts
    assert store.integrity_check()


def test_near_duplicate_is_recorded_as_such(
    registry: Registry, store: SqlStore, tmp_path: Path
) -> None:
    story = BULLETIN + (
        " The peacekeeping command said it was looking into the incident together with both "
        "sides and had informed the general staffs of the armed forces of Azerbaijan and "
        "Armenia. Russian peacekeepers have been deployed in the region since the ceasefire "
        "statement of November 2020, and the ministry publishes a bulletin on their work every "
        "day. Monitors said the situation along the line of contact was otherwise calm, with "
        "patrols carried out on four routes and two convoys escorted without incident."
    )
    republished = story.replace("otherwise calm", "calm otherwise").replace(
        "four routes", "4 routes"
    )
    src = write_jsonl(
        tmp_path / "in.jsonl",
        records(first=(story, "2022-08-12"), again=(republished, "2022-08-12")),
    )
    summary = registry.ingest(read_sources([str(src)]))
    assert (summary.new, summary.near_duplicates) == (1, 1)
    docs = store.documents()
    copy = next(d for d in docs if d.duplicate_of is not None)
    assert copy.duplicate_of == next(d.id for d in docs if d.duplicate_of is None)
    assert store.claims(document_id=copy.id) == []


def test_claim_denial_and_another_outlet_form_one_incident(
    registry: Registry, store: SqlStore, tmp_path: Path
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        records(
            bulletin=(BULLETIN, "2022-08-12"),
            other=(OTHER_OUTLET, "2022-08-12"),
            denial=(DENIAL, "2022-08-12"),
        ),
    )
    ingest(registry, src)
    (incident,) = strike_incidents(store)
    assert incident.sources == 3
    assert incident.blamed == {"Russia": ["Azerbaijan"]}
    assert incident.denied_by == ["Azerbaijan"]
    assert (incident.killed.low, incident.killed.high) == (0, 0)
    assert incident.geo is not None
    assert incident.geo.precision == "settlement"
    assert (incident.ceasefire_id or "").startswith("armenia-azerbaijan:")


def test_seed_article_and_a_rewrite_link(
    registry: Registry, store: SqlStore, shared_dir: Path, tmp_path: Path
) -> None:
    seed = (shared_dir / "corpus" / "moscow-times-2021-karabakh-truce.txt").read_text("utf-8")
    rewrite = (
        "Russian peacekeepers say Azerbaijan used drones in Karabakh\n"
        "Azerbaijani troops twice struck positions of the Nagorno-Karabakh armed formations with "
        "attack quadcopters on Wednesday morning, the Russian Defence Ministry said in its "
        "bulletin. There were no casualties."
    )
    src = write_jsonl(
        tmp_path / "in.jsonl",
        records(seed=(seed, "2021-08-13"), rewrite=(rewrite, "2021-08-12")),
    )
    ingest(registry, src)
    (incident,) = strike_incidents(store)
    assert incident.sources == 2
    assert incident.blamed == {"Russia": ["Azerbaijan"]}
    # the donation appeal and the 2020 war stay out of the incidents
    assert all(not i.historical for i in store.incidents())


def test_zero_statement_is_a_period_report(
    registry: Registry, store: SqlStore, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(q=(QUIET_DAY, "2022-08-14")))
    ingest(registry, src)
    (report,) = store.period_reports()
    assert (report.source, report.count, str(report.start)) == ("Russia", 0, "2022-08-12")
    assert store.incidents() == []


def test_bad_inputs_are_named_and_the_rest_is_stored(
    registry: Registry, store: SqlStore, tmp_path: Path
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", records(a=(BULLETIN, "2022-08-12")))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 shelling")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "text": "Shelling near Sotk."}\n{not json\n', encoding="utf-8")
    summary = registry.ingest(
        read_sources(
            [
                str(good),
                str(tmp_path / "empty.txt"),
                str(tmp_path / "binary.txt"),
                str(broken),
                str(tmp_path / "missing.txt"),
            ]
        )
    )
    failed = "\n".join(summary.failed)
    for name in ("empty.txt", "binary.txt", "broken.jsonl:2", "missing.txt"):
        assert name in failed
    assert summary.new == 2
    assert store.counts()["documents"] == 2


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.usefixtures("geocoder")  # builds the gazetteer index in gazetteer_cache
def test_commands_read_the_registry_back(
    tmp_path: Path, gazetteer_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUCEWATCH_CACHE", str(gazetteer_cache))
    db = str(tmp_path / "cli.db")
    rows = records(
        bulletin=(BULLETIN, "2022-08-12"),
        denial=(DENIAL, "2022-08-12"),
        quiet=(QUIET_DAY, "2022-08-14"),
    )
    for row in rows:  # where each report was read: every output names it for each claim
        row |= {"url": f"https://news.example/{row['id']}", "outlet": "Example Wire"}
        row["title"] = f"Report {row['id']}"
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    first = run("ingest", str(src), "--db", db)
    assert first.exit_code == 0, first.stderr
    assert "3 new" in first.stderr
    again = run("ingest", str(src), "--db", db)
    assert "0 new, 3 duplicate" in again.stderr

    listed = run("incidents", "--db", db, "--json")
    (incident,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert incident["denied_by"] == ["Azerbaijan"]
    assert len(incident["claims"]) >= 2
    for claim in incident["claims"]:
        report = claim["report"]
        assert report["url"] == f"https://news.example/{report['title'].split()[-1]}"
        assert (report["outlet"], report["published"]) == ("Example Wire", "2022-08-12")
    claim_urls = {c["id"]: c["report"]["url"] for c in incident["claims"]}

    md = run("bulletin", "--db", db, "--date", "2022-08-11")
    assert md.exit_code == 0, md.stderr
    assert "Azerbaijan" in md.stdout
    assert "denied" in md.stdout
    html = run("bulletin", "--db", db, "--date", "2022-08-11", "--format", "html")
    assert html.stdout.lstrip().lower().startswith(("<!doctype", "<html"))

    for fmt in ("csv", "geojson", "jsonl", "parquet"):
        out = tmp_path / f"incidents.{fmt}"
        assert run("export", "--db", db, "--format", fmt, "-o", str(out)).exit_code == 0
    with (tmp_path / "incidents.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["event_type"] == "Explosions/Remote violence"
    assert row["actor1"] == "Azerbaijan"
    assert row["source"].endswith("; Example Wire")  # the claimants, then the outlet
    assert "“" in row["notes"]  # the evidence sentences quoted

    def urls(reports: list[dict[str, str]]) -> dict[str, str]:
        return {r["claim_id"]: r["url"] for r in reports}

    assert urls(json.loads(row["reports"])) == claim_urls
    features = json.loads((tmp_path / "incidents.geojson").read_text("utf-8"))["features"]
    lon, lat = features[0]["geometry"]["coordinates"]
    assert 39 < lat < 41  # Karabakh, in GeoJSON's lon-lat order
    assert 45 < lon < 48
    assert urls(features[0]["properties"]["reports"]) == claim_urls
    (line,) = (tmp_path / "incidents.jsonl").read_text("utf-8").splitlines()
    assert {c["id"]: c["report"]["url"] for c in json.loads(line)["claims"]} == claim_urls
    (parquet_row,) = pq.read_table(tmp_path / "incidents.parquet").to_pylist()
    assert urls(json.loads(parquet_row["reports"])) == claim_urls

    bad = run("ingest", str(tmp_path / "nothing-here.txt"), "--db", db)
    assert bad.exit_code == 1
    assert "nothing-here.txt" in bad.stderr


def test_period_report_counts_against_the_ceasefire_in_force(
    registry: Registry, store: SqlStore, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", records(q=(BULLETIN, "2022-08-12")))
    ingest(registry, src)
    (report,) = store.period_reports()
    assert report.count == 1
    ceasefire = next(c for c in store.ceasefires() if c.id == report.ceasefire_id)
    assert ceasefire.in_force(report.start)
    assert "Azerbaijan" in ceasefire.parties


def test_command_line_errors_are_clear(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.db")
    for args in (
        ("incidents", "--db", missing),
        ("bulletin", "--db", missing, "--date", "2022-08-11"),
        ("export", "--db", missing, "--format", "csv", "-o", str(tmp_path / "x.csv")),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "no registry at" in result.stderr
    assert not (tmp_path / "missing.db").exists()

    folder = run("ingest", str(tmp_path), "--db", str(tmp_path))
    assert folder.exit_code == 1
    assert "is a directory" in folder.stderr

    db = str(tmp_path / "r.db")
    assert run("ceasefire", "list", "--db", db).exit_code == 0
    assert run("incidents", "--db", db, "--type", "bogus").exit_code == 2
    assert (
        run("incidents", "--db", db, "--since", "2022-02-02", "--until", "2022-01-01").exit_code
        == 2
    )
    first = run(
        "ceasefire",
        "add",
        "--db",
        db,
        "--name",
        "Перемирие",
        "--parties",
        "A,B",
        "--start",
        "2022-07-30",
    )
    second = run(
        "ceasefire",
        "add",
        "--db",
        db,
        "--name",
        "Тишина",
        "--parties",
        "A,B",
        "--start",
        "2022-07-30",
    )
    assert first.stdout.startswith("added")
    assert second.stdout.startswith("added")  # a name without latin letters gets its own id
    assert (
        run(
            "ceasefire",
            "add",
            "--db",
            db,
            "--name",
            " ",
            "--parties",
            "A,B",
            "--start",
            "2022-07-30",
        ).exit_code
        == 2
    )
    assert (
        run(
            "ceasefire",
            "add",
            "--db",
            db,
            "--name",
            "x",
            "--parties",
            "A,A",
            "--start",
            "2022-07-30",
        ).exit_code
        == 2
    )
