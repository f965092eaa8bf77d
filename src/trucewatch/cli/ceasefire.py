"""`trucewatch ceasefire add|list`: the truce regimes incidents are counted against."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import click

from trucewatch.cli.options import db_option, parse_day, registry


@click.group()
def ceasefire() -> None:
    """Ceasefire records: from the conflict profiles, and added by hand."""


@ceasefire.command("list")
@db_option
def list_ceasefires(db: str) -> None:
    """List the ceasefires in the registry."""
    from trucewatch.registry import profile_ceasefires

    with registry(db) as store:
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

    if end is not None and end < start:
        raise click.BadParameter("the end is before the start", param_hint="--end")
    if not name.strip():
        raise click.BadParameter("the name is empty", param_hint="--name")
    sides = list(dict.fromkeys(p.strip() for p in parties.split(",") if p.strip()))
    if len(sides) < 2:
        raise click.BadParameter("name at least two different parties", param_hint="--parties")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    digest = hashlib.sha1(f"{name.strip()}|{start}".encode()).hexdigest()[:8]
    record = Ceasefire(
        id=f"user:{slug + '-' if slug else ''}{start}-{digest}",
        name=name,
        parties=sides,
        start=start,
        end=end,
        area=area,
        monitor=monitor,
    )
    with registry(db) as store:
        added = store.add_ceasefire(record)
    click.echo(f"{'added' if added else 'already present'}: {record.id}")
