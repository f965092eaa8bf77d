"""A batch job: shards in; claims out to Parquet shards and/or the registry database.

    summary = run_batch(["corpus/"], "local", processes=4, out_dir="claims/", db="registry.db")

Inputs are expanded to shard files; shards the manifest records as done (same content, same
outputs) are skipped; the rest are mapped over the engine's runner, which retries a failing
shard and then reports it. The driver alone writes: the manifest after each finished shard
and, with `db`, the shard's documents into the registry.

Workers read each document once, with the registry's pure read step (`registry.read`: claims,
period statements, and with `db` geocoded places and the conflict profile), and write
`*.claims.parquet`. With `db`, the driver hands the workers' readings to
`Registry.store_and_link` (idempotent), so the stored records are what `trucewatch ingest`
stores (near-duplicate detection, period reports and linking included) and no document is
extracted twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trucewatch.batch.manifest import Manifest, file_sha256, manifest_path
from trucewatch.batch.runner import LocalRunner, Runner, ShardFailure, describe
from trucewatch.batch.shards import SHARD_SUFFIXES, ShardError, expand
from trucewatch.batch.work import ShardResult, output_path, process_shard

if TYPE_CHECKING:
    from trucewatch.registry import IngestSummary, Registry

__all__ = ["BatchError", "BatchSummary", "Engine", "StoreTotals", "run_batch"]

Engine = Literal["local", "dask"]
Progress = Callable[[str], None]


class BatchError(Exception):
    """The job cannot start (nothing to read, nowhere to write, clashing outputs...)."""


@dataclass
class StoreTotals:
    """What the registry made of the shards stored in this run."""

    new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    claims: int = 0
    incidents: int = 0
    read: int = 0  # documents the driver's registry extracted itself (none: the workers read)
    failed: list[str] = field(default_factory=list)

    def add(self, s: IngestSummary) -> None:
        self.read += s.read
        self.new += s.new
        self.duplicates += s.duplicates
        self.near_duplicates += s.near_duplicates
        self.claims += s.claims
        self.incidents += s.incidents
        self.failed.extend(s.failed)


@dataclass
class BatchSummary:
    shards: int = 0
    skipped: list[str] = field(default_factory=list)
    results: list[ShardResult] = field(default_factory=list)
    failures: list[ShardFailure] = field(default_factory=list)
    stored: StoreTotals | None = None
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(r.documents for r in self.results)

    @property
    def events(self) -> int:
        return sum(r.events for r in self.results)

    @property
    def errors(self) -> list[str]:
        """Bad records and documents whose extraction failed, in the shards processed."""
        return [e for r in self.results for e in r.errors]

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        """One line for people: shards done, skipped, failed; documents; events; store."""
        text = (
            f"{self.shards} shard(s): {len(self.results)} done, {len(self.skipped)} skipped, "
            f"{len(self.failures)} failed; {self.documents} document(s), {self.events} "
            f"event(s), {len(self.errors)} bad record(s)"
        )
        if self.stored is not None:
            s = self.stored
            text += (
                f"; db: {s.new} new, {s.duplicates} duplicate, {s.near_duplicates} "
                f"near-duplicate, {s.claims} claim(s), {s.incidents} incident(s) updated"
            )
        return f"{text}; {self.seconds:.1f} s"


def run_batch(
    inputs: Iterable[str | os.PathLike[str]],
    engine: Engine = "local",
    *,
    processes: int = 2,
    workers: int = 2,
    scheduler: str | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    db: str | None = None,
    retries: int = 2,
    published: dt.date | None = None,
    profiles: Sequence[str | os.PathLike[str]] = (),
    progress: Progress | None = None,
) -> BatchSummary:
    """Extract every shard of `inputs` not yet done, with the `engine`'s runner (`processes`
    local processes; or dask: the cluster at `scheduler`, else a LocalCluster of `workers`),
    writing claims under `out_dir` and/or storing the documents in `db`. A failed shard is
    retried `retries` times, then reported in the summary; the others go on."""
    started = time.perf_counter()
    say = progress if progress is not None else _to_stderr
    if out_dir is None and db is None:
        raise BatchError("nowhere to write: give an output folder, a database, or both")
    try:
        shards = expand(inputs)
    except OSError as exc:
        raise BatchError(f"cannot list the inputs: {describe(exc)}") from exc
    if not shards:
        raise BatchError("no .jsonl or .parquet shards in the inputs")
    if out_dir is not None:
        _check_outputs(shards, Path(out_dir))
    sinks = _sinks(out_dir, db)
    manifest = Manifest.load(manifest_path(out_dir, db))
    summary = BatchSummary(shards=len(shards))
    config: dict[str, Any] = {
        "published": published.isoformat() if published else None,
        "profiles": [str(Path(p).resolve()) for p in profiles],
    }
    settings = _fingerprint(config)
    config["readings"] = db is not None  # not a setting: the outputs are the same
    hashes: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for shard in map(str, shards):
        try:
            if Path(shard).suffix.lower() not in SHARD_SUFFIXES:
                raise ShardError("not a shard (expected .jsonl or .parquet)")
            sha = file_sha256(shard)
            sizes[shard] = Path(shard).stat().st_size
        except (OSError, ShardError) as exc:  # not worth a retry
            summary.failures.append(ShardFailure(shard, describe(exc), 0))
            say(f"FAILED {shard}: {describe(exc)}")
            continue
        if manifest.is_done(shard, sha, sinks, settings):
            summary.skipped.append(shard)
            say(f"skip {Path(shard).name}: done")
        else:
            hashes[shard] = sha
    fn = functools.partial(
        process_shard, out_dir=str(out_dir) if out_dir is not None else None, config=config
    )
    with ExitStack() as stack:
        registry = _open_registry(stack, db) if db is not None and hashes else None
        if registry is not None:
            summary.stored = StoreTotals()
        runner = _runner(engine, processes, workers, scheduler, retries)
        # largest first, so that no big shard starts last and leaves the other workers idle
        pending = sorted(hashes, key=lambda shard: -sizes[shard])
        if pending:
            say(f"{len(pending)} shard(s) to do on the {engine} engine")
        for n, outcome in enumerate(runner.map(fn, pending), start=1):
            if registry is not None and isinstance(outcome, ShardResult):
                outcome = _store(registry, outcome, summary)
            if isinstance(outcome, ShardFailure):
                summary.failures.append(outcome)
                say(
                    f"[{n}/{len(pending)}] FAILED {outcome.shard} after {outcome.attempts} "
                    f"attempt(s): {outcome.error}"
                )
                continue
            summary.results.append(outcome)
            manifest.record(
                outcome.shard,
                hashes[outcome.shard],
                sinks,
                settings,
                documents=outcome.documents,
                events=outcome.events,
                errors=len(outcome.errors),
                output=outcome.output,
            )
            say(
                f"[{n}/{len(pending)}] {Path(outcome.shard).name}: {outcome.documents} "
                f"document(s), {outcome.events} event(s), {len(outcome.errors)} bad "
                f"({outcome.seconds:.1f} s)"
            )
    summary.seconds = time.perf_counter() - started
    return summary


def _to_stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _fingerprint(config: dict[str, Any]) -> str:
    """The extraction settings a shard was done with: package version and job config."""
    from trucewatch import __version__

    body = json.dumps({"trucewatch": __version__, **config}, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _check_outputs(shards: Sequence[Path], out_dir: Path) -> None:
    """Two shards with one stem (a/x.jsonl, b/x.parquet) would write one output file."""
    writers: dict[Path, Path] = {}
    for shard in shards:
        target = output_path(shard, out_dir)
        if target in writers:
            raise BatchError(
                f"shards {writers[target]} and {shard} would both write {target.name}: "
                "rename one, or run them into separate output folders"
            )
        writers[target] = shard


def _sinks(out_dir: str | os.PathLike[str] | None, db: str | None) -> list[str]:
    sinks = []
    if out_dir is not None:
        sinks.append(f"parquet:{Path(out_dir).resolve()}")
    if db is not None:
        shown = db if "://" in db else str(Path(db).resolve())
        sinks.append(f"db:{shown}")
    return sinks


def _runner(
    engine: Engine, processes: int, workers: int, scheduler: str | None, retries: int
) -> Runner:
    if engine == "local":
        return LocalRunner(processes, retries=retries)
    if engine == "dask":
        try:
            from trucewatch.batch.dask_runner import DaskRunner
        except ImportError as exc:
            raise BatchError(
                "the dask engine needs the dask extra: pip install 'trucewatch[dask]'"
            ) from exc
        return DaskRunner(scheduler, n_workers=workers, retries=retries)
    raise BatchError(f"unknown engine {engine!r} (local or dask)")


def _open_registry(stack: ExitStack, db: str) -> Registry:
    """The registry on `db`, opened before any work so that a bad database fails fast. It reads
    nothing itself: it stores the workers' readings."""
    from trucewatch.registry import Registry
    from trucewatch.store import open_store

    return Registry(stack.enter_context(open_store(db)))


def _store(
    registry: Registry, result: ShardResult, summary: BatchSummary
) -> ShardResult | ShardFailure:
    """Store the readings of the shard's documents and link their claims (idempotent); a
    failure of the database fails the shard, which then stays undone."""
    try:
        stored = registry.store_and_link(result.readings)
    except Exception as exc:  # noqa: BLE001 - reported as this shard's failure
        return ShardFailure(result.shard, f"storing: {describe(exc)}", 1)
    assert summary.stored is not None
    summary.stored.add(stored)
    return dataclasses.replace(result, readings=[])  # stored: no need to keep them
