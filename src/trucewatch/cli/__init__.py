"""The `trucewatch` command line: one click group, one module per command."""

from __future__ import annotations

import click

from trucewatch import __version__
from trucewatch.cli.backup import backup, restore
from trucewatch.cli.batch import batch
from trucewatch.cli.bulletin import bulletin
from trucewatch.cli.ceasefire import ceasefire
from trucewatch.cli.export import export
from trucewatch.cli.extract import extract
from trucewatch.cli.importing import import_
from trucewatch.cli.incidents import incidents
from trucewatch.cli.ingest import ingest
from trucewatch.cli.relink import relink
from trucewatch.cli.serve import serve
from trucewatch.cli.users import user
from trucewatch.cli.watch import source, watch


@click.group()
@click.version_option(__version__, prog_name="trucewatch")
def cli() -> None:
    """trucewatch: turn ceasefire reports into attributed incident claims."""


for command in (
    extract,
    ingest,
    relink,
    incidents,
    bulletin,
    export,
    ceasefire,
    import_,
    batch,
    watch,
    source,
    backup,
    restore,
    serve,
    user,
):
    cli.add_command(command)
