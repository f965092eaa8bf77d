"""The per-shard function every runner maps: pure, picklable, and the only code a worker runs.

`process_shard(path, out_dir, config)` reads one shard and reads every document with the
registry's pure read step (`trucewatch.registry.read`) and the worker's one Extractor (loaded
on the worker's first shard and cached at module level, so a worker loads spaCy once, not per
shard). When `out_dir` is given it writes `out_dir/<shard-stem>.claims.parquet` atomically;
when the job stores into a registry (config "readings"), the places are geocoded too and the
readings go back in the `ShardResult`. It never touches the database: the driver stores the
readings it is handed, without extracting anything again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trucewatch.batch.shards import OUTPUT_SUFFIX, read_items
from trucewatch.extract.timelimit import time_limit
from trucewatch.registry.read import Reading, read

if TYPE_CHECKING:
    import pyarrow as pa

    from trucewatch.extract.pipeline import Extractor
    from trucewatch.geo.geocoder import Geocoder

__all__ = ["COLUMNS", "ShardResult", "claims_schema", "output_path", "process_shard"]

EVENT_FIELDS = (
    "type actor target source stance weapon location date killed injured count historical"
).split()
"""The 12 keys of the annotation schema (docs/evaluation.md), in its order."""
COLUMNS = ["document_id", "input_id", "index", *EVENT_FIELDS, "date_basis", "confidence"]
COLUMNS += ["evidence"]
"""The columns of a `*.claims.parquet` file (see `claims_schema`)."""

_EXTRACTORS: dict[str, Extractor] = {}  # one per config, per worker process
_GEOCODER: list[Geocoder] = []  # at most one per worker process


@dataclass
class ShardResult:
    """What one shard gave: counts, bad records and failed documents, and the output written.
    `seconds` is the shard's wall time in the worker, `cpu_seconds` the worker's CPU time for
    it, and `load_seconds` the part of `seconds` spent loading the extractor (non-zero only on a
    worker's first shard). `read` counts the documents the worker read (each once); `readings`
    holds them when the job stores into a registry."""

    shard: str
    documents: int
    events: int
    read: int = 0
    readings: list[Reading] = field(default_factory=list)
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

    `config` holds JSON values only: "published" (YYYY-MM-DD, for records without a date),
    "profiles" (folders of extra conflict profiles) and "readings" (true: geocode and return
    the readings, for the driver to store). A bad record or a document whose reading fails is
    listed in `errors`; a shard that cannot be read or written raises.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    errors: list[str] = []
    items = read_items(path, errors)
    extractor, load_seconds = _extractor(config)
    keep = bool(config.get("readings"))
    geocoder = _geocoder() if keep else None
    published = config.get("published")
    default_day = dt.date.fromisoformat(published) if isinstance(published, str) else None
    rows: list[dict[str, Any]] = []
    readings: list[Reading] = []
    done = 0
    for item in items:
        doc = item.document
        if doc.published is None and default_day is not None:
            item = dataclasses.replace(
                item, document=doc.model_copy(update={"published": default_day})
            )
        try:
            with time_limit():  # a pathological document fails alone, not its shard
                reading = read(item, extractor, geocoder)
        except Exception as exc:  # noqa: BLE001 - one document must not fail its shard
            errors.append(f"{doc.origin or doc.id}: extraction failed: {type(exc).__name__}: {exc}")
            continue
        done += 1
        rows.extend(_rows(reading))
        if keep:
            readings.append(reading)
    output = None
    if out_dir is not None:
        target = output_path(path, out_dir)
        _write_atomically(rows, target)
        output = str(target)
    return ShardResult(
        shard=path,
        documents=len(items),
        events=len(rows),
        read=done,
        readings=readings,
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


def _geocoder() -> Geocoder:
    """This process's geocoder (its gazetteer is loaded on first use)."""
    if not _GEOCODER:
        from trucewatch.geo.geocoder import Geocoder

        _GEOCODER.append(Geocoder())
    return _GEOCODER[0]


def _rows(reading: Reading) -> list[dict[str, Any]]:
    doc_id, input_id = reading.document.id, reading.input_id
    rows = []
    for claim in reading.claims:
        event, index = claim.event, claim.index
        row: dict[str, Any] = {"document_id": doc_id, "input_id": input_id, "index": index}
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
