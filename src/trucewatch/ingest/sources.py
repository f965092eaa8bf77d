"""One entry point for every kind of source: local files and folders, feed files, http(s) URLs.

Each item yields ``SourceItem`` values (a Document plus the raw bytes it came from, kept for
audit, and the outlet when known) or ``InputError`` values; a bad item never stops the others.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from trucewatch.ingest import feeds  # cycle-safe: only attributes used at call time
from trucewatch.ingest.clean import clean_text
from trucewatch.ingest.html import html_to_text
from trucewatch.ingest.items import SourceItem
from trucewatch.ingest.readers import MAX_BYTES, SUFFIXES, InputError, read_inputs, walk_folder
from trucewatch.ingest.web import Fetched, FetchError, fetch
from trucewatch.models import Document

__all__ = ["FEED_SUFFIXES", "Fetcher", "SourceItem", "read_sources"]

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
"""Local files read as RSS/Atom feeds (in folders too)."""

Fetcher = Callable[[str], Fetched]
"""Anything that turns a URL into a Fetched body or raises FetchError (``web.fetch``)."""

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf"})
_SNIFF = 4096
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r";\s*charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EMPTY_AFTER_CLEANING = "empty after removing boilerplate"


def read_sources(
    items: Sequence[str], published: dt.date | None = None, *, fetcher: Fetcher = fetch
) -> Iterator[SourceItem | InputError]:
    """Yield a SourceItem per readable document, or an InputError per problem, item by item.

    An item is an URL when it starts with ``scheme://`` (only http and https are fetched),
    otherwise a local path:

    - a folder is walked like ``read_inputs`` does (name order, hidden entries skipped) and also
      picks up feed files (.xml, .rss, .atom);
    - a feed file goes to ``read_feed``: raw = the entry's content, outlet = the feed's title;
    - .txt/.html/.htm/.jsonl go to ``read_inputs``: raw = the file's bytes, or for JSONL the
      record's own line (without its line break); outlet = the record's "outlet" string if any.

    A fetched URL is a feed when its Content-Type says RSS/Atom or its root element is
    ``rss``, ``feed`` or ``rdf:RDF`` (outlet = the feed's title, else the host); an HTML page
    becomes one Document with id = the URL as given, the page's own date (else ``published``),
    raw = the body and outlet = the host of the final URL; text/plain is read as plain text.
    """
    for item in items:
        if _URL.match(item):
            yield from _read_url(item, published, fetcher)
        else:
            yield from _read_local(Path(item), published)


# --- local paths ---------------------------------------------------------------------------


def _read_local(path: Path, published: dt.date | None) -> Iterator[SourceItem | InputError]:
    try:
        info = path.stat()
    except OSError:
        info = None  # read_inputs words the error
    if info is not None and stat.S_ISDIR(info.st_mode):
        count = 0
        for result in _read_dir(path, published, set()):
            count += 1
            yield result
        if count == 0:
            yield InputError(
                str(path), "folder has no .txt, .html, .htm, .jsonl, .xml, .rss or .atom files"
            )
    elif info is not None and path.suffix.lower() in FEED_SUFFIXES:
        yield from _read_feed_file(path, info, published)
    else:
        yield from _read_with_readers(path, published)


def _read_dir(
    folder: Path, published: dt.date | None, seen_dirs: set[str]
) -> Iterator[SourceItem | InputError]:
    for entry in walk_folder(folder, FEED_SUFFIXES | SUFFIXES, seen_dirs):
        if isinstance(entry, InputError):
            yield entry
        else:
            yield from _read_local(entry, published)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _read_feed_file(
    path: Path, info: os.stat_result, published: dt.date | None
) -> Iterator[SourceItem | InputError]:
    origin = str(path)
    if not stat.S_ISREG(info.st_mode):
        yield InputError(origin, "not a regular file")
        return
    if info.st_size >= MAX_BYTES:
        yield InputError(origin, f"file too large (>= {MAX_BYTES // (1024 * 1024)} MB)")
        return
    try:
        data = _read_capped(path)
    except OSError as exc:
        yield InputError(origin, _os_reason(exc))
        return
    if not data.strip():
        yield InputError(origin, "empty file")
        return
    yield from feeds.read_feed(data, origin, published)


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES)


def _read_with_readers(path: Path, published: dt.date | None) -> Iterator[SourceItem | InputError]:
    """read_inputs on one file, each Document paired with its raw bytes (and JSONL outlet)."""
    if path.suffix.lower() == ".jsonl":
        lines = _JsonlLines(path)
        try:
            for result in read_inputs([path], published):
                if isinstance(result, InputError):
                    yield result
                else:
                    raw = lines.get(_line_number(result))
                    yield SourceItem(document=result, raw=raw, outlet=_record_outlet(raw))
        finally:
            lines.close()
        return
    for result in read_inputs([path], published):
        if isinstance(result, InputError):
            yield result
            continue
        try:
            raw = _read_capped(path)
        except OSError as exc:  # vanished between the two reads
            yield InputError(str(path), _os_reason(exc))
            continue
        yield SourceItem(document=result, raw=raw, outlet=None)


def _line_number(document: Document) -> int:
    _, _, number = (document.origin or "").rpartition(":")
    return int(number) if number.isdigit() else 0


class _JsonlLines:
    """Forward-only access to the lines of a JSONL file, numbered from 1 as read_inputs does."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")
        self._lineno = 0

    def get(self, wanted: int) -> bytes:
        """The bytes of line ``wanted`` (no line break, no BOM); b"" if it cannot be reached."""
        while self._lineno < wanted:
            line = self._handle.readline(MAX_BYTES)
            if not line:
                return b""
            if len(line) >= MAX_BYTES and not line.endswith(b"\n"):  # over-long: skip its rest
                while (rest := self._handle.readline(MAX_BYTES)) and not rest.endswith(b"\n"):
                    pass
                line = b""
            self._lineno += 1
            if self._lineno == wanted:
                if wanted == 1:
                    line = line.removeprefix(codecs.BOM_UTF8)
                return line.rstrip(b"\r\n")
        return b""

    def close(self) -> None:
        self._handle.close()


