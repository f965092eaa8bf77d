"""Read .txt, .html/.htm and .jsonl inputs (files or folders) into Documents.

Problems with an input never raise: they come out of the stream as ``InputError`` values, and
the remaining inputs are still read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from trucewatch.ingest.clean import clean_text
from trucewatch.ingest.html import HtmlArticle, html_to_text
from trucewatch.models import Document

__all__ = ["MAX_BYTES", "InputError", "read_inputs"]

MAX_BYTES = 50 * 1024 * 1024
"""Files (and JSONL lines) of this many bytes or more are refused."""

SUFFIXES = frozenset({".txt", ".html", ".htm", ".jsonl"})
"""Suffixes picked up when a folder is read; other files in it are ignored."""

_SNIFF_BYTES = 8 * 1024
_BOM = b"\xef\xbb\xbf"
_MB = 1024 * 1024
_HTML_TAG = re.compile(r"<(?:!doctype|html|head|body|p|div|article)\b", re.IGNORECASE)
_EMPTY_AFTER_CLEANING = "empty after removing boilerplate"
_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON escapes can spell lone surrogates: not text


@dataclass(frozen=True)
class InputError:
    """An input that could not be read, and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


class RejectedInput(Exception):
    """An input is unusable; carries the human reason (raised by `record_document`)."""


def read_inputs(
    paths: Sequence[Path], published: dt.date | None = None
) -> Iterator[Document | InputError]:
    """Yield one Document per readable input, or an InputError for each one that is not.

    ``published`` is used for inputs that do not carry their own date (for HTML files it wins
    over the page's metadata date).
    """
    for given in paths:
        path = Path(given)
        count = 0
        for item in _read_path(path, published, set()):
            count += 1
            yield item
        if count == 0:  # only a folder can yield nothing
            yield InputError(str(path), "folder has no .txt, .html, .htm or .jsonl files")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def _read_path(
    path: Path, published: dt.date | None, seen_dirs: set[str]
) -> Iterator[Document | InputError]:
    origin = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        yield InputError(origin, _os_reason(exc))
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _read_dir(path, published, seen_dirs)
        return
    if not stat.S_ISREG(info.st_mode):
        yield InputError(origin, "not a regular file")
        return
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            yield from _read_jsonl(path, info.st_size, published)
        else:
            content = _decode(_read_bytes(path, info.st_size))
            if suffix in (".html", ".htm"):
                yield _html_document(path, content, published)
            else:
                yield _text_document(path, content, published)
    except RejectedInput as exc:
        yield InputError(origin, str(exc))
    except OSError as exc:
        yield InputError(origin, _os_reason(exc))


def _read_dir(
    folder: Path, published: dt.date | None, seen_dirs: set[str]
) -> Iterator[Document | InputError]:
    for entry in walk_folder(folder, SUFFIXES, seen_dirs):
        if isinstance(entry, InputError):
            yield entry
        else:
            yield from _read_path(entry, published, seen_dirs)


