"""Score extraction on the gold sets and their tune/check parts (needs a shared eval folder).

For each set the gold lines (all, or only the ids listed in `eval/<set>.<part>.ids`) are written
to `out/eval/`, `trucewatch extract` reads them, and the scorer prints the figures. The `check`
parts print figures only; their errors are never shown.

Usage: python tools/run_eval.py [--shared ../shared] [--errors tune] [SET ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (name, gold file, id list or None, language or None)
SETS: list[tuple[str, str, str | None, str | None]] = [
    ("seed", "seed.jsonl", None, None),
    ("dev", "dev.jsonl", None, None),
    ("tune", "train.jsonl", "train.tune.ids", None),
    ("check", "train.jsonl", "train.check.ids", None),
    ("ru_uk-tune", "ru_uk_dev.jsonl", "ru_uk_dev.tune.ids", None),
    ("ru_uk-check", "ru_uk_dev.jsonl", "ru_uk_dev.check.ids", None),
    ("ru-tune", "ru_uk_dev.jsonl", "ru_uk_dev.tune.ids", "ru"),
    ("uk-tune", "ru_uk_dev.jsonl", "ru_uk_dev.tune.ids", "uk"),
    ("ru-check", "ru_uk_dev.jsonl", "ru_uk_dev.check.ids", "ru"),
    ("uk-check", "ru_uk_dev.jsonl", "ru_uk_dev.check.ids", "uk"),
]


def subset(gold: Path, ids_file: str | None, out: Path, language: str | None = None) -> Path:
    lines = [line for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if ids_file is not None:
        wanted = set((ROOT / "eval" / ids_file).read_text(encoding="utf-8").split())
        lines = [line for line in lines if json.loads(line)["id"] in wanted]
    if language is not None:  # one language of a multilingual set (its `language` field)
        lines = [line for line in lines if json.loads(line).get("language") == language]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="*", help="set names (default: all)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--errors", type=int, default=0, help="show N errors (never for check)")
    parser.add_argument("--json", action="store_true", help="print the scorer's JSON")
    args = parser.parse_args()
    eval_dir = args.shared / "eval"
    if not (eval_dir / "score.py").exists():
        print(f"no scorer at {eval_dir}: nothing to evaluate", file=sys.stderr)
        return 0
    out_dir = ROOT / "out" / "eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("trucewatch")
    for name, gold_name, ids_file, language in SETS:
        if args.sets and name not in args.sets:
            continue
        gold = subset(eval_dir / gold_name, ids_file, out_dir / f"{name}.gold.jsonl", language)
        pred = out_dir / f"{name}.pred.jsonl"
        subprocess.run([str(exe), "extract", str(gold), "-o", str(pred)], check=True)
        score = [sys.executable, str(eval_dir / "score.py"), str(gold), str(pred)]
        if args.json:
            score.append("--json")
        if args.errors and "check" not in name:
            score += ["--show-errors", str(args.errors)]
        print(f"== {name}", flush=True)
        subprocess.run(score, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
