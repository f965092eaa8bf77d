"""Batch extraction: the per-document extractor mapped over shards by a local
process pool or by Dask distributed. `run_batch` is the entry point; the Dask runner is imported
only when the dask engine is asked for."""

from __future__ import annotations

from trucewatch.batch.job import BatchError, BatchSummary, run_batch
from trucewatch.batch.runner import LocalRunner, Runner, ShardFailure
from trucewatch.batch.work import ShardResult, process_shard

__all__ = [
    "BatchError",
    "BatchSummary",
    "LocalRunner",
    "Runner",
    "ShardFailure",
    "ShardResult",
    "process_shard",
    "run_batch",
]
