"""The `trucewatch` command line: one click group, one module per command."""

from __future__ import annotations

import click

from trucewatch import __version__
from trucewatch.cli.extract import extract


@click.group()
@click.version_option(__version__, prog_name="trucewatch")
def cli() -> None:
    """trucewatch: turn ceasefire reports into attributed incident claims."""


cli.add_command(extract)
