"""`trucewatch export`: incidents to CSV (ACLED-style columns), GeoJSON, JSONL or Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from trucewatch.cli.options import db_option, origin_option, parse_day, registry
from trucewatch.models import origin_of


@click.command()
@db_option
@origin_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "geojson", "jsonl", "parquet"]), required=True
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--since", callback=parse_day, metavar="YYYY-MM-DD")
@click.option("--until", callback=parse_day, metavar="YYYY-MM-DD")
def export(
    db: str, origin: str, fmt: str, output: Path, since: dt.date | None, until: dt.date | None
) -> None:
    """Write the registry's incidents with their claims to OUTPUT."""
    from trucewatch.report.export import export as write

    with registry(db, must_exist=True) as store:
        found = [
            i for i in store.incidents(since=since, until=until) if origin in ("all", origin_of(i))
        ]
        doc_ids = {c.document_id for i in found for c in i.claims}
        documents = {d: doc for d in doc_ids if (doc := store.get_document(d)) is not None}
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        rows = write(found, output, fmt, documents=documents)  # type: ignore[arg-type]
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {rows} incident(s) to {output}", err=True)