def walk_folder(
    folder: Path, suffixes: Iterable[str], seen_dirs: set[str] | None = None
) -> Iterator[Path | InputError]:
    """The files below `folder` with one of `suffixes`, depth-first in name order; hidden
    entries are skipped and a folder reached twice (a symlink loop) is walked once."""
    seen = set() if seen_dirs is None else seen_dirs
    wanted = frozenset(suffixes)
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield InputError(str(folder), _os_reason(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if _is_dir(entry):
            yield from walk_folder(entry, wanted, seen)
        elif entry.suffix.lower() in wanted:
            yield entry


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # unreadable entry: let _read_path report it
        return False


def _too_large(size: int) -> RejectedInput:
    return RejectedInput(f"file too large ({size / _MB:.1f} MB >= {MAX_BYTES // _MB} MB)")


def _read_bytes(path: Path, size: int) -> bytes:
    """Read a whole file after checking its size, refusing empty and binary content."""
    if size >= MAX_BYTES:
        raise _too_large(size)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES)
        if handle.read(1):  # grew since stat
            raise _too_large(MAX_BYTES)
    if not data.removeprefix(_BOM).strip():
        raise RejectedInput("empty file")
    if b"\0" in data[:_SNIFF_BYTES]:
        raise RejectedInput("binary content (NUL bytes)")
    return data


def _decode(data: bytes, base_offset: int = 0) -> str:
    """Decode UTF-8 (a leading BOM is dropped); the error names the file's byte offset."""
    skip = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedInput(f"invalid UTF-8 at byte {base_offset + skip + exc.start}") from None


def _text_document(path: Path, content: str, published: dt.date | None) -> Document:
    text = clean_text(content)
    if not text.strip():
        raise RejectedInput(_EMPTY_AFTER_CLEANING)
    return Document(id=path.stem, text=text, published=published, origin=str(path))


def _convert_html(content: str) -> HtmlArticle:
    """html_to_text, with any parser failure turned into a rejection of this input."""
    try:
        return html_to_text(content)
    except Exception as exc:  # third-party parsers: one bad page must not stop the run
        raise RejectedInput(f"could not extract text from HTML ({type(exc).__name__})") from exc


def _html_document(path: Path, content: str, published: dt.date | None) -> Document:
    article = _convert_html(content)
    if not article.text.strip():
        raise RejectedInput(_EMPTY_AFTER_CLEANING)
    return Document(
        id=path.stem,
        text=article.text,
        published=published or article.published,
        title=article.title,
        origin=str(path),
    )


def _looks_like_html(text: str) -> bool:
    return text.lstrip().startswith("<") and _HTML_TAG.search(text) is not None


def _iter_lines(handle: BinaryIO) -> Iterator[tuple[int, int, bytes | None]]:
    """Yield (line number, byte offset, line) with each line capped at MAX_BYTES.

    An over-long line is skipped to its end and yielded as ``None``.
    """
    offset = 0
    lineno = 0
    while True:
        line = handle.readline(MAX_BYTES)
        if not line:
            return
        lineno += 1
        start = offset
        offset += len(line)
        if len(line) >= MAX_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_BYTES)) and not rest.endswith(b"\n"):
                offset += len(rest)
            offset += len(rest)
            yield lineno, start, None
        else:
            yield lineno, start, line


def _read_jsonl(
    path: Path, size: int, published: dt.date | None
) -> Iterator[Document | InputError]:
    """Stream a JSONL file one record at a time; a bad record does not stop the file."""
    if size == 0:
        raise RejectedInput("empty file")
    with path.open("rb") as handle:
        if b"\0" in handle.read(_SNIFF_BYTES):
            raise RejectedInput("binary content (NUL bytes)")
        handle.seek(0)
        any_record = False
        for lineno, offset, raw in _iter_lines(handle):
            origin = f"{path}:{lineno}"
            if raw is None:
                yield InputError(origin, f"line too long (>= {MAX_BYTES // _MB} MB)")
                continue
            if lineno == 1 and raw.startswith(_BOM):
                raw, offset = raw[len(_BOM) :], offset + len(_BOM)
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            any_record = True
            try:
                yield record_document(path, lineno, _decode(raw, offset), published)
            except RejectedInput as exc:
                yield InputError(origin, str(exc))
    if not any_record:
        raise RejectedInput("empty file")


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RejectedInput(f"record '{key}' is not a string")


def _parse_published(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise RejectedInput(f"invalid 'published' date: {value!r} (expected ISO 8601, e.g. 2021-08-13)")


def record_document(path: Path, lineno: int, line: str, published: dt.date | None) -> Document:
    """The Document of one JSONL record (line `lineno` of `path`), or RejectedInput."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RejectedInput(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(record, dict):
        raise RejectedInput(f"record is a JSON {type(record).__name__}, not an object")
    for key in ("id", "text", "title", "url", "outlet"):
        value = record.get(key)
        if isinstance(value, str) and _SURROGATE.search(value):
            raise RejectedInput(f"record '{key}' holds an unpaired surrogate (\\ud800-\\udfff)")
    text = record.get("text")
    if not isinstance(text, str):
        raise RejectedInput("record has no 'text' string")
    if not text.strip():
        raise RejectedInput("record 'text' is empty")
    doc_id = record.get("id")
    if doc_id is None:
        doc_id = f"{path.stem}-{lineno}"
    elif not isinstance(doc_id, str):
        raise RejectedInput(f"record 'id' is not a string: {doc_id!r}")
    elif not doc_id.strip():
        raise RejectedInput("record 'id' is empty")
    own_date = _parse_published(record.get("published"))
    url = _optional_str(record, "url")
    title = _optional_str(record, "title")
    page_date = None
    if _looks_like_html(text):
        article = _convert_html(text)
        text, title, page_date = article.text, title or article.title, article.published
    else:
        text = clean_text(text)
    if not text.strip():
        raise RejectedInput(_EMPTY_AFTER_CLEANING)
    return Document(
        id=doc_id,
        text=text,
        published=own_date or published or page_date,
        url=url,
        title=title,
        origin=f"{path}:{lineno}",
    )
