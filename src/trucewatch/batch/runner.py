"""Runners map the per-shard function over shards and yield each shard's outcome as it ends.

`Runner` is the plug point: `LocalRunner` here, on a process pool; `DaskRunner`
(`trucewatch.batch.dask_runner`, imported only when asked for) on dask.distributed. Either
retries a failed shard up to `retries` more times, then yields a `ShardFailure` for it, and
goes on with the other shards.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from trucewatch.batch.work import ShardResult

__all__ = ["DEFAULT_RETRIES", "LocalRunner", "Runner", "ShardFailure", "ShardFn", "describe"]

DEFAULT_RETRIES = 2

ShardFn = Callable[[str], ShardResult]
"""The work for one shard, given its path (a picklable top-level function or a partial)."""


@dataclass(frozen=True)
class ShardFailure:
    """A shard that failed on every attempt, with the last error."""

    shard: str
    error: str
    attempts: int = 1


@runtime_checkable
class Runner(Protocol):
    def map(self, fn: ShardFn, shards: Sequence[str]) -> Iterator[ShardResult | ShardFailure]:
        """Run `fn` on every shard; yield each outcome as it is known, in any order."""
        ...


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class LocalRunner:
    """A pool of `processes` worker processes (spawn context: no fork of the caller's threads
    or open handles). Each worker keeps its extractor between shards. A pool broken by a
    worker that died (killed, out of memory) is replaced, and the shards it held are retried."""

    def __init__(self, processes: int = 2, retries: int = DEFAULT_RETRIES) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.processes = processes
        self.retries = retries

    def map(self, fn: ShardFn, shards: Sequence[str]) -> Iterator[ShardResult | ShardFailure]:
        if not shards:
            return
        context = multiprocessing.get_context("spawn")
        workers = min(self.processes, len(shards))
        attempts = dict.fromkeys(shards, 0)
        pending = list(shards)
        running: dict[Future[ShardResult], str] = {}
        pool: ProcessPoolExecutor | None = None
        try:
            while pending or running:
                if pool is None:
                    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
                for shard in pending:
                    attempts[shard] += 1
                    running[pool.submit(fn, shard)] = shard
                pending = []
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    # a worker died: the pool fails every shard it holds; retry them in a new one
                    done, _ = wait(running)
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = None
                for future in done:
                    shard = running.pop(future)
                    exc = future.exception()
                    if exc is None:
                        yield future.result()
                    elif attempts[shard] <= self.retries:
                        pending.append(shard)
                    else:
                        yield ShardFailure(shard, describe(exc), attempts[shard])
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
