"""`trucewatch incidents`: list the registry's incidents."""

from __future__ import annotations

import datetime as dt
import json

import click

from trucewatch.cli.options import db_option, origin_option, parse_day, registry
from trucewatch.models import EVENT_TYPES, Incident, origin_of
from trucewatch.report.provenance import with_reports


def _line(incident: Incident) -> str:
    blamed = "; ".join(
        f"{src} blames {', '.join(actors)}" for src, actors in incident.blamed.items()
    )
    denied = f"; denied by {', '.join(incident.denied_by)}" if incident.denied_by else ""
    killed = incident.killed
    toll = "" if killed.best is None else f", killed {killed.low}-{killed.high}"
    when = incident.first_date or "undated"
    return (
        f"{incident.id}  {when}  {incident.type}  {incident.location or '-'}  "
        f"[{blamed or 'unattributed'}{denied}]  {incident.sources} source(s){toll}"
    )


@click.command()
@db_option
@origin_option
@click.option("--since", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--until", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--ceasefire", "ceasefire_id", help="Only incidents counted against this ceasefire.")
@click.option("--side", help="Only incidents where this side is actor or target.")
@click.option("--type", "type_", help="Only incidents of this type (e.g. shelling).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per line, with claims and their reports.",
)
def incidents(
    db: str,
    origin: str,
    since: dt.date | None,
    until: dt.date | None,
    ceasefire_id: str | None,
    side: str | None,
    type_: str | None,
    as_json: bool,
) -> None:
    """List incidents, each with who blames whom, denials and its number of sources."""

    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    if type_ is not None and type_ not in EVENT_TYPES:
        raise click.BadParameter(
            f"{type_!r} is not one of {', '.join(sorted(EVENT_TYPES))}", param_hint="--type"
        )
    with registry(db, must_exist=True) as store:
        found = store.incidents(
            since=since, until=until, ceasefire_id=ceasefire_id, side=side, type=type_
        )
        found = [i for i in found if origin in ("all", origin_of(i))]
        if as_json:  # each claim with the URL, outlet, title and day of its report
            found = with_reports(store, found)
    for incident in found:
        click.echo(json.dumps(incident.model_dump(mode="json")) if as_json else _line(incident))
