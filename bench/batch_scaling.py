"""Batch extraction throughput, and how it scales from 1 to 2 workers, per engine.

    .venv/bin/python bench/batch_scaling.py [CORPUS.jsonl] [--limit N] [--shards N] [--json]

The corpus (default ../shared/bench/muc4_dev_texts.jsonl) is split into N JSONL shards (in
contiguous runs of records) in a temporary folder. `run_batch` then writes Parquet claims with
the local engine (1 and 2 processes) and the Dask engine (LocalCluster of 1 and 2 workers),
each run into a fresh output folder. For each run it prints documents/s end to end (worker
start, spaCy load and the cluster's start included) and without the model load (the slowest
worker's first-shard load time taken off the wall time); the workers' CPU seconds and the
cores they got (CPU seconds / wall seconds); the 1-minute load average before the run (other
work on the machine skews every figure); and the 1 -> 2 scaling ratio per engine (target
>= 1.7x; printed, not asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from platform import python_version
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "muc4_dev_texts.jsonl"
TARGET = 1.7


def split(corpus: Path, folder: Path, shards: int, limit: int | None) -> int:
    """Write the corpus's first `limit` records into `shards` JSONL files; returns the count."""
    with corpus.open("rb") as handle:
        lines = [line for line in handle if line.strip()]
    lines = lines[:limit] if limit is not None else lines
    size = -(-len(lines) // shards)
    for n in range(shards):
        part = lines[n * size : (n + 1) * size]
        if part:
            (folder / f"shard-{n:03d}.jsonl").write_bytes(b"".join(part))
    return len(lines)


def run(engine: str, n: int, shards: Path, out: Path) -> dict[str, Any]:
    from trucewatch.batch import run_batch

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    summary = run_batch(
        [shards],
        "dask" if engine == "dask" else "local",
        processes=n,
        workers=n,
        out_dir=out,
        progress=lambda _message: None,
    )
    wall = time.perf_counter() - started
    load = max((r.load_seconds for r in summary.results), default=0.0)
    docs = summary.documents
    return {
        "engine": engine,
        "workers": n,
        "shards": len(summary.results),
        "failed": len(summary.failures),
        "documents": docs,
        "events": summary.events,
        "wall_s": round(wall, 2),
        "load_s": round(load, 2),
        "docs_per_s": round(docs / wall, 1),
        "docs_per_s_excl_load": round(docs / max(wall - load, 1e-9), 1),
        "worker_cpu_s": round(sum(r.cpu_seconds for r in summary.results), 1),
        "cores_used": round(sum(r.cpu_seconds for r in summary.results) / wall, 2),
        "loadavg_1min_before": round(load_before, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="use only the first N documents")
    parser.add_argument("--shards", type=int, default=16, help="shards to split into (16)")
    parser.add_argument("--engines", default="local,dask", help="comma-separated (local,dask)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-") as tmp:
        shards = Path(tmp) / "shards"
        shards.mkdir()
        total = split(args.corpus, shards, args.shards, args.limit)
        for engine in args.engines.split(","):
            for n in (1, 2):
                out = Path(tmp) / f"out-{engine}-{n}"
                print(f"running {engine} x{n} on {total} documents...", file=sys.stderr)
                results.append(run(engine, n, shards, out))
    ratios = {}
    for engine in args.engines.split(","):
        one, two = (r for r in results if r["engine"] == engine)
        ratios[engine] = {
            "end_to_end": round(two["docs_per_s"] / one["docs_per_s"], 2),
            "excl_load": round(two["docs_per_s_excl_load"] / one["docs_per_s_excl_load"], 2),
        }
    if args.json:
        print(json.dumps({"runs": results, "scaling_1_to_2": ratios}, indent=1))
        return 0
    print(
        f"corpus {args.corpus.name}: {total} documents in {args.shards} shards; "
        f"cpus {os.cpu_count()}; Python {python_version()}"
    )
    head = f"{'engine':<7}{'n':>3}{'docs':>7}{'events':>8}{'wall s':>9}{'load s':>8}"
    head += f"{'docs/s':>9}{'docs/s excl. load':>19}{'cpu s':>8}{'cores':>7}{'loadavg':>9}"
    print(head + f"{'failed':>8}")
    for r in results:
        print(
            f"{r['engine']:<7}{r['workers']:>3}{r['documents']:>7}{r['events']:>8}"
            f"{r['wall_s']:>9.1f}{r['load_s']:>8.1f}{r['docs_per_s']:>9.1f}"
            f"{r['docs_per_s_excl_load']:>19.1f}{r['worker_cpu_s']:>8.1f}{r['cores_used']:>7.2f}"
            f"{r['loadavg_1min_before']:>9.2f}{r['failed']:>8}"
        )
    for engine, ratio in ratios.items():
        verdict = "meets" if ratio["end_to_end"] >= TARGET else "below"
        print(
            f"{engine}: 1 -> 2 scaling {ratio['end_to_end']:.2f}x end to end "
            f"({ratio['excl_load']:.2f}x without model load); target >= {TARGET}x: {verdict}"
        )
    return 0 if all(r["failed"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
