"""Fuzz read_inputs and read_sources: files of random bytes, random text in several encodings,
broken JSONL and HTML, with random suffixes - every yield is a Document (SourceItem) or an
InputError, never an exception or a hang."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import pytest
from fuzzlib import TIME_LIMIT, fuzz_settings, guard_network, probe, valid_unicode
from hypothesis import given
from hypothesis import strategies as st

from trucewatch.extract.timelimit import time_limit
from trucewatch.ingest import readers, sources
from trucewatch.ingest.readers import InputError, read_inputs
from trucewatch.ingest.sources import SourceItem, read_sources
from trucewatch.models import Document

pytestmark = pytest.mark.fuzz

SUFFIXES = [".txt", ".html", ".htm", ".jsonl", ".TXT", ".Html", ".JSONL", ".md", ""]
FEED_SUFFIXES = [".xml", ".rss", ".atom"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "cp500"]

_WEIRD = st.sampled_from(
    ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\r", "\r\n", "\x85", "\u2028"]
)
_TEXT = st.lists(st.one_of(st.text(max_size=40), _WEIRD), max_size=12).map("".join)
_JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | _TEXT
    | st.sampled_from(["2021-08-13", "2021-13-45", "0001-01-01T00:00:00+14:00", "x" * 10]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_RECORD = st.fixed_dictionaries(
    {"text": st.one_of(_TEXT, _TEXT, _JSON_VALUE, st.just("<html><body><p>Shelling.</p>"))},
    optional={
        "id": _JSON_VALUE,
        "published": _JSON_VALUE,
        "url": _JSON_VALUE,
        "title": _JSON_VALUE,
        "outlet": _JSON_VALUE,
    },
) | st.dictionaries(_TEXT, _JSON_VALUE, max_size=3)
# JSON escapes that spell lone surrogates, NULs and control characters
_ESCAPES = st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\ude00", "\\u202e", "\\"])


def _jsonl_line(record: dict[str, object], escape: str | None, broken: bool) -> str:
    """A JSONL line of `record`, `escape` spliced into its first string, maybe cut short."""
    line = json.dumps(record, allow_nan=True)
    if escape is not None:  # into the first string value
        line = line.replace(': "', ': "' + escape, 1)
    return line[: len(line) // 2] if broken else line


def _is_zero(n: int) -> bool:
    return n == 0


_JSONL = st.lists(
    st.builds(_jsonl_line, _RECORD, st.none() | _ESCAPES, st.integers(0, 5).map(_is_zero)),
    max_size=6,
).flatmap(lambda lines: st.sampled_from(["\n", "\r\n", "\n\n"]).map(lambda sep: sep.join(lines)))
_HTML = st.lists(
    st.one_of(
        _TEXT,
        st.sampled_from(
            [
                "<html>",
                "<body>",
                "<p>",
                "</p>",
                "<div class='related'>",
                "<script>",
                "<!--",
                "<!DOCTYPE html>",
                "<meta charset='latin-1'>",
                "&amp;",
                "&#0;",
                "&#xD800;",
                "<title>",
                "</title>",
                "<article>",
                "<br/>",
                "<table><tr><td>",
                "<![CDATA[",
                "]]>",
                "<?xml?>",
            ]
        ),
    ),
    max_size=30,
).map("".join)


_MATCHING_SUFFIXES = {
    "bytes": SUFFIXES + FEED_SUFFIXES,
    "text": [".txt", ".TXT", ".md", ""],
    "jsonl": [".jsonl", ".JSONL"],
    "html": [".html", ".htm", ".Html"],
}


@st.composite
def _file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, content): usually the suffix matches the content, sometimes any suffix."""
    kind = draw(st.sampled_from(["bytes", "text", "jsonl", "jsonl", "html"]))
    matching = draw(st.integers(0, 4)) > 0
    suffix = draw(st.sampled_from(_MATCHING_SUFFIXES[kind] if matching else SUFFIXES))
    if kind == "bytes":
        return suffix, draw(st.binary(max_size=2000))
    text = draw({"text": _TEXT, "jsonl": _JSONL, "html": _HTML}[kind])
    utf8 = draw(st.integers(0, 3)) > 0
    encoding = "utf-8" if utf8 else draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:  # corrupt: splice in random bytes
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=16)) + data[cut:]
    return suffix, data


_FILES = st.lists(_file(), min_size=1, max_size=4)


def _check_document(doc: Document) -> None:
    assert doc.text.strip(), "a Document must have text"
    assert doc.id.strip(), "a Document must have an id"
    for value in (doc.text, doc.id, doc.title, doc.url, doc.origin):
        assert valid_unicode(value), f"not valid Unicode (lone surrogate?): {value!r:.80}"


def _check_error(error: InputError) -> None:
    assert error.origin
    assert error.reason.strip()


def _write(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for i, (suffix, data) in enumerate(files):
        path = folder / f"input{i}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


@fuzz_settings()
@given(files=_FILES, whole_folder=st.booleans(), small_limit=st.booleans())
def test_read_inputs_yields_documents_or_errors(
    files: list[tuple[str, bytes]], whole_folder: bool, small_limit: bool
) -> None:
    """read_inputs on random files: only Documents and InputErrors, within the time limit.
    With `small_limit`, MAX_BYTES is lowered so the too-large paths are taken too."""
    with probe("read_inputs", files), tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        if small_limit:
            stack.enter_context(mock.patch.object(readers, "MAX_BYTES", 256))
        paths = _write(Path(tmp), files)
        given_paths = [Path(tmp)] if whole_folder else [*paths, Path(tmp) / "missing.txt"]
        with time_limit(TIME_LIMIT):
            results = list(read_inputs(given_paths))
        assert results, "read_inputs yields at least one item per given path"
        for item in results:
            if isinstance(item, Document):
                _check_document(item)
            else:
                assert isinstance(item, InputError), f"unexpected {type(item).__name__}"
                _check_error(item)


@fuzz_settings()
@given(files=_FILES, whole_folder=st.booleans(), small_limit=st.booleans())
def test_read_sources_yields_items_or_errors(
    files: list[tuple[str, bytes]], whole_folder: bool, small_limit: bool
) -> None:
    """read_sources on random local files, feeds (.xml/.rss/.atom) included: only SourceItems
    and InputErrors, no network access, within the time limit."""
    with probe("read_sources", files), tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        attempts = stack.enter_context(guard_network())
        if small_limit:
            stack.enter_context(mock.patch.object(readers, "MAX_BYTES", 256))
            stack.enter_context(mock.patch.object(sources, "MAX_BYTES", 256))
        paths = _write(Path(tmp), files)
        items = [tmp] if whole_folder else [str(p) for p in paths]
        with time_limit(TIME_LIMIT):
            results = list(read_sources(items))
        assert results
        for item in results:
            if isinstance(item, SourceItem):
                _check_document(item.document)
                assert isinstance(item.raw, bytes)
                assert valid_unicode(item.outlet)
            else:
                assert isinstance(item, InputError), f"unexpected {type(item).__name__}"
                _check_error(item)
        assert attempts == [], f"network access while reading local files: {attempts}"
