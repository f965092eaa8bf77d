"""`trucewatch batch` end to end: JSONL and Parquet shards through the local process pool and a
Dask LocalCluster, Parquet outputs read back, re-runs that skip done shards, a failing shard
retried and reported, and the registry path on a real SQLite file.

Every run starts worker processes that load spaCy (a few seconds), so one run of the local
engine over the shared corpus (module fixture) serves several checks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trucewatch.batch import BatchSummary, LocalRunner, ShardFailure, ShardResult, run_batch
from trucewatch.batch.manifest import MANIFEST_NAME, Manifest, ManifestError
from trucewatch.batch.shards import expand, read_items, read_shard
from trucewatch.cli.batch import batch
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.models import document_id
from trucewatch.registry import Registry
from trucewatch.store import open_store

# Short reports written for these tests, three per shard.
REPORTS = [
    [
        "Ukraine's General Staff said on Sunday that Russian forces shelled Ukrainian positions "
        "near Avdiivka with mortars. There were no casualties.",
        "Pakistan's military said on Monday that Indian troops violated the ceasefire 12 times "
        "along the Line of Control in the past 24 hours, killing two civilians in Poonch.",
        "The weather in the capital was mild on Tuesday and the markets were calm.",
    ],
    [
        "Azerbaijan's Defence Ministry said on Wednesday that Armenian armed forces fired on "
        "Azerbaijani army positions in Kalbajar with small arms. No one was hurt.",
        "The Russian Defence Ministry said on Friday that its peacekeepers had registered one "
        "ceasefire violation in the previous 24 hours. Azerbaijani forces struck a Karabakh "
        "Defence Army position near Khramort with an attack drone, the ministry said.",
        "No ceasefire violations were recorded in the zone of the peacekeeping mission over the "
        "past day, the Russian Defence Ministry said on Saturday.",
    ],
    [
        "The Indian Army said on Thursday that Pakistani troops opened fire with machine guns on "
        "Indian posts in the Uri sector, injuring three soldiers.",
        "Russia's Defence Ministry said on Tuesday that Ukrainian drones attacked the city of "
        "Horlivka, killing one civilian and wounding four.",
        "Azerbaijan's Defence Ministry on Friday denied that its units had used a drone near "
        "Khramort, calling the Russian report false.",
    ],
    [
        "Israel's military said on Monday that Hezbollah fired rockets at northern Israel and "
        "that its aircraft struck Hezbollah sites in southern Lebanon in response.",
        "Armenia's Defence Ministry said on Sunday that Azerbaijani forces shelled Armenian "
        "positions near Sotk with mortars, wounding one soldier.",
        "Officials from both sides met in Geneva on Wednesday to discuss prisoner exchanges.",
    ],
]
PARQUET_REPORTS = [
    "Ukraine's air force said on Saturday that it shot down eight Russian drones over the "
    "Kherson region overnight.",
    "Pakistan's ISPR said on Friday that Indian troops fired mortar rounds at villages in the "
    "Nakyal sector, killing a woman.",
    "Ukrainian officials said on Thursday that Russian artillery shelled Nikopol, damaging "
    "houses and a school. Nobody was killed.",
]
PUBLISHED = "2022-08-12"


def write_jsonl(path: Path, texts: list[str], extra: Sequence[str] = ()) -> Path:
    lines = [
        json.dumps({"id": f"{path.stem}-{i}", "text": t, "published": PUBLISHED})
        for i, t in enumerate(texts)
    ]
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, texts in enumerate(REPORTS, start=1):
        # shard 2 also holds a bad record: it is reported, and the shard still completes
        bad = ['{"id": "no-text"}'] if n == 2 else []
        write_jsonl(folder / f"part-{n}.jsonl", texts, bad)
    table = pa.table(
        {
            "id": [f"pq-{i}" for i in range(len(PARQUET_REPORTS))],
            "text": PARQUET_REPORTS,
            "published": pa.array([None, "2022-08-11", "2022-08-10"]),
            "url": [f"https://example.org/{i}" for i in range(len(PARQUET_REPORTS))],
        }
    )
    pq.write_table(table, folder / "part-5.parquet")
    return folder


Row = tuple[Any, ...]


def output_rows(out_dir: Path) -> set[Row]:
    rows: set[Row] = set()
    for path in sorted(out_dir.glob("*.claims.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows.add(tuple(row.values()))
    return rows


def expected_rows(extractor: Extractor, corpus: Path) -> list[dict[str, Any]]:
    """What the per-document function gives, run here in the test process."""
    out = []
    for shard in sorted(corpus.iterdir()):
        for doc in read_shard(shard):
            for index, event in enumerate(extractor.extract(doc)):
                out.append(
                    {
                        "document_id": document_id(doc.text),
                        "input_id": doc.id,
                        "index": index,
                        "type": event.type,
                        "actor": event.actor,
                    }
                )
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("shards"))


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchSummary, Path]:
    out = tmp_path_factory.mktemp("claims")
    return run_batch([corpus], "local", processes=2, out_dir=out), out


def test_local_engine_writes_one_row_per_event(
    local_run: tuple[BatchSummary, Path], corpus: Path, extractor: Extractor
) -> None:
    summary, out = local_run
    assert summary.ok
    assert summary.shards == 5
    assert len(summary.results) == 5
    assert summary.documents == 15
    assert len(summary.errors) == 1
    assert "part-2.jsonl:4" in summary.errors[0]
    assert sorted(p.name for p in out.glob("*.claims.parquet")) == [
        f"part-{n}.claims.parquet" for n in (1, 2, 3, 4)
    ] + ["part-5.claims.parquet"]
    got = [
        {k: row[k] for k in ("document_id", "input_id", "index", "type", "actor")}
        for path in sorted(out.glob("*.claims.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]
    want = expected_rows(extractor, corpus)
    assert len(got) == summary.events > 5
    assert sorted(got, key=repr) == sorted(want, key=repr)
    table = pq.read_table(out / "part-1.claims.parquet")
    assert table.schema.field("date").type == pa.date32()
    first = table.to_pylist()[0]
    assert first["source"]
    assert 0 <= first["confidence"] <= 1
    assert json.loads(first["evidence"])[0]["sentence"]
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind


def test_rerun_skips_every_shard_done(local_run: tuple[BatchSummary, Path], corpus: Path) -> None:
    _, out = local_run
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.claims.parquet")}
    again = run_batch([corpus], "local", processes=2, out_dir=out)
    assert again.ok
    assert not again.results
    assert len(again.skipped) == 5
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.claims.parquet")} == before


def test_changed_shard_is_the_only_one_redone(
    local_run: tuple[BatchSummary, Path], corpus: Path
) -> None:
    _, out = local_run
    shard = corpus / "part-3.jsonl"
    write_jsonl(shard, [*REPORTS[2], REPORTS[0][0].replace("Sunday", "Monday")])
    again = run_batch([corpus], "local", processes=1, out_dir=out)
    assert [Path(r.shard).name for r in again.results] == ["part-3.jsonl"]
    assert len(again.skipped) == 4
    assert again.results[0].documents == 4
    ids = set(pq.read_table(out / "part-3.claims.parquet").column("input_id").to_pylist())
    assert "part-3-3" in ids
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert len(manifest["shards"]) == 5


@pytest.mark.dask
def test_dask_engine_gives_the_same_rows_as_local(
    local_run: tuple[BatchSummary, Path], corpus: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    _, local_out = local_run
    summary = run_batch([corpus], "dask", workers=2, out_dir=tmp_path)
    assert summary.ok
    assert len(summary.results) == 5
    assert output_rows(tmp_path) == output_rows(local_out)


def _flaky(path: str) -> ShardResult:
    """Fails on a shard's first attempt, succeeds on the next; 'never' shards always fail."""
    marker = Path(path + ".tried")
    if "never" in path or not marker.exists():
        marker.touch()
        raise RuntimeError(f"attempt failed on {Path(path).name}")
    return ShardResult(shard=path, documents=1, events=0)


