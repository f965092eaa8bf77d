"""`trucewatch watch` against a real HTTP server on 127.0.0.1 whose content changes between
rounds, a real drop folder and a real SQLite registry: new items are ingested exactly once,
conditional GETs get 304s, failures back off, state survives a restart, SIGTERM is graceful."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from trucewatch.cli import cli
from trucewatch.cli.watch import source, watch
from trucewatch.extract.pipeline import DocumentReading, Extractor
from trucewatch.geo import Geocoder
from trucewatch.models import Document
from trucewatch.store import SqlStore, open_store
from trucewatch.watch.config import (
    ConfigError,
    SelectorError,
    add_source,
    compile_selector,
    load_config,
    remove_source,
    select_text,
)
from trucewatch.watch.poller import Watcher
from trucewatch.watch.state import WatchState

INTERVAL = 100
TIMEOUT = 0.5
REPORTS = [
    "The Russian Defence Ministry said on Friday that its peacekeepers had registered one "
    "ceasefire violation near Khramort, where an attack drone struck a position.",
    "Armenian officials accused Azerbaijani units of firing small arms at the village of "
    "Taghavard late on Tuesday evening; nobody was hurt.",
    "Ukraine's General Staff reported that shelling hit Horlivka twice overnight and that "
    "two civilians were wounded in the strikes.",
    "Pakistan's ISPR said Indian troops opened unprovoked fire across the Line of Control in "
    "the Nikial sector, killing one soldier.",
    "Local authorities in Shusha reported a quiet day with no incidents at all along the "
    "contact line, according to the mission.",
    "A mortar round landed near Dolynka on Sunday morning, the monitoring mission wrote in "
    "its daily update, damaging a school roof.",
    "The Azerbaijani Defence Ministry denied any strike near Khramort and called the Russian "
    "statement false and misleading.",
    "Sniper fire was recorded near Avdiivka on Monday afternoon, the observers said, and a "
    "volunteer medic was injured.",
]


# --- a local server whose routes the tests change ------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    requests: list[dict[str, str]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route.requests.append(dict(self.headers.items()))
                time.sleep(route.delay)
                fresh = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified
                    and self.headers.get("If-Modified-Since") == route.last_modified
                )
                status = 304 if route.status == 200 and fresh else route.status
                route.answers.append(status)
                try:
                    self.send_response(status)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                    body = route.body if status == 200 else b""
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def rss(*entries: tuple[str, str]) -> bytes:
    items = "".join(
        f'<item><title>Report {escape(guid)}</title><guid isPermaLink="false">{escape(guid)}'
        f"</guid><link>http://news.example/{escape(guid)}</link>"
        f"<pubDate>Fri, 13 Aug 2021 09:00:00 +0000</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, text in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Line News</title><link>http://news.example/</link>{items}</channel></rss>"
    ).encode()


def page(*paragraphs: str) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<html><head><title>Bulletins</title></head><body><nav>Home | About | Donate</nav>"
        f'<div class="report today">{body}</div><footer>Subscribe</footer></body></html>'
    ).encode()


# --- fixtures -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


def documents(store: SqlStore) -> int:
    return store.counts()["documents"]


def write_config(tmp_path: Path, server: Server, drop: Path) -> Path:
    path = tmp_path / "trucewatch.toml"
    path.write_text(
        "# sources of the test\n"
        f"[watch]\ntimeout = {TIMEOUT}\n\n"
        f'[[sources]]\nname = "feed"\nkind = "feed"\nurl = "{server.url("/feed.xml")}"\n'
        f"interval = {INTERVAL}\n\n"
        f'[[sources]]\nname = "broken"\nkind = "feed"\nurl = "{server.url("/broken")}"\n'
        f"interval = {INTERVAL}\n\n"
        f'[[sources]]\nname = "slow"\nkind = "feed"\nurl = "{server.url("/slow")}"\n'
        f"interval = {INTERVAL}\n\n"
        f'[[sources]]\nname = "bulletins"\nkind = "page"\nurl = "{server.url("/page.html")}"\n'
        f'selector = "div.report p"\ninterval = {INTERVAL}\n\n'
        f'[[sources]]\nname = "drop"\nkind = "folder"\npath = "{drop.name}"\n'
        f"interval = {INTERVAL}\npublished = 2021-08-13\n",
        encoding="utf-8",
    )
    return path


# --- the watcher, round by round -------------------------------------------------------------


def test_rounds_ingest_new_items_once_and_survive_a_restart(
    tmp_path: Path, server: Server, store: SqlStore, extractor: Extractor, geocoder: Geocoder
) -> None:
    feed = server.routes["/feed.xml"] = Route(
        rss(("g1", REPORTS[0]), ("g2", REPORTS[1])), "application/rss+xml", etag='"v1"'
    )
    server.routes["/broken"] = Route(status=500)
    server.routes["/slow"] = Route(rss(("s1", REPORTS[7])), "application/rss+xml", delay=2.0)
    modified = formatdate(1_600_000_000, usegmt=True)
    bulletins = server.routes["/page.html"] = Route(page(REPORTS[2]), last_modified=modified)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "one.txt").write_text(REPORTS[3], encoding="utf-8")
    config = load_config(write_config(tmp_path, server, drop))
    clock = Clock()
    state = WatchState(config.state_path)
    watcher = Watcher(config, store, state, clock=clock, extractor=extractor, geocoder=geocoder)

    # round 1: everything is new; the 500 and the slow server are errors, the others go on
    first = watcher.run_once()
    assert [(s.name, s.status, s.items) for s in first.sources] == [
        ("feed", "new", 2),
        ("broken", "error", 0),
        ("slow", "error", 0),
        ("bulletins", "new", 1),
        ("drop", "new", 1),
    ]
    assert documents(store) == 4
    broken = state.source("broken")
    assert broken.consecutive_errors == 1
    assert "HTTP status 500" in (broken.last_error or "")
    assert broken.next_due == clock.now + 2 * INTERVAL  # interval x 2^1
    slow = state.source("slow")
    assert slow.consecutive_errors == 1
    assert "timed out" in (slow.last_error or "")
    assert state.source("feed").etag == '"v1"'

    # round 2: the feed gains g3 and rewords g1 (same guid: the same report, not read again),
    # the page and the folder change; the broken source is still backing off
    clock.now += INTERVAL
    feed.body = rss(("g1", REPORTS[0] + " Updated."), ("g2", REPORTS[1]), ("g3", REPORTS[4]))
    feed.etag = '"v2"'
    bulletins.body, bulletins.last_modified = page(REPORTS[5]), formatdate(1_700_000_000)
    (drop / "two.jsonl").write_text(json.dumps({"text": REPORTS[6]}) + "\n", encoding="utf-8")
    second = watcher.run_once()
    assert [(s.name, s.status, s.items) for s in second.sources] == [
        ("feed", "new", 1),
        ("bulletins", "new", 1),
        ("drop", "new", 1),
    ]
    assert second.get("feed").skipped == 2  # type: ignore[union-attr]
    assert feed.requests[-1]["If-None-Match"] == '"v1"'
    assert bulletins.requests[-1]["If-Modified-Since"] == modified
    assert documents(store) == 7

    # round 3: nothing changed: the server answers 304 to the conditional GETs
    clock.now += 2 * INTERVAL
    third = watcher.run_once()
    statuses = {s.name: s.status for s in third.sources}
    assert statuses == {
        "feed": "not-modified",
        "broken": "error",
        "slow": "error",
        "bulletins": "not-modified",
        "drop": "unchanged",
    }
    assert feed.answers[-1] == 304
    assert bulletins.answers[-1] == 304
    assert state.source("broken").consecutive_errors == 2
    assert state.source("broken").next_due == clock.now + 4 * INTERVAL
    assert documents(store) == 7
    watcher.close()
    state.close()

    # restart: a new Watcher on the same files; the server forgets validators (full 200s):
    # every item is known, nothing is read again
    feed.etag = bulletins.last_modified = None
    clock.now += INTERVAL
    with WatchState(config.state_path) as state:
        assert state.source("feed").items_seen == 3
        again = Watcher(config, store, state, clock=clock, extractor=extractor, geocoder=geocoder)
        fourth = again.run_once()
        again.close()
    assert feed.answers[-1] == 200
    assert {s.name: (s.status, s.items, s.skipped) for s in fourth.sources} == {
        "feed": ("unchanged", 0, 3),
        "bulletins": ("unchanged", 0, 1),
        "drop": ("unchanged", 0, 2),
    }
    assert documents(store) == 7


def test_a_stop_mid_round_keeps_the_rest_for_later(
    tmp_path: Path,
    server: Server,
    store: SqlStore,
    extractor: Extractor,
    geocoder: Geocoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopped after the first entry: only it is marked, the validators are not saved, and the
    next round reads the rest (not the first again)."""
    feed = server.routes["/feed.xml"] = Route(
        rss(("a", REPORTS[0]), ("b", REPORTS[1]), ("c", REPORTS[2])),
        "application/rss+xml",
        etag='"x"',
    )
    path = tmp_path / "w.toml"
    add_source(path, {"name": "feed", "kind": "feed", "url": server.url("/feed.xml")})
    config = load_config(path)
    stop = threading.Event()
    clock = Clock()
    with WatchState(config.state_path) as state:
        watcher = Watcher(config, store, state, clock=clock, extractor=extractor, geocoder=geocoder)
        original = extractor.read

        def read_then_stop(doc: Document) -> DocumentReading:
            stop.set()  # as SIGTERM would, while the first report is in flight
            return original(doc)

        monkeypatch.setattr(extractor, "read", read_then_stop)
        result = watcher.run_once(stop)
        monkeypatch.undo()
        assert result.get("feed").status == "stopped"  # type: ignore[union-attr]
        assert documents(store) == 1
        assert state.source("feed").etag is None
        clock.now += 900
        rest = watcher.run_once()
        watcher.close()
    assert feed.requests[-1].get("If-None-Match") is None
    assert (rest.sources[0].items, rest.sources[0].skipped) == (2, 1)
    assert documents(store) == 3


