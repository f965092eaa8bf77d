"""Shards: the unit of batch work is one input file, a `.jsonl` or `.parquet` of records
`{"id", "text", "published"?, "url"?}` (extra keys such as "title" and "outlet" are kept).

A record is read exactly as `trucewatch extract` reads a JSONL line (HTML detection, boilerplate
cleaning, date parsing), so a corpus gives the same documents whichever format it is stored in.
A bad record is reported and skipped; a shard that cannot be read at all (missing, corrupt,
empty) raises `ShardError`, which the runners retry and then report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trucewatch.ingest.readers import InputError, RejectedInput, read_inputs, record_document
from trucewatch.ingest.sources import SourceItem, read_sources
from trucewatch.models import Document

__all__ = ["OUTPUT_SUFFIX", "SHARD_SUFFIXES", "ShardError", "expand", "read_items", "read_shard"]

SHARD_SUFFIXES = frozenset({".jsonl", ".parquet"})
OUTPUT_SUFFIX = ".claims.parquet"
"""Outputs of a batch run; never taken as inputs when a folder is expanded."""

_PARQUET_BATCH = 1024  # rows decoded at a time


class ShardError(Exception):
    """A whole shard cannot be read (its records are not the problem: the file is)."""


def expand(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Shard files from files and folders: folders are walked recursively in name order for
    .jsonl and .parquet files (hidden entries and `*.claims.parquet` outputs skipped); a file
    given by name is taken whatever its suffix (reading it then says what is wrong). Each
    resolved path appears once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for given in inputs:
        path = Path(given)
        found = _walk(path) if path.is_dir() else [path]
        for shard in found:
            key = shard.resolve()
            if key not in seen:
                seen.add(key)
                out.append(key)
    return out


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            out.extend(_walk(entry))
        elif entry.suffix.lower() in SHARD_SUFFIXES and not entry.name.endswith(OUTPUT_SUFFIX):
            out.append(entry)
    return out


def read_shard(path: str | os.PathLike[str], errors: list[str] | None = None) -> list[Document]:
    """The shard's documents; each bad record's message is appended to `errors` (when given).
    Raises ShardError when the file itself cannot be read."""
    docs: list[Document] = []
    for item in _records(Path(path)):
        if isinstance(item, InputError):
            if errors is not None:
                errors.append(str(item))
        else:
            docs.append(item[0])
    return docs


def read_items(path: str | os.PathLike[str], errors: list[str] | None = None) -> list[SourceItem]:
    """The shard as the registry ingests it: each document with the bytes of its record (the
    JSONL line as written, or the Parquet row as JSON) and its "outlet" when the record has one.
    JSONL goes through `read_sources`, so storage is the same as `trucewatch ingest`'s."""
    shard = Path(path)
    if shard.suffix.lower() == ".jsonl":
        items: list[SourceItem] = []
        for result in read_sources([str(shard)]):
            if isinstance(result, SourceItem):
                items.append(result)
                continue
            _raise_if_whole_file(shard, result)
            if errors is not None:
                errors.append(str(result))
        return items
    out: list[SourceItem] = []
    for item in _records(shard):
        if isinstance(item, InputError):
            if errors is not None:
                errors.append(str(item))
        else:
            doc, record = item
            raw = json.dumps(record, ensure_ascii=False, default=str).encode("utf-8")
            outlet = record.get("outlet")
            outlet = outlet.strip() if isinstance(outlet, str) and outlet.strip() else None
            out.append(SourceItem(document=doc, raw=raw, outlet=outlet))
    return out


# -- readers ---------------------------------------------------------------------------------

_Record = tuple[Document, dict[str, Any]]


def _records(path: Path) -> Iterator[_Record | InputError]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _parquet_records(path)
    elif suffix == ".jsonl":
        yield from _jsonl_records(path)
    else:
        raise ShardError(f"{path}: not a shard (expected .jsonl or .parquet)")


def _raise_if_whole_file(path: Path, error: InputError) -> None:
    """read_inputs names a bad record `path:line`; an error about the file names the file."""
    if error.origin == str(path):
        raise ShardError(str(error))


def _jsonl_records(path: Path) -> Iterator[_Record | InputError]:
    for result in read_inputs([path]):
        if isinstance(result, InputError):
            _raise_if_whole_file(path, result)
            yield result
        else:
            yield result, {}


def _parquet_records(path: Path) -> Iterator[_Record | InputError]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise ShardError(f"{path}: cannot read Parquet: {exc}") from exc
    with handle:
        names = set(handle.schema_arrow.names)
        if not {"id", "text"} <= names:
            raise ShardError(f"{path}: Parquet shard needs columns 'id' and 'text'")
        row = 0
        try:
            for batch in handle.iter_batches(batch_size=_PARQUET_BATCH):
                for record in batch.to_pylist():
                    row += 1
                    yield _parquet_record(path, row, record)
        except (OSError, pa.ArrowException) as exc:
            raise ShardError(f"{path}: cannot read Parquet after row {row}: {exc}") from exc


def _parquet_record(path: Path, row: int, record: dict[str, Any]) -> _Record | InputError:
    """One row read as a JSONL record would be (row numbers count from 1, like lines)."""
    as_json = {k: _jsonable(v) for k, v in record.items() if v is not None}
    try:
        line = json.dumps(as_json, ensure_ascii=False)
    except TypeError as exc:
        return InputError(f"{path}:{row}", f"unsupported value: {exc}")
    try:
        return record_document(path, row, line, None), as_json
    except RejectedInput as exc:
        return InputError(f"{path}:{row}", str(exc))


def _jsonable(value: object) -> object:
    """Parquet dates and timestamps as ISO strings (a timestamp keeps its calendar day)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
