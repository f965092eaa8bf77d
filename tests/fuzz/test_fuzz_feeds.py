"""Fuzz read_feed: generated RSS 2.0, RSS 1.0 (RDF) and Atom feeds with random content, in
several encodings, sometimes cut short or spliced with junk, sometimes carrying a DTD: entity
bombs ("billion laughs"), external entities (a local file, /etc/passwd, http://127.0.0.1:1/),
parameter entities and external DTDs.

Whatever the feed: only SourceItems and InputErrors come out, within the time limit; no entity
is ever expanded (its expansion never appears in any output) and nothing is fetched (any socket
connection, DNS lookup or urllib fetch is recorded and refused)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from fuzzlib import TIME_LIMIT, fuzz_settings, guard_network, probe, valid_unicode
from hypothesis import given
from hypothesis import strategies as st

from trucewatch.extract.timelimit import time_limit
from trucewatch.ingest.feeds import DTD_REJECTED, read_feed
from trucewatch.ingest.readers import InputError
from trucewatch.ingest.sources import SourceItem

pytestmark = pytest.mark.fuzz

BOMB_UNIT = "ZQX"  # the innermost entity's text: a run of it only comes from an expansion
SECRET = "SECRET-FILE-CONTENT-4711"  # the content of the local file external entities name
_SECRET_DIR = Path(tempfile.mkdtemp(prefix="trucewatch-fuzz-"))
_SECRET_FILE = _SECRET_DIR / "secret.txt"
_SECRET_FILE.write_text(SECRET + "\n", encoding="utf-8")


def _passwd_line() -> str | None:
    try:
        first = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return first if len(first) > 8 else None


PASSWD = _passwd_line()
FORBIDDEN = [BOMB_UNIT * 2, SECRET, *([PASSWD] if PASSWD else [])]

_SYSTEM_IDS = [
    _SECRET_FILE.as_uri(),
    "file:///etc/passwd",
    "http://127.0.0.1:1/evil",
    "https://localhost:1/x.dtd",
    str(_SECRET_FILE),
]
_KEYWORD = st.sampled_from(["DOCTYPE", "doctype", "DocType"])
_SPACE = st.sampled_from([" ", "\n", "\t", "  "])


@st.composite
def _dtd(draw: st.DrawFn, root: str) -> tuple[str, list[str]]:
    """A document type declaration, and the entity references a body may then use."""
    kind = draw(st.sampled_from(["bomb", "external", "parameter", "external-dtd", "mixed"]))
    keyword, space = draw(_KEYWORD), draw(_SPACE)
    system = draw(st.sampled_from(_SYSTEM_IDS))
    if kind == "external-dtd":
        public = draw(st.booleans())
        ident = f'PUBLIC "-//Fuzz//DTD//EN" "{system}"' if public else f'SYSTEM "{system}"'
        return f"<!{keyword}{space}{root} {ident}>", []
    decls, refs = [], []
    if kind in ("bomb", "mixed"):
        depth = draw(st.integers(1, 9))
        decls.append(f'<!ENTITY e0 "{BOMB_UNIT}">')
        for level in range(1, depth + 1):
            decls.append(f'<!ENTITY e{level} "{f"&e{level - 1};" * 10}">')
        refs.append(f"&e{depth};")
    if kind in ("external", "mixed"):
        decls.append(f'<!ENTITY ext SYSTEM "{system}">')
        refs.append("&ext;")
    if kind == "parameter":
        decls.append(f'<!ENTITY % p SYSTEM "{system}"> %p;')
    return f"<!{keyword}{space}{root} [\n{''.join(decls)}\n]>", refs


_CHAR_REFS = st.sampled_from(
    ["&#xD800;", "&#0;", "&#x110000;", "&#8238;", "&#x200D;", "&amp;", "&lt;p&gt;", "&nbsp;"]
)
_HTML_BITS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<b>",
        "<script>alert(1)</script>",
        "<!DOCTYPE html>",
        "<div class='share'>",
        "<img src=x onerror=y>",
        "<br>",
        "\u202e",
        "\u200d",
        "Shelling near Tavush killed two.",
    ]
)


@st.composite
def _value(draw: st.DrawFn, refs: list[str]) -> str:
    """One element's content: escaped text or HTML, CDATA, raw junk, entity or char refs."""
    parts = draw(st.lists(st.one_of(st.text(max_size=30), _HTML_BITS), max_size=6))
    text = "".join(parts)
    how = draw(st.sampled_from(["escaped", "escaped", "cdata", "raw", "refs"]))
    if how == "escaped":
        return escape(text)
    if how == "cdata":
        return f"<![CDATA[{text}]]>"
    if how == "raw":
        return text
    pool = st.sampled_from(refs) | _CHAR_REFS if refs else _CHAR_REFS
    return escape(text) + "".join(draw(st.lists(pool, min_size=1, max_size=3)))


