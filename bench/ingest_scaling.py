"""Per-report ingest cost (wall time, peak memory) into registries of growing size.

For each size (default 1k, 100k, 1M incidents) the synthetic registry of `bench/web_api.py` is
built once (cached as out/bench-ingest-<n>.db; same generator, same seed) and copied to a
scratch file. A fresh child process opens the copy, ingests one warm-up report (the extractor's
model loads, the near-duplicate index reads the stored signatures), then ingests --reports
new synthetic reports one at a time, each a full `Registry.ingest` (store, extract, geocode,
link, save). The reports come from the same generator with another seed, so they fall on the
registry's busy days and places and their claims have candidates to be scored against.

Printed per size: median and mean ms per report, the linking part of it, and the child's peak
RSS before and after the measured reports. Nothing is asserted: the target (within 2x from 1k
to 1M, memory not growing with the registry) is read off the table.

    .venv/bin/python bench/ingest_scaling.py                  # 1k, 100k, 1M
    .venv/bin/python bench/ingest_scaling.py --sizes 1000 100000 --reports 30
    .venv/bin/python bench/ingest_scaling.py --sizes 1000000 --in-place   # no 5 GB copy
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert  # noqa: E402
from web_api import Synthesizer, sqlite_files  # noqa: E402

from trucewatch.ingest.sources import SourceItem  # noqa: E402
from trucewatch.models import (
    Document,  # noqa: E402
    document_id,  # noqa: E402
)
from trucewatch.registry import Registry  # noqa: E402
from trucewatch.store import open_store, rows  # noqa: E402
from trucewatch.store.schema import ceasefires, claims, documents, incidents  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = 20_221_024  # bench/web_api.py's default registry seed
REPORT_SEED = 7


def reports(count: int, seed: int = REPORT_SEED) -> list[SourceItem]:
    """`count` new synthetic reports (with their own texts), from another seed."""
    synth = Synthesizer(seed)
    out: list[SourceItem] = []
    while len(out) < count:
        docs, _incident = synth.incident()
        for doc, raw in docs:
            document = Document(
                id=doc.id, text=doc.text, published=doc.published, url=doc.url, title=doc.title
            )
            out.append(SourceItem(document=document, raw=raw, outlet=doc.outlet))
    return out[:count]


_FTS_TRIGGERS = ("documents_fts_insert", "documents_fts_delete", "documents_fts_update")


def build(path: Path, n: int, batch_size: int = 5_000) -> None:
    """The synthetic registry of `bench/web_api.py` (same generator and seed), inserted with the
    full-text triggers off: its documents are not in the search index (ingest does not read
    it), which makes a 1M registry a matter of minutes instead of over an hour. The triggers
    are back for what the bench ingests."""
    building = path.with_name(path.name + ".building")
    for stale in sqlite_files(building):
        stale.unlink(missing_ok=True)
    synth = Synthesizer(SEED)
    store = open_store(building)
    try:
        with store.write() as conn:
            listed = (
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'documents_fts%'"
            )
            triggers = conn.exec_driver_sql(listed).scalars().all()
            for name in _FTS_TRIGGERS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute(insert(ceasefires), [rows.ceasefire_row(c) for c in synth.ceasefires])
        began = time.perf_counter()
        for start in range(0, n, batch_size):
            part = synth.batch(min(batch_size, n - start))
            with store.write() as conn:
                conn.execute(insert(documents), part.documents)
                conn.execute(insert(incidents), part.incidents)
                conn.execute(insert(claims), part.claims)
            done = start + len(part.incidents)
            print(f"  {done:>9,} incidents {time.perf_counter() - began:6.0f} s", flush=True)
        with store.write() as conn:
            for statement in triggers:
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql("ANALYZE")
    finally:
        store.close()
    for target, source in zip(sqlite_files(path), sqlite_files(building), strict=True):
        target.unlink(missing_ok=True)
        if source.exists():
            source.replace(target)


BLOCK = 100_000  # incidents of the two-year synthetic registry repeated back in time


def extend_back_in_time(block: Path, path: Path, copies: int) -> None:
    """A registry of `copies` times the two-year `block`, each copy moved two years further
    back (730 days), ids suffixed: the block's density over 2 x copies years, made in SQL."""
    building = path.with_name(path.name + ".building")
    for stale in sqlite_files(building):
        stale.unlink(missing_ok=True)
    shutil.copyfile(block, building)
    store = open_store(building)  # migrates the copy if needed
    store.close()
    conn = sqlite3.connect(building)
    try:
        listed = (
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'documents_fts%'"
        )
        triggers = [row[0] for row in conn.execute(listed)]
        for name in _FTS_TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        for k in range(1, copies):
            tag, shift = f"~{k}", f"-{730 * k} days"
            params = {"tag": tag, "shift": shift}
            conn.execute(
                "INSERT INTO documents SELECT id || :tag, text, raw, date(published, :shift), "
                "url, outlet, title, language, origin, ingested_at, duplicate_of FROM documents "
                "WHERE instr(id, '~') = 0",
                params,
            )
            conn.execute(
                "INSERT INTO incidents SELECT id || :tag, type, date(first_date, :shift), "
                "date(last_date, :shift), lat, lon, ceasefire_id, historical, version, "
                "updated_at, json_set(data, '$.id', id || :tag, "
                "'$.first_date', date(json_extract(data, '$.first_date'), :shift), "
                "'$.last_date', date(json_extract(data, '$.last_date'), :shift)), "
                "status, uncertainty FROM incidents WHERE instr(id, '~') = 0",
                params,
            )
            conn.execute(
                "INSERT INTO claims SELECT document_id || :tag || ':' || idx, "
                "document_id || :tag, idx, type, actor, target, source, stance, "
                "date(date, :shift), historical, lat, lon, geo_precision, geo_name, "
                "incident_id || :tag, "
                "json_set(event, '$.date', date(json_extract(event, '$.date'), :shift)) "
                "FROM claims WHERE instr(id, '~') = 0",
                params,
            )
            conn.commit()
            print(f"  copy {k + 1}/{copies}", flush=True)
        for statement in triggers:
            conn.execute(statement)
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    for target, source in zip(sqlite_files(path), sqlite_files(building), strict=True):
        target.unlink(missing_ok=True)
        if source.exists():
            source.replace(target)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(db: Path, count: int, seed: int) -> None:
    """Runs in a fresh process: warm up, then time `count` single-report ingests."""
    items = reports(count + 1, seed)
    store = open_store(db)
    try:
        job = Registry(store)
        job.ingest([items[0]])
        before = _rss_mib()
        totals: list[float] = []
        linking: list[float] = []
        for item in items[1:]:
            began = time.perf_counter()
            summary = job.ingest([item])
            totals.append(time.perf_counter() - began)
            if summary.failed or summary.new != 1:
                raise SystemExit(f"not one new report: {summary}")
            # the linking step alone, on the same claims (already linked: it reads and decides)
            t0 = time.perf_counter()
            job.relink(store.claims(document_id=document_id(item.document.text)))
            linking.append(time.perf_counter() - t0)
        after = _rss_mib()
    finally:
        store.close()
    print(
        json.dumps(
            {
                "median_ms": round(1000 * statistics.median(totals), 1),
                "mean_ms": round(1000 * statistics.fmean(totals), 1),
                "relink_median_ms": round(1000 * statistics.median(linking), 1),
                "rss_before_mib": round(before, 1),
                "rss_peak_mib": round(after, 1),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="ingest into the cached registries themselves (no copy; they keep the reports)",
    )
    parser.add_argument(
        "--report-seed",
        type=int,
        default=REPORT_SEED,
        help="seed of the ingested reports (with --in-place, a new one each run: reports "
        "already ingested are duplicates and cost nothing)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.reports, args.report_seed)
        return 0
    out = ROOT / "out"
    rows = []
    for n in args.sizes:
        cached = out / f"bench-ingest-{n}.db"
        if not cached.exists() and n > BLOCK and n % BLOCK == 0:
            block = out / f"bench-ingest-{BLOCK}.db"
            if not block.exists():
                build(block, BLOCK)
            print(f"building {n:,} incidents: the {BLOCK:,} block back in time", flush=True)
            extend_back_in_time(block, cached, n // BLOCK)
        elif not cached.exists():
            print(f"building {n:,} synthetic incidents into {cached}", flush=True)
            build(cached, n)
        scratch = cached if args.in_place else out / f"bench-ingest-{n}.scratch.db"
        if not args.in_place:
            for stale in sqlite_files(scratch):
                stale.unlink(missing_ok=True)
            shutil.copyfile(cached, scratch)
        run = [sys.executable, __file__, "--child", str(scratch), "--reports", str(args.reports)]
        run += ["--report-seed", str(args.report_seed)]
        done = subprocess.run(run, check=True, capture_output=True, text=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((n, figures))
        print(f"{n:>9,} incidents: {figures}", flush=True)
        if not args.in_place:
            for stale in sqlite_files(scratch):
                stale.unlink(missing_ok=True)
    base = rows[0][1]["median_ms"]
    for n, figures in rows:
        ratio = figures["median_ms"] / base
        print(
            f"{n:>9,}  {figures['median_ms']:8.1f} ms/report (x{ratio:.2f})  "
            f"relink {figures['relink_median_ms']:6.1f} ms  "
            f"RSS {figures['rss_before_mib']:.0f} -> {figures['rss_peak_mib']:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
