"""The docs stay true: the CLI reference is what the commands say, every command has help,
the examples marked `<!-- docs-test: run -->` in README.md and docs/*.md run as written, and no
doc points at a file outside the repository."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from trucewatch.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = "<!-- docs-test: run -->"
BLOCK = re.compile(re.escape(MARKER) + r"\s*```(python|sh)\n(.*?)```", re.DOTALL)


def reference_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "tools/cli_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    tool = reference_tool()
    written = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert written == tool.render(), "docs/cli-reference.md is stale: run tools/cli_reference.py"


def test_every_command_has_help_and_is_in_the_reference() -> None:
    tool = reference_tool()
    written = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    for path, ctx in tool.commands(cli, ("trucewatch",), None):
        command: click.Command = ctx.command
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        assert f"\n## {' '.join(path)}\n" in written


def blocks(kind: str) -> list[tuple[Path, str]]:
    found = []
    for doc in DOCS:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            if match.group(1) == kind:
                found.append((doc, match.group(2)))
    return found


@pytest.fixture
def workdir(tmp_path: Path, gazetteer_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the bundled samples, where the examples write their files."""
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.setenv("TRUCEWATCH_CACHE", str(gazetteer_cache))
    return tmp_path


def test_there_are_examples_to_run() -> None:
    assert len(blocks("python")) >= 5
    assert blocks("sh")


@pytest.mark.usefixtures("geocoder")  # builds the gazetteer index in gazetteer_cache once
@pytest.mark.parametrize("doc", sorted({d for d, _ in blocks("python")}), ids=lambda d: d.name)
def test_python_examples_run(doc: Path, workdir: Path) -> None:
    """A doc's Python examples run one after the other in one interpreter, as a reader would."""
    code = "\n".join(body for d, body in blocks("python") if d == doc)
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    assert run.returncode == 0, f"{doc.name}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


@pytest.mark.usefixtures("geocoder")
@pytest.mark.parametrize("doc", sorted({d for d, _ in blocks("sh")}), ids=lambda d: d.name)
def test_shell_examples_run(doc: Path, workdir: Path) -> None:
    script = "\n".join(body for d, body in blocks("sh") if d == doc)
    script = script.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    assert run.returncode == 0, f"{doc.name}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


def test_docs_point_at_no_file_outside_the_repository() -> None:
    outside = re.compile(r"\b(DESIGN|STYLE|SCHEMA)\.md\b")
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            assert not outside.search(line), f"{doc.name}:{number}: {line}"