# --- config and CSS selectors --------------------------------------------------------------


def test_css_selectors_and_config_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    html = (
        '<div class="report today"><p>one</p><p lang="en">two</p></div>'
        '<div id="main">three</div><p>four</p>'
    )
    assert select_text(html, "div.report > p, #main") == "one\n\ntwo\n\nthree"
    assert select_text(html, "p[lang=en]") == "two"  # beyond a hand-written subset
    assert select_text(html, "div.report p:nth-child(2)") == "two"
    with pytest.raises(SelectorError, match="invalid CSS selector 'div\\['"):
        compile_selector("div[")
    path = tmp_path / "bad.toml"
    path.write_text('[[sources]]\nname = "x"\nkind = "feed"\nurl = "ftp://h/f"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: sources\[0\] \(x\): 'url' must be"):
        load_config(path)
    path.write_text(
        '[[sources]]\nname = "x"\nkind = "page"\nurl = "http://h/"\nselector = "p::before"\n'
    )
    with pytest.raises(ConfigError, match=r"sources\[0\] \(x\): invalid CSS selector"):
        load_config(path)


def test_source_commands_edit_the_file_and_show_status(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "trucewatch.toml"
    path.parent.mkdir()
    path.write_text("# my sources\n[alerts]\ndigest = true\n", encoding="utf-8")
    runner = CliRunner()
    args = ["--config", str(path)]
    ok = runner.invoke(source, ["add", "oc", "--kind", "feed", "--url", "https://oc/feed"] + args)
    assert ok.exit_code == 0, ok.output
    drop = path.parent / "drop"
    ok = runner.invoke(
        source, ["add", "drop", "--kind", "folder", "--path", str(drop), "--interval", "60"] + args
    )
    assert ok.exit_code == 0, ok.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my sources\n[alerts]\ndigest = true\n")
    assert '[[sources]]\nname = "drop"\nkind = "folder"\npath = "drop"\ninterval = 60\n' in text
    assert load_config(path).sources[1].path == drop

    dup = runner.invoke(source, ["add", "oc", "--kind", "feed", "--url", "https://x/"] + args)
    assert dup.exit_code == 1
    assert "sources[2] (oc): duplicate name" in dup.output
    assert dup.exception is None or isinstance(dup.exception, SystemExit)
    both = runner.invoke(source, ["add", "z", "--kind", "page"] + args)
    assert both.exit_code == 2
    assert "exactly one of --url" in both.output

    with WatchState(load_config(path).state_path) as state:
        state.record_error("oc", "HTTP status 500", 1_700_000_000.0, 900, 86400)
    listing = runner.invoke(source, ["list"] + args)
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split()[:3] == ["NAME", "KIND", "TARGET"]
    assert "(1x) HTTP status 500" in lines[1]
    assert lines[1].startswith("oc ")
    assert "drop" in lines[2]
    assert "60s" in lines[2]

    gone = runner.invoke(source, ["remove", "oc"] + args)
    assert gone.exit_code == 0
    assert [s.name for s in load_config(path).sources] == ["drop"]
    with WatchState(load_config(path).state_path) as state:
        assert "oc" not in state.sources()
    missing = runner.invoke(source, ["remove", "oc"] + args)
    assert missing.exit_code == 1
    assert "no source named 'oc'" in missing.output
    with pytest.raises(ConfigError):
        remove_source(path, "nope")

    path.write_text('[[sources]]\nname = "q"\nkind = "radio"\n', encoding="utf-8")
    bad = runner.invoke(watch, ["--once", "--db", str(tmp_path / "r.db")] + args)
    assert bad.exit_code == 1
    assert "trucewatch.toml: sources[0] (q): 'kind' must be one of" in bad.output
    assert "Traceback" not in bad.output


# --- the command, as a process -------------------------------------------------------------


def test_watch_process_ingests_then_stops_on_sigterm(
    tmp_path: Path, server: Server, gazetteer_cache: Path, geocoder: Geocoder
) -> None:
    assert geocoder is not None  # the gazetteer index is built in gazetteer_cache
    server.routes["/feed.xml"] = Route(
        rss(("p1", REPORTS[0]), ("p2", REPORTS[3])), "application/rss+xml", etag='"e"'
    )
    path = tmp_path / "trucewatch.toml"
    entry = {"name": "feed", "kind": "feed", "url": server.url("/feed.xml"), "interval": 1}
    add_source(path, entry)
    db = tmp_path / "registry.db"
    env = {**os.environ, "TRUCEWATCH_CACHE": str(gazetteer_cache)}
    # `python -m trucewatch watch` once cli/__init__ registers the command; until then, direct
    command = (
        [sys.executable, "-m", "trucewatch", "watch"]
        if "watch" in cli.commands
        else [sys.executable, "-c", "from trucewatch.cli.watch import watch; watch()"]
    )
    process = subprocess.Popen(
        [*command, "--config", str(path), "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    state_file = tmp_path / "trucewatch.toml.state.sqlite"
    try:
        deadline = time.monotonic() + 60
        while _items_seen(state_file) < 2:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the watcher ingested nothing in 60 s"
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    events = [json.loads(line) for line in stderr.splitlines()]
    assert {"start", "poll", "round", "stopping", "stop"} <= {e["event"] for e in events}
    poll = next(e for e in events if e["event"] == "poll")
    assert (poll["source"], poll["items"]) == ("feed", 2)
    assert poll["duration"] >= 0
    with WatchState(state_file) as state:
        assert state.source("feed").etag == '"e"'
        assert state.source("feed").last_success is not None
    with open_store(db) as store:
        assert documents(store) == 2


def _items_seen(state_file: Path) -> int:
    if not state_file.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(state_file)) as conn:
            row = conn.execute("SELECT sum(items_seen) FROM watch_sources").fetchone()
    except sqlite3.OperationalError:  # the watcher is creating its tables
        return 0
    return int(row[0] or 0)
