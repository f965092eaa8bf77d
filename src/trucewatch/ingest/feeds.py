"""RSS and Atom feeds to Documents, with feedparser, refusing feeds that declare a DTD.

Feeds are untrusted input. An XML document type declaration (``<!DOCTYPE``) may define entities
(``<!ENTITY``), and entities are how the "billion laughs" (exponential expansion) and external
entity (local file or network read) attacks work. feedparser tries a real XML parser (expat, via
SAX) first and does expand internal entities declared there, so a feed that declares a DTD is
refused *before* feedparser sees it.

Why a strict pre-check rather than only a defusedxml parse: defusedxml needs well-formed XML, and
feeds in the wild often are not (feedparser exists largely to read them anyway, with its loose
parser). A defusedxml-only gate would either refuse every malformed feed, or let malformed ones
through unchecked - and expat expands entities declared *before* the point where a document
turns out to be malformed. So the gate is:

1. The bytes are converted to UTF-8 exactly as feedparser does (its own ``convert_to_utf8``), and
   those converted bytes are what feedparser parses afterwards, so UTF-16, UTF-32, EBCDIC or a
   Latin-1 declaration cannot hide a declaration from the check.
2. Strict pre-check: if the converted text contains ``<!DOCTYPE`` or ``<!ENTITY`` anywhere (any
   case, whitespace allowed after ``<!``), the feed is suspect. So is it when the original bytes
   do once NUL bytes are dropped: a UTF-16 or UTF-32 document without an encoding declaration
   can be "converted" as UTF-8 with NULs between the letters, which expat then refuses - but
   the gate does not rely on that.
3. A suspect feed is refused unless defusedxml (with DTDs and entities forbidden) parses the whole
   document cleanly - which proves the match was only text inside CDATA, a comment or an escaped
   HTML payload (some feeds embed whole pages, ``<!DOCTYPE html>`` included, in CDATA). A
   defusedxml parse never expands anything: it raises on the declaration itself.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _defused_fromstring
from feedparser.encodings import convert_to_utf8

from trucewatch.ingest.clean import clean_text
from trucewatch.ingest.html import html_to_text
from trucewatch.ingest.items import SourceItem
from trucewatch.ingest.readers import InputError
from trucewatch.models import Document

__all__ = ["DTD_REJECTED", "read_feed"]

DTD_REJECTED = "feed declares a DTD or entities"
"""The InputError reason given for a feed refused by the DTD/entity gate."""

_DECLARATION = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WEB_SCHEMES = frozenset({"http", "https"})  # feedparser copies an Atom id (urn:...) to link
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def read_feed(
    data: bytes, origin: str, published: dt.date | None = None
) -> Iterator[SourceItem | InputError]:
    """Yield one SourceItem per feed entry with text, or an InputError.

    A whole-feed problem (a DTD, not a feed at all, no entries) is one InputError named
    ``origin``; an entry without text is an InputError named ``origin#n`` (n counts entries from
    1) and the other entries still come through. Each Document has id = the entry's id, else its
    link, else ``origin#n``; text = the entry's content (HTML converted to text), else its
    summary; url = its link when that is http(s); the entry's own date (published, else
    updated, as the publisher's local calendar date), else ``published``. The SourceItem's
    ``raw`` is that content or summary as feedparser gives it (sanitised HTML or text), UTF-8
    encoded; its ``outlet`` is the feed's title.
    """
    try:
        converted = _to_utf8(data)
        if not _is_safe(data, converted):
            yield InputError(origin, DTD_REJECTED)
            return
        parsed = feedparser.parse(io.BytesIO(converted))
    except Exception as exc:  # third-party parser: one bad feed must not stop the run
        yield InputError(origin, f"could not parse feed ({type(exc).__name__})")
        return
    entries: list[Any] = list(parsed.get("entries") or [])
    if not entries:
        yield InputError(origin, _no_entries_reason(parsed))
        return
    outlet = _plain(parsed.get("feed", {}).get("title"))
    for n, entry in enumerate(entries, start=1):
        yield _entry_item(entry, n, origin, outlet, published)


def _to_utf8(data: bytes) -> bytes:
    """The bytes feedparser would parse: its own encoding detection and conversion to UTF-8."""
    converted: Any = convert_to_utf8({}, data, feedparser.FeedParserDict())
    return bytes(converted)


def _is_safe(original: bytes, converted: bytes) -> bool:
    """True when ``converted`` declares no DTD and no entity (see the module docstring)."""
    suspect = _DECLARATION.search(converted) or (
        b"\0" in original and _DECLARATION.search(original.replace(b"\0", b""))
    )
    if not suspect:
        return True
    try:
        _defused_fromstring(converted, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError):
        return False
    return True


def _no_entries_reason(parsed: Any) -> str:
    if parsed.get("version"):
        return "feed has no entries"
    problem = parsed.get("bozo_exception")
    detail = f": {problem}" if parsed.get("bozo") and problem else ""
    return f"not an RSS or Atom feed{detail}"


def _entry_item(
    entry: Any, n: int, origin: str, outlet: str | None, published: dt.date | None
) -> SourceItem | InputError:
    entry_origin = f"{origin}#{n}"
    body = _entry_body(entry)
    if body is None:
        return InputError(entry_origin, "entry has no content or summary")
    value, kind = body
    if kind in _HTML_TYPES:
        try:
            text = html_to_text(value).text
        except Exception as exc:  # third-party parsers: one bad entry must not stop the feed
            return InputError(
                entry_origin, f"could not extract text from HTML ({type(exc).__name__})"
            )
    else:
        text = clean_text(value)
    if not text.strip():
        return InputError(entry_origin, "empty after removing boilerplate")
    link = _plain(entry.get("link"))
    document = Document(
        id=_plain(entry.get("id")) or link or entry_origin,
        text=text,
        published=_entry_date(entry) or published,
        url=_web_url(link),
        title=_title(entry),
        origin=origin,
    )
    return SourceItem(document=document, raw=value.encode("utf-8"), outlet=outlet)


def _entry_body(entry: Any) -> tuple[str, str] | None:
    """The entry's first non-blank content, else its summary: (value, media type)."""
    candidates: list[Any] = list(entry.get("content") or [])
    summary = entry.get("summary_detail") or (
        {"value": entry.get("summary"), "type": "text/html"} if entry.get("summary") else None
    )
    if summary:
        candidates.append(summary)
    for candidate in candidates:
        value = candidate.get("value")
        if isinstance(value, str) and value.strip():
            kind = candidate.get("type")
            return value, kind.lower() if isinstance(kind, str) else "text/html"
    return None


