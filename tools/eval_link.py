"""Score linking on the shared linking gold set (needs a shared eval folder; skips without it).

Each part (all reports, then the `tune` and `check` id lists in `eval/`) is ingested into a
fresh SQLite registry with the normal ingest path (`Registry.ingest` over `read_sources`, as
`trucewatch ingest` does), and the incidents each report's claims joined are scored against the
report's gold incident keys: pairwise and B³ (`trucewatch.link.metrics`), over every report and
over the English reports only. docs/evaluation.md defines how reports map to keys and incidents.

`--sweep A:B:STEP` re-links the claims already stored for the `tune` part (run it first) at each
threshold in memory and prints the figures: how `link.decision.THRESHOLD` is calibrated.
`--errors N` lists up to N wrong and missed report pairs (ids and keys only) for `all` and
`tune`, leaving out every pair with a `check` report. `--write-split` writes the tune/check id
lists once (by incident key: reports that share a key stay on one side).

`--gold FILE` scores another file of the same format (a hidden set of real multi-source
incidents: records with `id`, `text`, `published`, `language` and the `incidents` keys) whole.

Usage: python tools/eval_link.py [--shared ../shared] [--gold FILE] [--errors N] [PART ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

from trucewatch.ingest.sources import read_sources
from trucewatch.link.incidents import link
from trucewatch.link.metrics import Figures, bcubed, pairwise
from trucewatch.registry import Registry
from trucewatch.store import open_store

ROOT = Path(__file__).resolve().parent.parent
GOLD = "link_dev.jsonl"
PARTS = ("all", "tune", "check")
CHECK_SHARE = 0.35


def load(path: Path) -> list[dict[str, Any]]:
    records = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record.get("incidents"), list):
            raise SystemExit(f"{path}:{lineno}: record has no 'incidents' list")
        records.append(record)
    return records


def groups(records: list[dict[str, Any]]) -> list[list[str]]:
    """Report ids grouped so that reports sharing an incident key are in one group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for record in records:
        find("r:" + record["id"])
        for key in record["incidents"]:
            parent[find("k:" + key)] = find("r:" + record["id"])
    out: dict[str, list[str]] = {}
    for record in records:
        out.setdefault(find("r:" + record["id"]), []).append(record["id"])
    return list(out.values())


def write_split(records: list[dict[str, Any]]) -> None:
    """Tune/check by key group, in SHA-256 order of each group's smallest report id, until the
    check part holds CHECK_SHARE of the reports."""
    ordered = sorted(groups(records), key=lambda g: hashlib.sha256(min(g).encode()).hexdigest())
    check: list[str] = []
    tune: list[str] = []
    for group in ordered:
        (check if len(check) < CHECK_SHARE * len(records) else tune).extend(group)
    for name, ids in (("tune", tune), ("check", check)):
        path = ROOT / "eval" / f"link_dev.{name}.ids"
        path.write_text("\n".join(sorted(ids)) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(ids)} reports")


def predict(records: list[dict[str, Any]], work: Path) -> dict[str, set[str]]:
    """Ingest `records` into a fresh registry; report id -> incident ids its claims joined
    (a near duplicate gets those of the report it repeats)."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "reports.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = work / "registry.db"
    for stale in work.glob("registry.db*"):
        stale.unlink()
    store = open_store(db)
    try:
        summary = Registry(store).ingest(read_sources([str(source)]))
    finally:
        store.close()
    for failure in summary.failed:
        print(f"  ingest failed: {failure}", file=sys.stderr)
    return report_clusters(records, work)


def report_clusters(
    records: list[dict[str, Any]], work: Path, incident_of: dict[str, str] | None = None
) -> dict[str, set[str]]:
    """Report id -> incident ids of its claims in the registry at `work` (`incident_of`:
    claim id -> incident id to use instead of the stored links)."""
    source = work / "reports.jsonl"
    by_line = {f"{source}:{n}": r["id"] for n, r in enumerate(records, 1)}
    store = open_store(work / "registry.db")
    try:
        docs = store.documents()
        doc_of = {d.id: d for d in docs}
        predicted: dict[str, set[str]] = {}
        for doc in docs:
            report = by_line.get(doc.origin or "")
            if report is None:
                continue
            first = doc_of.get(doc.duplicate_of or doc.id, doc)
            claims = store.claims(document_id=first.id)
            if incident_of is None:
                predicted[report] = {c.incident_id for c in claims if c.incident_id}
            else:
                predicted[report] = {incident_of[c.id] for c in claims if c.id in incident_of}
        return predicted
    finally:
        store.close()


def sweep(records: list[dict[str, Any]], spec: str) -> None:
    """Figures of the tune part's stored claims re-linked at each threshold of A:B:STEP."""
    work = ROOT / "out" / "eval-link" / "tune"
    wanted = set((ROOT / "eval" / "link_dev.tune.ids").read_text().split())
    chosen = [r for r in records if r["id"] in wanted]
    gold = {r["id"]: set(r["incidents"]) for r in chosen}
    english = [r["id"] for r in chosen if r.get("language") == "en"]
    store = open_store(work / "registry.db")
    try:
        claims = [c.model_copy(update={"incident_id": None}) for c in store.claims()]
    finally:
        store.close()
    low, high, step = (float(x) for x in spec.split(":"))
    threshold = low
    while threshold <= high + 1e-9:
        incident_of = {c.id: i.id for i in link(claims, threshold=threshold) for c in i.claims}
        predicted = report_clusters(chosen, work, incident_of)
        en, every = pairwise(gold, predicted, english), pairwise(gold, predicted)
        b3 = bcubed(gold, predicted, english)
        print(
            f"threshold {threshold:5.2f}: EN pairwise P {en.precision:.3f} R {en.recall:.3f} "
            f"F1 {en.f1:.3f} | all F1 {every.f1:.3f} | EN B³ F1 {b3.f1:.3f}"
        )
        threshold += step


