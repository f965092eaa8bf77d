"""`trucewatch ceasefire add|list`: the truce regimes incidents are counted against."""

from __future__ import annotations

import datetime as dt

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
    """Add a ceasefire record (the same rules as the API's POST /api/v1/ceasefires)."""
    from pydantic import ValidationError

    from trucewatch.registry import NewCeasefire, new_ceasefire

    try:
        data = NewCeasefire(
            name=name,
            parties=parties.split(","),
            start=start,
            end=end,
            area=area,
            monitor=monitor,
        )
    except ValidationError as error:
        first = error.errors()[0]
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise click.BadParameter(reason, param_hint=f"--{first['loc'][0]}") from error
    record = new_ceasefire(data)
    with registry(db) as store:
        added = store.add_ceasefire(record)
    click.echo(f"{'added' if added else 'already present'}: {record.id}")
