"""`trucewatch ceasefire add|list`: the truce regimes incidents are counted against."""

from __future__ import annotations

import datetime as dt
import re

import click

from trucewatch.cli.options import db_option, parse_day


@click.group()
def ceasefire() -> None:
    """Ceasefire records: from the conflict profiles, and added by hand."""


@ceasefire.command("list")
@db_option
def list_ceasefires(db: str) -> None:
    """List the ceasefires in the registry."""
    from trucewatch.registry import profile_ceasefires
    from trucewatch.store import open_store

    with open_store(db) as store:
        for record in profile_ceasefires():
            store.add_ceasefire(record)
        for c in store.ceasefires():
            end = c.end or "in force"
            click.echo(f"{c.id}  {c.start} → {end}  {', '.join(c.parties)}  {c.name}")


@ceasefire.command("add")
@db_option
@click.option("--name", required=True)
@click.option(
    "--parties", required=True, help="Comma-separated side names, e.g. 'Armenia,Azerbaijan'."
)
@click.option("--start", callback=parse_day, required=True, metavar="YYYY-MM-DD")
@click.option("--end", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--area")
@click.option("--monitor")
def add_ceasefire(
    db: str,
    name: str,
    parties: str,
    start: dt.date,
    end: dt.date | None,
    area: str | None,
    monitor: str | None,
) -> None:
    """Add a ceasefire record."""
    from trucewatch.records import Ceasefire
    from trucewatch.store import open_store

    if end is not None and end < start:
        raise click.BadParameter("the end is before the start", param_hint="--end")
    sides = [p.strip() for p in parties.split(",") if p.strip()]
    if len(sides) < 2:
        raise click.BadParameter("name at least two parties", param_hint="--parties")
    record = Ceasefire(
        id="user:" + re.sub(r"[^a-z0-9]+", "-", f"{name}-{start}".lower()).strip("-"),
        name=name,
        parties=sides,
        start=start,
        end=end,
        area=area,
        monitor=monitor,
    )
    with open_store(db) as store:
        added = store.add_ceasefire(record)
    click.echo(f"{'added' if added else 'already present'}: {record.id}")
