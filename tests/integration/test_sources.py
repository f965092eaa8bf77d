"""read_sources, read_feed and fetch against a real HTTP server on 127.0.0.1 and real files."""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from trucewatch.ingest.feeds import DTD_REJECTED, read_feed
from trucewatch.ingest.readers import InputError
from trucewatch.ingest.sources import SourceItem, read_sources
from trucewatch.ingest.web import USER_AGENT, FetchError, fetch

TIMEOUT = 0.5
MAX_BYTES = 64 * 1024
SLOW_SECONDS = 3.0

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Borderland News</title>
  <link>http://borderland.example/</link>
  <description>Reports from the line</description>
  <item>
    <title>Mortar fire near Dolynka</title>
    <link>http://borderland.example/2024/05/dolynka</link>
    <guid isPermaLink="false">bn-1001</guid>
    <pubDate>Tue, 14 May 2024 23:30:00 +0300</pubDate>
    <description>Short teaser only.</description>
    <content:encoded><![CDATA[<p>Monitors said mortar rounds landed near
      <b>Dolynka</b> shortly after midnight.</p><p>Two houses were damaged.</p>]]></content:encoded>
  </item>
  <item>
    <title>Quiet night on the southern line</title>
    <link>http://borderland.example/2024/05/quiet</link>
    <pubDate>Wed, 15 May 2024 08:00:00 GMT</pubDate>
    <description>&lt;p&gt;The mission recorded no violations on the southern line
      overnight.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Photo gallery</title>
    <link>http://borderland.example/2024/05/gallery</link>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Mission Bulletins</title>
  <id>urn:uuid:5d1b6c3e-mission</id>
  <updated>2024-05-16T09:00:00Z</updated>
  <entry>
    <title type="html">Drone &lt;em&gt;sighted&lt;/em&gt; over the depot</title>
    <id>urn:uuid:bulletin-17</id>
    <link href="http://mission.example/bulletins/17"/>
    <published>2024-05-16T01:15:00+05:00</published>
    <updated>2024-05-16T09:00:00Z</updated>
    <content type="html">&lt;p&gt;A patrol saw a drone circling above the railway
      depot for twenty minutes.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Small arms fire reported</title>
    <id>urn:uuid:bulletin-18</id>
    <updated>2024-05-17T10:00:00Z</updated>
    <summary>Small arms fire was heard east of the river until four in the morning.</summary>
  </entry>
