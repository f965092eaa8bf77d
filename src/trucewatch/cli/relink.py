"""`trucewatch relink`: link the registry's claims again after the linking rules changed."""

from __future__ import annotations

import datetime as dt

import click

from trucewatch.cli.options import db_option, parse_day, registry


@click.command()
@db_option
@click.option(
    "--since",
    callback=parse_day,
    metavar="YYYY-MM-DD",
    help="Only incidents whose first day is on or after this day (default: all, undated too).",
)
def relink(db: str, since: dt.date | None) -> None:
    """Recompute incidents with the current linking rules, keeping every analyst's work.

    Incidents nobody reviewed are dissolved and their claims linked afresh. Incidents an
    analyst accepted, rejected, edited, merged or split are kept as they are.
    """
    from trucewatch.registry import Registry

    with registry(db, must_exist=True) as store:
        dissolved, touched = Registry(store).recompute(since)
    click.echo(f"{dissolved} incident(s) recomputed; {touched} incident(s) saved", err=True)
