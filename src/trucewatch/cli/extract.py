"""`trucewatch extract`: reports in, one JSON line of incident claims per report out."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click
from tqdm import tqdm

from trucewatch.cli.options import profiles_option, published_option
from trucewatch.extract.timelimit import time_limit
from trucewatch.ingest import InputError, read_inputs
from trucewatch.models import Document, Event, ExtractionResult
from trucewatch.report.table import format_table

if TYPE_CHECKING:
    from trucewatch.extract.pipeline import Extractor

PROGRESS_THRESHOLD = 20


def _count_inputs(paths: tuple[Path, ...]) -> int:
    """A cheap estimate of how many documents the inputs hold, for the progress bar."""
    total = 0
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.suffix == ".jsonl" and f.is_file():
                with f.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            elif f.suffix in (".txt", ".html", ".htm") and f.is_file():
                total += 1
    return total


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    default="-",
    show_default=True,
    help="Where to write the JSONL results ('-' for stdout).",
)
@published_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
    help="jsonl for programs, table for people.",
)
@profiles_option
def extract(
    inputs: tuple[Path, ...],
    output: Path,
    published: dt.date | None,
    fmt: str,
    profile_dirs: tuple[Path, ...],
) -> None:
    """Extract incident claims from report files, folders or JSONL files.

    INPUTS are .jsonl files of {"id", "text", "published"?, "url"?} records, .txt or .html files,
    or folders of them. Bad inputs are reported on stderr and skipped; the exit status is 1 if
    any input failed.
    """
    from trucewatch.extract.pipeline import Extractor  # loads spaCy: only when really extracting
    from trucewatch.sides import ProfileError, SideResolver, load_profiles

    failures: list[str] = []
    total = _count_inputs(inputs)
    try:
        resolver = SideResolver(load_profiles(profile_dirs)) if profile_dirs else None
    except ProfileError as exc:
        raise click.UsageError(str(exc)) from None
    extractor = Extractor(resolver=resolver)
    documents = _documents(inputs, published, failures)
    bar = tqdm(
        total=total,
        unit="doc",
        file=sys.stderr,
        disable=total < PROGRESS_THRESHOLD or not sys.stderr.isatty(),
        leave=False,
    )
    n_docs = n_events = 0
    with _open_output(output) as out:
        for doc, events in _safe_extract(extractor, documents, failures):
            bar.update(1)
            n_docs += 1
            n_events += len(events)
            if fmt == "table":
                out.write(format_table(doc, events))
            else:
                line = ExtractionResult(id=doc.id, events=events).model_dump_json()
                out.write(line + "\n")
    bar.close()
    click.echo(f"extracted {n_docs} document(s), {n_events} event(s)", err=True)
    if failures:
        click.echo(f"{len(failures)} input(s) failed:", err=True)
        for failure in failures:
            click.echo(f"  {failure}", err=True)
        sys.exit(1)


def _documents(
    inputs: tuple[Path, ...], published: dt.date | None, failures: list[str]
) -> Iterator[Document]:
    for item in read_inputs(list(inputs), published=published):
        if isinstance(item, InputError):
            click.echo(f"error: {item}", err=True)
            failures.append(str(item))
        else:
            yield item


def _safe_extract(
    extractor: Extractor, documents: Iterator[Document], failures: list[str]
) -> Iterator[tuple[Document, list[Event]]]:
    """Extract document by document so one failure does not stop the batch."""
    for doc in documents:
        try:
            with time_limit():  # $TRUCEWATCH_DOC_TIMEOUT: a pathological document fails alone
                reading = extractor.read(doc)
            events = reading.events
        except Exception as exc:  # noqa: BLE001 - any failure of one document is reported, not fatal
            message = f"{doc.origin or doc.id}: extraction failed: {type(exc).__name__}: {exc}"
            click.echo(f"error: {message}", err=True)
            failures.append(message)
            continue
        if not reading.extracted:  # kept in the output with no events, and said so
            click.echo(
                f"not extracted: {doc.origin or doc.id}: no pipeline for language "
                f"{reading.language!r}",
                err=True,
            )
        for warning in reading.warnings:  # what the caps on hostile text left out
            click.echo(f"warning: {doc.origin or doc.id}: {warning}", err=True)
        yield doc, events


class _open_output:  # noqa: N801 - used as a context manager like open()
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None

    def __enter__(self) -> TextIO:
        if str(self.path) == "-":
            return sys.stdout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("w", encoding="utf-8")
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
