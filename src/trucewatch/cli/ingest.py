"""`trucewatch ingest`: reports, folders, feeds and URLs into the registry."""

from __future__ import annotations

import datetime as dt
import sys

import click
from tqdm import tqdm

from trucewatch.cli.options import db_option, published_option, registry


@click.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@published_option
def ingest(sources: tuple[str, ...], db: str, published: dt.date | None) -> None:
    """Ingest reports into the registry and link their claims into incidents.

    SOURCES are files (.txt, .html, .jsonl, .xml/.rss/.atom feeds), folders, or http(s) URLs of
    pages and feeds. Each report is stored once: re-ingesting adds nothing, a near duplicate is
    recorded as a duplicate of the first. Exit status 1 if any report failed.
    """
    from trucewatch.ingest.sources import read_sources
    from trucewatch.registry import Registry

    with registry(db) as store:
        job = Registry(store)
        bar = tqdm(unit="report", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

        def progress(origin: str, outcome: str) -> None:
            bar.update(1)
            if outcome.startswith("failed"):
                click.echo(f"error: {origin}: {outcome.removeprefix('failed: ')}", err=True)

        summary = job.ingest(read_sources(list(sources), published), on_item=progress)
        bar.close()
    for item in summary.not_extracted:
        click.echo(f"stored, not extracted (no pipeline for its language): {item}", err=True)
    click.echo(
        f"{summary.new} new, {summary.duplicates} duplicate, "
        f"{summary.near_duplicates} near-duplicate, {len(summary.failed)} failed; "
        f"{summary.claims} claim(s), {summary.incidents} incident(s) updated",
        err=True,
    )
    if summary.failed:
        sys.exit(1)
