"""Time and peak memory of extracting a hostile report: one sentence repeated to 10 KB, 100 KB
and 1 MB (issue 13). Cost must grow linearly with the text and stay bounded in memory.

    .venv/bin/python bench/hostile_extract.py [--sizes 10,100,1000] [--json]

Each size runs in its own subprocess (`--one KB`) so that each peak RSS (`ru_maxrss`) is its
own. Model load is timed apart and left out of the per-KB figure. The document time limit is
turned off for the run, so the figure is the full cost. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

SENTENCE = (
    "Azerbaijani forces shelled Tegh on 3 March 2024, killing 4 civilians, the ministry said. "
)


def hostile_text(kib: int) -> str:
    """The repeated-sentence report, cut to `kib` × 1,000 characters at a sentence end."""
    size = kib * 1000
    return (SENTENCE * (size // len(SENTENCE) + 1))[: size - size % len(SENTENCE)]


def run_one(kib: int) -> dict[str, float | int]:
    from trucewatch.extract.pipeline import Extractor
    from trucewatch.extract.timelimit import time_limit
    from trucewatch.models import Document

    started = time.perf_counter()
    extractor = Extractor()
    load_s = time.perf_counter() - started
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = hostile_text(kib)
    doc = Document(id="hostile", text=text, published=dt.date(2024, 3, 4))
    started = time.perf_counter()
    with time_limit(0):
        reading = extractor.read(doc)
    run_s = time.perf_counter() - started
    return {
        "kb": kib,
        "chars": len(text),
        "sentences": text.count(". "),
        "events": len(reading.events),
        "warnings": len(reading.warnings),
        "load_s": round(load_s, 2),
        "run_s": round(run_s, 3),
        "s_per_kb": round(run_s / kib, 5),
        "rss_after_load_mib": rss_after_load // 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="sizes in KB, comma-separated")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for kib in (int(s) for s in args.sizes.split(",")):
        env = {**os.environ, "TRUCEWATCH_DOC_TIMEOUT": "0"}
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(kib)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    keys = list(rows[0])
    print("  ".join(f"{k:>18}" for k in keys))
    for row in rows:
        print("  ".join(f"{row[k]!s:>18}" for k in keys))
    first, last = rows[0], rows[-1]
    ratio = float(last["s_per_kb"]) / max(float(first["s_per_kb"]), 1e-9)
    print(f"time per KB, {last['kb']} KB against {first['kb']} KB: {ratio:.2f}×")


if __name__ == "__main__":
    main()
