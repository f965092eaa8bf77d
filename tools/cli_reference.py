"""Write docs/cli-reference.md from the click commands themselves (every command's --help).

Usage: python tools/cli_reference.py [--check]   (--check: exit 1 when the file is stale)
`tests/test_docs.py` fails when the file and the commands disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from trucewatch.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli-reference.md"
WIDTH = 100
HEADER = """# CLI reference

Every `trucewatch` command with its `--help`, generated from the commands by
`python tools/cli_reference.py` (do not edit by hand; `tests/test_docs.py` fails when it is stale).
"""


def commands(
    command: click.Command, path: tuple[str, ...], parent: click.Context | None
) -> Iterator[tuple[tuple[str, ...], click.Context]]:
    """(name path, context) of `command` and of every subcommand, depth first, sorted."""
    ctx = click.Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
    )
    yield path, ctx
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from commands(command.commands[name], (*path, name), ctx)


def render() -> str:
    parts = [HEADER]
    for path, ctx in commands(cli, ("trucewatch",), None):
        parts.append(f"\n## {' '.join(path)}\n\n```\n{ctx.get_help()}\n```\n")
    return "".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{TARGET} is stale: run python tools/cli_reference.py\n")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