</feed>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>lol</title><description>&lol9;</description></item>
</channel></rss>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>X</title>
<item><title>x</title><description>&secret;</description></item></channel></rss>
"""

ARTICLE = """<!doctype html>
<html><head><title>Shelling damages school | Frontline Daily</title>
<meta property="og:title" content="Shelling damages school">
<meta property="article:published_time" content="2024-05-12T10:00:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<main><article>
<h1>Shelling damages school</h1>
<p>Artillery shells struck the school in Krasne on Saturday evening, local officials said,
breaking windows on two floors and damaging the roof of the sports hall.</p>
<p>Nobody was inside the building at the time. The officials blamed forces across the river,
who denied firing and said the truce had been respected.</p>
</article></main>
<footer>Copyright 2024 Frontline Daily.</footer>
</body></html>
"""

PLAIN = "Monitors recorded one violation of the truce in the previous 24 hours.\n"


def _big(size: int) -> bytes:
    return b"<html><body><p>" + b"x" * size + b"</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    release: threading.Event  # set by the fixture at teardown: frees /slow
    agents: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(
        self, body: bytes, content_type: str | None, status: int = 200, length: bool = True
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"v1"')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.agents.append(self.headers.get("User-Agent", ""))
        routes: dict[str, tuple[bytes, str | None]] = {
            "/rss.xml": (RSS, "application/rss+xml"),
            "/atom": (ATOM, "application/octet-stream"),  # found by sniffing the root element
            "/laughs.xml": (LAUGHS, "application/rss+xml"),
            "/external.xml": (EXTERNAL_ENTITY, "text/xml"),
            "/article.html": (ARTICLE.encode("utf-8"), "text/html; charset=utf-8"),
            "/plain": (PLAIN.encode("utf-8"), "text/plain; charset=utf-8"),
            "/empty.html": (b"<html><body></body></html>", "text/html"),
            "/image": (b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        }
        try:
            if self.path in routes:
                self._send(*routes[self.path])
            elif self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/article.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/redirect-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/slow":
                self.release.wait(SLOW_SECONDS)
                self._send(RSS, "application/rss+xml")
            elif self.path == "/huge-declared":
                self._send(_big(4 * MAX_BYTES), "text/html")
            elif self.path == "/huge-streamed":  # no Content-Length: read until close
                self._send(_big(4 * MAX_BYTES), "text/html", length=False)
            else:
                self._send(b"not here", "text/plain", status=404)
        except OSError:  # the client gave up (timeouts, size cap): nothing to do
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, type[_Handler]]]:
    class Handler(_Handler):
        release = threading.Event()
        agents: list[str] = []  # shared by the server threads

    handler = Handler
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        handler.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def base(server: tuple[str, type[_Handler]]) -> str:
    return server[0]


FETCHER = functools.partial(fetch, timeout=TIMEOUT, max_bytes=MAX_BYTES)


def _read(items: list[str], published: dt.date | None = None) -> list[SourceItem | InputError]:
    return list(read_sources(items, published, fetcher=FETCHER))


def _docs(results: list[SourceItem | InputError]) -> list[SourceItem]:
    return [r for r in results if isinstance(r, SourceItem)]


def _errors(results: list[SourceItem | InputError]) -> dict[str, str]:
    return {r.origin: r.reason for r in results if isinstance(r, InputError)}


# --- feeds over HTTP -----------------------------------------------------------------------


def test_rss_feed(base: str) -> None:
    url = f"{base}/rss.xml"
    results = _read([url], dt.date(2024, 1, 1))
    first, second = _docs(results)
    assert first.document.id == "bn-1001"
    assert first.document.url == "http://borderland.example/2024/05/dolynka"
    assert first.document.title == "Mortar fire near Dolynka"
    assert first.document.text == (
        "Monitors said mortar rounds landed near Dolynka shortly after midnight.\n"
        "Two houses were damaged."
    )
    assert first.document.published == dt.date(2024, 5, 14)  # the publisher's day, not UTC's
    assert first.document.origin == url
    assert first.outlet == "Borderland News"
    assert b"<b>Dolynka</b>" in first.raw
    assert second.document.id == "http://borderland.example/2024/05/quiet"  # no guid: link
    assert second.document.text.startswith("The mission recorded no violations")
    assert second.document.published == dt.date(2024, 5, 15)
    assert _errors(results) == {f"{url}#3": "entry has no content or summary"}


def test_atom_feed_found_by_sniffing(base: str) -> None:
    url = f"{base}/atom"
    results = _read([url], dt.date(2024, 1, 1))
    assert _errors(results) == {}
    first, second = _docs(results)
    assert first.document.id == "urn:uuid:bulletin-17"
    assert first.document.title == "Drone sighted over the depot"
    assert first.document.url == "http://mission.example/bulletins/17"
    assert first.document.published == dt.date(2024, 5, 16)
    assert "drone circling above the railway depot" in " ".join(first.document.text.split())
    assert first.outlet == "Mission Bulletins"
    assert second.document.published == dt.date(2024, 5, 17)  # from <updated>
    assert second.document.url is None
    assert second.document.text.startswith("Small arms fire was heard")


@pytest.mark.parametrize("path", ["/laughs.xml", "/external.xml"])
def test_feed_with_dtd_is_refused_not_expanded(base: str, path: str) -> None:
    url = f"{base}{path}"
    start = time.perf_counter()
    results = _read([url, f"{base}/plain"])
    assert time.perf_counter() - start < 5
    assert _errors(results) == {url: DTD_REJECTED}
    assert [item.document.id for item in _docs(results)] == [f"{base}/plain"]


# --- pages and failures over HTTP -----------------------------------------------------------


def test_html_page(base: str) -> None:
    url = f"{base}/article.html"
    [item] = _read([url], dt.date(2024, 1, 1))
    assert isinstance(item, SourceItem)
    assert item.document.id == url
    assert item.document.url == url
    assert item.document.title == "Shelling damages school"
    assert item.document.published == dt.date(2024, 5, 12)  # the page's own date wins
    assert item.document.text.startswith("Shelling damages school\nArtillery shells struck")
    assert "Copyright" not in item.document.text
    assert item.outlet == "127.0.0.1"
    assert item.raw == ARTICLE.encode("utf-8")


def test_redirect_is_followed_and_id_is_the_given_url(base: str) -> None:
    url = f"{base}/redirect"
    [item] = _read([url])
    assert isinstance(item, SourceItem)
    assert item.document.id == url
    assert item.document.url == f"{base}/article.html"


def test_plain_text_page(base: str) -> None:
    [item] = _read([f"{base}/plain"], dt.date(2024, 5, 20))
    assert isinstance(item, SourceItem)
    assert item.document.text == PLAIN.strip()
    assert item.document.published == dt.date(2024, 5, 20)


def test_bad_urls_give_errors_and_the_others_still_come_through(base: str) -> None:
    bad = {
        f"{base}/missing": "HTTP status 404 Not Found",
        f"{base}/slow": f"timed out after {TIMEOUT:g} s (waiting for data)",
        f"{base}/huge-declared": (
            f"response larger than {MAX_BYTES} bytes ({len(_big(4 * MAX_BYTES))})"
        ),
        f"{base}/huge-streamed": f"response larger than {MAX_BYTES} bytes",
        f"{base}/redirect-file": "redirected to an unsupported URL",
        f"{base}/empty.html": "empty after removing boilerplate",
        f"{base}/image": "unsupported content type 'image/png'",
        "ftp://127.0.0.1/feed.xml": "unsupported URL scheme 'ftp:' (only http and https)",
        "file:///etc/passwd": "unsupported URL scheme 'file:' (only http and https)",
        "http://127.0.0.1:1/refused": "could not connect",
    }
    good = [f"{base}/rss.xml", f"{base}/article.html"]
    start = time.perf_counter()
    results = _read([*bad, *good])
    assert time.perf_counter() - start < SLOW_SECONDS
    errors = _errors(results)
    assert set(errors) == set(bad) | {f"{base}/rss.xml#3"}
    for url, reason in bad.items():
        assert errors[url].startswith(reason), (url, errors[url])
    assert len(_docs(results)) == 3


def test_fetch_details(server: tuple[str, type[_Handler]]) -> None:
    base, handler = server
    fetched = fetch(f"{base}/redirect")
    assert fetched.url == f"{base}/article.html"
    assert fetched.status == 200
    assert fetched.content_type == "text/html; charset=utf-8"
    assert fetched.etag == '"v1"'
    assert fetched.body == ARTICLE.encode("utf-8")
    assert handler.agents[-1] == USER_AGENT
    with httpx.Client() as client:  # a shared client with httpx's default agent
        fetch(f"{base}/plain", client=client)
    assert handler.agents[-1] == USER_AGENT
    with httpx.Client(headers={"User-Agent": "custom/1"}) as client:
        fetch(f"{base}/plain", client=client)
    assert handler.agents[-1] == "custom/1"
    with pytest.raises(FetchError, match=r"/missing: HTTP status 404") as info:
        fetch(f"{base}/missing")
    assert info.value.url == f"{base}/missing"


# --- local files, mixed with URLs -----------------------------------------------------------


def test_local_feed_text_jsonl_and_urls_together(base: str, tmp_path: Path) -> None:
    feed = tmp_path / "bulletins.atom"
    feed.write_bytes(ATOM)
    note = tmp_path / "note.txt"
    note.write_text(PLAIN, encoding="utf-8")
    records = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"id": "r1", "text": "Shelling was reported near Horlivka.", "outlet": "TASS"}),
        "{not json",
        json.dumps({"id": "r3", "text": "Drone strike on a convoy, officials said."}),
    ]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    items = [str(feed), f"{base}/missing", str(note), str(missing), str(records), f"{base}/rss.xml"]
    results = _read(items, dt.date(2024, 5, 18))

    errors = _errors(results)
    assert errors[f"{base}/missing"].startswith("HTTP status 404")
    assert errors[str(missing)] == "no such file or directory"
    assert errors[f"{records}:2"].startswith("malformed JSON")
    docs = {item.document.id: item for item in _docs(results)}
    assert list(docs) == [
        "urn:uuid:bulletin-17",
        "urn:uuid:bulletin-18",
        "note",
        "r1",
        "r3",
        "bn-1001",
        "http://borderland.example/2024/05/quiet",
    ]
    assert docs["urn:uuid:bulletin-17"].document.origin == str(feed)
    assert docs["urn:uuid:bulletin-17"].outlet == "Mission Bulletins"
    assert docs["note"].raw == PLAIN.encode("utf-8")
    assert docs["note"].outlet is None
    assert docs["note"].document.published == dt.date(2024, 5, 18)
    assert docs["r1"].raw == lines[0].encode("utf-8")
    assert docs["r1"].outlet == "TASS"
    assert docs["r3"].raw == lines[2].encode("utf-8")
    assert docs["r3"].outlet is None


def test_folder_picks_up_feed_files(tmp_path: Path) -> None:
    (tmp_path / "a.rss").write_bytes(RSS)
    (tmp_path / "b.txt").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "c.xml").write_bytes(LAUGHS)
    (tmp_path / "ignored.csv").write_text("a,b\n", encoding="utf-8")
    results = list(read_sources([str(tmp_path)]))
    assert [item.document.id for item in _docs(results)] == [
        "bn-1001",
        "http://borderland.example/2024/05/quiet",
        "b",
    ]
    assert _errors(results) == {
        f"{tmp_path / 'a.rss'}#3": "entry has no content or summary",
        str(tmp_path / "c.xml"): DTD_REJECTED,
    }
    empty = tmp_path / "empty"
    empty.mkdir()
    [error] = list(read_sources([str(empty)]))
    assert isinstance(error, InputError)
    assert error.reason.startswith("folder has no")


# --- read_feed directly ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ('<?xml version="1.0" encoding="utf-16"?>', "utf-16"),
        ("", "utf-16"),
        ("", "utf-16-be"),
        ('<?xml version="1.0" encoding="utf-32"?>', "utf-32"),
        ('<?xml version="1.0" encoding="iso-8859-1"?>', "latin-1"),
    ],
)
def test_dtd_in_another_encoding_is_still_refused(declaration: str, encoding: str) -> None:
    data = LAUGHS.decode("ascii").replace('<?xml version="1.0"?>', declaration)
    assert list(read_feed(data.encode(encoding), "other.xml")) == [
        InputError("other.xml", DTD_REJECTED)
    ]


def test_doctype_text_inside_cdata_is_not_a_declaration() -> None:
    data = RSS.replace(b"<p>Monitors said", b"<!DOCTYPE html><p>Monitors said")
    assert b"<![CDATA[<!DOCTYPE html>" in data
    items = [r for r in read_feed(data, "cdata.xml") if isinstance(r, SourceItem)]
    assert [item.document.id for item in items][0] == "bn-1001"


def test_not_a_feed() -> None:
    [error] = list(read_feed(b"<html><body><p>Hello</p></body></html>", "page.xml"))
    assert isinstance(error, InputError)
    assert error.origin == "page.xml"
    assert error.reason.startswith("not an RSS or Atom feed")
    [empty] = list(read_feed(b'<rss version="2.0"><channel><title>T</title></channel></rss>', "e"))
    assert empty == InputError("e", "feed has no entries")


@pytest.mark.parametrize("first", ["trucewatch.ingest.feeds", "trucewatch.ingest.sources"])
def test_modules_import_in_either_order(first: str) -> None:
    code = f"import {first}; from trucewatch.ingest.sources import SourceItem, read_sources"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
