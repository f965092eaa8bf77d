"""The watcher: polls the configured sources when due and ingests what is new, once.

One round (``Watcher.run_once``) polls every due source in config order; a failing source
never stops the others.

- feed: a conditional GET (If-None-Match / If-Modified-Since from the last full response);
  304 means nothing new. Otherwise each entry is an item keyed by its guid (else its link,
  else its text): an entry already seen is skipped even if its text changed since - the guid
  names the report, and a re-worded report is the publisher's correction, not a new one.
- page: the text of the elements matching ``selector`` (the whole article without one) is one
  item keyed by that text, so a changed page is a new item.
- folder: each .txt/.html/.htm/.jsonl/.xml/.rss/.atom file below it is an item keyed by its
  path, mtime and size, so a new or modified file is read (hidden files are skipped: write a
  file under a hidden name and rename it when complete).

New items go through ``Registry.ingest`` (one Registry per Watcher) and are marked seen only
after the registry returned from them: a crash in between re-ingests them, which adds nothing.
An item the registry failed on is not marked and is tried again next round (the feed's
validators are then not saved, so the next GET is a full one). A failed poll is recorded with
its error and backed off: interval × 2^errors, at most 24 h. After each round the alert engine
(``alerts``, if given) checks what the registry gained.

Conditional GETs reuse ``web.fetch`` (its timeouts, size cap and error wording): the watcher
passes it a shared httpx client whose default headers carry the validators of the source being
polled, and whose response hook notes the status, so the FetchError ``fetch`` raises for a 304
is recognised as "not modified".

Logs go to the ``trucewatch.watch`` logger: the message is the event, the extras are
``source``, ``status``, ``items``, ``duration``, ``error``... (``trucewatch watch`` writes them
as JSON lines on stderr).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import trafilatura

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo.geocoder import Geocoder
from trucewatch.ingest.feeds import read_feed
from trucewatch.ingest.html import html_to_text
from trucewatch.ingest.readers import SUFFIXES, InputError, walk_folder
from trucewatch.ingest.sources import (
    FEED_SUFFIXES,
    SourceItem,
    decode_bytes,  # its charset rules, shared
    read_sources,
)
from trucewatch.ingest.web import USER_AGENT, Fetched, FetchError, fetch
from trucewatch.models import Document
from trucewatch.registry import IngestSummary, Registry
from trucewatch.store.sql import SqlStore
from trucewatch.watch.config import SourceConfig, WatchConfig, select_text
from trucewatch.watch.state import WatchState, item_key

__all__ = ["BACKOFF_CAP", "AlertChecker", "RoundResult", "SourceResult", "Watcher"]

BACKOFF_CAP = 24 * 3600.0
log = logging.getLogger("trucewatch.watch")


class WatchFetcher(Protocol):
    def __call__(
        self, url: str, *, timeout: float, max_bytes: int, client: httpx.Client | None
    ) -> Fetched: ...


class AlertChecker(Protocol):
    """What the watcher calls after each round (``alerts.AlertEngine``)."""

    def check(self) -> list[Any]: ...


@dataclass
class SourceResult:
    """One source's poll: status is new | not-modified | unchanged | error | stopped."""

    name: str
    status: str
    items: int = 0  # new documents stored
    skipped: int = 0  # items already seen
    failed: list[str] = field(default_factory=list)
    error: str | None = None
    duration: float = 0.0

    def log_fields(self) -> dict[str, Any]:
        fields = {"source": self.name, "status": self.status, "items": self.items}
        fields.update(skipped=self.skipped, failed=len(self.failed), duration=self.duration)
        return fields | ({"error": self.error} if self.error is not None else {})


@dataclass
class RoundResult:
    sources: list[SourceResult] = field(default_factory=list)
    duration: float = 0.0
    alerts: int = 0

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sources)

    @property
    def errors(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status == "error"]

    def get(self, name: str) -> SourceResult | None:
        return next((s for s in self.sources if s.name == name), None)


class _SourceError(Exception):
    pass


@dataclass
class _Unit:
    """The registry inputs of one item; ``key`` None: nothing to mark (a bad feed entry)."""

    key: str | None
    items: Iterable[SourceItem | InputError]
    failed: bool = False


