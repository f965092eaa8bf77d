"""`trucewatch import`: reference datasets (ACLED, UCDP GED) into the registry, and comparing
our incidents with theirs."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from trucewatch.cli.options import db_option, parse_day, registry
from trucewatch.models import Incident

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("import")
def import_() -> None:
    """Import published event data (ACLED, UCDP GED) as incidents marked with their origin."""


def _run(dataset: str, file: Path, db: str) -> None:
    from trucewatch.importers import import_acled, import_ucdp

    run = import_acled if dataset == "acled" else import_ucdp
    with registry(db) as store:
        summary = run(store, file, on_bad=lambda m: click.echo(f"error: {m}", err=True))
    click.echo(summary.line(), err=True)
    if summary.bad:
        sys.exit(1)


@import_.command()
@click.argument("file", type=_FILE)
@db_option
def acled(file: Path, db: str) -> None:
    """Import an ACLED CSV export (incident ids "acled:<event_id_cnty>").

    Rows already imported are left as they are. Exit status 1 if any row was bad."""
    _run("acled", file, db)


@import_.command()
@click.argument("file", type=_FILE)
@db_option
def ucdp(file: Path, db: str) -> None:
    """Import a UCDP GED CSV (incident ids "ucdp:<id>").

    Rows already imported are left as they are. Exit status 1 if any row was bad."""
    _run("ucdp", file, db)


def _line(incident: Incident) -> str:
    when = incident.first_date or "undated"
    return f"  {incident.id}  {when}  {incident.type}  {incident.location or '-'}"


@import_.command()
@db_option
@click.option(
    "--origin",
    type=click.Choice(["acled", "ucdp"]),
    required=True,
    help="The reference dataset to compare with.",
)
@click.option("--since", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--until", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--max-days", default=1, show_default=True, type=click.IntRange(min=0))
@click.option("--max-km", default=25.0, show_default=True, type=click.FloatRange(min=0))
def compare(
    db: str,
    origin: str,
    since: dt.date | None,
    until: dt.date | None,
    max_days: int,
    max_km: float,
) -> None:
    """Compare our incidents with a reference dataset's over a period: matched pairs (same or
    adjacent days, close places, related types), ours only, theirs only."""
    from trucewatch.importers import compare as compare_incidents
    from trucewatch.importers import origin_of

    with registry(db) as store:
        found = store.incidents(since=since, until=until)
    ours = [i for i in found if origin_of(i) == "trucewatch"]
    theirs = [i for i in found if origin_of(i) == origin]
    result = compare_incidents(ours, theirs, max_days=max_days, max_km=max_km)
    counts = result.counts
    click.echo(
        f"{counts['matched']} matched, {counts['ours_only']} ours only, "
        f"{counts['theirs_only']} {origin} only"
    )
    for match in result.matched:
        click.echo(
            f"  {match.ours.id} = {match.theirs.id}  ({match.days} day(s), {match.km:.1f} km apart)"
        )
    if result.ours_only:
        click.echo("ours only:")
        for incident in result.ours_only:
            click.echo(_line(incident))
    if result.theirs_only:
        click.echo(f"{origin} only:")
        for incident in result.theirs_only:
            click.echo(_line(incident))