def _plain(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", value).strip()
    return value or None


def _web_url(link: str | None) -> str | None:
    """`link` when it is an http(s) URL; urlsplit refuses some malformed ones ("http://[::1")."""
    if not link:
        return None
    try:
        scheme = urlsplit(link).scheme
    except ValueError:
        return None
    return link if scheme.lower() in _WEB_SCHEMES else None


def _title(entry: Any) -> str | None:
    title = entry.get("title")
    if not isinstance(title, str):
        return None
    detail = entry.get("title_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        title = html.unescape(_TAG.sub("", title))
    return _plain(title)


def _entry_date(entry: Any) -> dt.date | None:
    """The entry's published (else updated) date as the publisher wrote it.

    feedparser's ``*_parsed`` values are converted to UTC, which can move a late-evening or
    early-morning report to the neighbouring day; the raw string keeps the publisher's own
    calendar date, so it is read first and the parsed value is only a fallback.
    """
    for key in ("published", "updated"):
        # dict.get: feedparser's own get maps a missing "updated" to "published" with a
        # DeprecationWarning; that value was tried already
        raw = dict.get(entry, key)
        if isinstance(raw, str) and raw.strip():
            day = _parse_date_string(raw.strip())
            if day is not None:
                return day
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            try:
                return dt.date(parsed[0], parsed[1], parsed[2])
            except (TypeError, ValueError, IndexError):
                pass
    return None


def _parse_date_string(raw: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(raw).date()  # ISO 8601 / RFC 3339 (Atom)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(raw).date()  # RFC 822 (RSS)
    except (TypeError, ValueError, IndexError):
        return None