def _record_outlet(raw: bytes) -> str | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    outlet = record.get("outlet") if isinstance(record, dict) else None
    if isinstance(outlet, str) and outlet.strip():
        return outlet.strip()
    return None


# --- URLs ----------------------------------------------------------------------------------


def _read_url(
    url: str, published: dt.date | None, fetcher: Fetcher
) -> Iterator[SourceItem | InputError]:
    try:
        fetched = fetcher(url)
    except FetchError as exc:
        yield InputError(url, exc.reason)
        return
    except Exception as exc:  # a fetcher bug or an unexpected library error: this item only
        yield InputError(url, f"fetch failed ({type(exc).__name__}: {exc})")
        return
    host = urlsplit(fetched.url).hostname or urlsplit(url).hostname
    kind = _kind(fetched.content_type, fetched.body)
    if kind == "feed":
        for result in feeds.read_feed(fetched.body, url, published):
            if isinstance(result, SourceItem) and result.outlet is None:
                result = replace(result, outlet=host)
            yield result
        return
    if kind == "unsupported":
        yield InputError(url, f"unsupported content type {fetched.content_type!r}")
        return
    text_in = decode_bytes(fetched.body, fetched.content_type)
    title = None
    page_date = None
    if kind == "html":
        try:
            article = html_to_text(text_in)
        except Exception as exc:  # third-party parsers: one bad page must not stop the run
            yield InputError(url, f"could not extract text from HTML ({type(exc).__name__})")
            return
        text, title, page_date = article.text, article.title, article.published
    else:
        text = clean_text(text_in)
    if not text.strip():
        yield InputError(url, _EMPTY_AFTER_CLEANING)
        return
    document = Document(
        id=url,
        text=text,
        published=page_date or published,
        url=fetched.url,
        title=title,
        origin=url,
    )
    yield SourceItem(document=document, raw=fetched.body, outlet=host)


def _kind(content_type: str | None, body: bytes) -> str:
    """The kind of a fetched body - feed, html, text or unsupported - from the media type and
    the body's root element."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _FEED_TYPES:
        return "feed"
    root = _root_element(body)
    if root in _FEED_ROOTS:
        return "feed"
    if media in _HTML_TYPES or root == "html":
        return "html"
    if media in _XML_TYPES or media.endswith("+xml"):
        return "feed"  # an XML document of another kind: read_feed says what is wrong with it
    if media == "text/plain" or (not media and root is None and b"\0" not in body[:_SNIFF]):
        return "text"
    return "unsupported"


def _root_element(body: bytes) -> str | None:
    head = decode_bytes(body[:_SNIFF], None, errors="replace")
    match = _ROOT.search(_COMMENT.sub("", head))
    return match.group(1).lower() if match else None


def decode_bytes(body: bytes, content_type: str | None, errors: str = "replace") -> str:
    """Body bytes to text: BOM, else the charset parameter, else a <meta charset>, else UTF-8
    (windows-1252 when the body is not valid UTF-8)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors)
    declared = _CHARSET_PARAM.search(content_type or "")
    meta = _META_CHARSET.search(body[:_SNIFF])
    for candidate in (declared.group(1) if declared else None, _ascii(meta)):
        if candidate:
            try:
                return body.decode(candidate, errors)
            except LookupError:
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors)


def _ascii(match: re.Match[bytes] | None) -> str | None:
    return match.group(1).decode("ascii", "replace") if match else None
