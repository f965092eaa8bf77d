"""The per-shard function every runner maps: pure, picklable, and the only code a worker runs.

`process_shard(path, out_dir, config)` reads one shard, extracts every document with the
worker's one Extractor (loaded on the worker's first shard and cached at module level, so a
worker loads spaCy once, not per shard) and, when `out_dir` is given, writes
`out_dir/<shard-stem>.claims.parquet` atomically. It never touches the database (STYLE.md
6.9): it returns a `ShardResult` and the driver does the storing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trucewatch.batch.shards import OUTPUT_SUFFIX, read_shard
from trucewatch.models import Document, Event, document_id
from trucewatch.registry.timelimit import time_limit

if TYPE_CHECKING:
    import pyarrow as pa

    from trucewatch.extract.pipeline import Extractor

__all__ = ["COLUMNS", "ShardResult", "claims_schema", "output_path", "process_shard"]

EVENT_FIELDS = (
    "type actor target source stance weapon location date killed injured count historical"
).split()
"""The 12 keys of eval/SCHEMA.md, in its order."""
COLUMNS = ["document_id", "input_id", "index", *EVENT_FIELDS, "date_basis", "confidence"]
COLUMNS += ["evidence"]
"""The columns of a `*.claims.parquet` file (see `claims_schema`)."""

_EXTRACTORS: dict[str, Extractor] = {}  # one per config, per worker process


@dataclass
class ShardResult:
    """What one shard gave: counts, bad records and failed documents, and the output written.
    `seconds` is the shard's wall time in the worker, `cpu_seconds` the worker's CPU time for
    it, and `load_seconds` the part of `seconds` spent loading the extractor (non-zero only on a
    worker's first shard)."""

    shard: str
    documents: int
    events: int
    errors: list[str] = field(default_factory=list)
    output: str | None = None
    seconds: float = 0.0
    load_seconds: float = 0.0
    cpu_seconds: float = 0.0


def output_path(shard: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path:
    """Where the claims of `shard` are written: `<out_dir>/<stem>.claims.parquet`."""
    return Path(out_dir) / (Path(shard).stem + OUTPUT_SUFFIX)


def process_shard(path: str, out_dir: str | None, config: dict[str, Any]) -> ShardResult:
    """Extract every document of the shard at `path`; write its claims under `out_dir`.

    `config` holds JSON values only: "published" (YYYY-MM-DD, for records without a date) and
    "profiles" (folders of extra conflict profiles). A bad record or a document whose
    extraction fails is listed in `errors`; a shard that cannot be read or written raises.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    errors: list[str] = []
    docs = read_shard(path, errors)
    extractor, load_seconds = _extractor(config)
    published = config.get("published")
    default_day = dt.date.fromisoformat(published) if isinstance(published, str) else None
    rows: list[dict[str, Any]] = []
    for doc in docs:
        if doc.published is None and default_day is not None:
            doc = doc.model_copy(update={"published": default_day})
        try:
            with time_limit():  # a pathological document fails alone, not its shard
                events = extractor.extract(doc)
        except Exception as exc:  # noqa: BLE001 - one document must not fail its shard
            errors.append(f"{doc.origin or doc.id}: extraction failed: {type(exc).__name__}: {exc}")
            continue
        rows.extend(_rows(doc, events))
    output = None
    if out_dir is not None:
        target = output_path(path, out_dir)
        _write_atomically(rows, target)
        output = str(target)
    return ShardResult(
        shard=path,
        documents=len(docs),
        events=len(rows),
        errors=errors,
        output=output,
        seconds=time.perf_counter() - started,
        load_seconds=load_seconds,
        cpu_seconds=time.process_time() - cpu_started,
    )


def _extractor(config: dict[str, Any]) -> tuple[Extractor, float]:
    """This process's extractor for `config`, and the seconds spent loading it now (0 if
    cached)."""
    key = json.dumps(
        {"profiles": sorted(str(p) for p in config.get("profiles") or [])}, sort_keys=True
    )
    cached = _EXTRACTORS.get(key)
    if cached is not None:
        return cached, 0.0
    started = time.perf_counter()
    from trucewatch.extract.pipeline import Extractor  # spaCy: only in the process that works
    from trucewatch.sides import SideResolver, load_profiles

    profiles = [Path(p) for p in config.get("profiles") or []]
    resolver = SideResolver(load_profiles(profiles)) if profiles else None
    extractor = Extractor(resolver=resolver)
    _EXTRACTORS[key] = extractor
    return extractor, time.perf_counter() - started


def _rows(doc: Document, events: list[Event]) -> list[dict[str, Any]]:
    doc_id = document_id(doc.text)
    rows = []
    for index, event in enumerate(events):
        row: dict[str, Any] = {"document_id": doc_id, "input_id": doc.id, "index": index}
        for key in (*EVENT_FIELDS, "date_basis", "confidence"):
            row[key] = getattr(event, key)
        row["evidence"] = json.dumps([e.model_dump() for e in event.evidence], ensure_ascii=False)
        rows.append(row)
    return rows


def claims_schema() -> pa.Schema:
    """The columns of a `*.claims.parquet` file: one row per event."""
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("document_id", text),
            ("input_id", text),
            ("index", pa.int32()),
            ("type", text),
            ("actor", text),
            ("target", text),
            ("source", text),
            ("stance", text),
            ("weapon", text),
            ("location", text),
            ("date", pa.date32()),
            ("killed", pa.int64()),
            ("injured", pa.int64()),
            ("count", pa.int64()),
            ("historical", pa.bool_()),
            ("date_basis", text),
            ("confidence", pa.float64()),
            ("evidence", text),
        ]
    )


def _write_atomically(rows: list[dict[str, Any]], target: Path) -> None:
    """Write to a hidden temporary file beside `target`, then rename it over `target`: a
    reader sees the old file or the new one, never half of one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=claims_schema())
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
