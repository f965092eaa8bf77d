"""`trucewatch batch`: extraction over many shards, on a local process pool or a Dask cluster."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from trucewatch.cli.options import profiles_option, published_option

MAX_ERRORS_SHOWN = 20


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; dask: a dask.distributed cluster.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes of the local engine (default: the number of CPUs).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Workers of the LocalCluster the dask engine starts when no --scheduler is given "
    "(default: the number of CPUs).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Address of a running Dask scheduler (tcp://host:8786) for the dask engine.",
)
@click.option(
    "--db",
    metavar="FILE|URL",
    help="Also store the documents and their claims in this registry database.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Write one <shard>.claims.parquet per shard into this folder.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    metavar="N",
    default=2,
    show_default=True,
    help="Times a failed shard is tried again before it is reported.",
)
@published_option
@profiles_option
def batch(
    inputs: tuple[Path, ...],
    engine: str,
    processes: int | None,
    workers: int | None,
    scheduler: str | None,
    db: str | None,
    output: Path | None,
    retries: int,
    published: dt.date | None,
    profile_dirs: tuple[Path, ...],
) -> None:
    """Extract incident claims from JSONL and Parquet shards in parallel.

    INPUTS are shard files (.jsonl or .parquet of {"id", "text", "published"?, "url"?} records)
    or folders of them. Claims go to -o DIR as one Parquet file per shard, and/or into the
    --db registry (stored as `trucewatch ingest` stores them); at least one is required. A
    failed shard is retried, then reported; a re-run skips the shards already done (the
    manifest `trucewatch-batch.json` in DIR, else beside the database, records them by
    content hash). Exit status 1 if any shard failed.
    """
    from trucewatch.batch.job import BatchError, run_batch
    from trucewatch.batch.manifest import ManifestError
    from trucewatch.store import StoreError

    if output is None and db is None:
        raise click.UsageError("give -o/--output DIR, --db FILE|URL, or both")
    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler is for --engine dask")
    cpus = os.cpu_count() or 1
    try:
        summary = run_batch(
            [str(p) for p in inputs],
            "dask" if engine == "dask" else "local",
            processes=processes or cpus,
            workers=workers or cpus,
            scheduler=scheduler,
            out_dir=output,
            db=db,
            retries=retries,
            published=published,
            profiles=list(profile_dirs),
            progress=lambda message: click.echo(message, err=True),
        )
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    except (ManifestError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    errors = summary.errors
    for error in errors[:MAX_ERRORS_SHOWN]:
        click.echo(f"error: {error}", err=True)
    if len(errors) > MAX_ERRORS_SHOWN:
        click.echo(f"... and {len(errors) - MAX_ERRORS_SHOWN} more bad record(s)", err=True)
    click.echo(f"batch: {summary.line()}", err=True)
    if summary.failures:
        click.echo(f"{len(summary.failures)} shard(s) failed:", err=True)
        for failure in summary.failures:
            click.echo(f"  {failure.shard}: {failure.error}", err=True)
        sys.exit(1)
