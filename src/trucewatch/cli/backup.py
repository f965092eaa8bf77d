"""`trucewatch backup` and `trucewatch restore`: the registry to one file and back
(trucewatch/store/backup.py, docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import click

from trucewatch.cli.options import db_option


def _echo_counts(counts: dict[str, int]) -> None:
    width = max(map(len, counts), default=0)
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}}  {rows:>9}")


@click.command()
@db_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The backup file to write (replaced if it exists).",
)
def backup(db: str, output: Path) -> None:
    """Write a consistent copy of the registry to OUTPUT, safe while ingest is running.

    SQLite: a SQLite file made with SQLite's online backup API and integrity-checked.
    PostgreSQL: a pg_dump custom-format archive (pg_dump must be installed)."""
    from trucewatch.store.backup import BackupError
    from trucewatch.store.backup import backup as run

    try:
        info = run(db, output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backed up {info.source} to {info.archive} "
        f"({info.size / 1e6:.1f} MB, {info.seconds:.1f} s); rows per table:"
    )
    _echo_counts(info.counts)


@click.command()
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@click.option("--force", is_flag=True, help="Replace a registry that already holds data.")
def restore(archive: Path, db: str, force: bool) -> None:
    """Restore the backup ARCHIVE into the registry given by --db.

    A registry that already holds data is only replaced with --force. A SQLite backup restores
    into a SQLite file, a pg_dump archive into a PostgreSQL URL (pg_restore must be installed)."""
    from trucewatch.store.backup import BackupError
    from trucewatch.store.backup import restore as run

    try:
        info = run(archive, db, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"restored {info.archive} into {info.target} ({info.seconds:.1f} s); rows per table:"
    )
    _echo_counts(info.counts)