def show(label: str, figures: Figures, pairs: bool) -> str:
    counts = f" ({figures.correct}/{figures.predicted} pred, {figures.gold} gold)" if pairs else ""
    return f"{label} P {figures.precision:.3f} R {figures.recall:.3f} F1 {figures.f1:.3f}{counts}"


def errors(gold: dict[str, set[str]], predicted: dict[str, set[str]], limit: int) -> list[str]:
    out = []
    for a, b in combinations(sorted(gold), 2):
        in_gold = bool(gold[a] & gold[b])
        in_pred = bool(predicted.get(a, set()) & predicted.get(b, set()))
        if in_gold != in_pred:
            kind = "missed" if in_gold else "wrong "
            out.append(f"  {kind} {a} {sorted(gold[a])} ~ {b} {sorted(gold[b])}")
    return out[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parts", nargs="*", help="all, tune, check (default: the three)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument(
        "--gold",
        type=Path,
        help="another gold file in the same format (a hidden set): scored whole, no split",
    )
    parser.add_argument("--errors", type=int, default=0, help="show N pair errors (not check)")
    parser.add_argument("--write-split", action="store_true", help="write the tune/check ids")
    parser.add_argument("--json", action="store_true", help="one JSON object per part")
    parser.add_argument("--sweep", metavar="A:B:STEP", help="re-link tune at these thresholds")
    args = parser.parse_args()
    gold_path = args.gold or args.shared / "eval" / GOLD
    if args.gold is not None:
        if not args.gold.is_file():
            parser.error(f"no gold file at {args.gold}")
        args.parts = ["all"]
    if not gold_path.exists():
        print(f"no linking gold set at {gold_path}: nothing to evaluate", file=sys.stderr)
        return 0
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)} (choose from {', '.join(PARTS)})")
    records = load(gold_path)
    if args.write_split:
        write_split(records)
        return 0
    if args.sweep:
        sweep(records, args.sweep)
        return 0
    for part in args.parts or PARTS:
        chosen = records
        if part != "all":
            wanted = set((ROOT / "eval" / f"link_dev.{part}.ids").read_text().split())
            chosen = [r for r in records if r["id"] in wanted]
        gold = {r["id"]: set(r["incidents"]) for r in chosen}
        english = [r["id"] for r in chosen if r.get("language") == "en"]
        predicted = predict(chosen, ROOT / "out" / "eval-link" / part)
        figures = {
            "pairwise": pairwise(gold, predicted),
            "bcubed": bcubed(gold, predicted),
            "pairwise_en": pairwise(gold, predicted, english),
            "bcubed_en": bcubed(gold, predicted, english),
        }
        if args.json:
            data = {k: v.model_dump() for k, v in figures.items()}
            print(json.dumps({"part": part, "reports": len(chosen), **data}))
            continue
        print(f"== {part}: {len(chosen)} reports ({len(english)} English)", flush=True)
        print(show("  pairwise, all languages:", figures["pairwise"], True))
        print(show("  pairwise, English only: ", figures["pairwise_en"], True))
        print(show("  B³,       all languages:", figures["bcubed"], False))
        print(show("  B³,       English only: ", figures["bcubed_en"], False))
        if args.errors and part != "check" and args.gold is None:  # a hidden set: figures only
            # never a check report's errors, not even inside the `all` run
            hidden = set((ROOT / "eval" / "link_dev.check.ids").read_text().split())
            shown = {k: v for k, v in gold.items() if k not in hidden}
            print("\n".join(errors(shown, predicted, args.errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