def test_local_runner_retries_then_reports(tmp_path: Path) -> None:
    shards = [str(tmp_path / name) for name in ("a", "b", "never")]
    outcomes = list(LocalRunner(processes=2, retries=2).map(_flaky, shards))
    done = sorted(Path(o.shard).name for o in outcomes if isinstance(o, ShardResult))
    failed = [o for o in outcomes if isinstance(o, ShardFailure)]
    assert done == ["a", "b"]
    assert len(failed) == 1
    assert failed[0].attempts == 3
    assert "RuntimeError: attempt failed on never" in failed[0].error


def test_cli_reports_a_corrupt_shard_and_completes_the_others(tmp_path: Path) -> None:
    shards = tmp_path / "in"
    shards.mkdir()
    write_jsonl(shards / "good.jsonl", REPORTS[0])
    (shards / "corrupt.parquet").write_bytes(b"PAR1 this is not a parquet file PAR1")
    out = tmp_path / "out"
    args = [str(shards), "--processes", "2", "--retries", "1", "-o", str(out)]
    result = CliRunner().invoke(batch, args)
    assert result.exit_code == 1, result.stderr
    assert "2 shard(s): 1 done, 0 skipped, 1 failed" in result.stderr
    assert "corrupt.parquet" in result.stderr
    assert "after 2 attempt(s)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "good.claims.parquet").exists()
    assert not (out / "corrupt.claims.parquet").exists()
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert [Path(p).name for p in manifest["shards"]] == ["good.jsonl"]
    usage = CliRunner().invoke(batch, [str(shards)])
    assert usage.exit_code == 2
    assert "--output" in usage.stderr


