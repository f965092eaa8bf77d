"""`trucewatch bulletin`: the daily bulletin of a ceasefire (or of all incidents)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import click

from trucewatch.cli.options import db_option, parse_day, registry
from trucewatch.records import OURS, Incident, origin_of


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
    from trucewatch.report.bulletin import build_bulletin, render_html, render_markdown

    one_day = dt.timedelta(days=1)
    with registry(db, must_exist=True) as store:
        ceasefire = None
        if ceasefire_id is not None:
            ceasefire = next((c for c in store.ceasefires() if c.id == ceasefire_id), None)
            if ceasefire is None:
                raise click.BadParameter(
                    f"no ceasefire with id {ceasefire_id!r}", param_hint="--ceasefire"
                )
        if day is None:
            day = _busiest_day(_ours(store.incidents(ceasefire_id=ceasefire_id)))
            if day is None:
                raise click.UsageError("the registry holds no dated incident: give --date")
            click.echo(f"(busiest day in the registry: {day})", err=True)
        today = _ours(store.incidents(since=day, until=day, ceasefire_id=ceasefire_id))
        before = _ours(
            store.incidents(since=day - one_day, until=day - one_day, ceasefire_id=ceasefire_id)
        )
        earlier = _ours(store.incidents(until=day - one_day, ceasefire_id=ceasefire_id))
        periods = store.period_reports(since=day, until=day, ceasefire_id=ceasefire_id)
        doc_ids = {c.document_id for i in today for c in i.claims}
        doc_ids |= {p.document_id for p in periods}
        documents = {d: doc for d in doc_ids if (doc := store.get_document(d)) is not None}
    report = build_bulletin(
        day,
        today,
        periods,
        previous_day=before,
        earlier=earlier,
        ceasefire=ceasefire,
        documents=documents,
    )
    click.echo(render_html(report) if fmt == "html" else render_markdown(report))


def _busiest_day(incidents: list[Incident]) -> dt.date | None:
    """The day most incidents started on (the latest such day on a tie)."""
    days = Counter(i.first_date for i in incidents if i.first_date is not None)
    if not days:
        return None
    return max(days, key=lambda d: (days[d], d))


def _ours(incidents: list[Incident]) -> list[Incident]:
    """Bulletins count our incidents; imported reference data is for comparison only."""
    return [i for i in incidents if origin_of(i) == OURS]