class Watcher:
    """Polls ``config``'s sources into ``store``, remembering what it did in ``state``."""

    def __init__(
        self,
        config: WatchConfig,
        store: SqlStore,
        state: WatchState,
        *,
        fetcher: WatchFetcher = fetch,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] | None = None,
        extractor: Extractor | None = None,
        geocoder: Geocoder | None = None,
        alerts: AlertChecker | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.registry = Registry(store, extractor=extractor, geocoder=geocoder)
        self.alerts = alerts
        self._fetcher = fetcher
        self._clock = clock
        self._sleep = sleep
        self._last_status: int | None = None
        self._client = httpx.Client(event_hooks={"response": [self._saw_response]})

    def close(self) -> None:
        self._client.close()

    # -- scheduling -------------------------------------------------------------------------

    def due_at(self, source: SourceConfig) -> float:
        """When ``source`` is next due: its backed-off time after errors, else its last
        success plus its (current) interval; never polled: now."""
        st = self.state.source(source.name)
        if st.consecutive_errors:
            return st.next_due
        return (st.last_success or 0.0) + source.interval

    def run(self, stop: threading.Event, *, max_wait: float = 3600.0) -> None:
        """Poll rounds until ``stop`` is set, waiting in between for the next due source."""
        log.info("start", extra={"sources": len(self.config.sources)})
        while not stop.is_set():
            self.run_once(stop)
            if stop.is_set() or not self.config.sources:
                break
            wait = min(self.due_at(s) for s in self.config.sources) - self._clock()
            wait = min(max(wait, 1.0), max_wait)
            if self._sleep is not None:
                self._sleep(wait)
            else:
                stop.wait(wait)
        log.info("stop")

    def run_once(self, stop: threading.Event | None = None) -> RoundResult:
        """Poll every due source once (until ``stop`` is set), then check the alerts."""
        stop = stop or threading.Event()
        started = time.monotonic()
        result = RoundResult()
        for source in self.config.sources:
            if stop.is_set():
                break
            if self.due_at(source) <= self._clock():
                result.sources.append(self._poll(source, stop))
        if self.alerts is not None and not stop.is_set():
            try:
                result.alerts = len(self.alerts.check())
            except Exception as exc:  # noqa: BLE001 - alerting must not stop the watcher
                log.error("alerts_failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        result.duration = round(time.monotonic() - started, 3)
        log.info("round", extra={"items": result.items, "duration": result.duration})
        return result

    # -- one source -------------------------------------------------------------------------

    def _poll(self, source: SourceConfig, stop: threading.Event) -> SourceResult:
        started = time.monotonic()
        result = SourceResult(source.name, "new")
        validators: tuple[str | None, str | None] | None = None
        try:
            if source.kind == "folder":
                units = self._folder_units(source, result)
            else:
                fetched = self._get(source)
                if fetched is None:
                    result.status = "not-modified"
                    units = []
                else:
                    validators = (fetched.etag, fetched.last_modified)
                    units = self._fetched_units(source, fetched, result)
            complete = self._ingest(source, units, stop, result)
        except (_SourceError, FetchError) as exc:
            result.status, result.error = "error", str(exc)
        except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
            result.status, result.error = "error", f"{type(exc).__name__}: {exc}"
        now = self._clock()
        result.duration = round(time.monotonic() - started, 3)
        if result.error is not None:
            errors = self.state.record_error(
                source.name, result.error, now, source.interval, BACKOFF_CAP
            )
            log.warning("poll_failed", extra=result.log_fields() | {"errors": errors})
            return result
        if not complete:
            result.status = "stopped"
        elif result.status == "new" and not result.items:
            result.status = "unchanged"
        saved = validators if complete and not result.failed else None
        self.state.record_success(source.name, now, now + source.interval, validators=saved)
        log.info("poll", extra=result.log_fields())
        return result

    def _get(self, source: SourceConfig) -> Fetched | None:
        """The response of a conditional GET, or None for 304 Not Modified."""
        assert source.url is not None
        st = self.state.source(source.name)
        headers = {"User-Agent": USER_AGENT}
        if st.etag:
            headers["If-None-Match"] = st.etag
        if st.last_modified:
            headers["If-Modified-Since"] = st.last_modified
        self._client.headers = httpx.Headers(headers)
        self._last_status = None
        try:
            return self._fetcher(
                source.url,
                timeout=self.config.timeout,
                max_bytes=self.config.max_bytes,
                client=self._client,
            )
        except FetchError:
            if self._last_status == 304:
                return None
            raise

    def _saw_response(self, response: httpx.Response) -> None:
        self._last_status = response.status_code

    def _fetched_units(
        self, source: SourceConfig, fetched: Fetched, result: SourceResult
    ) -> list[_Unit]:
        assert source.url is not None
        host = urlsplit(fetched.url).hostname
        published = _fallback_date(source)
        if source.kind == "page":
            item = _page_item(source, fetched, host, published)
            key = item_key("page", item.document.text)
            if self.state.is_seen(source.name, key):
                result.skipped += 1
                return []
            return [_Unit(key, [item])]
        entries = read_feed(fetched.body, source.url, published)
        units: list[_Unit] = []
        for entry in entries:
            if isinstance(entry, InputError):
                if entry.origin == source.url:  # the whole feed is unusable
                    raise _SourceError(f"{source.url}: {entry.reason}")
                units.append(_Unit(None, [entry]))
                continue
            doc = entry.document
            positional = re.fullmatch(re.escape(source.url) + r"#\d+", doc.id) is not None
            key = item_key("text", doc.text) if positional else item_key("entry", doc.id)
            if self.state.is_seen(source.name, key):
                result.skipped += 1
                continue
            if entry.outlet is None:
                entry = SourceItem(entry.document, entry.raw, host)
            units.append(_Unit(key, [entry]))
        return units

    def _folder_units(self, source: SourceConfig, result: SourceResult) -> list[_Unit]:
        assert source.path is not None
        folder = source.path
        if not folder.is_dir():
            raise _SourceError(f"{folder}: not a folder")
        published = _fallback_date(source)
        units: list[_Unit] = []
        for entry in walk_folder(folder, FEED_SUFFIXES | SUFFIXES):
            if isinstance(entry, InputError):
                if entry.origin == str(folder):
                    raise _SourceError(str(entry))
                units.append(_Unit(None, [entry]))
                continue
            try:
                info = entry.stat()
            except OSError as exc:
                units.append(_Unit(None, [InputError(str(entry), str(exc))]))
                continue
            key = item_key("file", str(entry), info.st_mtime_ns, info.st_size)
            if self.state.is_seen(source.name, key):
                result.skipped += 1
                continue
            units.append(_Unit(key, read_sources([str(entry)], published)))
        return units

    def _ingest(
        self, source: SourceConfig, units: list[_Unit], stop: threading.Event, result: SourceResult
    ) -> bool:
        """Ingest ``units`` in order, marking each seen once the registry is done with all of
        its items; True when every unit was handed over (``stop`` was not set)."""
        if not units:
            return True
        in_flight: list[tuple[_Unit, SourceItem | InputError]] = []
        complete = True

        def stream() -> Iterator[SourceItem | InputError]:
            nonlocal complete
            for unit in units:
                for item in unit.items:
                    if stop.is_set():
                        complete = False
                        return
                    in_flight[:] = [(unit, item)]
                    yield item  # resumed only after the registry stored it and told on_item
                if unit.key is not None and not unit.failed:
                    self.state.mark_seen(source.name, [unit.key], self._clock())

        def on_item(origin: str, outcome: str) -> None:
            if not outcome.startswith("failed"):
                return
            unit, item = in_flight[0]
            if isinstance(item, SourceItem):
                unit.failed = True  # a store or extractor failure: try again next round
            result.failed.append(f"{origin}: {outcome.removeprefix('failed: ')}")
            log.warning(
                "item_failed", extra={"source": source.name, "origin": origin, "error": outcome}
            )

        summary: IngestSummary = self.registry.ingest(stream(), on_item=on_item)
        result.items += summary.new
        return complete


def _fallback_date(source: SourceConfig) -> dt.date:
    """A report that carries no date is dated by the source's ``published``, else by the day
    the watcher first saw it."""
    return source.published or dt.datetime.now(dt.UTC).date()


def _page_item(
    source: SourceConfig, fetched: Fetched, host: str | None, published: dt.date
) -> SourceItem:
    assert source.url is not None
    html = decode_bytes(fetched.body, fetched.content_type)
    title: str | None = None
    if source.selector is None:
        article = html_to_text(html)
        text, title, published = article.text, article.title, article.published or published
    else:
        text = select_text(html, source.selector)
        if not text.strip():
            raise _SourceError(f"{source.url}: selector {source.selector!r} matched no text")
        metadata = trafilatura.extract_metadata(html)
        if metadata is not None:
            title = metadata.title
            if metadata.date:
                try:
                    published = dt.date.fromisoformat(metadata.date[:10])
                except ValueError:
                    pass
    if not text.strip():
        raise _SourceError(f"{source.url}: no text on the page")
    doc = Document(
        id=source.url,
        text=text,
        published=published,
        url=fetched.url,
        title=title,
        origin=source.url,
    )
    return SourceItem(document=doc, raw=fetched.body, outlet=host)
