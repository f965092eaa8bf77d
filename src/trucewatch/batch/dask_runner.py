"""The Dask runner: shards mapped over a dask.distributed cluster (the `dask` extra).

Imported only when `--engine dask` is asked for. With a scheduler address it uses that
cluster, whose workers must have trucewatch installed and see the shard files and the output
folder at the same paths (a shared file system). Without one it starts a LocalCluster of
`n_workers` single-threaded worker processes and closes it when the map ends. Each worker
process keeps its extractor between shards (`trucewatch.batch.work`'s module-level cache).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

from trucewatch.batch.runner import DEFAULT_RETRIES, ShardFailure, ShardFn, describe
from trucewatch.batch.work import ShardResult

__all__ = ["DaskRunner"]


class DaskRunner:
    """One dask task per shard, with `retries` retries on error; results gathered as they end."""

    def __init__(
        self, scheduler: str | None = None, n_workers: int = 2, retries: int = DEFAULT_RETRIES
    ) -> None:
        if n_workers < 1:
            raise ValueError("n_workers must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.retries = retries

    def map(self, fn: ShardFn, shards: Sequence[str]) -> Iterator[ShardResult | ShardFailure]:
        if not shards:
            return
        import distributed

        dist = cast(Any, distributed)  # partly typed: its constructors are untyped calls

        with ExitStack() as stack:
            if self.scheduler is None:
                cluster = stack.enter_context(
                    dist.LocalCluster(
                        n_workers=self.n_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                )
                client = stack.enter_context(dist.Client(cluster))
            else:
                client = stack.enter_context(dist.Client(self.scheduler))
            run = uuid.uuid4().hex[:8]
            futures: dict[Any, str] = {}
            for i, shard in enumerate(shards):
                key = f"trucewatch-shard-{run}-{i}-{Path(shard).name}"
                future = client.submit(fn, shard, key=key, pure=False, retries=self.retries)
                futures[future] = shard
            for future in dist.as_completed(list(futures)):
                shard = futures.pop(future)
                if future.status == "finished":
                    yield cast(ShardResult, future.result())
                elif future.status == "error":
                    exc = cast(BaseException, future.exception())
                    yield ShardFailure(shard, describe(exc), self.retries + 1)
                else:  # cancelled: the cluster lost the task
                    yield ShardFailure(shard, f"task {future.status}", self.retries + 1)
                future.release()
