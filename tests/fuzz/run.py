"""Long fuzz campaigns: the properties of tests/fuzz/test_fuzz_*.py with many more examples.

    python tests/fuzz/run.py [--examples 2000] [--only html] [--seed N] [--out out/fuzz]

Per target it prints the inputs tried, the distinct failures found (each failure's smallest input
saved under --out, with its traceback beside it), the documented timeouts and the seconds taken.
Warnings are errors, as under pytest. The exit status is 1 when any target failed.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODULES = [
    "test_fuzz_readers",
    "test_fuzz_html",
    "test_fuzz_feeds",
    "test_fuzz_extract",
    "test_fuzz_attacker",
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--examples",
        type=int,
        default=int(os.environ.get("TRUCEWATCH_FUZZ_EXAMPLES", "2000")),
        help="examples per property (default: $TRUCEWATCH_FUZZ_EXAMPLES, else 2000)",
    )
    parser.add_argument("--only", default="", help="run only properties whose name has this")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (reproducible)")
    parser.add_argument("--out", type=Path, default=Path("out/fuzz"), help="failing inputs here")
    return parser.parse_args()


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _save(out: Path, label: str, index: int, failure: Any) -> Path:
    """Write a failure's input (bytes as is, text as UTF-8, anything else as its repr) and its
    traceback; return the input's path."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", label) + f"-{index}"
    out.mkdir(parents=True, exist_ok=True)
    sample = failure.sample
    if isinstance(sample, bytes):
        path = out / f"{stem}.bin"
        path.write_bytes(sample)
    elif isinstance(sample, str):
        path = out / f"{stem}.txt"
        path.write_bytes(sample.encode("utf-8", errors="surrogatepass"))
    else:
        path = out / f"{stem}.repr"
        path.write_text(repr(sample), encoding="utf-8")
    (out / f"{stem}.log").write_text(
        f"{failure.signature} (seen {failure.count} times)\n\n{failure.trace}", encoding="utf-8"
    )
    return path


def main() -> int:
    args = _arguments()
    os.environ["TRUCEWATCH_FUZZ_EXAMPLES"] = str(args.examples)  # read when the modules load
    sys.path.insert(0, str(HERE))
    sys.path.insert(1, str(HERE.parent))  # tests/: the live web server of the web properties
    warnings.simplefilter("error")
    warnings.filterwarnings("ignore", message="Generating overly large repr")  # long reports
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it cannot use

    import fuzzlib
    from hypothesis import seed as hypothesis_seed

    properties = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("test_") and hasattr(value, "hypothesis") and args.only in attr:
                properties.append((f"{name}.{attr}", value))

    extractor = None
    geocoder = None
    failed = False
    total = 0
    slowest: tuple[float, str, Any] = (0.0, "", None)
    _say(f"fuzzing {len(properties)} properties, {args.examples} examples each (some fewer)")
    _say(f"{'property':66} {'tried':>6} {'failures':>8} {'timeouts':>8} {'seconds':>8}")
    for label, test in properties:
        kwargs: dict[str, Any] = {}
        if "extractor" in inspect.signature(test).parameters:
            if extractor is None:
                from trucewatch.extract.pipeline import Extractor

                extractor = Extractor()
            kwargs["extractor"] = extractor
        if "geocoder" in inspect.signature(test).parameters:
            if geocoder is None:
                from trucewatch.geo import Geocoder

                geocoder = Geocoder(index_path=args.out / "cache" / "gazetteer.sqlite")
            kwargs["geocoder"] = geocoder
        if args.seed is not None:
            test = hypothesis_seed(args.seed)(test)
        fuzzlib.STATS.clear()
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            test(**kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - hypothesis re-raises the failure(s)
            error = exc
        seconds = time.perf_counter() - started
        tried = sum(s.tried for s in fuzzlib.STATS.values())
        timeouts = sum(s.timeouts for s in fuzzlib.STATS.values())
        found = [f for s in fuzzlib.STATS.values() for f in s.failures.values()]
        if error is not None and not found:  # failed outside a probe (e.g. a health check)
            found = [fuzzlib.Failure(f"{type(error).__name__}: {error}"[:300], None, 0, "")]
        _say(f"{label:66} {tried:>6} {len(found):>8} {timeouts:>8} {seconds:>8.1f}")
        total += tried
        for stats in fuzzlib.STATS.values():
            if stats.slowest > slowest[0]:
                slowest = (stats.slowest, label, stats.slowest_sample)
        for i, failure in enumerate(found, start=1):
            failed = True
            path = _save(args.out, label, i, failure)
            _say(f"    FAILURE {failure.signature} (seen {failure.count}x) -> {path}")
    _say(f"inputs: {total}; failing properties: {int(failed)}")
    if slowest[2] is not None:
        path = args.out / "slowest-input.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(repr(slowest[2]), encoding="utf-8")
        _say(f"slowest input: {slowest[0]:.2f} s in {slowest[1]} -> {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