_DATES = st.sampled_from(
    [
        "Thu, 12 Aug 2021 23:30:00 +0400",
        "2021-08-12T23:30:00+04:00",
        "2021-02-30",
        "yesterday",
        "Mon, 99 Foo 2021",
        "0001-01-01T00:00:00-12:00",
        "9999-12-31T23:59:59+14:00",
        "",
    ]
)
_LINKS = st.sampled_from(
    ["https://example.org/a", "urn:uuid:1", "javascript:alert(1)", "", "http://[::1", "file:///x"]
)


@st.composite
def _entry(draw: st.DrawFn, flavour: str, refs: list[str]) -> str:
    value = _value(refs)
    title, body, date, link = draw(value), draw(value), draw(_DATES), draw(_LINKS)
    if draw(st.booleans()):  # an entry with text goes all the way to a Document
        body += escape("<p>Azerbaijani forces shelled Tavush, the ministry said.</p>")
    if flavour == "atom":
        kind = draw(st.sampled_from(["html", "text", "xhtml", "application/xhtml+xml"]))
        tag = draw(st.sampled_from(["content", "summary"]))
        return (
            f'<entry><id>{escape(link)}</id><title type="html">{title}</title>'
            f'<updated>{date}</updated><link href="{escape(link)}"/>'
            f'<{tag} type="{kind}">{body}</{tag}></entry>'
        )
    about = f' rdf:about="{escape(link)}"' if flavour == "rdf" else ""
    return (
        f"<item{about}><title>{title}</title><link>{escape(link)}</link><guid>{draw(value)}</guid>"
        f"<pubDate>{date}</pubDate><description>{body}</description></item>"
    )


_ROOTS = {
    "rss": ('<rss version="2.0"><channel><title>{title}</title>', "</channel></rss>"),
    "atom": ('<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>', "</feed>"),
    "rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel><title>{title}</title></channel>',
        "</rdf:RDF>",
    ),
}
_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "cp500"]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[bytes, bool]:
    """(feed bytes, whether a DTD sits in its prolog of a plain, intact UTF-8 document)."""
    flavour = draw(st.sampled_from(sorted(_ROOTS)))
    root = {"rss": "rss", "atom": "feed", "rdf": "rdf:RDF"}[flavour]
    with_dtd = draw(st.integers(0, 2)) == 0
    dtd, refs = draw(_dtd(root)) if with_dtd else ("", [])
    placed = draw(st.sampled_from(["prolog", "prolog", "cdata", "comment"])) if dtd else ""
    head, tail = _ROOTS[flavour]
    head = head.format(title=draw(_value(refs)))
    entries = "".join(draw(st.lists(_entry(flavour, refs), max_size=4)))
    if placed == "cdata":
        entries += f"<item><description><![CDATA[{dtd}]]></description></item>"
    elif placed == "comment":
        entries += f"<!-- {dtd} -->"
    encoding = "utf-8" if draw(st.integers(0, 2)) else draw(st.sampled_from(_ENCODINGS))
    declared = draw(st.sampled_from([encoding, encoding, "utf-8", "iso-8859-1", "utf-16", None]))
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    text = decl + (dtd + "\n" if placed == "prolog" else "") + head + entries + tail
    data = text.encode(encoding, errors="replace")
    intact = True
    if draw(st.integers(0, 3)) == 0:  # damage it
        intact = False
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=12)) + data[cut:] * draw(st.booleans())
    plain = intact and encoding == "utf-8" and declared in ("utf-8", None)
    return data, plain and placed == "prolog"


def _outputs(item: SourceItem | InputError) -> list[str]:
    if isinstance(item, InputError):
        return [item.origin, item.reason]
    doc = item.document
    raw = item.raw.decode("utf-8", errors="replace")
    return [s for s in (doc.text, doc.id, doc.title, doc.url, item.outlet, raw) if s]


@fuzz_settings()
@given(feed=feeds())
def test_read_feed_never_expands_entities_or_fetches(feed: tuple[bytes, bool]) -> None:
    data, dtd_in_prolog = feed
    with probe("read_feed", data), guard_network() as attempts, time_limit(TIME_LIMIT):
        results = list(read_feed(data, "fuzz.xml"))
        assert attempts == [], f"network access: {attempts}"
        assert results, "read_feed yields at least one item"
        for item in results:
            assert isinstance(item, SourceItem | InputError), f"unexpected {type(item).__name__}"
            for text in _outputs(item):
                assert valid_unicode(text), f"not valid Unicode (lone surrogate?): {text!r:.80}"
                for forbidden in FORBIDDEN:
                    assert forbidden not in text, f"entity expanded or file read: {forbidden!r}"
            if isinstance(item, SourceItem):
                assert item.document.text.strip()
        if dtd_in_prolog:
            assert results == [InputError("fuzz.xml", DTD_REJECTED)], results


@fuzz_settings()
@given(data=st.binary(max_size=3000))
def test_read_feed_on_random_bytes(data: bytes) -> None:
    with probe("read_feed/bytes", data), guard_network() as attempts, time_limit(TIME_LIMIT):
        results = list(read_feed(data, "fuzz.xml"))
        assert attempts == []
        assert results
        assert all(isinstance(r, SourceItem | InputError) for r in results)
