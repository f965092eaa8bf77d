from trucewatch.cli import cli

cli()
