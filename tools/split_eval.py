"""Split a gold file's ids once into `tune` and `check`, stratified by id group.

The split is a pure function of the ids (SHA-256 order inside each group), so running it again
gives the same lists. Usage: python tools/split_eval.py GOLD.jsonl OUT_PREFIX [--check-share 0.35]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections import defaultdict
from pathlib import Path


def group_of(record_id: str) -> str:
    """`trn-don-004` -> `trn-don`: the id without its running number."""
    return record_id.rsplit("-", 1)[0]


def split(ids: list[str], check_share: float) -> tuple[list[str], list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record_id in ids:
        groups[group_of(record_id)].append(record_id)
    tune: list[str] = []
    check: list[str] = []
    for members in groups.values():
        ordered = sorted(members, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        n_check = math.ceil(len(ordered) * check_share)
        check.extend(ordered[:n_check])
        tune.extend(ordered[n_check:])
    return sorted(tune), sorted(check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gold", type=Path)
    parser.add_argument("prefix", type=Path)
    parser.add_argument("--check-share", type=float, default=0.35)
    args = parser.parse_args()
    with args.gold.open(encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle if line.strip()]
    tune, check = split(ids, args.check_share)
    for name, part in (("tune", tune), ("check", check)):
        path = args.prefix.with_name(f"{args.prefix.name}.{name}.ids")
        path.write_text("\n".join(part) + "\n", encoding="utf-8")
        print(f"{path}: {len(part)} ids")


if __name__ == "__main__":
    main()