@pytest.fixture
def gazetteer_env(
    geocoder: Geocoder, gazetteer_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver's registry finds the session's gazetteer index (built once by `geocoder`)."""
    assert geocoder is not None
    monkeypatch.setenv("TRUCEWATCH_CACHE", str(gazetteer_cache))


@pytest.mark.usefixtures("gazetteer_env")
def test_db_path_stores_each_document_once(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")  # its own: another test changes the shared one
    db = tmp_path / "registry.db"
    first = run_batch([corpus], "local", processes=2, db=str(db))
    assert first.ok
    assert first.stored is not None
    assert first.stored.new + first.stored.near_duplicates == 15
    assert not first.stored.failed
    with open_store(db) as store:
        counts = store.counts()
    assert counts["documents"] == 15
    assert counts["claims"] > 5
    # the manifest beside the database: everything is skipped
    again = run_batch([corpus], "local", processes=2, db=str(db))
    assert len(again.skipped) == 5
    assert again.stored is None
    # without the manifest every shard is done again, and the store adds nothing
    (tmp_path / "registry.db.batch.json").unlink()
    third = run_batch([corpus], "local", processes=1, db=str(db))
    assert third.stored is not None
    assert third.stored.new == 0
    assert third.stored.duplicates == 15
    with open_store(db) as store:
        assert store.counts() == counts


def stored_records(db: Path) -> dict[str, Any]:
    """What a registry holds, without times of storing or row order."""
    with open_store(db) as store:
        return {
            "documents": sorted((d.id, d.duplicate_of, d.url) for d in store.documents()),
            "claims": sorted(c.model_dump_json() for c in store.claims()),
            "periods": sorted(p.model_dump_json() for p in store.period_reports()),
            "incidents": sorted(
                (i.id, tuple(c.id for c in i.claims))
                for i in store.incidents(include_rejected=True)
            ),
        }


@pytest.mark.usefixtures("gazetteer_env")
def test_db_path_reads_each_document_once_and_stores_what_ingest_stores(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    # one worker: shards are stored one by one, largest first, as below
    summary = run_batch([corpus], "local", processes=1, db=str(tmp_path / "batch.db"))
    assert summary.ok
    assert summary.stored is not None
    # the workers read each of the 15 good records once; the driver extracted none again
    assert [r.read for r in summary.results] == [r.documents for r in summary.results]
    assert sum(r.read for r in summary.results) == 15
    assert summary.stored.read == 0
    assert summary.stored.new + summary.stored.near_duplicates == 15
    # `trucewatch ingest`'s path reads each report itself and stores the same records
    with open_store(tmp_path / "ingest.db") as store:
        registry = Registry(store)
        for shard in sorted(corpus.iterdir(), key=lambda path: -path.stat().st_size):
            ingested = registry.ingest(read_items(shard))
            assert ingested.read == ingested.new
        assert store.counts()["documents"] == 15
    batch_records = stored_records(tmp_path / "batch.db")
    assert batch_records == stored_records(tmp_path / "ingest.db")
    assert any('"geo":{' in c for c in batch_records["claims"])  # geocoded in the workers
    assert batch_records["periods"]  # and period reports read there


def test_manifest_redoes_a_shard_on_new_content_settings_or_sink(tmp_path: Path) -> None:
    path = tmp_path / "out" / MANIFEST_NAME
    manifest = Manifest.load(path)
    manifest.record("/s.jsonl", "h1", ["parquet:/out"], "v1", documents=3)
    loaded = Manifest.load(path)  # saved at once
    assert loaded.is_done("/s.jsonl", "h1", ["parquet:/out"], "v1")
    assert not loaded.is_done("/s.jsonl", "h2", ["parquet:/out"], "v1")  # content changed
    assert not loaded.is_done("/s.jsonl", "h1", ["parquet:/out"], "v2")  # settings changed
    assert not loaded.is_done("/s.jsonl", "h1", ["parquet:/out", "db:/r.db"], "v1")
    loaded.record("/s.jsonl", "h1", ["db:/r.db"], "v1")
    assert Manifest.load(path).is_done("/s.jsonl", "h1", ["parquet:/out", "db:/r.db"], "v1")
    path.write_text("[]")
    with pytest.raises(ManifestError):
        Manifest.load(path)


def test_folders_expand_to_shards_without_outputs_or_hidden_files(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.parquet", "a.claims.parquet", ".hidden.jsonl", "notes.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.jsonl").write_text("")
    shards = expand([tmp_path, tmp_path / "b.jsonl"])
    assert [p.relative_to(tmp_path).as_posix() for p in shards] == [
        "a.parquet",
        "b.jsonl",
        "sub/c.jsonl",
    ]
