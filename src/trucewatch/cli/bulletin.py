"""`trucewatch bulletin`: the daily bulletin of a ceasefire (or of all incidents)."""

from __future__ import annotations

import datetime as dt

import click

from trucewatch.cli.options import db_option, parse_day, registry


@click.command()
@db_option
@click.option(
    "--date",
    "day",
    callback=parse_day,
    metavar="YYYY-MM-DD",
    help="The day; default: the day with the most incidents in the registry.",
)
@click.option("--ceasefire", "ceasefire_id", help="Ceasefire id (see `trucewatch ceasefire list`).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
def bulletin(db: str, day: dt.date | None, ceasefire_id: str | None, fmt: str) -> None:
    """Print the bulletin of DATE: violations by claimed perpetrator and claimant, weapons,
    casualties, places, denials, change vs the day before, and firsts."""
    from trucewatch.report.bulletin import render_html, render_markdown
    from trucewatch.report.daily import busiest_day, daily_bulletin

    with registry(db, must_exist=True) as store:
        ceasefire = None
        if ceasefire_id is not None:
            ceasefire = next((c for c in store.ceasefires() if c.id == ceasefire_id), None)
            if ceasefire is None:
                raise click.BadParameter(
                    f"no ceasefire with id {ceasefire_id!r}", param_hint="--ceasefire"
                )
        if day is None:
            day = busiest_day(store, ceasefire_id)
            if day is None:
                raise click.UsageError("the registry holds no dated incident: give --date")
            click.echo(f"(busiest day in the registry: {day})", err=True)
        report = daily_bulletin(store, day, ceasefire)
    click.echo(render_html(report) if fmt == "html" else render_markdown(report))
